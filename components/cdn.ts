/**
 * CloudFront in front of the ALB, so visitors get the app's own error pages even when no server
 * is healthy: CloudFront answers the origin's (or its own) 500, 502, 503 and 504 with the page
 * of that status from a private S3 bucket, read through origin access control.
 *
 * The ALB cannot be used around CloudFront: CloudFront adds a secret header to every origin
 * request, the ALB forwards only requests carrying it (a listener rule) and answers 403 to the
 * rest, and its security group accepts HTTPS only from CloudFront's origin-facing addresses.
 *
 * CloudFront refuses an origin whose certificate it cannot verify, so this needs the domain's
 * DNS-validated certificate (web.domain + web.hostedZoneId); it sends the viewer's Host header
 * on, which that certificate names. The viewer certificate and a CloudFront web ACL must live in
 * us-east-1; the config validator allows the CDN only for us-east-1 stacks, where the domain's
 * certificate (and the stack key, for the WAF's log group) already are.
 *
 * Built in two steps, because the distribution sits between two resources of the load balancer
 * (it needs the ALB and its certificate, and web.domain's alias record points at it):
 *   1. `new Cdn(...)`: the origin secret, the error-page bucket and its pages, the origin access
 *      control, the prefix list;
 *   2. the load balancer calls `distribute(alb)` (its `edge` seam) and points the alias at it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { denyInsecureTransport, policyDocument, Statement } from "../lib/iam";
import { AliasTarget, EdgeSeam } from "./loadBalancer";
import { childName, nameWithin } from "../lib/naming";

/** The statuses CloudFront answers with the app's own page. */
export const CDN_ERROR_STATUSES = [500, 502, 503, 504] as const;
/** Where the pages live in the bucket and in the distribution's URL space. */
export const ERROR_PAGES_PREFIX = "_errors";
/** How long CloudFront keeps an error before asking the origin again: recovery shows within seconds. */
export const ERROR_CACHING_SECONDS = 10;
export const ORIGIN_HEADER = "X-Origin-Verify";
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";

/** AWS managed cache and origin request policies (fixed IDs, the same in every account). */
export const MANAGED_POLICIES = {
    cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
    allViewer: "216adef6-5c7f-47e4-b989-5492eafa07d3",
} as const;

export interface CdnArgs {
    /** Start of names, e.g. "webfleet-prod". */
    prefix: string;
    domain: string;
    hostedZoneId: string;
    /** The pages by status, e.g. `errorPages` from app/static/pages.ts. */
    errorPages: Readonly<Record<number, string>>;
    kmsKeyArn: pulumi.Input<string>;
    /** A CLOUDFRONT-scope WAF web ACL for the distribution (components/waf.ts). */
    webAclArn?: pulumi.Input<string>;
    /** Let `pulumi destroy` empty the error-page bucket. */
    forceDestroy: boolean;
}

/** The custom error responses (pure, so the tests read exactly what is deployed). */
export function customErrorResponses(): aws.types.input.cloudfront.DistributionCustomErrorResponse[] {
    return CDN_ERROR_STATUSES.map((status) => ({
        errorCode: status,
        responseCode: status,
        responsePagePath: `/${ERROR_PAGES_PREFIX}/${status}.html`,
        errorCachingMinTtl: ERROR_CACHING_SECONDS,
    }));
}

export class Cdn extends pulumi.ComponentResource {
    /** For WebTier's `edge` argument. */
    public readonly edge: EdgeSeam;
    public readonly errorPagesBucketName: pulumi.Output<string>;
    /** Set by distribute(). */
    public distributionDomainName?: pulumi.Output<string>;
    public distributionId?: pulumi.Output<string>;
    private readonly name: string;
    private readonly args: CdnArgs;
    private readonly bucket: aws.s3.Bucket;
    private readonly pages: aws.s3.BucketObjectv2[];
    private readonly oac: aws.cloudfront.OriginAccessControl;
    private readonly secret: random.RandomPassword;

    constructor(name: string, args: CdnArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:ops:Cdn", name, {}, opts);
        this.name = name;
        this.args = args;
        const missing = CDN_ERROR_STATUSES.filter((s) => !args.errorPages[s]);
        if (missing.length > 0) {
            throw new pulumi.ResourceError(
                `cdn: no error page for ${missing.join(", ")}; app/static/pages.ts must have one per status`,
                this,
            );
        }

        // Letters and digits only: ALB header conditions treat * and ? as wildcards.
        this.secret = new random.RandomPassword(
            childName(name, "origin-secret"),
            { length: 40, special: false },
            { parent: this },
        );

        this.bucket = new aws.s3.Bucket(
            childName(name, "error-pages"),
            { forceDestroy: args.forceDestroy, tags: { Name: childName(name, "error-pages") } },
            { parent: this },
        );
        const ownership = new aws.s3.BucketOwnershipControls(
            childName(name, "error-pages-ownership"),
            { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            { parent: this },
        );
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            childName(name, "error-pages-public-access"),
            {
                bucket: this.bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            { parent: this },
        );
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            childName(name, "error-pages-encryption"),
            {
                bucket: this.bucket.id,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
                        bucketKeyEnabled: true,
                    },
                ],
            },
            { parent: this },
        );
        const versioning = new aws.s3.BucketVersioning(
            childName(name, "error-pages-versioning"),
            { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } },
            { parent: this },
        );
        new aws.s3.BucketLifecycleConfiguration(
            childName(name, "error-pages-lifecycle"),
            {
                bucket: this.bucket.id,
                rules: [
                    {
                        id: "expire-old-pages",
                        status: "Enabled",
                        filter: { prefix: `${ERROR_PAGES_PREFIX}/` },
                        noncurrentVersionExpiration: { noncurrentDays: 30 },
                    },
                ],
            },
            { parent: this, dependsOn: [versioning] },
        );
        this.pages = CDN_ERROR_STATUSES.map(
            (status) =>
                new aws.s3.BucketObjectv2(
                    childName(name, `page-${status}`),
                    {
                        bucket: this.bucket.id,
                        key: `${ERROR_PAGES_PREFIX}/${status}.html`,
                        content: args.errorPages[status],
                        contentType: "text/html; charset=utf-8",
                        cacheControl: "max-age=300",
                        serverSideEncryption: "aws:kms",
                        kmsKeyId: args.kmsKeyArn,
                        bucketKeyEnabled: true,
                    },
                    { parent: this, dependsOn: [encryption, versioning, publicAccess, ownership] },
                ),
        );
        this.oac = new aws.cloudfront.OriginAccessControl(
            childName(name, "oac"),
            {
                name: nameWithin(`${args.prefix}-error-pages`, 64, "CloudFront origin access control"),
                description: "webfleet error pages",
                originAccessControlOriginType: "s3",
                signingBehavior: "always",
                signingProtocol: "sigv4",
            },
            { parent: this },
        );
        const prefixList = aws.ec2.getManagedPrefixListOutput(
            { name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST },
            { parent: this },
        );

        this.errorPagesBucketName = this.bucket.bucket;
        this.edge = {
            headerName: ORIGIN_HEADER,
            headerValue: pulumi.secret(this.secret.result),
            prefixListId: prefixList.id,
            distribute: (alb) => this.distribute(alb),
        };
    }

    /** The distribution, the bucket policy that lets it read the pages, and the IPv6 alias; finishes the component. */
    private distribute(alb: { dnsName: pulumi.Output<string>; certificateArn: pulumi.Output<string> }): AliasTarget {
        if (this.distributionId) {
            throw new pulumi.ResourceError("cdn: distribute() runs once", this);
        }
        const args = this.args;
        const albOrigin = "alb";
        const pagesOrigin = "error-pages";
        const distribution = new aws.cloudfront.Distribution(
            childName(this.name, "distribution"),
            {
                enabled: true,
                comment: `${args.prefix}: ${args.domain}`,
                aliases: [args.domain],
                isIpv6Enabled: true,
                httpVersion: "http2and3",
                priceClass: "PriceClass_100",
                viewerCertificate: {
                    acmCertificateArn: alb.certificateArn,
                    sslSupportMethod: "sni-only",
                    minimumProtocolVersion: "TLSv1.2_2021",
                },
                origins: [
                    {
                        originId: albOrigin,
                        domainName: alb.dnsName,
                        // HTTPS with the domain's certificate, verified against the viewer's
                        // Host header (forwarded by the AllViewer policy).
                        customOriginConfig: {
                            httpPort: 80,
                            httpsPort: 443,
                            originProtocolPolicy: "https-only",
                            originSslProtocols: ["TLSv1.2"],
                            originReadTimeout: 30,
                            originKeepaliveTimeout: 5,
                        },
                        customHeaders: [{ name: ORIGIN_HEADER, value: this.edge.headerValue }],
                    },
                    {
                        originId: pagesOrigin,
                        domainName: this.bucket.bucketRegionalDomainName,
                        originAccessControlId: this.oac.id,
                        s3OriginConfig: { originAccessIdentity: "" },
                    },
                ],
                // The app is dynamic (instance ID, database reads): nothing is cached, everything forwarded.
                defaultCacheBehavior: {
                    targetOriginId: albOrigin,
                    viewerProtocolPolicy: "redirect-to-https",
                    allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                    cachedMethods: ["GET", "HEAD"],
                    cachePolicyId: MANAGED_POLICIES.cachingDisabled,
                    originRequestPolicyId: MANAGED_POLICIES.allViewer,
                    compress: true,
                },
                orderedCacheBehaviors: [
                    {
                        pathPattern: `/${ERROR_PAGES_PREFIX}/*`,
                        targetOriginId: pagesOrigin,
                        viewerProtocolPolicy: "redirect-to-https",
                        allowedMethods: ["GET", "HEAD"],
                        cachedMethods: ["GET", "HEAD"],
                        cachePolicyId: MANAGED_POLICIES.cachingOptimized,
                        compress: true,
                    },
                ],
                customErrorResponses: customErrorResponses(),
                restrictions: { geoRestriction: { restrictionType: "none" } },
                webAclId: args.webAclArn,
                tags: { Name: childName(this.name, "distribution") },
            },
            { parent: this, dependsOn: this.pages },
        );
        new aws.s3.BucketPolicy(
            childName(this.name, "error-pages-policy"),
            {
                bucket: this.bucket.id,
                policy: policyDocument([
                    denyInsecureTransport(this.bucket.arn),
                    pulumi.all([this.bucket.arn, distribution.arn]).apply(([arn, distributionArn]): Statement => ({
                        Sid: "ThisDistributionReadsTheErrorPages",
                        Effect: "Allow",
                        Principal: { Service: "cloudfront.amazonaws.com" },
                        Action: "s3:GetObject",
                        Resource: `${arn}/${ERROR_PAGES_PREFIX}/*`,
                        Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
                    })),
                ]),
            },
            { parent: this },
        );
        new aws.route53.Record(
            childName(this.name, "alias-ipv6"),
            {
                zoneId: args.hostedZoneId,
                name: args.domain,
                type: "AAAA",
                aliases: [
                    { name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false },
                ],
                // Like the A record (components/loadBalancer.ts): web.domain belongs to this stack,
                // so an AAAA record left from the domain's previous home is taken over, not a failed deploy.
                allowOverwrite: true,
            },
            { parent: this },
        );

        this.distributionDomainName = distribution.domainName;
        this.distributionId = distribution.id;
        this.registerOutputs({
            errorPagesBucketName: this.errorPagesBucketName,
            distributionDomainName: this.distributionDomainName,
            distributionId: this.distributionId,
        });
        return { name: distribution.domainName, zoneId: distribution.hostedZoneId };
    }
}
