import { T } from "../../policy/lib/types";
import { bucket, companion } from "./builders";
import { ResourceCase, StackCase, StackResource, UNKNOWN, UNKNOWN_BOOL, describeRule } from "./helpers";

const PROTECT =
    "prod's stateful resources are protected, so a destroy stops before it deletes them (set the resource option protect: true for prod)";

function stateful(protect: boolean): StackResource[] {
    return [
        { type: T.rdsInstance, name: "db", props: { engine: "postgres" }, options: { protect } },
        { type: T.kmsKey, name: "key", props: { enableKeyRotation: true }, options: { protect } },
        {
            type: T.lbLoadBalancer,
            name: "alb",
            props: { accessLogs: { bucket: UNKNOWN, enabled: true } },
            deps: { accessLogs: ["logs-policy"] },
            options: { protect },
        },
        { ...bucket("logs", UNKNOWN), options: { protect } },
        companion(T.bucketPolicy, "logs-policy", "logs", UNKNOWN, { policy: UNKNOWN }),
    ];
}

describe("policy: resource options", () => {
    describeRule<StackCase>("prod-stateful-protected", {
        compliant: [
            {
                title: "database, key, load balancer and the access-log bucket protected",
                case: { resources: stateful(true) },
            },
            {
                title: "an artifact bucket (rebuilt on every deploy) needs no protection",
                case: { resources: [...stateful(true), bucket("artifacts", "artifacts-1")] },
            },
        ],
        violations: [
            {
                title: "nothing protected; the log bucket found through the load balancer at a first preview",
                case: { resources: stateful(false) },
                messages: [
                    `RDS instance 'db' is not protected; ${PROTECT}`,
                    `KMS key 'key' is not protected; ${PROTECT}`,
                    `Load balancer 'alb' is not protected; ${PROTECT}`,
                    `S3 bucket 'logs' holds the access logs and is not protected; ${PROTECT}`,
                ],
            },
            {
                title: "an Aurora cluster on the aws:alb spelling of the stack",
                case: {
                    resources: [
                        { type: T.rdsCluster, name: "aurora", props: { engine: "aurora-postgresql" } },
                        { type: T.albLoadBalancer, name: "alb", props: {}, options: { protect: true } },
                    ],
                },
                messages: [`RDS cluster 'aurora' is not protected; ${PROTECT}`],
            },
        ],
        unknown: {
            title: "options are known at preview: an unprotected key with unknown values is still unprotected",
            case: { resources: [{ type: T.kmsKey, name: "key", props: { policy: UNKNOWN } }] },
            messages: [`KMS key 'key' is not protected; ${PROTECT}`],
        },
    });

    const RETAIN =
        "is deleted with the stack, and with it everything it encrypts (final snapshot, backups, logs) becomes unreadable; the stack key is kept when the stack goes (set the resource option retainOnDelete: true for prod)";
    const key = (retainOnDelete?: boolean): ResourceCase => ({
        type: T.kmsKey,
        name: "key",
        props: { enableKeyRotation: true },
        options: retainOnDelete === undefined ? {} : { retainOnDelete },
    });
    describeRule<ResourceCase>("kms-key-retain-on-delete", {
        compliant: [{ title: "retained on delete (the option recorded by the offline preview)", case: key(true) }],
        violations: [{ title: "deleted with the stack", case: key(false), messages: [`KMS key 'key' ${RETAIN}`] }],
        unknown: {
            title: "the engine passes no retainOnDelete: an advisory note, never a silent pass",
            case: key(undefined),
            advisory: true,
        },
    });

    const SNAPSHOT =
        "so deleting or replacing it leaves no final snapshot (and its automated backups go with it by default); a prod database leaves a final snapshot when it is deleted (set skipFinalSnapshot: false and a finalSnapshotIdentifier)";
    describeRule<ResourceCase>("rds-final-snapshot", {
        compliant: [
            {
                title: "a final snapshot named",
                case: { type: T.rdsInstance, props: { skipFinalSnapshot: false, finalSnapshotIdentifier: "db-final" } },
            },
            {
                title: "a read replica, which has no final snapshot of its own",
                case: { type: T.rdsInstance, props: { replicateSourceDb: "db", skipFinalSnapshot: true } },
            },
        ],
        violations: [
            {
                title: "an instance that skips it",
                case: { type: T.rdsInstance, props: { engine: "postgres", skipFinalSnapshot: true } },
                messages: [`RDS instance 'subject' sets skipFinalSnapshot: true, ${SNAPSHOT}`],
            },
            {
                title: "a cluster that skips it",
                case: { type: T.rdsCluster, props: { engine: "aurora-postgresql", skipFinalSnapshot: true } },
                messages: [`RDS cluster 'subject' sets skipFinalSnapshot: true, ${SNAPSHOT}`],
            },
        ],
        unknown: {
            title: "an unknown setting is advisory until checked before creation",
            case: { type: T.rdsInstance, props: { skipFinalSnapshot: UNKNOWN_BOOL } },
            advisory: true,
        },
    });
});
