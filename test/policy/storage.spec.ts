import { T } from "../../policy/lib/types";
import { bucket, companion } from "./builders";
import { StackCase, UNKNOWN, UNKNOWN_BOOL, describeRule } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/2ccbf1d3-c5da-4e41-8932-608ff6ef778e";
const B = "artifacts-3e5618141e38";
const artifacts = () => bucket("artifacts", B);
const pab = (
    props: Record<string, unknown> = {},
    name = "artifacts-pab",
    forBucket: [string, string] = ["artifacts", B],
) =>
    companion(T.bucketPublicAccessBlock, name, forBucket[0], forBucket[1], {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
        ...props,
    });
const sse = (rule: Record<string, unknown>, type: string = T.bucketSse) =>
    companion(type, "artifacts-sse", "artifacts", B, {
        rules: [{ applyServerSideEncryptionByDefault: rule, bucketKeyEnabled: true }],
    });
const TLS_DENY = {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: { AWS: "*" },
    Action: "s3:*",
    Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const policyOf = (statements: unknown[], asString = true) => {
    const doc = { Version: "2012-10-17", Statement: statements };
    return companion(T.bucketPolicy, "artifacts-policy", "artifacts", B, {
        policy: asString ? JSON.stringify(doc) : doc,
    });
};

describe("policy: storage", () => {
    const PAB_FIX =
        "buckets must never be public (add an aws.s3.BucketPublicAccessBlock for it, or an aws.s3.AccountPublicAccessBlock for the account, with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true)";
    describeRule<StackCase>("s3-public-access-blocked", {
        compliant: [
            { title: "a bucket with every block on, matched by name", case: { resources: [artifacts(), pab()] } },
            {
                title: "real preview: the bucket's name unknown, traced through dependencies",
                case: {
                    resources: [bucket("artifacts", UNKNOWN), { ...pab(), props: { ...pab().props, bucket: UNKNOWN } }],
                },
            },
            { title: "a BucketV2", case: { resources: [{ ...artifacts(), type: T.bucketV2 }, pab()] } },
        ],
        violations: [
            {
                title: "no public access block",
                case: { resources: [artifacts()] },
                messages: [`S3 bucket 'artifacts' has no public access block; ${PAB_FIX}`],
            },
            {
                title: "two blocks off",
                case: { resources: [artifacts(), pab({ blockPublicPolicy: false, restrictPublicBuckets: false })] },
                messages: [
                    `S3 public access block 'artifacts-pab' leaves blockPublicPolicy, restrictPublicBuckets off; ${PAB_FIX}`,
                ],
            },
            {
                title: "the block belongs to another bucket",
                case: {
                    resources: [artifacts(), bucket("other", "other-1"), pab({}, "other-pab", ["other", "other-1"])],
                },
                messages: [`S3 bucket 'artifacts' has no public access block; ${PAB_FIX}`],
            },
        ],
        unknown: {
            title: "a block that cannot be traced to its bucket covers nothing; its unknown setting is checked before creation",
            case: {
                resources: [artifacts(), { ...pab({ ignorePublicAcls: UNKNOWN_BOOL, bucket: UNKNOWN }), deps: {} }],
            },
            messages: [`S3 bucket 'artifacts' has no public access block; ${PAB_FIX}`],
            notes: [
                `S3 public access block 'artifacts-pab' has a value unknown during preview at ignorePublicAcls, so it cannot be verified yet; it is checked on the real value before the resource is created (${PAB_FIX})`,
            ],
        },
    });

    const KMS =
        'add an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms" and kmsMasterKeyId: key.arn';
    describeRule<StackCase>("s3-encryption-kms", {
        compliant: [
            {
                title: "SSE-KMS with the project's key",
                case: { resources: [artifacts(), sse({ sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY })] },
            },
            {
                title: "the V2 resource with DSSE-KMS",
                case: {
                    resources: [artifacts(), sse({ sseAlgorithm: "aws:kms:dsse", kmsMasterKeyId: KEY }, T.bucketSseV2)],
                },
            },
            {
                title: "a key unknown at preview is a reference to the stack's key",
                case: { resources: [artifacts(), sse({ sseAlgorithm: "aws:kms", kmsMasterKeyId: UNKNOWN })] },
            },
            {
                title: "inline configuration on the bucket",
                case: {
                    resources: [
                        {
                            ...artifacts(),
                            props: {
                                ...artifacts().props,
                                serverSideEncryptionConfiguration: {
                                    rule: {
                                        applyServerSideEncryptionByDefault: {
                                            sseAlgorithm: "aws:kms",
                                            kmsMasterKeyId: KEY,
                                        },
                                    },
                                },
                            },
                        },
                    ],
                },
            },
            {
                title: "SSE-S3 on the load balancer's access-log bucket",
                case: {
                    resources: [
                        artifacts(),
                        sse({ sseAlgorithm: "AES256" }),
                        { type: T.lbLoadBalancer, name: "alb", props: { accessLogs: { bucket: B, enabled: true } } },
                    ],
                },
            },
            {
                title: "first preview (issue 10): the access-log bucket named through its bucket policy's unknown `bucket` output",
                case: {
                    resources: [
                        bucket("logs", UNKNOWN),
                        companion(T.bucketSse, "logs-sse", "logs", UNKNOWN, {
                            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                        }),
                        companion(T.bucketPolicy, "logs-policy", "logs", UNKNOWN, { policy: UNKNOWN }),
                        {
                            type: T.lbLoadBalancer,
                            name: "alb",
                            props: { accessLogs: { bucket: UNKNOWN, enabled: true, prefix: "alb" } },
                            deps: { accessLogs: ["logs-policy"] },
                        },
                    ],
                },
            },
            {
                title: "SSE-S3 on the target of S3 server access logs (BucketLogging targetBucket, V2 spelling)",
                case: {
                    resources: [
                        artifacts(),
                        sse({ sseAlgorithm: "AES256" }),
                        bucket("app", "app-data-1"),
                        companion(T.bucketSse, "app-sse", "app", "app-data-1", {
                            rules: [
                                {
                                    applyServerSideEncryptionByDefault: {
                                        sseAlgorithm: "aws:kms",
                                        kmsMasterKeyId: KEY,
                                    },
                                },
                            ],
                        }),
                        companion(T.bucketLoggingV2, "app-logging", "app", "app-data-1", {
                            targetBucket: B,
                            targetPrefix: "s3/",
                        }),
                    ],
                },
            },
            {
                title: "SSE-S3 when the stack's config allows it",
                case: {
                    resources: [artifacts(), sse({ sseAlgorithm: "AES256" })],
                    config: { allowS3ManagedKeys: true },
                },
            },
        ],
        violations: [
            {
                title: "no encryption configuration",
                case: { resources: [artifacts()] },
                messages: [
                    `S3 bucket 'artifacts' has no default encryption configuration; objects must be encrypted with the project's KMS key (${KMS})`,
                ],
            },
            {
                title: "SSE-S3 on an ordinary bucket",
                case: { resources: [artifacts(), sse({ sseAlgorithm: "AES256" })] },
                messages: [
                    `S3 bucket 'artifacts' encrypts with AES256 (S3-managed keys); objects must be encrypted with the project's KMS key (${KMS})`,
                ],
            },
            {
                title: "SSE-S3 on a bucket next to the log bucket, which the load balancer does not log to",
                case: {
                    resources: [
                        bucket("logs", UNKNOWN),
                        companion(T.bucketPolicy, "logs-policy", "logs", UNKNOWN, { policy: UNKNOWN }),
                        bucket("data", UNKNOWN),
                        companion(T.bucketSse, "data-sse", "data", UNKNOWN, {
                            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                        }),
                        {
                            type: T.lbLoadBalancer,
                            name: "alb",
                            props: { accessLogs: { bucket: UNKNOWN, enabled: true } },
                            deps: { accessLogs: ["logs-policy"] },
                        },
                    ],
                },
                messages: [
                    `S3 bucket 'logs' has no default encryption configuration; objects must be encrypted with the project's KMS key (${KMS})`,
                    `S3 bucket 'data' encrypts with AES256 (S3-managed keys); objects must be encrypted with the project's KMS key (${KMS})`,
                ],
            },
            {
                title: "SSE-KMS with the AWS managed key",
                case: { resources: [artifacts(), sse({ sseAlgorithm: "aws:kms" })] },
                messages: [
                    "S3 bucket 'artifacts' uses SSE-KMS with the AWS managed key; objects must be encrypted with the project's customer-managed key (set kmsMasterKeyId: key.arn)",
                ],
            },
        ],
        unknown: {
            title: "an unknown algorithm is a violation",
            case: { resources: [artifacts(), sse({ sseAlgorithm: UNKNOWN })] },
            messages: [
                `S3 bucket 'artifacts' has an encryption algorithm unknown during preview; objects must be encrypted with the project's KMS key (${KMS})`,
            ],
        },
    });

    const TLS =
        'buckets must deny every request that is not over TLS (add an aws.s3.BucketPolicy with a Deny statement for Principal "*", Action "s3:*", Condition { Bool: { "aws:SecureTransport": "false" } })';
    const POLICY_TLS = `does not deny requests without TLS, and a bucket has one policy; ${TLS.replace("buckets must", "bucket policies must")}`;
    describeRule<StackCase>("s3-tls-only", {
        compliant: [
            {
                title: "a bucket policy denying non-TLS requests (JSON string)",
                case: { resources: [artifacts(), policyOf([TLS_DENY])] },
            },
            {
                title: 'the same as a policy document object, with Principal "*" and BoolIfExists',
                case: {
                    resources: [
                        artifacts(),
                        policyOf(
                            [
                                {
                                    ...TLS_DENY,
                                    Principal: "*",
                                    Condition: { BoolIfExists: { "aws:SecureTransport": false } },
                                },
                            ],
                            false,
                        ),
                    ],
                },
            },
            {
                title: "at a first preview: the policy's ARNs unknown, its Deny known in the inputs checked before creation",
                case: {
                    resources: [
                        { ...artifacts(), props: { ...artifacts().props, arn: UNKNOWN, id: UNKNOWN } },
                        {
                            ...companion(T.bucketPolicy, "artifacts-policy", "artifacts", B, { policy: UNKNOWN }),
                            inputs: {
                                bucket: UNKNOWN,
                                policy: { Statement: [{ ...TLS_DENY, Resource: [UNKNOWN] }] },
                            },
                        },
                    ],
                },
            },
            {
                title: "an inline policy on the bucket",
                case: {
                    resources: [
                        {
                            ...artifacts(),
                            props: { ...artifacts().props, policy: JSON.stringify({ Statement: [TLS_DENY] }) },
                        },
                    ],
                },
            },
        ],
        violations: [
            {
                title: "no bucket policy",
                case: { resources: [artifacts()] },
                messages: [`S3 bucket 'artifacts' has no bucket policy; ${TLS}`],
            },
            {
                title: "a policy without the TLS deny",
                case: {
                    resources: [
                        artifacts(),
                        policyOf([
                            {
                                Effect: "Allow",
                                Principal: { AWS: "arn:aws:iam::123456789012:root" },
                                Action: "s3:GetObject",
                                Resource: "*",
                            },
                        ]),
                    ],
                },
                messages: [`S3 bucket policy 'artifacts-policy' ${POLICY_TLS}`],
            },
            {
                title: "an inline policy (aws.s3.Bucket policy) without the TLS deny",
                case: {
                    resources: [
                        {
                            ...artifacts(),
                            props: {
                                ...artifacts().props,
                                policy: JSON.stringify({ Statement: [{ ...TLS_DENY, Effect: "Allow" }] }),
                            },
                        },
                    ],
                },
                messages: [
                    `S3 bucket 'artifacts' has an inline policy that does not deny requests without TLS; ${TLS}`,
                ],
            },
            {
                title: "a TLS deny limited to reads",
                case: { resources: [artifacts(), policyOf([{ ...TLS_DENY, Action: "s3:GetObject" }])] },
                messages: [`S3 bucket policy 'artifacts-policy' ${POLICY_TLS}`],
            },
        ],
        unknown: {
            title: "a policy built from outputs gets an advisory note (its inputs are checked before creation)",
            case: {
                resources: [
                    artifacts(),
                    companion(T.bucketPolicy, "artifacts-policy", "artifacts", B, { policy: UNKNOWN }),
                ],
            },
            advisory: true,
        },
    });

    const VERSIONS =
        'objects must survive overwrites and deletes (add an aws.s3.BucketVersioning with versioningConfiguration.status "Enabled")';
    const versioning = (status: unknown, type: string = T.bucketVersioning) =>
        companion(type, "artifacts-versioning", "artifacts", B, { versioningConfiguration: { status } });
    describeRule<StackCase>("s3-versioning-enabled", {
        compliant: [
            { title: "versioning enabled", case: { resources: [artifacts(), versioning("Enabled")] } },
            {
                title: "the V2 resource",
                case: { resources: [artifacts(), versioning("Enabled", T.bucketVersioningV2)] },
            },
            {
                title: "inline versioning on the bucket",
                case: {
                    resources: [{ ...artifacts(), props: { ...artifacts().props, versioning: { enabled: true } } }],
                },
            },
        ],
        violations: [
            {
                title: "no versioning",
                case: { resources: [artifacts()] },
                messages: [`S3 bucket 'artifacts' has no versioning configuration; ${VERSIONS}`],
            },
            {
                title: "versioning suspended",
                case: { resources: [artifacts(), versioning("Suspended")] },
                messages: [`S3 bucket 'artifacts' has versioning Suspended; ${VERSIONS}`],
            },
        ],
        unknown: {
            title: "an unknown status is a violation",
            case: { resources: [artifacts(), versioning(UNKNOWN)] },
            messages: [`S3 bucket 'artifacts' has a versioning status unknown during preview; ${VERSIONS}`],
        },
    });

    const S3_LOGS =
        "add an aws.s3.BucketLogging with targetBucket set to the stack's log bucket (SSE-S3, like the load balancer's)";
    describeRule<StackCase>("s3-server-access-logging", {
        compliant: [
            {
                title: "a bucket logging into the log bucket; the log bucket itself is exempt",
                case: {
                    resources: [
                        artifacts(),
                        bucket("logs", "logs-1"),
                        companion(T.bucketLogging, "artifacts-logging", "artifacts", B, { targetBucket: "logs-1" }),
                    ],
                },
            },
            {
                title: "the load balancer's access-log bucket needs no logging of its own, even at a first preview",
                case: {
                    resources: [
                        bucket("logs", UNKNOWN),
                        companion(T.bucketPolicy, "logs-policy", "logs", UNKNOWN, { policy: UNKNOWN }),
                        {
                            type: T.lbLoadBalancer,
                            name: "alb",
                            props: { accessLogs: { bucket: UNKNOWN, enabled: true } },
                            deps: { accessLogs: ["logs-policy"] },
                        },
                    ],
                },
            },
            {
                title: "a bucket whose policy lets ELB deliver logs (a log bucket by design, before anything names it)",
                case: {
                    resources: [
                        bucket("logs", "logs-1"),
                        companion(T.bucketPolicy, "logs-policy", "logs", "logs-1", {
                            policy: JSON.stringify({
                                Statement: [
                                    {
                                        Effect: "Allow",
                                        Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                                        Action: "s3:PutObject",
                                        Resource: "arn:aws:s3:::logs-1/alb/AWSLogs/123456789012/*",
                                    },
                                ],
                            }),
                        }),
                    ],
                },
            },
            {
                title: "the bucket CloudFront's standard logging writes to, named by its domain name",
                case: {
                    resources: [
                        bucket("cdn-logs", "cdn-logs-1"),
                        {
                            type: T.cloudfrontDistribution,
                            name: "cdn",
                            props: { loggingConfig: { bucket: "cdn-logs-1.s3.amazonaws.com", prefix: "cdn/" } },
                        },
                    ],
                },
            },
            {
                title: "a vended-log delivery destination's bucket, traced by dependency at a first preview",
                case: {
                    resources: [
                        bucket("cdn-logs", UNKNOWN),
                        {
                            type: T.logDeliveryDestination,
                            name: "cdn-logs-dest",
                            props: { deliveryDestinationConfiguration: { destinationResourceArn: UNKNOWN } },
                            deps: { deliveryDestinationConfiguration: ["cdn-logs"] },
                        },
                    ],
                },
            },
            {
                title: "inline logging on the bucket (deprecated form)",
                case: {
                    resources: [
                        { ...artifacts(), props: { ...artifacts().props, logging: { targetBucket: "logs-1" } } },
                    ],
                },
            },
        ],
        violations: [
            {
                title: "a bucket without access logs",
                case: { resources: [artifacts()] },
                messages: [
                    `S3 bucket 'artifacts' keeps no server access logs, so requests to its objects cannot be traced; ${S3_LOGS}`,
                ],
            },
            {
                title: "a bucket CloudFront reads from (an origin, not its log bucket)",
                case: {
                    resources: [
                        artifacts(),
                        bucket("cdn-logs", "cdn-logs-1"),
                        {
                            type: T.cloudfrontDistribution,
                            name: "cdn",
                            props: {
                                origins: [{ originId: "a", domainName: `${B}.s3.us-east-1.amazonaws.com` }],
                                loggingConfig: { bucket: "cdn-logs-1.s3.amazonaws.com" },
                            },
                        },
                    ],
                },
                messages: [
                    `S3 bucket 'artifacts' keeps no server access logs, so requests to its objects cannot be traced; ${S3_LOGS}`,
                ],
            },
        ],
        unknown: {
            title: "a logging configuration that cannot be traced covers nothing",
            case: {
                resources: [
                    artifacts(),
                    {
                        type: T.bucketLogging,
                        name: "stray-logging",
                        props: { bucket: UNKNOWN, targetBucket: "logs-1" },
                    },
                ],
            },
            messages: [
                `S3 bucket 'artifacts' keeps no server access logs, so requests to its objects cannot be traced; ${S3_LOGS}`,
            ],
        },
    });
});
