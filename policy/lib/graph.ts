/**
 * Following references between resources in a stack policy. A reference (a rule's
 * `securityGroupId`, a flow log's `vpcId`, a companion's `bucket`) is resolved two ways:
 * by comparing values when both sides are known (always offline, and after a deploy), and
 * through `propertyDependencies` when the value is still unknown (a real preview of new
 * resources). A reference neither way can place is "unresolved", and each rule decides
 * what that means for it.
 *
 * Which resource another one belongs to is decided through property dependencies whenever
 * the value is unknown, never by guessing from values: at a first preview every ID, ARN and
 * generated name is unknown, and only the dependencies still say where a value came from.
 */
import { PolicyResource } from "@pulumi/policy";
import { T } from "./types";
import { peek } from "./values";

export type Resolution =
    /** Points at these resources of the stack. */
    | { kind: "resolved"; targets: PolicyResource[] }
    /** A known value that matches nothing in the stack (a resource managed elsewhere). */
    | { kind: "external"; value: string }
    /** Not set at all. */
    | { kind: "absent" }
    /** Unknown and not traceable through property dependencies. */
    | { kind: "unresolved" };

/** Known string values a resource can be referred to by (ID, ARN, name, …). */
export function identifiersOf(r: PolicyResource): string[] {
    const keys =
        r.type === T.awsxVpc ? ["vpcId", "id"] : ["id", "arn", "name", "bucket", "identifier", "address", "endpoint"];
    const ids: string[] = [];
    for (const key of keys) {
        const v = peek(r.props, key);
        if (v.known && typeof v.value === "string" && v.value !== "") {
            ids.push(v.value);
        }
    }
    return ids;
}

/** The resource itself and every ancestor (a child aws:ec2/vpc:Vpc of an awsx:ec2:Vpc, …). */
export function lineage(r: PolicyResource): PolicyResource[] {
    const out: PolicyResource[] = [];
    for (let cur: PolicyResource | undefined = r; cur; cur = cur.parent) {
        out.push(cur);
    }
    return out;
}

/**
 * Resolves the single-valued reference `prop` of `from` among `candidates`. `matches` says
 * whether a known value refers to a candidate (by default: equals one of its identifiers).
 */
export function resolveRef(
    from: PolicyResource,
    prop: string,
    candidates: PolicyResource[],
    matches: (value: string, candidate: PolicyResource) => boolean = (value, c) => identifiersOf(c).includes(value),
): Resolution {
    const v = peek(from.props, prop);
    if (v.known && typeof v.value === "string" && v.value !== "") {
        const hits = candidates.filter((c) => matches(v.value as string, c));
        if (hits.length > 0) {
            return { kind: "resolved", targets: hits };
        }
    }
    const viaDeps = byDependency(from, prop, candidates);
    if (viaDeps.length > 0) {
        return { kind: "resolved", targets: viaDeps };
    }
    if (v.known) {
        return typeof v.value === "string" && v.value !== ""
            ? { kind: "external", value: v.value }
            : { kind: "absent" };
    }
    return { kind: "unresolved" };
}

/**
 * Candidates that `prop` of `from` depends on. A dependency on a component (awsx:ec2:Vpc)
 * counts for the resources it contains, and a dependency on a resource counts for the
 * component that contains it, since either may be what the program passed along.
 */
export function byDependency(from: PolicyResource, prop: string, candidates: PolicyResource[]): PolicyResource[] {
    const deps = from.propertyDependencies?.[prop] ?? [];
    if (deps.length === 0) {
        return [];
    }
    const depUrns = new Set(deps.map((d) => d.urn));
    return candidates.filter(
        (c) => lineage(c).some((a) => depUrns.has(a.urn)) || deps.some((d) => lineage(d).some((a) => a.urn === c.urn)),
    );
}

export function ofType(resources: PolicyResource[], ...types: string[]): PolicyResource[] {
    return resources.filter((r) => types.includes(r.type));
}

/**
 * Resources that stand in for another one: a bucket's companions expose the bucket's name as
 * their own `bucket` output, so a program may pass `policy.bucket` where it means the bucket (the
 * access-log component does, so the name carries a dependency on the policy ELB log delivery
 * needs). The value maps the type to the property that names the resource it stands for.
 */
export const PASS_THROUGH: Record<string, string> = {
    [T.bucketPolicy]: "bucket",
    [T.bucketPublicAccessBlock]: "bucket",
    [T.bucketSse]: "bucket",
    [T.bucketSseV2]: "bucket",
    [T.bucketVersioning]: "bucket",
    [T.bucketVersioningV2]: "bucket",
    [T.bucketLogging]: "bucket",
    [T.bucketLoggingV2]: "bucket",
    [T.bucketAcl]: "bucket",
    [T.bucketAclV2]: "bucket",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "bucket",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": "bucket",
    "aws:s3/bucketNotification:BucketNotification": "bucket",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": "bucket",
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration": "bucket",
    [T.snsTopicPolicy]: "arn",
    [T.sqsQueuePolicy]: "queueUrl",
    [T.secretPolicy]: "secretArn",
    "aws:secretsmanager/secretVersion:SecretVersion": "secretId",
    "aws:kms/alias:Alias": "targetKeyId",
};

/**
 * Like resolveRef, and a reference that reaches a pass-through resource (see PASS_THROUGH) is
 * followed on to what that one refers to, by value or by dependency, to any depth.
 */
export function resolveThrough(
    from: PolicyResource,
    prop: string,
    candidates: PolicyResource[],
    passThrough: Record<string, string> = PASS_THROUGH,
    seen: Set<string> = new Set(),
): Resolution {
    const direct = resolveRef(from, prop, candidates);
    if (direct.kind === "resolved" || seen.has(from.urn)) {
        return direct;
    }
    seen.add(from.urn);
    const targets = new Map<string, PolicyResource>();
    for (const dep of from.propertyDependencies?.[prop] ?? []) {
        const next = passThrough[dep.type];
        if (next === undefined) {
            continue;
        }
        const via = resolveThrough(dep, next, candidates, passThrough, seen);
        if (via.kind === "resolved") {
            for (const t of via.targets) {
                targets.set(t.urn, t);
            }
        }
    }
    return targets.size > 0 ? { kind: "resolved", targets: [...targets.values()] } : direct;
}

/** Whether `r` is `target` or inside it (a child of a component). */
export function within(r: PolicyResource, target: PolicyResource): boolean {
    return lineage(r).some((a) => a.urn === target.urn);
}
