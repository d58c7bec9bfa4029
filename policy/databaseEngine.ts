/**
 * Database engine rules: connections need TLS (with the engine's own defaults taken into
 * account: RDS for PostgreSQL forces TLS by default from version 15), the engine version is
 * still supported, the master user is not a default name, RDS Proxy requires TLS, and prod
 * databases get enhanced monitoring and Performance Insights under the project's key.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { ofType, resolveRef } from "./lib/graph";
import { endOfSupport, postgresMajor } from "./lib/engines";
import { WebfleetPolicy, configOf, resourceRule, stackRule, today } from "./lib/rule";
import { T, subject } from "./lib/types";
import { Peeked, isCustomerKey, peek } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

/** Parameter that forces TLS for each engine family, and the values that mean "on". */
const TLS_PARAMETERS: [RegExp, string, string[]][] = [
    [/postgres/, "rds.force_ssl", ["1"]],
    [/mysql|mariadb/, "require_secure_transport", ["1", "on", "true"]],
];

/** RDS for PostgreSQL sets rds.force_ssl = 1 by default from version 15 (Aurora does not). */
const POSTGRES_FORCE_SSL_DEFAULT_FROM = 15;

function tlsSetting(pg: PolicyResource, parameter: string): Peeked<string | undefined> {
    const params = peek<{ name: string; value: string }[]>(pg.props, "parameters");
    if (!params.known) {
        return { known: false, path: params.path };
    }
    const list = params.value ?? [];
    for (let i = 0; i < list.length; i++) {
        const name = peek<string>(pg.props, "parameters", i, "name");
        if (!name.known) {
            return { known: false, path: name.path };
        }
        if (name.value === parameter) {
            const value = peek<string | number>(pg.props, "parameters", i, "value");
            return value.known ? { known: true, value: String(value.value) } : { known: false, path: value.path };
        }
    }
    return { known: true, value: undefined };
}

/** Whether the engine forces TLS when nothing sets the parameter: RDS for PostgreSQL 15 and later. */
function tlsByDefault(db: PolicyResource, group?: PolicyResource): boolean {
    const engine = peek<string>(db.props, "engine");
    if (!engine.known || engine.value !== "postgres") {
        return false;
    }
    const version = peek<string>(db.props, "engineVersion");
    const family = group ? peek<string>(group.props, "family") : undefined;
    const major =
        version.known && version.value
            ? postgresMajor(version.value)
            : family?.known
              ? postgresMajor(family.value)
              : undefined;
    return major !== undefined && major >= POSTGRES_FORCE_SSL_DEFAULT_FROM;
}

const rdsForceSsl = stackRule({
    name: "rds-force-ssl",
    description:
        "Databases refuse connections without TLS: through a parameter group of the stack that forces it, or the engine's own default where it forces TLS (RDS for PostgreSQL 15 and later).",
    severity: "high",
    resources: [T.rdsInstance, T.rdsCluster, T.rdsParameterGroup, T.rdsClusterParameterGroup],
    checks: "rds.force_ssl=1 (PostgreSQL) or require_secure_transport=1 (MySQL/MariaDB) in the parameter group resolved in the stack; for RDS for PostgreSQL 15+ (engineVersion, else the group's family) the default already forces TLS, so only an explicit rds.force_ssl=0 fails; a group of the stack that no database uses is refused when it sets the parameter off explicitly",
    equivalents: { checkov: ["CKV2_AWS_69"] },
    unknown: "violation",
    validate: (args, report: ReportViolation) => {
        const checks: [string[], string, string[]][] = [
            [[T.rdsInstance], "parameterGroupName", [T.rdsParameterGroup]],
            [[T.rdsCluster], "dbClusterParameterGroupName", [T.rdsClusterParameterGroup]],
        ];
        const used = new Set<string>();
        for (const [dbTypes, prop, groupTypes] of checks) {
            const groups = ofType(args.resources, ...groupTypes);
            for (const db of ofType(args.resources, ...dbTypes)) {
                const engine = peek<string>(db.props, "engine");
                const family = engine.known
                    ? TLS_PARAMETERS.find(([re]) => re.test(String(engine.value ?? "").toLowerCase()))
                    : undefined;
                if (engine.known && !family) {
                    continue;
                }
                const [, parameter, onValues] = family ?? TLS_PARAMETERS[0];
                const fix = `set ${parameter} = ${onValues[0]} in a parameter group of the stack and name it in ${prop}`;
                const name = subject(db.type, db.name);
                const target = resolveRef(db, prop, groups, (value, g) => {
                    const n = peek<string>(g.props, "name");
                    const id = peek<string>(g.props, "id");
                    return (n.known && n.value === value) || (id.known && id.value === value);
                });
                if (target.kind === "absent") {
                    if (!tlsByDefault(db)) {
                        report(
                            `${name} uses the engine's default parameter group, which does not force ${parameter} = ${onValues[0]} for this engine version; connections without TLS must be refused (${fix})`,
                            db.urn,
                        );
                    }
                } else if (target.kind === "external") {
                    report(
                        `${name} uses parameter group '${target.value}', which is not managed in this stack, so TLS cannot be verified; connections without TLS must be refused (${fix})`,
                        db.urn,
                    );
                } else if (target.kind === "unresolved") {
                    report(
                        `${name} has a ${prop} unknown during preview that cannot be traced to a parameter group of the stack; connections without TLS must be refused (${fix})`,
                        db.urn,
                    );
                } else {
                    const group = target.targets[0];
                    used.add(group.urn);
                    const setting = tlsSetting(group, parameter);
                    const byDefault = tlsByDefault(db, group);
                    if (!setting.known) {
                        report(
                            `${name} uses ${subject(group.type, group.name)}, whose ${parameter} is unknown during preview; connections without TLS must be refused (${fix})`,
                            db.urn,
                        );
                    } else if (
                        setting.value === undefined ? !byDefault : !onValues.includes(setting.value.toLowerCase())
                    ) {
                        const state =
                            setting.value === undefined
                                ? `does not set ${parameter}, and this engine version does not force TLS by default`
                                : `sets ${parameter} = ${setting.value}`;
                        report(
                            `${name} uses ${subject(group.type, group.name)}, which ${state}; connections without TLS must be refused (${fix})`,
                            db.urn,
                        );
                    }
                }
            }
        }
        // A group no database of the stack uses (its database lives in another stack, or comes
        // later) is refused on its own when it turns TLS off explicitly; an unknown value waits for
        // the database that uses it.
        for (const group of ofType(args.resources, T.rdsParameterGroup, T.rdsClusterParameterGroup)) {
            const family = peek<string>(group.props, "family");
            const candidates = family.known
                ? TLS_PARAMETERS.filter(([re]) => re.test(String(family.value ?? "").toLowerCase()))
                : TLS_PARAMETERS;
            for (const [, parameter, onValues] of used.has(group.urn) ? [] : candidates) {
                const setting = tlsSetting(group, parameter);
                if (setting.known && setting.value !== undefined && !onValues.includes(setting.value.toLowerCase())) {
                    report(
                        `${subject(group.type, group.name)} sets ${parameter} = ${setting.value}, so every database that uses it accepts connections without TLS; connections without TLS must be refused (set ${parameter} = ${onValues[0]})`,
                        group.urn,
                    );
                }
            }
        }
    },
});

const SUPPORT_FIX =
    "databases run an engine version AWS still supports with security fixes (upgrade the major version; plan it before the date, RDS upgrades unsupported versions on its own schedule or charges for Extended Support)";

function checkVersion(
    db: { engine?: string; engineVersion?: string },
    args: ResourceValidationArgs,
    report: ReportViolation,
) {
    if (!db.engine || !db.engineVersion) {
        return;
    }
    const end = endOfSupport(db.engine, db.engineVersion);
    if (end !== undefined && end <= today()) {
        report(
            `${who(args)} runs ${db.engine} ${db.engineVersion}, whose standard support ended on ${end}; ${SUPPORT_FIX}`,
        );
    }
}

const rdsSupportedEngineVersion = resourceRule({
    name: "rds-supported-engine-version",
    description: "Databases run an engine version that is still in AWS's standard support.",
    severity: "high",
    checks: "engine + engineVersion of RDS instances and clusters is not past its end of standard support (dated table in policy/lib/engines.ts); an unset version takes AWS's current default and passes",
    equivalents: {},
    unknown: "advisory",
    requirement: "databases run a supported engine version",
    validate: [
        validateResourceOfType(aws.rds.Instance, (db, args, report) => checkVersion(db, args, report)),
        validateResourceOfType(aws.rds.Cluster, (db, args, report) => checkVersion(db, args, report)),
    ],
});

/** Master user names every scanner tries first. */
const DEFAULT_USERNAMES = [
    "admin",
    "administrator",
    "postgres",
    "root",
    "sa",
    "master",
    "mysql",
    "awsuser",
    "user",
    "rdsadmin",
    "dbadmin",
];

function checkUsername(
    name: string | undefined,
    prop: string,
    args: ResourceValidationArgs,
    report: ReportViolation,
    forbidden: string[],
) {
    if (name && forbidden.includes(name.toLowerCase())) {
        report(
            `${who(args)} uses the well-known master user name "${name}", the first one any password-guessing attempt tries; pick a name specific to the stack (set ${prop}, e.g. "webfleet_admin")`,
        );
    }
}

const rdsNoDefaultMasterUsername = resourceRule({
    name: "rds-no-default-master-username",
    description: "Databases do not use a well-known master user name such as postgres, admin or root.",
    severity: "medium",
    checks: "RDS instance username / cluster masterUsername is not one of forbiddenUsernames (postgres, admin, root, sa, …)",
    equivalents: {},
    unknown: "advisory",
    requirement: "the master user name must not be a well-known default",
    config: {
        forbiddenUsernames: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: DEFAULT_USERNAMES,
            description: "Master user names (lower case) that are refused.",
        },
    },
    validate: [
        validateResourceOfType(aws.rds.Instance, (db, args, report) =>
            checkUsername(
                db.username,
                "username",
                args,
                report,
                configOf(args, { forbiddenUsernames: DEFAULT_USERNAMES }).forbiddenUsernames,
            ),
        ),
        validateResourceOfType(aws.rds.Cluster, (db, args, report) =>
            checkUsername(
                db.masterUsername,
                "masterUsername",
                args,
                report,
                configOf(args, { forbiddenUsernames: DEFAULT_USERNAMES }).forbiddenUsernames,
            ),
        ),
    ],
});

const rdsProxyRequireTls = resourceRule({
    name: "rds-proxy-require-tls",
    description: "RDS Proxy endpoints require TLS from their clients.",
    severity: "high",
    checks: "aws.rds.Proxy requireTls is true",
    equivalents: {},
    unknown: "advisory",
    requirement: "the proxy must require TLS (set requireTls: true)",
    validate: [
        validateResourceOfType(aws.rds.Proxy, (p, args, report) => {
            if (p.requireTls !== true) {
                report(
                    `${who(args)} accepts connections without TLS (requireTls is ${p.requireTls ?? "unset, default false"}), so credentials and data cross the network in clear; the proxy must require TLS (set requireTls: true)`,
                );
            }
        }),
    ],
});

const rdsEnhancedMonitoring = resourceRule({
    name: "rds-enhanced-monitoring",
    description:
        "Prod database instances have enhanced monitoring, so OS-level metrics are there when an incident needs them.",
    severity: "medium",
    prodOnly: true,
    checks: "monitoringInterval > 0 with a monitoringRoleArn on RDS instances and cluster instances",
    equivalents: { cdkNag: ["NIST.800.53.R5-RDSEnhancedMonitoringEnabled"], checkov: ["CKV_AWS_118"] },
    unknown: "reference",
    unknownNote: "A monitoring role ARN unknown at preview is a role of the stack and counts as set.",
    requirement: "prod databases need enhanced monitoring (set monitoringInterval: 60 and monitoringRoleArn)",
    validate: [aws.rds.Instance, aws.rds.ClusterInstance].map((cls) =>
        validateResourceOfType(cls as typeof aws.rds.Instance, (db, args, report) => {
            const role = peek(db, "monitoringRoleArn");
            if (!db.monitoringInterval || (role.known && !role.value)) {
                report(
                    `${who(args)} has no enhanced monitoring (monitoringInterval ${db.monitoringInterval ?? "unset"}${role.known && !role.value ? ", no monitoringRoleArn" : ""}); prod databases need OS-level metrics for incidents (set monitoringInterval: 60 and monitoringRoleArn to a role for monitoring.rds.amazonaws.com)`,
                );
            }
        }),
    ),
});

const rdsPerformanceInsightsCmk = resourceRule({
    name: "rds-performance-insights-cmk",
    description:
        "Performance Insights data, which holds query text, is encrypted with the project's customer-managed key.",
    severity: "medium",
    checks: "When performanceInsightsEnabled is true, performanceInsightsKmsKeyId names a customer key (not alias/aws/rds or unset)",
    equivalents: { checkov: ["CKV_AWS_354"] },
    unknown: "reference",
    unknownNote: "A key unknown at preview is a reference to the stack's key and counts as a customer key.",
    requirement: "Performance Insights must use the project's key (set performanceInsightsKmsKeyId: key.arn)",
    validate: [aws.rds.Instance, aws.rds.ClusterInstance, aws.rds.Cluster].map((cls) =>
        validateResourceOfType(cls as typeof aws.rds.Instance, (db, args, report) => {
            if (db.performanceInsightsEnabled === true && !isCustomerKey(peek(db, "performanceInsightsKmsKeyId"))) {
                report(
                    `${who(args)} keeps Performance Insights data, which includes query text, under the AWS managed key; it must be encrypted with the project's key, whose policy the stack controls (set performanceInsightsKmsKeyId: key.arn)`,
                );
            }
        }),
    ),
});

export const databaseEnginePolicies: WebfleetPolicy[] = [
    rdsForceSsl,
    rdsSupportedEngineVersion,
    rdsNoDefaultMasterUsername,
    rdsProxyRequireTls,
    rdsEnhancedMonitoring,
    rdsPerformanceInsightsCmk,
];
