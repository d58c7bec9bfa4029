/**
 * The ALB access-log bucket: private (public access blocked, owner-enforced, TLS only),
 * versioned, encrypted, expiring its logs after the stack's audit-log horizon, and writable by
 * Elastic Load Balancing's log delivery for this region under this stack's prefix only.
 *
 * Encryption is SSE-S3 (AES256), not the stack's KMS key: ALB log delivery supports SSE-S3
 * only and fails to write into a bucket whose default encryption is SSE-KMS
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html).
 * The policy pack's s3-encryption-kms rule accepts AES256 for exactly the buckets a load
 * balancer's accessLogs names.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { elbLogDeliveryStatement } from "../lib/elbLogDelivery";
import { denyInsecureTransport, policyDocument } from "../lib/iam";
import { childName } from "../lib/naming";

export interface AccessLogBucketArgs {
    region: string;
    /** The load balancer's accessLogs.prefix. */
    prefix: string;
    /** Days a log object is kept before S3 expires it. */
    retentionDays: number;
    /** Let `pulumi destroy` empty the bucket (dev); prod keeps its logs and refuses. */
    forceDestroy: boolean;
    /** Protect the bucket (prod): `pulumi destroy` stops before it takes anything down. Default false. */
    protect?: boolean;
}

/** Noncurrent versions exist only after an expiry or a delete: gone a day later. */
export const NONCURRENT_VERSION_DAYS = 1;

export class AccessLogBucket extends pulumi.ComponentResource {
    /**
     * The bucket's name, available only once its policy is in place: ELB test-writes into the
     * bucket when access logs are turned on and refuses the change without the permission.
     */
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;

    constructor(name: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:ops:AccessLogBucket", name, {}, opts);
        if (!Number.isInteger(args.retentionDays) || args.retentionDays < 1) {
            throw new pulumi.ResourceError(
                `access logs: retentionDays ${args.retentionDays} must be a whole number of days, at least 1`,
                this,
            );
        }

        const bucket = new aws.s3.Bucket(
            childName(name, "bucket"),
            { forceDestroy: args.forceDestroy, tags: { Name: childName(name, "bucket") } },
            { parent: this, protect: args.protect },
        );
        const ownership = new aws.s3.BucketOwnershipControls(
            childName(name, "ownership"),
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            { parent: this },
        );
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            childName(name, "public-access"),
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            { parent: this },
        );
        // SSE-S3: the only default encryption ALB log delivery can write into (see above).
        new aws.s3.BucketServerSideEncryptionConfiguration(
            childName(name, "encryption"),
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            { parent: this },
        );
        // Versioned, so a log cannot be silently overwritten or deleted within its retention.
        const versioning = new aws.s3.BucketVersioning(
            childName(name, "versioning"),
            { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
            { parent: this },
        );
        new aws.s3.BucketLifecycleConfiguration(
            childName(name, "lifecycle"),
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: { prefix: `${args.prefix}/` },
                        expiration: { days: args.retentionDays },
                        noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                    // S3 does not allow this flag in a rule that also expires after days.
                    {
                        id: "remove-expired-delete-markers",
                        status: "Enabled",
                        filter: { prefix: `${args.prefix}/` },
                        expiration: { expiredObjectDeleteMarker: true },
                    },
                ],
            },
            { parent: this, dependsOn: [versioning] },
        );

        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const policy = new aws.s3.BucketPolicy(
            childName(name, "policy"),
            {
                bucket: bucket.id,
                policy: policyDocument([
                    denyInsecureTransport(bucket.arn),
                    pulumi
                        .all([bucket.arn, account])
                        .apply(([bucketArn, accountId]) =>
                            elbLogDeliveryStatement({ region: args.region, bucketArn, prefix: args.prefix, accountId }),
                        ),
                ]),
            },
            // S3 rejects a bucket policy while the public access block is being written.
            { parent: this, dependsOn: [publicAccess, ownership] },
        );

        // The policy's own `bucket` output: the name, carrying a dependency on the policy.
        this.bucketName = policy.bucket;
        this.bucketArn = bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
