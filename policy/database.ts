/**
 * Database rules: the database is private, encrypted with the project's key, reached with IAM
 * tokens over TLS, logged, backed up, and (in prod) Multi-AZ and protected from deletion.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { ofType, resolveRef } from "./lib/graph";
import { WebfleetPolicy, configOf, resourceRule, stackRule } from "./lib/rule";
import { T, subject } from "./lib/types";
import { Peeked, peek } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

type DbProps = {
    engine?: string;
    replicateSourceDb?: string;
    storageEncrypted?: boolean;
    kmsKeyId?: string;
    iamDatabaseAuthenticationEnabled?: boolean;
    enabledCloudwatchLogsExports?: string[];
    backupRetentionPeriod?: number;
    deletionProtection?: boolean;
    manageMasterUserPassword?: boolean;
    password?: string;
    masterPassword?: string;
};

/** Applies `check` to instances and clusters alike. */
function onDatabases(check: (db: DbProps, args: ResourceValidationArgs, report: ReportViolation) => void) {
    return [validateResourceOfType(aws.rds.Instance, check), validateResourceOfType(aws.rds.Cluster, check)];
}

function isReplica(db: DbProps): boolean {
    const source = peek(db, "replicateSourceDb");
    return !source.known || (typeof source.value === "string" && source.value !== "");
}

function engineOf(db: { engine?: string }): string {
    return (db.engine ?? "").toLowerCase();
}

const rdsNoPublicAccess = resourceRule({
    name: "rds-no-public-access",
    description: "Databases are not publicly accessible, so they can only be reached from inside the VPC.",
    severity: "critical",
    enforcementLevel: "mandatory",
    checks: "publiclyAccessible is not true on RDS instances and cluster instances",
    equivalents: ["CKV_AWS_17", "NIST.800.53.R5-RDSInstancePublicAccess", "awsguard rds-instance-public-access-check"],
    unknown: "violation",
    requirement: "databases must stay in isolated subnets (set publiclyAccessible: false)",
    validate: [
        validateResourceOfType(aws.rds.Instance, (db, args, report) => {
            if (db.publiclyAccessible === true) {
                report(
                    `${who(args)} is publicly accessible; databases must stay in isolated subnets (set publiclyAccessible: false)`,
                );
            }
        }),
        validateResourceOfType(aws.rds.ClusterInstance, (db, args, report) => {
            if (db.publiclyAccessible === true) {
                report(
                    `${who(args)} is publicly accessible; databases must stay in isolated subnets (set publiclyAccessible: false)`,
                );
            }
        }),
    ],
});

/** Whether a KMS key reference is one AWS manages (alias/aws/…), not the project's key. */
function isAwsManagedKey(p: Peeked<unknown>): boolean {
    return p.known && typeof p.value === "string" && /(^|:)alias\/aws\//.test(p.value);
}

function keySet(p: Peeked<unknown>): boolean {
    return !p.known || (typeof p.value === "string" && p.value !== "");
}

const rdsStorageEncryptedCmk = resourceRule({
    name: "rds-storage-encrypted-cmk",
    description: "Database storage is encrypted with the project's customer-managed KMS key.",
    severity: "high",
    enforcementLevel: "mandatory",
    checks: "storageEncrypted is true and kmsKeyId names a customer-managed key (not alias/aws/rds)",
    equivalents: [
        "AwsSolutions-RDS2",
        "CKV_AWS_16",
        "NIST.800.53.R5-RDSStorageEncrypted",
        "awsguard rds-storage-encrypted",
    ],
    unknown: "violation",
    unknownNote:
        "An unknown kmsKeyId (a reference to the stack's key) counts as a customer key; an unknown storageEncrypted is a violation.",
    requirement:
        "database storage must be encrypted with the project's KMS key (set storageEncrypted: true and kmsKeyId: key.arn)",
    validate: onDatabases((db, args, report) => {
        if (isReplica(db)) {
            return;
        }
        if (db.storageEncrypted !== true) {
            report(
                `${who(args)} has unencrypted storage; database storage must be encrypted with the project's KMS key (set storageEncrypted: true and kmsKeyId: key.arn)`,
            );
            return;
        }
        const key = peek(db, "kmsKeyId");
        if (!keySet(key) || isAwsManagedKey(key)) {
            const state =
                key.known && keySet(key)
                    ? `the AWS managed key ${String(key.value)}`
                    : "the AWS managed key (kmsKeyId is not set)";
            report(
                `${who(args)} is encrypted with ${state}; database storage must use the project's customer-managed key, whose policy and rotation the stack controls (set kmsKeyId: key.arn)`,
            );
        }
    }),
});

const NO_IAM_AUTH_ENGINES = /^(sqlserver|oracle|db2|custom-)/;

const rdsIamAuth = resourceRule({
    name: "rds-iam-auth",
    description:
        "Databases accept IAM authentication, so servers connect with short-lived tokens instead of passwords.",
    severity: "medium",
    enforcementLevel: "mandatory",
    checks: "iamDatabaseAuthenticationEnabled is true (engines that support it)",
    equivalents: ["AwsSolutions-RDS6", "CKV_AWS_161"],
    unknown: "violation",
    requirement: "servers connect with IAM tokens, not passwords (set iamDatabaseAuthenticationEnabled: true)",
    validate: onDatabases((db, args, report) => {
        if (NO_IAM_AUTH_ENGINES.test(engineOf(db))) {
            return;
        }
        if (db.iamDatabaseAuthenticationEnabled !== true) {
            report(
                `${who(args)} has IAM database authentication off; servers must connect with short-lived IAM tokens, not stored passwords (set iamDatabaseAuthenticationEnabled: true)`,
            );
        }
    }),
});

/** Logs each engine must export; other engines must export at least one log. */
const REQUIRED_LOGS: [RegExp, string[]][] = [
    [/postgres/, ["postgresql"]],
    [/mysql|mariadb/, ["error", "slowquery"]],
];

const rdsLogExports = resourceRule({
    name: "rds-log-exports",
    description: "Databases export their logs to CloudWatch Logs, so errors and slow queries outlive the instance.",
    severity: "medium",
    enforcementLevel: "mandatory",
    checks: "enabledCloudwatchLogsExports includes postgresql (PostgreSQL), error and slowquery (MySQL/MariaDB), or something (other engines)",
    equivalents: ["CKV_AWS_129", "NIST.800.53.R5-RDSLoggingEnabled"],
    unknown: "violation",
    requirement: "database logs must be exported (set enabledCloudwatchLogsExports)",
    validate: onDatabases((db, args, report) => {
        const exported = db.enabledCloudwatchLogsExports ?? [];
        const required = REQUIRED_LOGS.find(([re]) => re.test(engineOf(db)))?.[1];
        const missing = required
            ? required.filter((l) => !exported.includes(l))
            : exported.length === 0
              ? ["any log"]
              : [];
        if (missing.length > 0) {
            report(
                `${who(args)} does not export ${missing.join(", ")} to CloudWatch Logs; database logs must outlive the instance for incident response (set enabledCloudwatchLogsExports: ${JSON.stringify(required ?? ["<engine log>"])})`,
            );
        }
    }),
});

const rdsBackupRetention = resourceRule({
    name: "rds-backup-retention",
    description: "Databases keep automated backups for at least the configured number of days.",
    severity: "high",
    enforcementLevel: "mandatory",
    checks: "backupRetentionPeriod is set and at least minimumDays (config; 14 in prod)",
    equivalents: [
        "AwsSolutions-RDS13",
        "CKV_AWS_133",
        "NIST.800.53.R5-RDSInstanceBackupEnabled",
        "awsguard rds-instance-backup-enabled",
    ],
    unknown: "violation",
    requirement: "databases keep automated backups (set backupRetentionPeriod to a literal number of days)",
    config: {
        minimumDays: {
            type: "integer",
            minimum: 1,
            maximum: 35,
            default: 7,
            description: "Fewest days of automated backups.",
        },
    },
    validate: onDatabases((db, args, report) => {
        if (isReplica(db)) {
            return;
        }
        const { minimumDays } = configOf(args, { minimumDays: 7 });
        const days = db.backupRetentionPeriod;
        if (days === undefined || days === null || days < minimumDays) {
            const state =
                days === undefined || days === null
                    ? "does not set backupRetentionPeriod"
                    : `keeps backups for ${days} day(s)`;
            report(
                `${who(args)} ${state}; databases must keep automated backups for at least ${minimumDays} day(s) (set backupRetentionPeriod: ${minimumDays} or more)`,
            );
        }
    }),
});

const rdsDeletionProtection = resourceRule({
    name: "rds-deletion-protection",
    description: "Databases have deletion protection on, so data cannot be destroyed by one command.",
    severity: "high",
    enforcementLevel: "mandatory",
    checks: "deletionProtection is true",
    equivalents: ["AwsSolutions-RDS10", "CKV_AWS_293", "NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled"],
    unknown: "violation",
    requirement: "databases must be protected from deletion (set deletionProtection: true)",
    validate: onDatabases((db, args, report) => {
        if (db.deletionProtection !== true) {
            report(
                `${who(args)} has deletion protection off; production data must not be destroyable by one command (set deletionProtection: true)`,
            );
        }
    }),
});

const rdsMultiAz = resourceRule({
    name: "rds-multi-az",
    description: "Database instances are Multi-AZ, so an AZ outage fails over instead of taking the service down.",
    severity: "medium",
    enforcementLevel: "mandatory",
    checks: "multiAz is true on RDS instances",
    equivalents: ["AwsSolutions-RDS3", "CKV_AWS_157", "NIST.800.53.R5-RDSMultiAZSupport"],
    unknown: "violation",
    requirement: "the database must survive an AZ outage (set multiAz: true)",
    validate: [
        validateResourceOfType(aws.rds.Instance, (db, args, report) => {
            if (db.multiAz !== true) {
                report(`${who(args)} runs in a single AZ; the database must survive an AZ outage (set multiAz: true)`);
            }
        }),
    ],
});

const rdsAutoMinorUpgrade = resourceRule({
    name: "rds-auto-minor-upgrade",
    description:
        "Databases take minor engine upgrades automatically, so security patches are applied in the maintenance window.",
    severity: "low",
    enforcementLevel: "mandatory",
    checks: "autoMinorVersionUpgrade is not false on RDS instances and cluster instances",
    equivalents: [
        "CKV_AWS_226",
        "HIPAA.Security-RDSAutomaticMinorVersionUpgradeEnabled",
        "PCI.DSS.321-RDSAutomaticMinorVersionUpgradeEnabled",
    ],
    unknown: "violation",
    requirement: "databases take security patches (set autoMinorVersionUpgrade: true)",
    validate: [
        validateResourceOfType(aws.rds.Instance, (db, args, report) => {
            if (db.autoMinorVersionUpgrade === false) {
                report(
                    `${who(args)} has automatic minor version upgrades off; security patches must be applied in the maintenance window (set autoMinorVersionUpgrade: true)`,
                );
            }
        }),
        validateResourceOfType(aws.rds.ClusterInstance, (db, args, report) => {
            if (db.autoMinorVersionUpgrade === false) {
                report(
                    `${who(args)} has automatic minor version upgrades off; security patches must be applied in the maintenance window (set autoMinorVersionUpgrade: true)`,
                );
            }
        }),
    ],
});

const rdsManagedMasterPassword = resourceRule({
    name: "rds-managed-master-password",
    description:
        "RDS manages the master password in Secrets Manager, so it never appears in the program, its config or its state.",
    severity: "high",
    enforcementLevel: "mandatory",
    checks: "manageMasterUserPassword is true and no password/masterPassword is set (replicas exempt)",
    equivalents: [],
    unknown: "violation",
    unknownNote: "A password that is an unknown value is still a password in the program, so it is a violation.",
    requirement: "let RDS manage the master password (set manageMasterUserPassword: true and remove password)",
    validate: onDatabases((db, args, report) => {
        if (isReplica(db)) {
            return;
        }
        const password = [peek(db, "password"), peek(db, "masterPassword")].find(
            (p) => !p.known || (p.value !== undefined && p.value !== null && p.value !== ""),
        );
        if (password) {
            report(
                `${who(args)} sets the master password in the program, so it lives in the Pulumi config and state; let RDS keep it in Secrets Manager (set manageMasterUserPassword: true and remove the password)`,
            );
        } else if (db.manageMasterUserPassword !== true) {
            report(
                `${who(args)} does not let RDS manage the master password; the password must live only in Secrets Manager (set manageMasterUserPassword: true)`,
            );
        }
    }),
});

/** Parameter that forces TLS for each engine family, and the values that mean "on". */
const TLS_PARAMETERS: [RegExp, string, string[]][] = [
    [/postgres/, "rds.force_ssl", ["1"]],
    [/mysql|mariadb/, "require_secure_transport", ["1", "on", "true"]],
];

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

const rdsForceSsl = stackRule({
    name: "rds-force-ssl",
    description: "Databases refuse connections without TLS, through a parameter group of the stack that forces it.",
    severity: "high",
    enforcementLevel: "mandatory",
    resources: [T.rdsInstance, T.rdsCluster, T.rdsParameterGroup, T.rdsClusterParameterGroup],
    checks: "The instance's (cluster's) parameter group, resolved in the stack, sets rds.force_ssl=1 (PostgreSQL) or require_secure_transport=1 (MySQL/MariaDB)",
    equivalents: ["CKV2_AWS_69"],
    unknown: "violation",
    validate: (args, report: ReportViolation) => {
        const checks: [string[], string, string[]][] = [
            [[T.rdsInstance], "parameterGroupName", [T.rdsParameterGroup]],
            [[T.rdsCluster], "dbClusterParameterGroupName", [T.rdsClusterParameterGroup]],
        ];
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
                const who = subject(db.type, db.name);
                const target = resolveRef(db, prop, groups, (value, g) => {
                    const name = peek<string>(g.props, "name");
                    const id = peek<string>(g.props, "id");
                    return (name.known && name.value === value) || (id.known && id.value === value);
                });
                if (target.kind === "absent") {
                    report(
                        `${who} uses the engine's default parameter group, which does not guarantee ${parameter} = ${onValues[0]}; connections without TLS must be refused (${fix})`,
                        db.urn,
                    );
                } else if (target.kind === "external") {
                    report(
                        `${who} uses parameter group '${target.value}', which is not managed in this stack, so TLS cannot be verified; connections without TLS must be refused (${fix})`,
                        db.urn,
                    );
                } else if (target.kind === "unresolved") {
                    report(
                        `${who} has a ${prop} unknown during preview that cannot be traced to a parameter group of the stack; connections without TLS must be refused (${fix})`,
                        db.urn,
                    );
                } else {
                    const group = target.targets[0];
                    const setting = tlsSetting(group, parameter);
                    if (!setting.known) {
                        report(
                            `${who} uses ${subject(group.type, group.name)}, whose ${parameter} is unknown during preview; connections without TLS must be refused (${fix})`,
                            db.urn,
                        );
                    } else if (setting.value === undefined || !onValues.includes(setting.value.toLowerCase())) {
                        const state =
                            setting.value === undefined
                                ? `does not set ${parameter}`
                                : `sets ${parameter} = ${setting.value}`;
                        report(
                            `${who} uses ${subject(group.type, group.name)}, which ${state}; connections without TLS must be refused (${fix})`,
                            db.urn,
                        );
                    }
                }
            }
        }
    },
});

export const databasePolicies: WebfleetPolicy[] = [
    rdsNoPublicAccess,
    rdsStorageEncryptedCmk,
    rdsIamAuth,
    rdsLogExports,
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsMultiAz,
    rdsAutoMinorUpgrade,
    rdsForceSsl,
    rdsManagedMasterPassword,
];
