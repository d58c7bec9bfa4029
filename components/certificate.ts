/**
 * The HTTPS listener's certificate, in one of two modes:
 * - no domain: a self-signed ECDSA P-256 certificate made by @pulumi/tls for the ALB's DNS name
 *   and imported into ACM (the private key stays a Pulumi secret). It is re-issued by a
 *   `pulumi up` once it is within EARLY_RENEWAL_HOURS of expiry, and ACM re-imports it under
 *   the same ARN, so the listener never changes.
 * - a domain and its Route 53 zone: an ACM certificate validated by a DNS record in that zone,
 *   which ACM renews on its own for as long as the record stays.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { childName } from "../lib/naming";

/** One year: long enough to forget about, short enough that rotation is a routine event. */
export const SELF_SIGNED_VALIDITY_HOURS = 365 * 24;
/** Any `pulumi up` in the last 30 days of validity issues the next certificate. */
export const EARLY_RENEWAL_HOURS = 30 * 24;

export type CertificateMode = "self-signed" | "dns-validated";

export interface CertificateArgs {
    /** With hostedZoneId: a DNS-validated ACM certificate for this name. */
    domain?: string;
    hostedZoneId?: string;
    /** The ALB's DNS name: the self-signed certificate's subject alternative name. */
    albDnsName: pulumi.Input<string>;
}

export function certificateMode(args: Pick<CertificateArgs, "domain" | "hostedZoneId">): CertificateMode {
    return args.domain && args.hostedZoneId ? "dns-validated" : "self-signed";
}

export class Certificate extends pulumi.ComponentResource {
    /** The certificate for the listener; in DNS mode only once ACM has issued it. */
    public readonly certificateArn: pulumi.Output<string>;
    public readonly mode: CertificateMode;

    constructor(name: string, args: CertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:web:Certificate", name, {}, opts);
        if ((args.domain === undefined) !== (args.hostedZoneId === undefined)) {
            throw new pulumi.ResourceError(
                `web.domain and web.hostedZoneId: set both (DNS-validated certificate) or neither (self-signed); only ${args.domain ? "web.domain" : "web.hostedZoneId"} is set`,
                this,
            );
        }
        this.mode = certificateMode(args);
        this.certificateArn =
            this.mode === "dns-validated"
                ? this.dnsValidated(name, args.domain!, args.hostedZoneId!)
                : this.selfSigned(name, args.albDnsName);
        this.registerOutputs({ certificateArn: this.certificateArn, mode: this.mode });
    }

    private selfSigned(name: string, albDnsName: pulumi.Input<string>): pulumi.Output<string> {
        // ECDSA P-256: what ACM imports and ALB serves, with smaller handshakes than RSA.
        const key = new tls.PrivateKey(
            childName(name, "key"),
            { algorithm: "ECDSA", ecdsaCurve: "P256" },
            { parent: this },
        );
        const cert = new tls.SelfSignedCert(
            childName(name, "self-signed"),
            {
                privateKeyPem: key.privateKeyPem,
                // The common name is limited to 64 characters and ALB names can be longer; clients
                // check the subject alternative name.
                subject: { commonName: "webfleet self-signed", organization: "webfleet" },
                dnsNames: [albDnsName],
                allowedUses: ["digital_signature", "server_auth"],
                validityPeriodHours: SELF_SIGNED_VALIDITY_HOURS,
                earlyRenewalHours: EARLY_RENEWAL_HOURS,
            },
            { parent: this },
        );
        const imported = new aws.acm.Certificate(
            childName(name, "import"),
            {
                certificateBody: cert.certPem,
                // Explicitly secret: the key must never reach state, logs or the preview in clear.
                privateKey: pulumi.secret(key.privateKeyPem),
                tags: { Name: childName(name, "import") },
            },
            { parent: this },
        );
        return imported.arn;
    }

    private dnsValidated(name: string, domain: string, zoneId: string): pulumi.Output<string> {
        const cert = new aws.acm.Certificate(
            childName(name, "acm"),
            {
                domainName: domain,
                validationMethod: "DNS",
                keyAlgorithm: "EC_prime256v1",
                options: { certificateTransparencyLoggingPreference: "ENABLED" },
                tags: { Name: childName(name, "acm") },
            },
            { parent: this },
        );
        // One domain, so exactly one validation record; indexing avoids creating resources in an apply.
        const option = cert.domainValidationOptions.apply((options) => {
            if (options.length !== 1) {
                throw new pulumi.ResourceError(
                    `ACM returned ${options.length} validation options for ${domain}; expected exactly one`,
                    this,
                );
            }
            return options[0];
        });
        const record = new aws.route53.Record(
            childName(name, "validation-record"),
            {
                zoneId,
                name: option.resourceRecordName,
                type: option.resourceRecordType,
                records: [option.resourceRecordValue],
                ttl: 300,
                // ACM uses the same record for every certificate of this name: adopt one that exists.
                allowOverwrite: true,
            },
            { parent: this },
        );
        const validation = new aws.acm.CertificateValidation(
            childName(name, "validation"),
            { certificateArn: cert.arn, validationRecordFqdns: [record.fqdn] },
            { parent: this },
        );
        return validation.certificateArn;
    }
}
