import { T } from "../../policy/lib/types";
import { ResourceCase, StackCase, UNKNOWN, describeRule } from "./helpers";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e";
const ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1";

/** A hardened distribution: an ALB origin over TLS 1.2, an S3 origin through OAC, logs, a web ACL. */
function distribution(change: (d: Record<string, any>) => void = () => {}): ResourceCase {
    const props: Record<string, any> = {
        enabled: true,
        aliases: ["www.example.com"],
        webAclId: ACL,
        loggingConfig: { bucket: "edge-logs.s3.amazonaws.com", prefix: "cdn/" },
        viewerCertificate: {
            acmCertificateArn: CERT,
            sslSupportMethod: "sni-only",
            minimumProtocolVersion: "TLSv1.2_2021",
        },
        origins: [
            {
                originId: "alb",
                domainName: "origin.example.com",
                customOriginConfig: {
                    httpPort: 80,
                    httpsPort: 443,
                    originProtocolPolicy: "https-only",
                    originSslProtocols: ["TLSv1.2"],
                },
            },
            {
                originId: "pages",
                domainName: "error-pages.s3.us-east-1.amazonaws.com",
                originAccessControlId: "E2QWRUHAPOMQZL",
            },
        ],
        defaultCacheBehavior: { targetOriginId: "alb", viewerProtocolPolicy: "redirect-to-https" },
        orderedCacheBehaviors: [
            { pathPattern: "/_errors/*", targetOriginId: "pages", viewerProtocolPolicy: "https-only" },
        ],
        restrictions: { geoRestriction: { restrictionType: "none" } },
    };
    change(props);
    return { type: T.cloudfrontDistribution, name: "cdn", props };
}

describe("policy: CDN and WAF", () => {
    const HTTPS = 'viewers must use HTTPS (set viewerProtocolPolicy: "redirect-to-https" or "https-only")';
    describeRule<ResourceCase>("cloudfront-viewer-https", {
        compliant: [{ title: "redirect-to-https by default, https-only for the pages", case: distribution() }],
        violations: [
            {
                title: "allow-all on the default behavior",
                case: distribution((d) => (d.defaultCacheBehavior.viewerProtocolPolicy = "allow-all")),
                messages: [
                    `CloudFront distribution 'cdn' serves the default cache behavior with viewerProtocolPolicy "allow-all", so viewers can use plain HTTP; ${HTTPS}`,
                ],
            },
            {
                title: "allow-all on an ordered behavior",
                case: distribution((d) => (d.orderedCacheBehaviors[0].viewerProtocolPolicy = "allow-all")),
                messages: [
                    `CloudFront distribution 'cdn' serves cache behavior /_errors/* with viewerProtocolPolicy "allow-all", so viewers can use plain HTTP; ${HTTPS}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown viewer policy is advisory until checked before creation",
            case: distribution((d) => (d.defaultCacheBehavior.viewerProtocolPolicy = UNKNOWN)),
            advisory: true,
        },
    });

    describeRule<ResourceCase>("cloudfront-min-tls", {
        compliant: [
            { title: "TLSv1.2_2021", case: distribution() },
            {
                title: "a newer policy than the pack knows (TLSv1.3_2025)",
                case: distribution((d) => (d.viewerCertificate.minimumProtocolVersion = "TLSv1.3_2025")),
            },
        ],
        violations: [
            {
                title: "the default *.cloudfront.net certificate",
                case: distribution((d) => (d.viewerCertificate = { cloudfrontDefaultCertificate: true })),
                messages: [
                    `CloudFront distribution 'cdn' uses the default *.cloudfront.net certificate, which accepts TLS 1.0 and 1.1 from viewers; viewers need TLS 1.2 or newer (use an ACM certificate with minimumProtocolVersion "TLSv1.2_2021")`,
                ],
            },
            {
                title: "TLSv1.2_2019 (older ciphers)",
                case: distribution((d) => (d.viewerCertificate.minimumProtocolVersion = "TLSv1.2_2019")),
                messages: [
                    `CloudFront distribution 'cdn' accepts viewer connections down to TLSv1.2_2019; viewers need TLS 1.2 with current ciphers (set viewerCertificate.minimumProtocolVersion: "TLSv1.2_2021" or newer)`,
                ],
            },
            {
                title: "no minimum set (TLSv1)",
                case: distribution((d) => delete d.viewerCertificate.minimumProtocolVersion),
                messages: [
                    `CloudFront distribution 'cdn' accepts viewer connections down to TLSv1; viewers need TLS 1.2 with current ciphers (set viewerCertificate.minimumProtocolVersion: "TLSv1.2_2021" or newer)`,
                ],
            },
        ],
        unknown: {
            title: "an unknown minimum is advisory until checked before creation",
            case: distribution((d) => (d.viewerCertificate.minimumProtocolVersion = UNKNOWN)),
            advisory: true,
        },
    });

    describeRule<ResourceCase>("cloudfront-web-acl", {
        compliant: [{ title: "a web ACL", case: distribution() }],
        violations: [
            {
                title: "no web ACL",
                case: distribution((d) => delete d.webAclId),
                messages: [
                    "CloudFront distribution 'cdn' has no web ACL, so nothing filters or rate-limits requests at the edge; the distribution needs a CLOUDFRONT-scope web ACL (set webAclId: acl.arn)",
                ],
            },
        ],
        unknown: {
            title: "a web ACL ARN unknown at preview is a web ACL of the stack",
            case: distribution((d) => (d.webAclId = UNKNOWN)),
            passes: true,
        },
    });

    describeRule<ResourceCase>("cloudfront-origin-https", {
        compliant: [{ title: "https-only with TLS 1.2", case: distribution() }],
        violations: [
            {
                title: "HTTP to the origin",
                case: distribution((d) => (d.origins[0].customOriginConfig.originProtocolPolicy = "http-only")),
                messages: [
                    `CloudFront distribution 'cdn' reaches origin 'alb' with originProtocolPolicy "http-only", so requests can cross the internet in plain HTTP; origins must be reached over HTTPS (set originProtocolPolicy: "https-only")`,
                ],
            },
            {
                title: "match-viewer with TLS 1.0 allowed",
                case: distribution((d) => {
                    d.origins[0].customOriginConfig.originProtocolPolicy = "match-viewer";
                    d.origins[0].customOriginConfig.originSslProtocols = ["TLSv1", "TLSv1.2"];
                }),
                messages: [
                    `CloudFront distribution 'cdn' reaches origin 'alb' with originProtocolPolicy "match-viewer", so requests can cross the internet in plain HTTP; origins must be reached over HTTPS (set originProtocolPolicy: "https-only")`,
                    `CloudFront distribution 'cdn' lets origin 'alb' negotiate TLSv1; origins must be reached over TLS 1.2 (set originSslProtocols: ["TLSv1.2"])`,
                ],
            },
        ],
        unknown: {
            title: "an unknown origin protocol policy is advisory until checked before creation",
            case: distribution((d) => (d.origins[0].customOriginConfig.originProtocolPolicy = UNKNOWN)),
            advisory: true,
        },
    });

    describeRule<ResourceCase>("cloudfront-s3-origin-access", {
        compliant: [
            { title: "origin access control", case: distribution() },
            {
                title: "a legacy origin access identity",
                case: distribution((d) => {
                    delete d.origins[1].originAccessControlId;
                    d.origins[1].s3OriginConfig = { originAccessIdentity: "origin-access-identity/cloudfront/E1" };
                }),
            },
            {
                title: "an S3 website endpoint is a custom origin, not a bucket read",
                case: distribution((d) => {
                    delete d.origins[1].originAccessControlId;
                    d.origins[1].domainName = "pages.s3-website-us-east-1.amazonaws.com";
                }),
            },
        ],
        violations: [
            {
                title: "an S3 origin read without OAC or OAI",
                case: distribution((d) => delete d.origins[1].originAccessControlId),
                messages: [
                    "CloudFront distribution 'cdn' reads S3 origin 'pages' without origin access control, so the bucket must be public for it to work; S3 origins are read through origin access control (set originAccessControlId and allow only the distribution in the bucket policy)",
                ],
            },
            ...[
                "error-pages.s3.dualstack.us-east-1.amazonaws.com",
                "error-pages.s3-fips.us-east-1.amazonaws.com",
                "error-pages.s3.cn-north-1.amazonaws.com.cn",
                "my-s3-website-pages.s3.us-east-1.amazonaws.com",
            ].map((domainName) => ({
                title: `the endpoint ${domainName} without OAC, and an empty OAI`,
                case: distribution((d) => {
                    delete d.origins[1].originAccessControlId;
                    d.origins[1].domainName = domainName;
                    d.origins[1].s3OriginConfig = { originAccessIdentity: "" };
                }),
                messages: [
                    "CloudFront distribution 'cdn' reads S3 origin 'pages' without origin access control, so the bucket must be public for it to work; S3 origins are read through origin access control (set originAccessControlId and allow only the distribution in the bucket policy)",
                ],
            })),
        ],
        unknown: {
            title: "an unknown origin domain is advisory until checked before creation",
            case: distribution((d) => (d.origins[1].domainName = UNKNOWN)),
            advisory: true,
        },
    });

    const NO_LOGS =
        "CloudFront distribution 'cdn' keeps no access logs, so viewer requests cannot be traced; the distribution should log (set loggingConfig.bucket to a log bucket, or deliver its ACCESS_LOGS through an aws.cloudwatch.LogDeliverySource and LogDelivery)";
    const unlogged = () => distribution((d) => delete d.loggingConfig);
    const asStack = (c: ResourceCase, ...more: StackCase["resources"]): StackCase => ({
        resources: [{ type: c.type, name: c.name ?? "cdn", props: c.props }, ...more],
        ...(c.config ? { config: c.config } : {}),
    });
    const source = (resourceArn: string, logType = "ACCESS_LOGS", deps?: Record<string, string[]>) => ({
        type: T.logDeliverySource,
        name: "cdn-logs-source",
        props: { name: "cdn-access", logType, resourceArn },
        ...(deps ? { deps } : {}),
    });
    const delivery = (deliverySourceName: string, deps?: Record<string, string[]>) => ({
        type: T.logDelivery,
        name: "cdn-logs",
        props: {
            deliverySourceName,
            deliveryDestinationArn: "arn:aws:logs:us-east-1:123456789012:delivery-destination:s3",
        },
        ...(deps ? { deps } : {}),
    });
    const DIST_ARN = "arn:aws:cloudfront::123456789012:distribution/E1CDN";
    const withArn = () => distribution((d) => ((d.arn = DIST_ARN), delete d.loggingConfig));
    describeRule<StackCase>("cloudfront-access-logging", {
        compliant: [
            { title: "standard logging to a bucket", case: asStack(distribution()) },
            {
                title: "standard logging v2: a delivery source of ACCESS_LOGS for the distribution, and a delivery from it",
                case: asStack(withArn(), source(DIST_ARN), delivery("cdn-access")),
            },
            {
                title: "standard logging v2 at a first preview, traced through property dependencies",
                case: asStack(
                    unlogged(),
                    source(UNKNOWN, "ACCESS_LOGS", { resourceArn: ["cdn"] }),
                    delivery(UNKNOWN, { deliverySourceName: ["cdn-logs-source"] }),
                ),
            },
            {
                title: "logs delivered through CloudWatch outside the stack, declared in config",
                case: asStack({ ...unlogged(), config: { loggingViaDelivery: true } }),
            },
        ],
        violations: [
            { title: "no logging", case: asStack(unlogged()), messages: [NO_LOGS] },
            {
                title: "a delivery source for the distribution that no delivery sends anywhere",
                case: asStack(withArn(), source(DIST_ARN)),
                messages: [NO_LOGS],
            },
            {
                title: "a delivery of another kind of log (CONNECTION_LOGS is not the access log)",
                case: asStack(withArn(), source(DIST_ARN, "CONNECTION_LOGS"), delivery("cdn-access")),
                messages: [NO_LOGS],
            },
            {
                title: "a delivery of another distribution's access logs",
                case: asStack(
                    withArn(),
                    source("arn:aws:cloudfront::123456789012:distribution/E9OTHER"),
                    delivery("cdn-access"),
                ),
                messages: [NO_LOGS],
            },
        ],
        unknown: {
            title: "a log bucket unknown at preview is a bucket of the stack",
            case: asStack(distribution((d) => (d.loggingConfig.bucket = UNKNOWN))),
            passes: true,
        },
    });
});
