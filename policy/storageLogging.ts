/**
 * Which buckets hold logs, and the server access logging of the others. A bucket that receives
 * load balancer, S3, CloudFront or vended access logs is found through the resource that names it, by value or
 * through property dependencies (following pass-throughs such as a bucket policy's `bucket`),
 * so a first preview, where every bucket name and ID is unknown, reads the same as a deploy.
 */
import { PolicyResource, ReportViolation } from "@pulumi/policy";
import { identifiersOf, ofType, resolveThrough } from "./lib/graph";
import { parsePolicy } from "./lib/iamDoc";
import { reportAdvisory } from "./lib/report";
import { WebfleetPolicy, stackRule } from "./lib/rule";
import { T, subject } from "./lib/types";
import { attempt, declaredButUnknown, peek } from "./lib/values";

const BUCKET_TYPES = [T.bucket, T.bucketV2];

/** The bucket a reference names, by its known value or through (pass-through) dependencies. */
function bucketsNamedBy(
    from: PolicyResource,
    prop: string,
    path: string[],
    buckets: PolicyResource[],
): PolicyResource[] {
    const value = peek<string>(from.props, ...path);
    if (value.known && (value.value === undefined || value.value === null || value.value === "")) {
        return []; // not set: no bucket, whatever dependency may be recorded
    }
    const byValue =
        value.known && typeof value.value === "string"
            ? buckets.filter((b) => identifiersOf(b).includes(value.value as string))
            : [];
    const viaDeps = resolveThrough(from, prop, buckets);
    return [...byValue, ...(viaDeps.kind === "resolved" ? viaDeps.targets : [])];
}

/**
 * Buckets that receive logs from a service that can write only to SSE-S3 buckets: load
 * balancer access logs (ELB) and S3 server access logs. Found through the load balancer's
 * `accessLogs` and the logging configuration's `targetBucket`, following pass-throughs: the
 * access-log component hands out its bucket policy's `bucket`, which at a first preview is
 * unknown and depends on the policy, not the bucket.
 */
export function logDeliveryBuckets(resources: PolicyResource[]): Set<string> {
    const buckets = ofType(resources, ...BUCKET_TYPES);
    const out = new Set<string>();
    for (const lb of ofType(resources, T.lbLoadBalancer, T.albLoadBalancer)) {
        bucketsNamedBy(lb, "accessLogs", ["accessLogs", "bucket"], buckets).forEach((b) => out.add(b.urn));
    }
    for (const logging of ofType(resources, T.bucketLogging, T.bucketLoggingV2)) {
        bucketsNamedBy(logging, "targetBucket", ["targetBucket"], buckets).forEach((b) => out.add(b.urn));
    }
    return out;
}

const LOGGING_TYPES = [T.bucketLogging, T.bucketLoggingV2];

/** "logs.s3.amazonaws.com" / "logs.s3.eu-west-1.amazonaws.com" → "logs"; an ARN → its bucket name. */
function bucketNameIn(value: string): string {
    const arn = /^arn:aws[a-z-]*:s3:::([^/]+)/.exec(value);
    if (arn) {
        return arn[1];
    }
    const domain = /^(.+?)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/.exec(value);
    return domain ? domain[1] : value;
}

/**
 * Buckets that other services deliver logs to, with any encryption: CloudFront's standard
 * logging (legacy, loggingConfig.bucket is the bucket's domain name, written through ACLs
 * rather than a policy) and CloudWatch vended-log deliveries to S3 (a delivery destination's
 * destinationResourceArn). Known names are matched; unknown ones are traced by dependency.
 */
function deliveredLogBuckets(resources: PolicyResource[]): Set<string> {
    const buckets = ofType(resources, ...BUCKET_TYPES);
    const out = new Set<string>();
    const sources: [string, string, string[]][] = [
        [T.cloudfrontDistribution, "loggingConfig", ["loggingConfig", "bucket"]],
        [
            T.logDeliveryDestination,
            "deliveryDestinationConfiguration",
            ["deliveryDestinationConfiguration", "destinationResourceArn"],
        ],
    ];
    for (const [type, prop, path] of sources) {
        for (const from of ofType(resources, type)) {
            const value = peek<string>(from.props, ...path);
            if (value.known && typeof value.value === "string" && value.value !== "") {
                const name = bucketNameIn(value.value);
                buckets.filter((b) => identifiersOf(b).includes(name)).forEach((b) => out.add(b.urn));
            } else if (!value.known) {
                const traced = resolveThrough(from, prop, buckets);
                (traced.kind === "resolved" ? traced.targets : []).forEach((b) => out.add(b.urn));
            }
        }
    }
    return out;
}

/** Service principals that deliver logs into S3 (ELB in newer regions, S3 server access logs, vended logs). */
const LOG_DELIVERY_SERVICES = [
    "logdelivery.elasticloadbalancing.amazonaws.com",
    "logging.s3.amazonaws.com",
    "delivery.logs.amazonaws.com",
];

/**
 * Whether a bucket's policy (its own, or a bucket policy traced to it) lets a log delivery
 * principal write: a log delivery service, or anyone writing under AWSLogs/ (ELB's regional
 * accounts in older regions). Such a bucket is a log bucket by design, delivering or not.
 */
function admitsLogDelivery(bucket: PolicyResource, resources: PolicyResource[]): boolean | "unknown" {
    const holders = [
        bucket,
        ...ofType(resources, T.bucketPolicy).filter((p) => resolveThrough(p, "bucket", [bucket]).kind === "resolved"),
    ];
    // A bucket's own `policy` output is computed (unknown at preview when it sets none); a bucket
    // policy's document, unknown at preview, is one built from ARNs: it may admit log delivery.
    const unknown = holders.some((h) => h !== bucket && !peek(h.props, "policy").known);
    const admits = holders.some((h) => {
        const parsed = attempt(() => parsePolicy(h.props.policy));
        return (
            parsed.known &&
            parsed.value.ok &&
            parsed.value.statements.some(
                (s) =>
                    s.effect === "Allow" &&
                    s.actions.some((a) => /^s3:(PutObject|\*)$/i.test(a)) &&
                    (s.principals.some((p) => LOG_DELIVERY_SERVICES.includes(p)) ||
                        s.resources.some((r) => r.includes("/AWSLogs/"))),
            )
        );
    });
    return admits || (unknown ? "unknown" : false);
}

const s3ServerAccessLogging = stackRule({
    name: "s3-server-access-logging",
    description:
        "Buckets record server access logs in a log bucket, so every request to their objects can be traced; log buckets themselves are exempt, as logging them would loop.",
    severity: "low",
    resources: [
        ...BUCKET_TYPES,
        ...LOGGING_TYPES,
        T.lbLoadBalancer,
        T.albLoadBalancer,
        T.cloudfrontDistribution,
        T.logDeliveryDestination,
    ],
    checks: "Each bucket that receives no logs itself (named by a load balancer's accessLogs, a BucketLogging's targetBucket, a CloudFront distribution's loggingConfig.bucket or a log delivery destination, or whose policy lets a log delivery principal write) has an aws.s3.BucketLogging (V2) or inline logging with a targetBucket",
    equivalents: {
        cdkNag: ["AwsSolutions-S1", "NIST.800.53.R5-S3BucketLoggingEnabled"],
        checkov: ["CKV_AWS_18"],
        awsguard: ["s3-bucket-logging-enabled"],
    },
    unknown: "violation",
    unknownNote:
        "A logging configuration whose bucket can be traced neither by value nor by dependency logs no bucket of the stack.",
    validate: (args, report: ReportViolation) => {
        const logBuckets = new Set([...logDeliveryBuckets(args.resources), ...deliveredLogBuckets(args.resources)]);
        for (const bucket of ofType(args.resources, ...BUCKET_TYPES)) {
            const logBucket = logBuckets.has(bucket.urn) || admitsLogDelivery(bucket, args.resources);
            if (logBucket === true) {
                continue;
            }
            // The inline settings are computed: unknown at preview when the program sets none,
            // unless they depend on other resources (built from their outputs, so set).
            const inline = peek<unknown>(bucket.props, "logging", "targetBucket");
            const inlineList = peek<unknown[]>(bucket.props, "loggings");
            const hasInline =
                (inline.known ? !!inline.value : declaredButUnknown(bucket, "logging")) ||
                (inlineList.known
                    ? Array.isArray(inlineList.value) && inlineList.value.length > 0
                    : declaredButUnknown(bucket, "loggings"));
            if (
                hasInline ||
                ofType(args.resources, ...LOGGING_TYPES).some(
                    (c) => resolveThrough(c, "bucket", [bucket]).kind === "resolved",
                )
            ) {
                continue;
            }
            if (logBucket === "unknown") {
                reportAdvisory(
                    report,
                    `${subject(bucket.type, bucket.name)} keeps no server access logs and its bucket policy is unknown during preview, so whether it is a log bucket (exempt) cannot be verified yet; buckets that receive no logs keep server access logs (add an aws.s3.BucketLogging with targetBucket set to the stack's log bucket)`,
                    bucket.urn,
                );
                continue;
            }
            report(
                `${subject(bucket.type, bucket.name)} keeps no server access logs, so requests to its objects cannot be traced; add an aws.s3.BucketLogging with targetBucket set to the stack's log bucket (SSE-S3, like the load balancer's)`,
                bucket.urn,
            );
        }
    },
});

export const storageLoggingPolicies: WebfleetPolicy[] = [s3ServerAccessLogging];
