/**
 * Resource options that keep prod's state: the database, the stack key, the load balancer and
 * the log buckets are `protect`ed, so `pulumi destroy` of prod stops before it takes anything
 * down instead of failing half-way; the stack key is `retainOnDelete`, so the final snapshot,
 * the backups and the logs it encrypts stay readable after the stack is gone; a prod database
 * that is deleted anyway leaves a final snapshot.
 *
 * These read the resource options the engine passes (PolicyResourceOptions). @pulumi/policy
 * 1.21's analyzer protocol carries `protect` but not `retainOnDelete`; where the option is not
 * passed at all the rule says it cannot verify it, and the offline preview, which records the
 * program's options, checks it.
 */
import * as aws from "@pulumi/aws";
import { PolicyResourceOptions, ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { ofType } from "./lib/graph";
import { reportAdvisory } from "./lib/report";
import { WebfleetPolicy, resourceRule, stackRule } from "./lib/rule";
import { T, subject } from "./lib/types";
import { isTrue } from "./lib/values";
import { logDeliveryBuckets } from "./storageLogging";

/** The options the engine passes, plus the one the offline runner adds when it recorded it. */
type Options = PolicyResourceOptions & { retainOnDelete?: boolean };

const PROTECT_FIX =
    "prod's stateful resources are protected, so a destroy stops before it deletes them (set the resource option protect: true for prod)";

const STATEFUL = [aws.rds.Instance, aws.rds.Cluster, aws.kms.Key, aws.lb.LoadBalancer, aws.alb.LoadBalancer];

const prodStatefulProtected = stackRule({
    name: "prod-stateful-protected",
    description:
        "In prod, the stateful resources (databases, KMS keys, load balancers and the log buckets) carry the protect resource option.",
    severity: "high",
    prodOnly: true,
    resources: [T.rdsInstance, T.rdsCluster, T.kmsKey, T.lbLoadBalancer, T.albLoadBalancer, T.bucket, T.bucketV2],
    checks: "opts.protect is true on RDS instances and clusters, KMS keys and load balancers (checked before creation), and on buckets that receive load balancer or S3 access logs",
    equivalents: {},
    unknown: "violation",
    unknownNote: "Resource options are always known, at preview too: an unknown property value changes nothing.",
    requirement: PROTECT_FIX,
    beforeCreate: STATEFUL.map((cls) =>
        validateResourceOfType(cls as typeof aws.kms.Key, (_r, args, report) => {
            if (args.opts.protect !== true) {
                report(`${subject(args.type, args.name)} is not protected; ${PROTECT_FIX}`);
            }
        }),
    ),
    validate: (args, report: ReportViolation) => {
        const logBuckets = logDeliveryBuckets(args.resources);
        for (const bucket of ofType(args.resources, T.bucket, T.bucketV2)) {
            if (logBuckets.has(bucket.urn) && bucket.opts.protect !== true) {
                report(
                    `${subject(bucket.type, bucket.name)} holds the access logs and is not protected; ${PROTECT_FIX}`,
                    bucket.urn,
                );
            }
        }
    },
});

function retained(
    r: { opts: PolicyResourceOptions; type: string; name: string; urn: string },
    report: ReportViolation,
) {
    const opts = r.opts as Options;
    if (opts.retainOnDelete === undefined) {
        reportAdvisory(
            report,
            `${subject(r.type, r.name)}: retainOnDelete is not among the options this check received (the Pulumi engine does not pass it to policy packs), so it cannot be verified here; the offline preview checks it from the program's recorded options (set the resource option retainOnDelete: true for prod)`,
            r.urn,
        );
    } else if (opts.retainOnDelete !== true) {
        report(
            `${subject(r.type, r.name)} is deleted with the stack, and with it everything it encrypts (final snapshot, backups, logs) becomes unreadable; the stack key is kept when the stack goes (set the resource option retainOnDelete: true for prod)`,
        );
    }
}

const kmsKeyRetainOnDelete = resourceRule({
    name: "kms-key-retain-on-delete",
    description:
        "In prod, KMS keys carry the retainOnDelete resource option, so what they encrypt stays readable after the stack is destroyed.",
    severity: "high",
    prodOnly: true,
    checks: "opts.retainOnDelete is true on aws.kms.Key (read from the options the offline preview records; the Pulumi engine does not pass it, so there it is an advisory note)",
    equivalents: {},
    unknown: "advisory",
    unknownNote:
        "Not an unknown value but an unknown option: @pulumi/policy 1.21 receives no retainOnDelete from the engine, so a real preview shows an advisory note and the offline preview enforces it.",
    requirement: "the stack key is retained on delete",
    validate: [
        validateResourceOfType(aws.kms.Key, (_k, args, report) =>
            retained({ opts: args.opts, type: args.type, name: args.name, urn: args.urn }, report),
        ),
    ],
});

const SNAPSHOT_FIX =
    "a prod database leaves a final snapshot when it is deleted (set skipFinalSnapshot: false and a finalSnapshotIdentifier)";

const rdsFinalSnapshot = resourceRule({
    name: "rds-final-snapshot",
    description:
        "In prod, deleting or replacing a database leaves a final snapshot, the one copy that outlives it once its automated backups go with it.",
    severity: "medium",
    prodOnly: true,
    checks: "skipFinalSnapshot is not true on RDS instances and clusters (read replicas, which have no final snapshot, pass)",
    equivalents: {},
    unknown: "advisory",
    requirement: SNAPSHOT_FIX,
    validate: [aws.rds.Instance, aws.rds.Cluster].map((cls) =>
        validateResourceOfType(cls as typeof aws.rds.Instance, (db, args, report) => {
            if (isTrue(db.skipFinalSnapshot) && !db.replicateSourceDb) {
                report(
                    `${subject(args.type, args.name)} sets skipFinalSnapshot: true, so deleting or replacing it leaves no final snapshot (and its automated backups go with it by default); ${SNAPSHOT_FIX}`,
                );
            }
        }),
    ),
});

export const lifecyclePolicies: WebfleetPolicy[] = [prodStatefulProtected, kmsKeyRetainOnDelete, rdsFinalSnapshot];
