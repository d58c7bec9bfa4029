import { expect } from "chai";
import { EARLY_RENEWAL_HOURS, SELF_SIGNED_VALIDITY_HOURS, certificateMode } from "../components/certificate";
import { ProgramRun } from "../offline/program";
import { named, ofType, runStack, sharedRun } from "./support/program";

const CERT = "aws:acm/certificate:Certificate";
const RECORD = "aws:route53/record:Record";
const DOMAIN = "www.example.com";
const ZONE = "Z0123456789ABCDEFGHIJ";

describe("web certificate (mocked program)", function () {
    let selfSigned: ProgramRun;
    let dns: ProgramRun;
    before(async () => {
        selfSigned = await sharedRun("dev");
        // A stricter TLS policy along with the domain, to see the listener follow the config.
        dns = await runStack("dev", {
            "webfleet:web": { domain: DOMAIN, hostedZoneId: ZONE, tlsPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" },
        });
    });

    it("picks its mode from web.domain and web.hostedZoneId", () => {
        expect(certificateMode({})).to.equal("self-signed");
        expect(certificateMode({ domain: DOMAIN, hostedZoneId: ZONE })).to.equal("dns-validated");
    });

    describe("without a domain", () => {
        it("makes an ECDSA P-256 key and a self-signed server certificate for the ALB's DNS name, renewed a month before expiry", () => {
            const key = named(selfSigned, "tls:index/privateKey:PrivateKey", "web-lb-cert-key");
            expect(key.inputs).to.deep.equal({ algorithm: "ECDSA", ecdsaCurve: "P256" });
            const cert = named(selfSigned, "tls:index/selfSignedCert:SelfSignedCert", "web-lb-cert-self-signed");
            const alb = named(selfSigned, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb");
            expect(cert.inputs.dnsNames).to.deep.equal([alb.outputs.dnsName]);
            expect(cert.inputs.allowedUses).to.deep.equal(["digital_signature", "server_auth"]);
            expect(cert.inputs).to.include({ validityPeriodHours: 8760, earlyRenewalHours: 720 });
            expect(EARLY_RENEWAL_HOURS).to.be.below(SELF_SIGNED_VALIDITY_HOURS);
            expect(cert.inputs.privateKeyPem).to.equal(key.outputs.privateKeyPem);
        });

        it("imports it into ACM with the private key recorded as a secret, and serves it on HTTPS", () => {
            const imported = named(selfSigned, CERT, "web-lb-cert-import");
            const cert = named(selfSigned, "tls:index/selfSignedCert:SelfSignedCert", "web-lb-cert-self-signed");
            expect(imported.inputs.certificateBody).to.equal(cert.outputs.certPem);
            expect(imported.inputs.privateKey).to.match(/^-----BEGIN PRIVATE KEY-----/);
            expect(imported.secretInputPaths).to.deep.equal(["privateKey"]);
            expect(imported.inputs.domainName).to.equal(undefined);
            expect(named(selfSigned, "aws:lb/listener:Listener", "web-lb-https").inputs.certificateArn).to.equal(
                imported.outputs.arn,
            );
        });

        it("creates no DNS records and serves the ALB's name", () => {
            expect(ofType(selfSigned, RECORD)).to.deep.equal([]);
            expect(ofType(selfSigned, "aws:acm/certificateValidation:CertificateValidation")).to.deep.equal([]);
            expect(selfSigned.outputs.url.value).to.equal(`https://${selfSigned.outputs.albDnsName.value}`);
        });
    });

    describe("with a domain and its hosted zone", () => {
        it("requests an ACM certificate for the domain validated by DNS", () => {
            const cert = named(dns, CERT, "web-lb-cert-acm");
            expect(cert.inputs).to.deep.include({
                domainName: DOMAIN,
                validationMethod: "DNS",
                keyAlgorithm: "EC_prime256v1",
            });
            expect(cert.inputs.privateKey).to.equal(undefined);
            expect(ofType(dns, "tls:index/privateKey:PrivateKey")).to.deep.equal([]);
            expect(ofType(dns, "tls:index/selfSignedCert:SelfSignedCert")).to.deep.equal([]);
        });

        it("writes ACM's validation record into the zone and waits for validation before the listener uses the certificate", () => {
            const cert = named(dns, CERT, "web-lb-cert-acm");
            const option = cert.outputs.domainValidationOptions[0];
            const record = named(dns, RECORD, "web-lb-cert-validation-record");
            expect(record.inputs).to.deep.equal({
                zoneId: ZONE,
                name: option.resourceRecordName,
                type: "CNAME",
                records: [option.resourceRecordValue],
                ttl: 300,
                allowOverwrite: true,
            });
            const validation = named(
                dns,
                "aws:acm/certificateValidation:CertificateValidation",
                "web-lb-cert-validation",
            );
            expect(validation.inputs).to.deep.equal({
                certificateArn: cert.outputs.arn,
                validationRecordFqdns: [record.outputs.fqdn],
            });
            const https = named(dns, "aws:lb/listener:Listener", "web-lb-https");
            expect(https.inputs.certificateArn).to.equal(cert.outputs.arn);
            // The ARN comes through the validation, so the listener waits for ACM to issue it.
            expect(https.propertyDependencies.certificateArn).to.deep.equal([validation.urn]);
            expect(https.inputs.sslPolicy).to.equal("ELBSecurityPolicy-TLS13-1-3-2021-06");
        });

        it("points the domain at the ALB with an alias record and serves the domain", () => {
            const alb = named(dns, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb");
            const alias = named(dns, RECORD, "web-lb-alias");
            expect(alias.inputs).to.deep.equal({
                zoneId: ZONE,
                name: DOMAIN,
                type: "A",
                aliases: [{ name: alb.outputs.dnsName, zoneId: alb.outputs.zoneId, evaluateTargetHealth: true }],
                // A record the domain already has (its previous home) is taken over, not a failed deploy.
                allowOverwrite: true,
            });
            expect(ofType(dns, RECORD)).to.have.length(2);
            expect(dns.outputs.url).to.deep.equal({ value: `https://${DOMAIN}`, secret: false });
        });
    });
});
