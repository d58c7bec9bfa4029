/**
 * Issue 7, item 4: CloudFront with the app's own error pages, and no way around it to the ALB.
 */
import { expect } from "chai";
import { errorPages } from "../app/static/pages";
import { KNOWN_TLS_POLICIES, isTls13Only } from "../lib/tlsPolicies";
import { validateStackConfig } from "../stackConfig";
import { cloudFrontRateQueries } from "../lib/alarmQueries";
import { MANAGED_POLICIES, customErrorResponses } from "../components/cdn";
import { webAclRules } from "../components/waf";
import { MOCK_ACCOUNT_ID } from "../offline/mocks";
import { runPolicyPack } from "../offline/policyRunner";
import { ProgramRun } from "../offline/program";
import { configProblems as problems, rawConfig as raw } from "./support/config";
import { named, ofType, runStack, sharedRun } from "./support/program";

const DOMAIN = "www.example.com";
const ZONE = "Z0123456789ABCDEFGHIJ";
const DIST = "aws:cloudfront/distribution:Distribution";
const WITH_DOMAIN = { "webfleet:web": { domain: DOMAIN, hostedZoneId: ZONE } };

describe("CDN config", () => {
    const web = { domain: DOMAIN, hostedZoneId: ZONE };
    // Prod needs an alarm recipient (tested in config.spec.ts).
    const monitoring = { alarmEmail: "oncall@example.com" };

    it("is on by default in prod with a domain in us-east-1, off otherwise (so the shipped prod file validates)", () => {
        expect(validateStackConfig(raw("prod", { web, monitoring })).cdn).to.deep.equal({ enabled: true });
        expect(validateStackConfig(raw("prod", { monitoring })).cdn).to.deep.equal({ enabled: false });
        expect(
            validateStackConfig(
                raw(
                    "prod",
                    { web, monitoring, network: { availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] } },
                    "eu-west-1",
                ),
            ).cdn,
        ).to.deep.equal({ enabled: false });
        expect(validateStackConfig(raw("dev", { web })).cdn).to.deep.equal({ enabled: false });
        expect(validateStackConfig(raw("dev", { web, cdn: { enabled: true } })).cdn).to.deep.equal({ enabled: true });
    });

    it("refuses it without a domain (CloudFront refuses the self-signed certificate) and outside us-east-1", () => {
        expect(problems(() => validateStackConfig(raw("dev", { cdn: { enabled: true } })))).to.include(
            "  - cdn.enabled: expected false without web.domain and web.hostedZoneId: CloudFront refuses the ALB's self-signed certificate",
        );
        expect(
            problems(() =>
                validateStackConfig(
                    raw(
                        "dev",
                        { web, cdn: { enabled: true }, network: { availabilityZones: ["eu-west-1a", "eu-west-1b"] } },
                        "eu-west-1",
                    ),
                ),
            ),
        ).to.include(
            "  - cdn.enabled: expected false outside us-east-1: CloudFront takes its certificate and web ACL only from us-east-1",
        );
    });

    it("refuses a TLS 1.3-only listener policy while CloudFront (TLS 1.2 at most to origins) is in front", () => {
        const TLS13_ONLY = KNOWN_TLS_POLICIES.filter(isTls13Only);
        expect(TLS13_ONLY).to.deep.equal([
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
            "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
            "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
        ]);
        const withPolicy = (tlsPolicy: string, cdn = true) =>
            raw("prod", { web: { ...web, tlsPolicy }, monitoring, cdn: { enabled: cdn } });
        expect(problems(() => validateStackConfig(withPolicy("ELBSecurityPolicy-TLS13-1-3-2021-06")))).to.include(
            `  - web.tlsPolicy: expected a policy that also offers TLS 1.2 while cdn.enabled: CloudFront connects to its origin with TLS 1.2 at most, so a TLS 1.3-only listener would refuse every request it forwards; found "ELBSecurityPolicy-TLS13-1-3-2021-06".\n    Fix: pulumi config set --stack prod --path web.tlsPolicy ELBSecurityPolicy-TLS13-1-2-2021-06`,
        );
        expect(problems(() => validateStackConfig(withPolicy("ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04")))).to.include(
            "Fix: pulumi config set --stack prod --path web.tlsPolicy ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        );
        // The default cdn.enabled (on in prod with a domain) counts too; without CloudFront the policy is fine.
        expect(
            problems(() => validateStackConfig(raw("prod", { web: { ...web, tlsPolicy: TLS13_ONLY[0] }, monitoring }))),
        ).to.include("  - web.tlsPolicy: expected a policy that also offers TLS 1.2 while cdn.enabled");
        expect(validateStackConfig(withPolicy(TLS13_ONLY[0], false)).web.tlsPolicy).to.equal(TLS13_ONLY[0]);
        expect(validateStackConfig(withPolicy("ELBSecurityPolicy-TLS13-1-2-Res-2021-06")).cdn.enabled).to.equal(true);
        // A post-quantum TLS 1.3-only policy (a newer family member no list named) is caught too.
        expect(problems(() => validateStackConfig(withPolicy("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09")))).to.include(
            "Fix: pulumi config set --stack prod --path web.tlsPolicy ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
        );
    });
});

describe("CDN (mocked program)", function () {
    let prod: ProgramRun;
    let cdn: ProgramRun;
    let dist: ReturnType<typeof named>;
    before(async () => {
        prod = await sharedRun("prod");
        cdn = await runStack("prod", WITH_DOMAIN);
        dist = named(cdn, DIST, "cdn-distribution");
    });

    const secretOf = (run: ProgramRun) =>
        named(run, "random:index/randomPassword:RandomPassword", "cdn-origin-secret").outputs.result;

    it("is absent from a stack without a domain, where the ALB faces the internet as before", () => {
        expect(ofType(prod, DIST)).to.deep.equal([]);
        expect(ofType(prod, "aws:lb/listenerRule:ListenerRule")).to.deep.equal([]);
        expect(named(prod, "aws:lb/listener:Listener", "web-lb-https").inputs.defaultActions[0].type).to.equal(
            "forward",
        );
    });

    it("answers 500, 502, 503 and 504 with the app's own page of that status, from the error-page origin", () => {
        expect(customErrorResponses()).to.deep.equal(
            [500, 502, 503, 504].map((status) => ({
                errorCode: status,
                responseCode: status,
                responsePagePath: `/_errors/${status}.html`,
                errorCachingMinTtl: 10,
            })),
        );
        expect(dist.inputs.customErrorResponses).to.deep.equal(customErrorResponses());
        const pagesBehavior = dist.inputs.orderedCacheBehaviors.find((b: any) => b.pathPattern === "/_errors/*");
        expect(pagesBehavior).to.deep.include({
            targetOriginId: "error-pages",
            viewerProtocolPolicy: "redirect-to-https",
            allowedMethods: ["GET", "HEAD"],
            cachePolicyId: MANAGED_POLICIES.cachingOptimized,
        });
    });

    it("serves the pages from app/static through origin access control, from a private, KMS-encrypted bucket", () => {
        const bucket = named(cdn, "aws:s3/bucket:Bucket", "cdn-error-pages");
        for (const status of [500, 502, 503, 504] as const) {
            const page = named(cdn, "aws:s3/bucketObjectv2:BucketObjectv2", `cdn-page-${status}`);
            expect(page.inputs).to.deep.include({
                bucket: bucket.outputs.id,
                key: `_errors/${status}.html`,
                content: errorPages[status],
                contentType: "text/html; charset=utf-8",
                serverSideEncryption: "aws:kms",
            });
            expect(page.inputs.content).to.include(`${status}`);
        }
        const origin = dist.inputs.origins.find((o: any) => o.originId === "error-pages");
        const oac = named(cdn, "aws:cloudfront/originAccessControl:OriginAccessControl", "cdn-oac");
        expect(origin).to.deep.include({
            domainName: bucket.outputs.bucketRegionalDomainName,
            originAccessControlId: oac.outputs.id,
        });
        expect(oac.inputs).to.deep.include({
            originAccessControlOriginType: "s3",
            signingBehavior: "always",
            signingProtocol: "sigv4",
        });
        expect(
            named(cdn, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "cdn-error-pages-public-access")
                .inputs,
        ).to.deep.include({
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(
            named(
                cdn,
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "cdn-error-pages-encryption",
            ).inputs.rules[0].applyServerSideEncryptionByDefault,
        ).to.deep.equal({
            sseAlgorithm: "aws:kms",
            kmsMasterKeyId: cdn.outputs.kmsKeyArn.value,
        });
        const statements = JSON.parse(
            named(cdn, "aws:s3/bucketPolicy:BucketPolicy", "cdn-error-pages-policy").inputs.policy,
        ).Statement;
        expect(statements[1]).to.deep.equal({
            Sid: "ThisDistributionReadsTheErrorPages",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "s3:GetObject",
            Resource: `${bucket.outputs.arn}/_errors/*`,
            Condition: { StringEquals: { "AWS:SourceArn": dist.outputs.arn } },
        });
        expect(statements[0].Sid).to.equal("DenyInsecureTransport");
        expect(dist.outputs.arn).to.match(new RegExp(`^arn:aws:cloudfront::${MOCK_ACCOUNT_ID}:distribution/E`));
    });

    it("forwards everything else uncached to the ALB over HTTPS with the domain's certificate, verified by the Host header", () => {
        const alb = named(cdn, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb");
        const origin = dist.inputs.origins.find((o: any) => o.originId === "alb");
        expect(origin.domainName).to.equal(alb.outputs.dnsName);
        expect(origin.customOriginConfig).to.deep.include({
            originProtocolPolicy: "https-only",
            originSslProtocols: ["TLSv1.2"],
            httpsPort: 443,
        });
        expect(dist.inputs.defaultCacheBehavior).to.deep.include({
            targetOriginId: "alb",
            viewerProtocolPolicy: "redirect-to-https",
            cachePolicyId: MANAGED_POLICIES.cachingDisabled,
            originRequestPolicyId: MANAGED_POLICIES.allViewer,
        });
        expect(dist.inputs.aliases).to.deep.equal([DOMAIN]);
        const cert = named(cdn, "aws:acm/certificateValidation:CertificateValidation", "web-lb-cert-validation").outputs
            .certificateArn;
        expect(dist.inputs.viewerCertificate).to.deep.equal({
            acmCertificateArn: cert,
            sslSupportMethod: "sni-only",
            minimumProtocolVersion: "TLSv1.2_2021",
        });
        expect(named(cdn, "aws:lb/listener:Listener", "web-lb-https").inputs.certificateArn).to.equal(cert);
    });

    it("keeps the ALB from answering anyone but CloudFront: secret header rule, 403 by default, HTTPS from CloudFront's addresses only", () => {
        const secret = secretOf(cdn);
        expect(secret).to.match(/^[A-Za-z0-9-]{10,}$/);
        const origin = dist.inputs.origins.find((o: any) => o.originId === "alb");
        expect(origin.customHeaders).to.deep.equal([{ name: "X-Origin-Verify", value: secret }]);
        const https = named(cdn, "aws:lb/listener:Listener", "web-lb-https");
        expect(https.inputs.defaultActions).to.deep.equal([
            {
                type: "fixed-response",
                fixedResponse: { statusCode: "403", contentType: "text/plain", messageBody: "Forbidden" },
            },
        ]);
        const rule = named(cdn, "aws:lb/listenerRule:ListenerRule", "web-lb-from-cloudfront");
        expect(rule.inputs).to.deep.include({
            listenerArn: https.outputs.arn,
            priority: 1,
            conditions: [{ httpHeader: { httpHeaderName: "X-Origin-Verify", values: [secret] } }],
            actions: [
                {
                    type: "forward",
                    targetGroupArn: named(cdn, "aws:lb/targetGroup:TargetGroup", "web-lb-tg").outputs.arn,
                },
            ],
        });
        const sg = named(cdn, "aws:ec2/securityGroup:SecurityGroup", "web-lb-sg").outputs.id;
        const ingress = ofType(cdn, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
            (r) => r.inputs.securityGroupId === sg,
        );
        expect(
            ingress.map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.prefixListId, r.inputs.cidrIpv4]),
        ).to.deep.equal([[443, 443, "pl-3b927c52", undefined]]);
        // The secret is a Pulumi secret wherever it is an input, and never an output.
        expect(rule.secretInputPaths.some((p) => p.startsWith("conditions"))).to.equal(true);
        expect(dist.secretInputPaths.some((p) => p.startsWith("origins"))).to.equal(true);
        expect(JSON.stringify(Object.values(cdn.outputs))).not.to.include(secret);
    });

    it("points the domain at CloudFront (A and AAAA) and keeps the url", () => {
        const a = named(cdn, "aws:route53/record:Record", "web-lb-alias");
        expect(a.inputs).to.deep.include({
            zoneId: ZONE,
            name: DOMAIN,
            type: "A",
            aliases: [{ name: dist.outputs.domainName, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }],
        });
        const aaaa = named(cdn, "aws:route53/record:Record", "cdn-alias-ipv6");
        expect(aaaa.inputs).to.deep.include({
            zoneId: ZONE,
            name: DOMAIN,
            type: "AAAA",
            aliases: [{ name: dist.outputs.domainName, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }],
        });
        expect(dist.inputs.isIpv6Enabled).to.equal(true);
        expect(cdn.outputs.url.value).to.equal(`https://${DOMAIN}`);
    });

    it("lets the alias records take over a record that already exists for the domain", () => {
        for (const name of ["web-lb-alias", "cdn-alias-ipv6"]) {
            expect(named(cdn, "aws:route53/record:Record", name).inputs.allowOverwrite, name).to.equal(true);
        }
    });

    it("alarms on CloudFront's own 5xx and 4xx rates (in us-east-1, Region=Global), which an ALB refusing CloudFront never shows", () => {
        const alarms = ofType(cdn, "aws:cloudwatch/metricAlarm:MetricAlarm");
        const topic = named(cdn, "aws:sns/topic:Topic", "alarms-topic").outputs.arn;
        for (const [key, metricName, threshold] of [
            ["cdn-5xx-rate", "5xxErrorRate", 1],
            ["cdn-4xx-rate", "4xxErrorRate", 50],
        ] as const) {
            const alarm = alarms.find((a) => a.name === `monitoring-${key}`);
            expect(alarm, key).to.not.equal(undefined);
            expect(alarm!.inputs).to.deep.include({
                name: `webfleet-prod-${key}`,
                comparisonOperator: "GreaterThanThreshold",
                threshold,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
                treatMissingData: "notBreaching",
                alarmActions: [topic],
            });
            expect(alarm!.inputs.metricQueries).to.deep.equal(
                cloudFrontRateQueries(dist.outputs.id, metricName, threshold),
            );
            const rate = alarm!.inputs.metricQueries.find((q: any) => q.metric?.metricName === metricName);
            expect(rate.metric).to.deep.include({
                namespace: "AWS/CloudFront",
                dimensions: { DistributionId: dist.outputs.id, Region: "Global" },
            });
        }
        // The expression counts a rate only in minutes with enough requests for it to mean anything.
        expect(cloudFrontRateQueries("E1", "4xxErrorRate", 50).find((q) => q.id === "rate")!.expression).to.equal(
            "IF(FILL(m_requests, 0) >= 10, FILL(m_rate, 0), 0)",
        );
        expect(alarms.filter((a) => a.name.startsWith("monitoring-cdn-"))).to.have.length(2);
        expect(ofType(prod, "aws:cloudwatch/metricAlarm:MetricAlarm").some((a) => a.name.includes("cdn-"))).to.equal(
            false,
        );
    });

    it("moves the WAF web ACL to the distribution, where it sees the viewers' addresses", () => {
        const acl = named(cdn, "aws:wafv2/webAcl:WebAcl", "waf-acl");
        expect(acl.inputs.scope).to.equal("CLOUDFRONT");
        expect(acl.inputs.rules).to.deep.equal(webAclRules("webfleet-prod", 2000));
        expect(dist.inputs.webAclId).to.equal(acl.outputs.arn);
        expect(ofType(cdn, "aws:wafv2/webAclAssociation:WebAclAssociation")).to.deep.equal([]);
        expect(named(prod, "aws:wafv2/webAcl:WebAcl", "waf-acl").inputs.scope).to.equal("REGIONAL");
    });

    it("passes the prod policy pack", async () => {
        const report = await runPolicyPack({ project: cdn.project, stack: "prod", resources: cdn.resources });
        // Less the advisory findings on actions that take no resource, pinned in test/patching.spec.ts.
        expect(report.violations.filter((v) => v.policy !== "iam-resource-wildcard")).to.deep.equal([]);
    });
});
