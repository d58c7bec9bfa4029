import { T } from "../../policy/lib/types";
import { ResourceCase, StackCase, UNKNOWN, UNKNOWN_BOOL, describeRule } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/2ccbf1d3-c5da-4e41-8932-608ff6ef778e";

describe("policy: database engine", () => {
    const pg = (name: string, id: string, parameters: unknown, type: string = T.rdsParameterGroup) => ({
        type,
        name,
        props: { id, name: id, family: "postgres17", parameters },
    });
    const instance = (props: Record<string, unknown>, deps?: Record<string, string[]>) => ({
        type: T.rdsInstance,
        name: "db",
        props: { engine: "postgres", ...props },
        deps,
    });
    const TLS =
        "connections without TLS must be refused (set rds.force_ssl = 1 in a parameter group of the stack and name it in parameterGroupName)";
    describeRule<StackCase>("rds-force-ssl", {
        compliant: [
            {
                title: "PostgreSQL 16 on the default parameter group, which forces TLS from version 15",
                case: { resources: [instance({ engineVersion: "16.4" })] },
            },
            {
                title: "a PostgreSQL 17 group (by its family) that leaves rds.force_ssl at its default of 1",
                case: {
                    resources: [
                        pg("pg", "pg-17", [{ name: "log_connections", value: "1" }]),
                        instance({ parameterGroupName: "pg-17" }),
                    ],
                },
            },
            {
                title: "a parameter group of the stack forcing TLS, matched by name",
                case: {
                    resources: [
                        pg("pg", "pg-17", [{ name: "rds.force_ssl", value: "1" }]),
                        instance({ parameterGroupName: "pg-17" }),
                    ],
                },
            },
            {
                title: "real preview: the group's name unknown, traced through dependencies",
                case: {
                    resources: [
                        pg("pg", UNKNOWN, [{ name: "rds.force_ssl", value: "1" }]),
                        instance({ parameterGroupName: UNKNOWN }, { parameterGroupName: ["pg"] }),
                    ],
                },
            },
            {
                title: "offline with an auto-named group: no name in the mocks, the dependency still names it",
                case: {
                    resources: [
                        {
                            type: T.rdsParameterGroup,
                            name: "pg",
                            props: { id: "pg-0a1", parameters: [{ name: "rds.force_ssl", value: "1" }] },
                        },
                        instance({}, { parameterGroupName: ["pg"] }),
                    ],
                },
            },
            {
                title: "MySQL requiring secure transport",
                case: {
                    resources: [
                        pg("pg", "pg-my", [{ name: "require_secure_transport", value: "ON" }]),
                        instance({ engine: "mysql", parameterGroupName: "pg-my" }),
                    ],
                },
            },
            {
                title: "a group no database uses, its value unknown at preview (its database is judged)",
                case: { resources: [pg("pg", "pg-17", [{ name: "rds.force_ssl", value: UNKNOWN }])] },
            },
            {
                title: "an engine without such a parameter",
                case: { resources: [instance({ engine: "sqlserver-se" })] },
            },
            {
                title: "an Aurora PostgreSQL cluster through its cluster parameter group",
                case: {
                    resources: [
                        pg("cpg", "cpg-1", [{ name: "rds.force_ssl", value: "1" }], T.rdsClusterParameterGroup),
                        {
                            type: T.rdsCluster,
                            name: "cluster",
                            props: { engine: "aurora-postgresql", dbClusterParameterGroupName: "cpg-1" },
                        },
                    ],
                },
            },
        ],
        violations: [
            {
                title: "the engine's default parameter group, with no version to show it forces TLS",
                case: { resources: [instance({})] },
                messages: [
                    `RDS instance 'db' uses the engine's default parameter group, which does not force rds.force_ssl = 1 for this engine version; ${TLS}`,
                ],
            },
            {
                title: "the default parameter group of PostgreSQL 14, before TLS was forced by default",
                case: { resources: [instance({ engineVersion: "14.12" })] },
                messages: [
                    `RDS instance 'db' uses the engine's default parameter group, which does not force rds.force_ssl = 1 for this engine version; ${TLS}`,
                ],
            },
            {
                title: "Aurora PostgreSQL 16 on its default cluster parameter group (Aurora does not force TLS by default)",
                case: {
                    resources: [
                        {
                            type: T.rdsCluster,
                            name: "aurora",
                            props: { engine: "aurora-postgresql", engineVersion: "16.4" },
                        },
                    ],
                },
                messages: [
                    "RDS cluster 'aurora' uses the engine's default parameter group, which does not force rds.force_ssl = 1 for this engine version; connections without TLS must be refused (set rds.force_ssl = 1 in a parameter group of the stack and name it in dbClusterParameterGroupName)",
                ],
            },
            {
                title: "a parameter group managed elsewhere",
                case: { resources: [instance({ parameterGroupName: "default.postgres17" })] },
                messages: [
                    `RDS instance 'db' uses parameter group 'default.postgres17', which is not managed in this stack, so TLS cannot be verified; ${TLS}`,
                ],
            },
            {
                title: "a group that turns TLS off",
                case: {
                    resources: [
                        pg("pg", "pg-17", [{ name: "rds.force_ssl", value: "0" }]),
                        instance({ parameterGroupName: "pg-17" }),
                    ],
                },
                messages: [`RDS instance 'db' uses DB parameter group 'pg', which sets rds.force_ssl = 0; ${TLS}`],
            },
            {
                title: "groups no database of the stack uses that turn TLS off (Aurora PostgreSQL 0, MySQL OFF)",
                case: {
                    resources: [
                        pg("cpg", "cpg", [{ name: "rds.force_ssl", value: "0" }], T.rdsClusterParameterGroup),
                        {
                            ...pg("my", "my", []),
                            props: {
                                family: "mysql8.0",
                                parameters: [{ name: "require_secure_transport", value: "OFF" }],
                            },
                        },
                    ],
                },
                messages: [
                    "DB cluster parameter group 'cpg' sets rds.force_ssl = 0, so every database that uses it accepts connections without TLS; connections without TLS must be refused (set rds.force_ssl = 1)",
                    "DB parameter group 'my' sets require_secure_transport = OFF, so every database that uses it accepts connections without TLS; connections without TLS must be refused (set require_secure_transport = 1)",
                ],
            },
            {
                title: "a PostgreSQL 14 group that does not set it",
                case: {
                    resources: [
                        {
                            ...pg("pg", "pg-14", [{ name: "log_connections", value: "1" }]),
                            props: {
                                id: "pg-14",
                                name: "pg-14",
                                family: "postgres14",
                                parameters: [{ name: "log_connections", value: "1" }],
                            },
                        },
                        instance({ parameterGroupName: "pg-14" }),
                    ],
                },
                messages: [
                    `RDS instance 'db' uses DB parameter group 'pg', which does not set rds.force_ssl, and this engine version does not force TLS by default; ${TLS}`,
                ],
            },
            {
                title: "a group name that cannot be traced at preview",
                case: {
                    resources: [
                        pg("pg", "pg-17", [{ name: "rds.force_ssl", value: "1" }]),
                        instance({ parameterGroupName: UNKNOWN }),
                    ],
                },
                messages: [
                    `RDS instance 'db' has a parameterGroupName unknown during preview that cannot be traced to a parameter group of the stack; ${TLS}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown parameter value is a violation",
            case: {
                resources: [
                    pg("pg", "pg-17", [{ name: "rds.force_ssl", value: UNKNOWN }]),
                    instance({ parameterGroupName: "pg-17" }),
                ],
            },
            messages: [
                `RDS instance 'db' uses DB parameter group 'pg', whose rds.force_ssl is unknown during preview; ${TLS}`,
            ],
        },
    });

    const SUPPORT =
        "databases run an engine version AWS still supports with security fixes (upgrade the major version; plan it before the date, RDS upgrades unsupported versions on its own schedule or charges for Extended Support)";
    const rds = (props: Record<string, unknown>, type: string = T.rdsInstance): ResourceCase => ({ type, props });
    describeRule<ResourceCase>("rds-supported-engine-version", {
        compliant: [
            { title: "PostgreSQL 17", case: rds({ engine: "postgres", engineVersion: "17.4" }) },
            { title: "no version: AWS's current default", case: rds({ engine: "postgres" }) },
            {
                title: "Aurora MySQL 3",
                case: rds({ engine: "aurora-mysql", engineVersion: "8.0.mysql_aurora.3.08.0" }, T.rdsCluster),
            },
            {
                title: "a major version newer than the table knows",
                case: rds({ engine: "postgres", engineVersion: "19.1" }),
            },
        ],
        violations: [
            {
                title: "PostgreSQL 12",
                case: rds({ engine: "postgres", engineVersion: "12.22" }),
                messages: [
                    `RDS instance 'subject' runs postgres 12.22, whose standard support ended on 2025-02-28; ${SUPPORT}`,
                ],
            },
            {
                title: "MySQL 5.7",
                case: rds({ engine: "mysql", engineVersion: "5.7.44" }),
                messages: [
                    `RDS instance 'subject' runs mysql 5.7.44, whose standard support ended on 2024-02-29; ${SUPPORT}`,
                ],
            },
            {
                title: "Aurora MySQL 2 (5.7-compatible) on a cluster",
                case: rds({ engine: "aurora-mysql", engineVersion: "5.7.mysql_aurora.2.11.2" }, T.rdsCluster),
                messages: [
                    `RDS cluster 'subject' runs aurora-mysql 5.7.mysql_aurora.2.11.2, whose standard support ended on 2024-10-31; ${SUPPORT}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown engine version is advisory until checked before creation",
            case: rds({ engine: "postgres", engineVersion: UNKNOWN }),
            advisory: true,
        },
    });

    describeRule<ResourceCase>("rds-no-default-master-username", {
        compliant: [
            { title: "a stack-specific name", case: rds({ engine: "postgres", username: "webfleet_admin" }) },
            { title: "a replica (no user of its own)", case: rds({ engine: "postgres", replicateSourceDb: "db-1" }) },
        ],
        violations: [
            {
                title: "postgres",
                case: rds({ engine: "postgres", username: "postgres" }),
                messages: [
                    `RDS instance 'subject' uses the well-known master user name "postgres", the first one any password-guessing attempt tries; pick a name specific to the stack (set username, e.g. "webfleet_admin")`,
                ],
            },
            {
                title: "Admin on an Aurora cluster (any case)",
                case: rds({ engine: "aurora-mysql", masterUsername: "Admin" }, T.rdsCluster),
                messages: [
                    `RDS cluster 'subject' uses the well-known master user name "Admin", the first one any password-guessing attempt tries; pick a name specific to the stack (set masterUsername, e.g. "webfleet_admin")`,
                ],
            },
        ],
        unknown: {
            title: "an unknown user name is advisory until checked before creation",
            case: rds({ engine: "postgres", username: UNKNOWN }),
            advisory: true,
        },
    });

    describeRule<ResourceCase>("rds-proxy-require-tls", {
        compliant: [
            {
                title: "requireTls",
                case: { type: T.rdsProxy, props: { engineFamily: "POSTGRESQL", requireTls: true } },
            },
        ],
        violations: [
            {
                title: "TLS not required",
                case: { type: T.rdsProxy, props: { engineFamily: "POSTGRESQL" } },
                messages: [
                    "RDS Proxy 'subject' accepts connections without TLS (requireTls is unset, default false), so credentials and data cross the network in clear; the proxy must require TLS (set requireTls: true)",
                ],
            },
        ],
        unknown: {
            title: "an unknown requireTls is advisory until checked before creation",
            case: { type: T.rdsProxy, props: { engineFamily: "POSTGRESQL", requireTls: UNKNOWN_BOOL } },
            advisory: true,
        },
    });

    describeRule<ResourceCase>("rds-enhanced-monitoring", {
        compliant: [
            {
                title: "every minute with a role",
                case: rds({
                    monitoringInterval: 60,
                    monitoringRoleArn: "arn:aws:iam::123456789012:role/rds-monitoring",
                }),
            },
            {
                title: "a cluster instance, the role a reference at preview",
                case: rds({ monitoringInterval: 15, monitoringRoleArn: UNKNOWN }, T.rdsClusterInstance),
            },
        ],
        violations: [
            {
                title: "monitoring off",
                case: rds({ monitoringInterval: 0 }),
                messages: [
                    "RDS instance 'subject' has no enhanced monitoring (monitoringInterval 0, no monitoringRoleArn); prod databases need OS-level metrics for incidents (set monitoringInterval: 60 and monitoringRoleArn to a role for monitoring.rds.amazonaws.com)",
                ],
            },
        ],
        unknown: {
            title: "a monitoring role unknown at preview is a role of the stack",
            case: rds({ monitoringInterval: 60, monitoringRoleArn: UNKNOWN }),
            passes: true,
        },
    });

    describeRule<ResourceCase>("rds-performance-insights-cmk", {
        compliant: [
            {
                title: "Performance Insights under the project's key",
                case: rds({ performanceInsightsEnabled: true, performanceInsightsKmsKeyId: KEY }),
            },
            { title: "Performance Insights off", case: rds({ performanceInsightsEnabled: false }) },
        ],
        violations: [
            {
                title: "the AWS managed key",
                case: rds({ performanceInsightsEnabled: true }),
                messages: [
                    "RDS instance 'subject' keeps Performance Insights data, which includes query text, under the AWS managed key; it must be encrypted with the project's key, whose policy the stack controls (set performanceInsightsKmsKeyId: key.arn)",
                ],
            },
        ],
        unknown: {
            title: "a key unknown at preview is the stack's key",
            case: rds({ performanceInsightsEnabled: true, performanceInsightsKmsKeyId: UNKNOWN }),
            passes: true,
        },
    });
});
