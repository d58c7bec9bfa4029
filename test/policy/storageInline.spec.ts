/**
 * S3 settings written other ways: the account-level public access block in place of a bucket's
 * own, BucketV2's deprecated inline lists (encryption, versioning), and a separate encryption
 * configuration deciding over the AES256 default the bucket's outputs show from its creation.
 */
import { T } from "../../policy/lib/types";
import { bucket, companion, withComputed } from "./builders";
import { StackCase, StackResource, UNKNOWN, UNKNOWN_BOOL, describeRule } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/2ccbf1d3-c5da-4e41-8932-608ff6ef778e";
const B = "ledger-9d0";
const ledger = (props: Record<string, unknown> = {}): StackResource => ({
    ...bucket("ledger", B),
    type: T.bucketV2,
    props: { ...bucket("ledger", B).props, ...props },
});
const ALL_ON = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const account = (props: Record<string, unknown> = {}): StackResource => ({
    type: T.accountPublicAccessBlock,
    name: "account-block",
    props: { ...ALL_ON, ...props },
});
const inlineSse = (sseAlgorithm: unknown, kmsMasterKeyId?: unknown) => ({
    serverSideEncryptionConfigurations: [
        {
            rules: [
                { applyServerSideEncryptionByDefaults: [{ sseAlgorithm, kmsMasterKeyId }], bucketKeyEnabled: true },
            ],
        },
    ],
});

describe("policy: storage written other ways", () => {
    const PAB_FIX =
        "buckets must never be public (add an aws.s3.BucketPublicAccessBlock for it, or an aws.s3.AccountPublicAccessBlock for the account, with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true)";
    describeRule<StackCase>("s3-public-access-blocked", {
        compliant: [
            {
                title: "no block of its own, under the account-level block with all four settings on",
                case: { resources: [ledger(), account()] },
            },
        ],
        violations: [
            {
                title: "an account-level block with a setting off covers no bucket",
                case: { resources: [ledger(), account({ restrictPublicBuckets: false })] },
                messages: [
                    "S3 account public access block 'account-block' leaves restrictPublicBuckets off for the whole account; the account-level block must have all four settings on (set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true)",
                    `S3 bucket 'ledger' has no public access block; ${PAB_FIX}`,
                ],
            },
        ],
        unknown: {
            title: "an account-level block with a setting unknown and one off covers nothing; the unknown one is checked before creation",
            case: { resources: [ledger(), account({ ignorePublicAcls: UNKNOWN_BOOL, restrictPublicBuckets: false })] },
            messages: [`S3 bucket 'ledger' has no public access block; ${PAB_FIX}`],
            notes: [
                `S3 account public access block 'account-block' has a value unknown during preview at ignorePublicAcls, so it cannot be verified yet; it is checked on the real value before the resource is created (${PAB_FIX})`,
            ],
        },
    });

    const KMS =
        'add an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms" and kmsMasterKeyId: key.arn';
    describeRule<StackCase>("s3-encryption-kms", {
        compliant: [
            {
                title: "BucketV2's inline list with DSSE-KMS under the key",
                case: { resources: [ledger(inlineSse("aws:kms:dsse", KEY))] },
            },
            {
                title: "a separate configuration decides over the AES256 default in the bucket's outputs",
                case: {
                    resources: [
                        withComputed(bucket("invoices", "invoices-1"), {
                            serverSideEncryptionConfiguration: {
                                rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                            },
                        }),
                        companion(T.bucketSse, "invoices-sse", "invoices", "invoices-1", {
                            rules: [
                                {
                                    applyServerSideEncryptionByDefault: {
                                        sseAlgorithm: "aws:kms",
                                        kmsMasterKeyId: KEY,
                                    },
                                },
                            ],
                        }),
                    ],
                },
            },
        ],
        violations: [
            {
                title: "BucketV2's inline list with AES256",
                case: { resources: [ledger(inlineSse("AES256"))] },
                messages: [
                    `S3 bucket 'ledger' encrypts with AES256 (S3-managed keys); objects must be encrypted with the project's KMS key (${KMS})`,
                ],
            },
            {
                title: "BucketV2's inline list with the AWS managed key",
                case: { resources: [ledger(inlineSse("aws:kms", "alias/aws/s3"))] },
                messages: [
                    "S3 bucket 'ledger' uses SSE-KMS with the AWS managed key; objects must be encrypted with the project's customer-managed key (set kmsMasterKeyId: key.arn)",
                ],
            },
        ],
        unknown: {
            title: "an inline list unknown at preview is an unknown algorithm",
            case: { resources: [ledger({ serverSideEncryptionConfigurations: UNKNOWN })] },
            messages: [
                `S3 bucket 'ledger' has an encryption algorithm unknown during preview; objects must be encrypted with the project's KMS key (${KMS})`,
            ],
        },
    });

    const VERSIONS =
        'objects must survive overwrites and deletes (add an aws.s3.BucketVersioning with versioningConfiguration.status "Enabled")';
    describeRule<StackCase>("s3-versioning-enabled", {
        compliant: [
            {
                title: "BucketV2's inline versionings enabled",
                case: { resources: [ledger({ versionings: [{ enabled: true }] })] },
            },
        ],
        violations: [
            {
                title: "BucketV2's inline versionings disabled",
                case: { resources: [ledger({ versionings: [{ enabled: false, mfaDelete: false }] })] },
                messages: [`S3 bucket 'ledger' has versioning disabled; ${VERSIONS}`],
            },
            {
                title: "a Suspended configuration, whatever the bucket's outputs say",
                case: {
                    resources: [
                        withComputed(bucket("ledger", B), { versioning: { enabled: false } }),
                        companion(T.bucketVersioning, "ledger-versioning", "ledger", B, {
                            versioningConfiguration: { status: "Suspended" },
                        }),
                    ],
                },
                messages: [`S3 bucket 'ledger' has versioning Suspended; ${VERSIONS}`],
            },
        ],
        unknown: {
            title: "an inline list unknown at preview",
            case: { resources: [ledger({ versionings: UNKNOWN })] },
            messages: [`S3 bucket 'ledger' has a versioning status unknown during preview; ${VERSIONS}`],
        },
    });
});
