/**
 * S3 rules. In @pulumi/aws 7 a bucket's settings are separate resources that name it in their
 * `bucket` input, so most of these are stack rules that pair each bucket with its companions
 * (by the bucket's name or ID, or through property dependencies at preview). Settings written
 * inline on the bucket (deprecated, still accepted by aws.s3.Bucket) count too.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { byDependency, identifiersOf, ofType, resolveRef } from "./lib/graph";
import { parsePolicy } from "./lib/iamDoc";
import { reportAdvisory } from "./lib/report";
import { WebfleetPolicy, configOf, resourceRule, stackRule } from "./lib/rule";
import { T, subject } from "./lib/types";
import { Peeked, attempt, peek } from "./lib/values";

const BUCKET_TYPES = [T.bucket, T.bucketV2];
const SSE_TYPES = [T.bucketSse, T.bucketSseV2];
const VERSIONING_TYPES = [T.bucketVersioning, T.bucketVersioningV2];

/** Companions of `bucket` among resources of `types` (matched on their `bucket` input). */
function companionsOf(bucket: PolicyResource, resources: PolicyResource[], types: string[]): PolicyResource[] {
    return ofType(resources, ...types).filter((c) => {
        const r = resolveRef(c, "bucket", [bucket]);
        return r.kind === "resolved";
    });
}

function bucketLabel(b: PolicyResource): string {
    return subject(b.type, b.name);
}

const PAB_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const PAB_FIX =
    "buckets must never be public (add an aws.s3.BucketPublicAccessBlock for it with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true)";

const s3PublicAccessBlocked = stackRule({
    name: "s3-public-access-blocked",
    description:
        "Every bucket has a public access block with all four settings on, so no ACL or policy can make it public.",
    severity: "critical",
    enforcementLevel: "mandatory",
    resources: [...BUCKET_TYPES, T.bucketPublicAccessBlock],
    checks: "Each bucket has an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets true",
    equivalents: [
        "AwsSolutions-S2",
        "CKV2_AWS_6",
        "CKV_AWS_53",
        "CKV_AWS_54",
        "CKV_AWS_55",
        "CKV_AWS_56",
        "NIST.800.53.R5-S3BucketLevelPublicAccessProhibited",
    ],
    unknown: "violation",
    validate: (args, report: ReportViolation) => {
        for (const bucket of ofType(args.resources, ...BUCKET_TYPES)) {
            const blocks = companionsOf(bucket, args.resources, [T.bucketPublicAccessBlock]);
            if (blocks.length === 0) {
                report(`${bucketLabel(bucket)} has no public access block; ${PAB_FIX}`, bucket.urn);
                continue;
            }
            const block = blocks[0];
            const off: string[] = [];
            const unknown: string[] = [];
            for (const flag of PAB_FLAGS) {
                const v = peek<boolean>(block.props, flag);
                if (!v.known) {
                    unknown.push(flag);
                } else if (v.value !== true) {
                    off.push(flag);
                }
            }
            if (off.length > 0) {
                report(
                    `${bucketLabel(bucket)} has a public access block with ${off.join(", ")} off; ${PAB_FIX}`,
                    bucket.urn,
                );
            } else if (unknown.length > 0) {
                report(
                    `${bucketLabel(bucket)} has a public access block whose ${unknown.join(", ")} is unknown during preview; ${PAB_FIX}`,
                    bucket.urn,
                );
            }
        }
    },
});

/** Buckets that receive load balancer access logs (ELB can only write to SSE-S3 buckets). */
function accessLogBuckets(resources: PolicyResource[]): Set<string> {
    const buckets = ofType(resources, ...BUCKET_TYPES);
    const out = new Set<string>();
    for (const lb of ofType(resources, T.lbLoadBalancer, T.albLoadBalancer)) {
        const name = peek<string>(lb.props, "accessLogs", "bucket");
        for (const b of buckets) {
            if (
                (name.known && typeof name.value === "string" && identifiersOf(b).includes(name.value)) ||
                byDependency(lb, "accessLogs", [b]).length > 0
            ) {
                out.add(b.urn);
            }
        }
    }
    return out;
}

interface SseRule {
    algorithm: Peeked<string | undefined>;
    key: Peeked<string | undefined>;
}

function sseRules(bucket: PolicyResource, resources: PolicyResource[]): SseRule[] | undefined {
    const rules: SseRule[] = [];
    for (const c of companionsOf(bucket, resources, SSE_TYPES)) {
        const list = peek<unknown[]>(c.props, "rules");
        const n = list.known && Array.isArray(list.value) ? list.value.length : 1;
        for (let i = 0; i < n; i++) {
            rules.push({
                algorithm: list.known
                    ? peek<string>(c.props, "rules", i, "applyServerSideEncryptionByDefault", "sseAlgorithm")
                    : list,
                key: list.known
                    ? peek<string>(c.props, "rules", i, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
                    : list,
            });
        }
    }
    const inline = peek(bucket.props, "serverSideEncryptionConfiguration", "rule");
    if (!inline.known || inline.value) {
        rules.push({
            algorithm: peek<string>(
                bucket.props,
                "serverSideEncryptionConfiguration",
                "rule",
                "applyServerSideEncryptionByDefault",
                "sseAlgorithm",
            ),
            key: peek<string>(
                bucket.props,
                "serverSideEncryptionConfiguration",
                "rule",
                "applyServerSideEncryptionByDefault",
                "kmsMasterKeyId",
            ),
        });
    }
    return rules.length > 0 ? rules : undefined;
}

const KMS_FIX =
    'add an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms" and kmsMasterKeyId: key.arn';

const s3EncryptionKms = stackRule({
    name: "s3-encryption-kms",
    description:
        "Every bucket encrypts objects by default with the project's KMS key (SSE-KMS), except load balancer log buckets, which AWS requires to use SSE-S3.",
    severity: "high",
    enforcementLevel: "mandatory",
    resources: [...BUCKET_TYPES, ...SSE_TYPES, T.lbLoadBalancer, T.albLoadBalancer],
    checks: "Each bucket has default encryption aws:kms (or aws:kms:dsse) with a customer key; AES256 only for ALB access-log buckets or with allowS3ManagedKeys",
    equivalents: [
        "CKV_AWS_145",
        "CKV_AWS_19",
        "NIST.800.53.R5-S3BucketServerSideEncryptionEnabled",
        "NIST.800.53.R5-S3DefaultEncryptionKMS",
    ],
    unknown: "violation",
    unknownNote:
        "An unknown kmsMasterKeyId (a reference to the stack's key) counts as a customer key; an unknown algorithm is a violation.",
    config: {
        allowS3ManagedKeys: {
            type: "boolean",
            default: false,
            description: "Accept SSE-S3 (AES256) for every bucket.",
        },
    },
    validate: (args, report: ReportViolation) => {
        const { allowS3ManagedKeys } = configOf(args, { allowS3ManagedKeys: false });
        const logBuckets = accessLogBuckets(args.resources);
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
                if (key.known && (!key.value || /(^|:)alias\/aws\/s3$/.test(key.value))) {
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
    const parsed = parsePolicy(doc);
    if (!parsed.ok) {
        return false;
    }
    return parsed.statements.some(
        (s) =>
            s.effect === "Deny" &&
            s.principals.includes("*") &&
            s.actions.some((a) => a === "*" || a.toLowerCase() === "s3:*") &&
            Object.entries(s.conditions).some(
                ([op, kv]) =>
                    /^Bool(IfExists)?$/i.test(op) &&
                    Object.entries(kv).some(
                        ([k, v]) =>
                            k.toLowerCase() === "aws:securetransport" && v.some((x) => x.toLowerCase() === "false"),
                    ),
            ),
    );
}

const TLS_FIX =
    'deny every request that is not over TLS (add an aws.s3.BucketPolicy with a Deny statement for Principal "*", Action "s3:*", Condition { Bool: { "aws:SecureTransport": "false" } })';

const s3TlsOnly = stackRule({
    name: "s3-tls-only",
    description: "Every bucket's policy denies requests that are not made over TLS.",
    severity: "medium",
    enforcementLevel: "mandatory",
    resources: [...BUCKET_TYPES, T.bucketPolicy],
    checks: "Each bucket has a bucket policy with Deny, Principal *, Action s3:*, Condition Bool aws:SecureTransport=false",
    equivalents: ["AwsSolutions-S10", "NIST.800.53.R5-S3BucketSSLRequestsOnly"],
    unknown: "advisory",
    unknownNote:
        "A policy document built from outputs is unknown at preview: that bucket gets an advisory note and the rule checks the real document after `pulumi up` and in the offline preview.",
    validate: (args, report: ReportViolation) => {
        for (const bucket of ofType(args.resources, ...BUCKET_TYPES)) {
            const holders = [...companionsOf(bucket, args.resources, [T.bucketPolicy]), bucket];
            let unknown = false;
            let present = false;
            let denies = false;
            for (const holder of holders) {
                const doc = peek(holder.props, "policy");
                if (doc.known && !doc.value) {
                    continue;
                }
                const verdict = attempt(() => deniesInsecureTransport(holder.props.policy));
                present = true;
                if (!verdict.known) {
                    unknown = true;
                } else if (verdict.value) {
                    denies = true;
                }
            }
            if (denies) {
                continue;
            }
            if (unknown) {
                reportAdvisory(
                    report,
                    `${bucketLabel(bucket)} has a bucket policy unknown during preview, so TLS-only access cannot be verified yet; buckets must ${TLS_FIX}`,
                    bucket.urn,
                );
                continue;
            }
            const state = !present
                ? "has no bucket policy"
                : "has a bucket policy that does not deny requests without TLS";
            report(`${bucketLabel(bucket)} ${state}; buckets must ${TLS_FIX}`, bucket.urn);
        }
    },
});

const VERSIONING_FIX =
    'objects must survive overwrites and deletes (add an aws.s3.BucketVersioning with versioningConfiguration.status "Enabled")';

const s3VersioningEnabled = stackRule({
    name: "s3-versioning-enabled",
    description: "Every bucket keeps object versions, so an overwrite or delete can be undone.",
    severity: "medium",
    enforcementLevel: "mandatory",
    resources: [...BUCKET_TYPES, ...VERSIONING_TYPES],
    checks: "Each bucket has an aws.s3.BucketVersioning with status Enabled (or inline versioning.enabled)",
    equivalents: ["CKV_AWS_21", "NIST.800.53.R5-S3BucketVersioningEnabled"],
    unknown: "violation",
    validate: (args, report: ReportViolation) => {
        for (const bucket of ofType(args.resources, ...BUCKET_TYPES)) {
            const statuses: Peeked<string | undefined>[] = companionsOf(bucket, args.resources, VERSIONING_TYPES).map(
                (c) => peek<string>(c.props, "versioningConfiguration", "status"),
            );
            const inline = peek<boolean>(bucket.props, "versioning", "enabled");
            if (!inline.known) {
                statuses.push(inline);
            } else if (inline.value === true) {
                statuses.push({ known: true, value: "Enabled" });
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

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GRANTEES = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/;
const ACL_FIX =
    "buckets must never be public (use the private ACL, or better BucketOwnerEnforced ownership and no ACLs)";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

type AclProps = { acl?: string; accessControlPolicy?: { grants?: { grantee?: { uri?: string } }[] } };

function checkAcl(acl: AclProps, args: ResourceValidationArgs, report: ReportViolation): void {
    if (acl.acl && PUBLIC_ACLS.includes(acl.acl)) {
        report(`${who(args)} uses the canned ACL "${acl.acl}"; ${ACL_FIX}`);
    }
    const grants = acl.accessControlPolicy?.grants ?? [];
    if (grants.some((g) => PUBLIC_GRANTEES.test(g.grantee?.uri ?? ""))) {
        report(`${who(args)} grants access to AllUsers or AuthenticatedUsers; ${ACL_FIX}`);
    }
}

const s3NoPublicAcl = resourceRule({
    name: "s3-no-public-acl",
    description: "No bucket ACL grants access to everyone or to every AWS account.",
    severity: "critical",
    enforcementLevel: "mandatory",
    checks: "Bucket acl/grants and BucketAcl(V2) use no public canned ACL and no AllUsers/AuthenticatedUsers grantee",
    equivalents: [
        "CKV_AWS_20",
        "CKV_AWS_57",
        "NIST.800.53.R5-S3BucketPublicReadProhibited",
        "NIST.800.53.R5-S3BucketPublicWriteProhibited",
    ],
    unknown: "violation",
    requirement: ACL_FIX,
    validate: [
        validateResourceOfType(aws.s3.Bucket, (b, args, report) => {
            if (b.acl && PUBLIC_ACLS.includes(b.acl)) {
                report(`${who(args)} uses the canned ACL "${b.acl}"; ${ACL_FIX}`);
            }
            if ((b.grants ?? []).some((g) => PUBLIC_GRANTEES.test(g.uri ?? ""))) {
                report(`${who(args)} grants access to AllUsers or AuthenticatedUsers; ${ACL_FIX}`);
            }
        }),
        validateResourceOfType(aws.s3.BucketAcl, checkAcl),
        validateResourceOfType(aws.s3.BucketAclV2, checkAcl),
    ],
});

export const storagePolicies: WebfleetPolicy[] = [
    s3PublicAccessBlocked,
    s3EncryptionKms,
    s3TlsOnly,
    s3VersioningEnabled,
    s3NoPublicAcl,
];
