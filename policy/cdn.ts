/**
 * CloudFront rules: viewers only over HTTPS with a current TLS policy, the distribution behind
 * a web ACL, origins reached over HTTPS with TLS 1.2, S3 origins only through origin access
 * control (or identity), and access logs.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { ofType, resolveRef } from "./lib/graph";
import { WebfleetPolicy, configOf, resourceRule, stackRule } from "./lib/rule";
import { T, subject } from "./lib/types";
import { entries, peek, present } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

type Behavior = { pathPattern?: string; viewerProtocolPolicy?: string };

const cloudfrontViewerHttps = resourceRule({
    name: "cloudfront-viewer-https",
    description:
        "CloudFront serves viewers only over HTTPS: every cache behavior redirects HTTP to HTTPS or refuses it.",
    severity: "critical",
    checks: 'viewerProtocolPolicy is "redirect-to-https" or "https-only" on the default and every ordered cache behavior',
    equivalents: { checkov: ["CKV_AWS_34"] },
    unknown: "advisory",
    requirement: 'viewers must use HTTPS (set viewerProtocolPolicy: "redirect-to-https")',
    validate: [
        validateResourceOfType(aws.cloudfront.Distribution, (d, args, report) => {
            const behaviors: [string, Behavior][] = [
                ["the default cache behavior", d.defaultCacheBehavior ?? {}],
                ...entries(d.orderedCacheBehaviors).map((b): [string, Behavior] => [
                    `cache behavior ${b.pathPattern}`,
                    b,
                ]),
            ];
            for (const [label, b] of behaviors) {
                if (b.viewerProtocolPolicy !== "redirect-to-https" && b.viewerProtocolPolicy !== "https-only") {
                    report(
                        `${who(args)} serves ${label} with viewerProtocolPolicy "${b.viewerProtocolPolicy}", so viewers can use plain HTTP; viewers must use HTTPS (set viewerProtocolPolicy: "redirect-to-https" or "https-only")`,
                    );
                }
            }
        }),
    ],
});

/** Viewer TLS policies, oldest first: anything before TLSv1.2_2021 still offers weak ciphers. */
const VIEWER_POLICIES = [
    "SSLv3",
    "TLSv1",
    "TLSv1_2016",
    "TLSv1.1_2016",
    "TLSv1.2_2018",
    "TLSv1.2_2019",
    "TLSv1.2_2021",
];

const cloudfrontMinTls = resourceRule({
    name: "cloudfront-min-tls",
    description: "CloudFront uses a custom certificate with minimum protocol TLSv1.2_2021 or newer for viewers.",
    severity: "high",
    checks: "viewerCertificate.minimumProtocolVersion is TLSv1.2_2021 or newer (TLSv1.2_2025, TLSv1.3_2025, …); the default *.cloudfront.net certificate (which accepts TLS 1.0) is refused",
    equivalents: { cdkNag: ["AwsSolutions-CFR4"], checkov: ["CKV_AWS_174"] },
    unknown: "advisory",
    requirement: 'viewers need TLS 1.2 or newer (set viewerCertificate.minimumProtocolVersion: "TLSv1.2_2021")',
    validate: [
        validateResourceOfType(aws.cloudfront.Distribution, (d, args, report) => {
            const cert = d.viewerCertificate ?? {};
            if (cert.cloudfrontDefaultCertificate === true) {
                report(
                    `${who(args)} uses the default *.cloudfront.net certificate, which accepts TLS 1.0 and 1.1 from viewers; viewers need TLS 1.2 or newer (use an ACM certificate with minimumProtocolVersion "TLSv1.2_2021")`,
                );
                return;
            }
            const v = cert.minimumProtocolVersion ?? "TLSv1";
            if (VIEWER_POLICIES.includes(v) && v !== "TLSv1.2_2021") {
                report(
                    `${who(args)} accepts viewer connections down to ${v}; viewers need TLS 1.2 with current ciphers (set viewerCertificate.minimumProtocolVersion: "TLSv1.2_2021" or newer)`,
                );
            }
        }),
    ],
});

const cloudfrontWebAcl = resourceRule({
    name: "cloudfront-web-acl",
    description: "CloudFront distributions are associated with a WAF web ACL.",
    severity: "high",
    checks: "webAclId is set on aws.cloudfront.Distribution",
    equivalents: { cdkNag: ["AwsSolutions-CFR2"], checkov: ["CKV_AWS_68"] },
    unknown: "reference",
    unknownNote: "A web ACL ARN unknown at preview is a web ACL of the stack and counts as set.",
    requirement: "the distribution needs a web ACL (set webAclId: acl.arn)",
    validate: [
        validateResourceOfType(aws.cloudfront.Distribution, (d, args, report) => {
            if (!present(peek(d, "webAclId"))) {
                report(
                    `${who(args)} has no web ACL, so nothing filters or rate-limits requests at the edge; the distribution needs a CLOUDFRONT-scope web ACL (set webAclId: acl.arn)`,
                );
            }
        }),
    ],
});

const WEAK_ORIGIN_PROTOCOLS = ["SSLv3", "TLSv1", "TLSv1.1"];

const cloudfrontOriginHttps = resourceRule({
    name: "cloudfront-origin-https",
    description: "CloudFront reaches custom origins only over HTTPS with TLS 1.2.",
    severity: "critical",
    checks: 'Every customOriginConfig has originProtocolPolicy "https-only" and originSslProtocols without SSLv3, TLSv1 or TLSv1.1',
    equivalents: { cdkNag: ["AwsSolutions-CFR5"], checkov: ["CKV2_AWS_42"] },
    unknown: "advisory",
    requirement:
        'origins must be reached over TLS 1.2 (set originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"])',
    validate: [
        validateResourceOfType(aws.cloudfront.Distribution, (d, args, report) => {
            for (const o of entries(d.origins)) {
                const c = o.customOriginConfig;
                if (!c) {
                    continue;
                }
                if (c.originProtocolPolicy !== "https-only") {
                    report(
                        `${who(args)} reaches origin '${o.originId}' with originProtocolPolicy "${c.originProtocolPolicy}", so requests can cross the internet in plain HTTP; origins must be reached over HTTPS (set originProtocolPolicy: "https-only")`,
                    );
                }
                const weak = (c.originSslProtocols ?? []).filter((p) => WEAK_ORIGIN_PROTOCOLS.includes(p));
                if (weak.length > 0) {
                    report(
                        `${who(args)} lets origin '${o.originId}' negotiate ${weak.join(", ")}; origins must be reached over TLS 1.2 (set originSslProtocols: ["TLSv1.2"])`,
                    );
                }
            }
        }),
    ],
});

/**
 * An S3 REST endpoint: bucket.s3.amazonaws.com, bucket.s3.<region>.amazonaws.com, the legacy
 * bucket.s3-<region>.amazonaws.com, the dual-stack and FIPS forms (bucket.s3.dualstack.<region>…,
 * bucket.s3-fips…), access points, and the China partition (….amazonaws.com.cn). Website
 * endpoints (s3-website) are not S3 REST origins: cloudfront-origin-https judges them.
 */
const S3_REST_ENDPOINT = /\.s3([.-][a-z0-9]+)*\.amazonaws\.com(\.cn)?\.?$/i;

const cloudfrontS3OriginAccess = resourceRule({
    name: "cloudfront-s3-origin-access",
    description:
        "CloudFront reads S3 origins only through origin access control (or an origin access identity), so the bucket stays private.",
    severity: "high",
    checks: "Every origin whose domain is an S3 bucket endpoint (regional, legacy, dual-stack, FIPS, access point or China; not a website endpoint) sets originAccessControlId or s3OriginConfig.originAccessIdentity",
    equivalents: { cdkNag: ["AwsSolutions-CFR6", "AwsSolutions-CFR7", "AwsSolutions-S5"], checkov: ["CKV2_AWS_46"] },
    unknown: "advisory",
    requirement: "S3 origins are read through origin access control (set originAccessControlId)",
    validate: [
        validateResourceOfType(aws.cloudfront.Distribution, (d, args, report) => {
            for (const o of entries(d.origins)) {
                const s3 = S3_REST_ENDPOINT.test(o.domainName) && !/\.s3-website[.-]/i.test(o.domainName);
                if (s3 && !o.originAccessControlId && !o.s3OriginConfig?.originAccessIdentity) {
                    report(
                        `${who(args)} reads S3 origin '${o.originId}' without origin access control, so the bucket must be public for it to work; S3 origins are read through origin access control (set originAccessControlId and allow only the distribution in the bucket policy)`,
                    );
                }
            }
        }),
    ],
});

/**
 * Whether a CloudWatch vended-log delivery carries the distribution's access logs (standard
 * logging v2): a delivery source of logType ACCESS_LOGS whose resourceArn names the distribution
 * (by value or property dependency) and a delivery from that source (by name or dependency).
 */
function deliversAccessLogs(d: PolicyResource, resources: PolicyResource[]): boolean {
    const sources = ofType(resources, T.logDeliverySource).filter((s) => {
        const logType = peek<string>(s.props, "logType");
        return (
            (!logType.known || logType.value === "ACCESS_LOGS") && resolveRef(s, "resourceArn", [d]).kind === "resolved"
        );
    });
    return ofType(resources, T.logDelivery).some(
        (del) => resolveRef(del, "deliverySourceName", sources).kind === "resolved",
    );
}

const cloudfrontAccessLogging = stackRule({
    name: "cloudfront-access-logging",
    description: "CloudFront distributions write access logs, so every viewer request can be traced.",
    severity: "low",
    resources: [T.cloudfrontDistribution, T.logDeliverySource, T.logDelivery],
    checks: "loggingConfig.bucket is set (standard logging), or an aws.cloudwatch.LogDeliverySource of logType ACCESS_LOGS names the distribution and an aws.cloudwatch.LogDelivery delivers it (standard logging v2); loggingViaDelivery (config) accepts a delivery set up outside the stack",
    equivalents: { cdkNag: ["AwsSolutions-CFR3"], checkov: ["CKV_AWS_86"] },
    unknown: "reference",
    unknownNote:
        "A logging bucket unknown at preview is a bucket of the stack and counts as set; a delivery source's distribution and a delivery's source are traced through property dependencies.",
    config: {
        loggingViaDelivery: {
            type: "boolean",
            default: false,
            description:
                "Accept distributions without loggingConfig because their logs are delivered through CloudWatch vended log delivery set up outside this stack.",
        },
    },
    validate: (args, report) => {
        const { loggingViaDelivery } = configOf(args, { loggingViaDelivery: false });
        if (loggingViaDelivery) {
            return;
        }
        for (const d of ofType(args.resources, T.cloudfrontDistribution)) {
            if (present(peek(d.props, "loggingConfig", "bucket")) || deliversAccessLogs(d, args.resources)) {
                continue;
            }
            report(
                `${subject(d.type, d.name)} keeps no access logs, so viewer requests cannot be traced; the distribution should log (set loggingConfig.bucket to a log bucket, or deliver its ACCESS_LOGS through an aws.cloudwatch.LogDeliverySource and LogDelivery)`,
                d.urn,
            );
        }
    },
});

export const cdnPolicies: WebfleetPolicy[] = [
    cloudfrontViewerHttps,
    cloudfrontMinTls,
    cloudfrontWebAcl,
    cloudfrontOriginHttps,
    cloudfrontS3OriginAccess,
    cloudfrontAccessLogging,
];
