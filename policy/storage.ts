/**
 * S3 rules. In @pulumi/aws 7 a bucket's settings are separate resources that name it in their
 * `bucket` input, so most of these are stack rules that pair each bucket with its companions
 * (by the bucket's name or ID, or through property dependencies at preview). Settings written
 * inline on the bucket (deprecated, still accepted by aws.s3.Bucket) count too.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { ofType, resolveThrough } from "./lib/graph";
import { deniesWithoutTls } from "./lib/iamDoc";
import { reportAdvisory } from "./lib/report";
import { WebfleetPolicy, configOf, stackRule } from "./lib/rule";
import { logDeliveryBuckets } from "./storageLogging";
import { T, subject } from "./lib/types";
import { Peeked, attempt, declaredButUnknown, isAwsManagedKey, peek } from "./lib/values";

const BUCKET_TYPES = [T.bucket, T.bucketV2];
const SSE_TYPES = [T.bucketSse, T.bucketSseV2];
const VERSIONING_TYPES = [T.bucketVersioning, T.bucketVersioningV2];

/** Companions of `bucket` among resources of `types` (matched on their `bucket` input, through pass-throughs). */
function companionsOf(bucket: PolicyResource, resources: PolicyResource[], types: string[]): PolicyResource[] {
    return ofType(resources, ...types).filter((c) => resolveThrough(c, "bucket", [bucket]).kind === "resolved");
}

function bucketLabel(b: PolicyResource): string {
    return subject(b.type, b.name);
}

const PAB_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const PAB_FIX =
    "buckets must never be public (add an aws.s3.BucketPublicAccessBlock for it, or an aws.s3.AccountPublicAccessBlock for the account, with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true)";

/** Settings of a block (bucket or account) that are not on. */
function flagsOff(block: Record<string, unknown>): string[] {
    return PAB_FLAGS.filter((flag) => block[flag] !== true);
}

const s3PublicAccessBlocked = stackRule({
    name: "s3-public-access-blocked",
    description:
        "Every bucket has a public access block with all four settings on (its own, or the account-level block the stack manages), and every block the stack manages has them all on, so no ACL or policy can make a bucket public.",
    severity: "critical",
    resources: [...BUCKET_TYPES, T.bucketPublicAccessBlock, T.accountPublicAccessBlock],
    checks: "Each bucket has an aws.s3.BucketPublicAccessBlock, unless the stack manages an AccountPublicAccessBlock with all four settings on (it covers every bucket of the account); every BucketPublicAccessBlock and AccountPublicAccessBlock sets blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true (checked before it is created)",
    equivalents: {
        cdkNag: ["AwsSolutions-S2", "NIST.800.53.R5-S3BucketLevelPublicAccessProhibited"],
        checkov: ["CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
    },
    unknown: "violation",
    unknownNote:
        "Each block's settings are checked before it is created (unknown: advisory at preview); a bucket whose block cannot be traced by name or property dependency has none.",
    requirement: PAB_FIX,
    beforeCreate: [
        validateResourceOfType(aws.s3.BucketPublicAccessBlock, (block, args, report) => {
            const off = flagsOff(block);
            if (off.length > 0) {
                report(`${subject(args.type, args.name)} leaves ${off.join(", ")} off; ${PAB_FIX}`);
            }
        }),
        validateResourceOfType(aws.s3.AccountPublicAccessBlock, (block, args, report) => {
            const off = flagsOff(block);
            if (off.length > 0) {
                report(
                    `${subject(args.type, args.name)} leaves ${off.join(", ")} off for the whole account; the account-level block must have all four settings on (set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true)`,
                );
            }
        }),
    ],
    validate: (args, report: ReportViolation) => {
        // The account-level block, all four on (or unknown: judged before it is created), covers every bucket.
        const accountBlocked = ofType(args.resources, T.accountPublicAccessBlock).some((a) =>
            PAB_FLAGS.every((flag) => {
                const v = peek(a.props, flag);
                return !v.known || v.value === true;
            }),
        );
        for (const bucket of ofType(args.resources, ...BUCKET_TYPES)) {
            const blocks = companionsOf(bucket, args.resources, [T.bucketPublicAccessBlock]);
            if (blocks.length === 0 && !accountBlocked) {
                report(`${bucketLabel(bucket)} has no public access block; ${PAB_FIX}`, bucket.urn);
            }
            // The blocks' settings are judged before each block is created (beforeCreate).
        }
    },
});

interface SseRule {
    algorithm: Peeked<string | undefined>;
    key: Peeked<string | undefined>;
}

/** The algorithm and key under `path` of a (possibly unknown) encryption block. */
function ruleAt(at: Peeked<unknown>, ...path: (string | number)[]): SseRule {
    return {
        algorithm: at.known ? peek<string>(at.value, ...path, "sseAlgorithm") : at,
        key: at.known ? peek<string>(at.value, ...path, "kmsMasterKeyId") : at,
    };
}

/**
 * The bucket's default encryption rules. A separate configuration resource is what S3 applies
 * last, so when one exists it decides: the bucket's own (deprecated) block is then at best a copy,
 * and in its outputs it shows the AES256 default S3 applied when the bucket was created. Without
 * one, the inline block of aws.s3.Bucket (`serverSideEncryptionConfiguration.rule`) or of
 * aws.s3.BucketV2 (`serverSideEncryptionConfigurations[].rules[].applyServerSideEncryptionByDefaults[]`).
 */
function sseRules(bucket: PolicyResource, resources: PolicyResource[]): SseRule[] | undefined {
    const rules: SseRule[] = [];
    for (const c of companionsOf(bucket, resources, SSE_TYPES)) {
        const list = peek<unknown[]>(c.props, "rules");
        const n = list.known && Array.isArray(list.value) ? list.value.length : 1;
        for (let i = 0; i < n; i++) {
            rules.push(ruleAt(list, i, "applyServerSideEncryptionByDefault"));
        }
    }
    if (rules.length > 0) {
        return rules;
    }
    const inline = peek(bucket.props, "serverSideEncryptionConfiguration", "rule");
    if (!inline.known || inline.value) {
        rules.push(ruleAt(inline, "applyServerSideEncryptionByDefault"));
    }
    const configs = peek<unknown[]>(bucket.props, "serverSideEncryptionConfigurations");
    for (const config of configs.known ? (configs.value ?? []) : [undefined]) {
        const list = configs.known ? peek<unknown[]>(config, "rules") : configs;
        for (const r of list.known ? (list.value ?? []) : [undefined]) {
            const defaults = list.known ? peek<unknown[]>(r, "applyServerSideEncryptionByDefaults") : list;
            const n = defaults.known ? (defaults.value ?? []).length : 1;
            for (let i = 0; i < n; i++) {
                rules.push(ruleAt(defaults, i));
            }
        }
    }
    return rules.length > 0 ? rules : undefined;
}

const KMS_FIX =
    'add an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms" and kmsMasterKeyId: key.arn';

const s3EncryptionKms = stackRule({
    name: "s3-encryption-kms",
    description:
        "Every bucket encrypts objects by default with the project's KMS key (SSE-KMS), except buckets that receive load balancer or S3 server access logs, which AWS can deliver only to SSE-S3 buckets.",
    severity: "high",
    resources: [...BUCKET_TYPES, ...SSE_TYPES, T.lbLoadBalancer, T.albLoadBalancer, T.bucketLogging, T.bucketLoggingV2],
    checks: "Each bucket has default encryption aws:kms (or aws:kms:dsse) with a customer key; AES256 only for buckets a load balancer's accessLogs or a BucketLogging's targetBucket names (traced through pass-throughs such as the bucket policy's `bucket`), or with allowS3ManagedKeys",
    equivalents: {
        cdkNag: ["NIST.800.53.R5-S3BucketServerSideEncryptionEnabled", "NIST.800.53.R5-S3DefaultEncryptionKMS"],
        checkov: ["CKV_AWS_145", "CKV_AWS_19"],
    },
    unknown: "violation",
    unknownNote:
        "An unknown kmsMasterKeyId (a reference to the stack's key) counts as a customer key; an unknown algorithm is a violation. Which bucket receives logs is traced through property dependencies at preview, never guessed from unknown values.",
    config: {
        allowS3ManagedKeys: {
            type: "boolean",
            default: false,
            description: "Accept SSE-S3 (AES256) for every bucket.",
        },
    },
    validate: (args, report: ReportViolation) => {
        const { allowS3ManagedKeys } = configOf(args, { allowS3ManagedKeys: false });
        const logBuckets = logDeliveryBuckets(args.resources);
        for (const bucket of ofType(args.resources, ...BUCKET_TYPES)) {
            const rules = sseRules(bucket, args.resources);
            if (!rules) {
                report(
                    `${bucketLabel(bucket)} has no default encryption configuration; objects must be encrypted with the project's KMS key (${KMS_FIX})`,
                    bucket.urn,
                );
                continue;
            }
            const s3Managed = allowS3ManagedKeys || logBuckets.has(bucket.urn);
            for (const rule of rules) {
                if (!rule.algorithm.known) {
                    report(
                        `${bucketLabel(bucket)} has an encryption algorithm unknown during preview; objects must be encrypted with the project's KMS key (${KMS_FIX})`,
                        bucket.urn,
                    );
                    break;
                }
                const algorithm = rule.algorithm.value;
                if (algorithm === "AES256" && s3Managed) {
                    continue;
                }
                if (algorithm !== "aws:kms" && algorithm !== "aws:kms:dsse") {
                    report(
                        `${bucketLabel(bucket)} encrypts with ${algorithm ?? "no algorithm"} (S3-managed keys); objects must be encrypted with the project's KMS key (${KMS_FIX})`,
                        bucket.urn,
                    );
                    break;
                }
                const key = rule.key;
                if (key.known && (!key.value || isAwsManagedKey(key))) {
                    report(
                        `${bucketLabel(bucket)} uses SSE-KMS with the AWS managed key; objects must be encrypted with the project's customer-managed key (set kmsMasterKeyId: key.arn)`,
                        bucket.urn,
                    );
                    break;
                }
            }
        }
    },
});

/** Whether one statement denies every S3 action to everyone when the request is not over TLS. */
function deniesInsecureTransport(doc: unknown): boolean {
    return deniesWithoutTls(doc, (a) => a === "*" || a.toLowerCase() === "s3:*");
}

const TLS_FIX =
    'deny every request that is not over TLS (add an aws.s3.BucketPolicy with a Deny statement for Principal "*", Action "s3:*", Condition { Bool: { "aws:SecureTransport": "false" } })';

const s3TlsOnly = stackRule({
    name: "s3-tls-only",
    description: "Every bucket's policy denies requests that are not made over TLS.",
    severity: "medium",
    resources: [...BUCKET_TYPES, T.bucketPolicy],
    checks: "Each bucket has a bucket policy with Deny, Principal *, Action s3:*, Condition Bool aws:SecureTransport=false; each aws.s3.BucketPolicy is checked on its own before creation",
    equivalents: { cdkNag: ["AwsSolutions-S10", "NIST.800.53.R5-S3BucketSSLRequestsOnly"] },
    unknown: "advisory",
    unknownNote:
        "A bucket policy built from outputs is unknown to the stack check at preview; its own inputs are checked before creation (the Deny's principal, action and condition are known even when its resource ARNs are not), and an inline policy unknown at preview gets an advisory note.",
    requirement: `bucket policies must ${TLS_FIX}`,
    beforeCreate: [
        validateResourceOfType(aws.s3.BucketPolicy, (bp, args, report) => {
            if (bp.policy && !deniesInsecureTransport(bp.policy)) {
                report(
                    `${subject(args.type, args.name)} does not deny requests without TLS, and a bucket has one policy; bucket policies must ${TLS_FIX}`,
                );
            }
        }),
    ],
    validate: (args, report: ReportViolation) => {
        for (const bucket of ofType(args.resources, ...BUCKET_TYPES)) {
            const hasDoc = (r: PolicyResource) => {
                const doc = peek(r.props, "policy");
                return !doc.known || !!doc.value;
            };
            if (companionsOf(bucket, args.resources, [T.bucketPolicy]).some(hasDoc)) {
                continue; // its aws.s3.BucketPolicy is checked on its own before creation
            }
            // The owner's own policy output is computed: unknown at preview when the program sets
            // none, unless it depends on other resources (a document built from their outputs).
            const ownDoc = peek(bucket.props, "policy");
            if (ownDoc.known ? !ownDoc.value : !declaredButUnknown(bucket, "policy")) {
                report(`${bucketLabel(bucket)} has no bucket policy; buckets must ${TLS_FIX}`, bucket.urn);
                continue;
            }
            const verdict = attempt(() => deniesInsecureTransport(bucket.props.policy));
            if (!verdict.known) {
                reportAdvisory(
                    report,
                    `${bucketLabel(bucket)} has an inline policy unknown during preview, so TLS-only access cannot be verified yet; buckets must ${TLS_FIX}`,
                    bucket.urn,
                );
            } else if (!verdict.value) {
                report(
                    `${bucketLabel(bucket)} has an inline policy that does not deny requests without TLS; buckets must ${TLS_FIX}`,
                    bucket.urn,
                );
            }
        }
    },
});

const VERSIONING_FIX =
    'objects must survive overwrites and deletes (add an aws.s3.BucketVersioning with versioningConfiguration.status "Enabled")';

const s3VersioningEnabled = stackRule({
    name: "s3-versioning-enabled",
    description: "Every bucket keeps object versions, so an overwrite or delete can be undone.",
    severity: "medium",
    resources: [...BUCKET_TYPES, ...VERSIONING_TYPES],
    checks: "Each bucket has an aws.s3.BucketVersioning with status Enabled (or inline versioning.enabled, BucketV2 versionings[].enabled)",
    equivalents: { cdkNag: ["NIST.800.53.R5-S3BucketVersioningEnabled"], checkov: ["CKV_AWS_21"] },
    unknown: "violation",
    validate: (args, report: ReportViolation) => {
        for (const bucket of ofType(args.resources, ...BUCKET_TYPES)) {
            const statuses: Peeked<string | undefined>[] = companionsOf(bucket, args.resources, VERSIONING_TYPES).map(
                (c) => peek<string>(c.props, "versioningConfiguration", "status"),
            );
            // Inline (deprecated): aws.s3.Bucket's versioning object, aws.s3.BucketV2's versionings list.
            const list = peek<unknown[]>(bucket.props, "versionings");
            const inline = [
                peek<boolean>(bucket.props, "versioning", "enabled"),
                ...(list.known ? (list.value ?? []).map((v) => peek<boolean>(v, "enabled")) : [list]),
            ];
            const companions = statuses.length;
            for (const flag of inline) {
                if (!flag.known) {
                    statuses.push(flag);
                } else if (flag.value === true) {
                    statuses.push({ known: true, value: "Enabled" });
                } else if (flag.value === false && companions === 0) {
                    statuses.push({ known: true, value: "disabled" });
                }
            }
            if (statuses.some((s) => s.known && s.value === "Enabled")) {
                continue;
            }
            if (statuses.some((s) => !s.known)) {
                report(
                    `${bucketLabel(bucket)} has a versioning status unknown during preview; ${VERSIONING_FIX}`,
                    bucket.urn,
                );
            } else if (statuses.length === 0) {
                report(`${bucketLabel(bucket)} has no versioning configuration; ${VERSIONING_FIX}`, bucket.urn);
            } else {
                const got = statuses.map((s) => (s.known ? String(s.value) : "unknown")).join(", ");
                report(`${bucketLabel(bucket)} has versioning ${got}; ${VERSIONING_FIX}`, bucket.urn);
            }
        }
    },
});

export const storagePolicies: WebfleetPolicy[] = [
    s3PublicAccessBlocked,
    s3EncryptionKms,
    s3TlsOnly,
    s3VersioningEnabled,
];
