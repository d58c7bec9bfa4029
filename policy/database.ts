/**
 * Database rules: the database is private, encrypted with the project's key, reached with IAM
 * tokens, logged, backed up, patched, its master password managed by RDS, and (in prod)
 * Multi-AZ and protected from deletion. TLS and engine versions: databaseEngine.ts.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { WebfleetPolicy, configOf, resourceRule } from "./lib/rule";
import { subject } from "./lib/types";
import { isCustomerKey, peek, present } from "./lib/values";

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
    checks: "publiclyAccessible is not true on RDS instances and cluster instances",
    equivalents: {
        cdkNag: ["NIST.800.53.R5-RDSInstancePublicAccess"],
        checkov: ["CKV_AWS_17"],
        awsguard: ["rds-instance-public-access"],
    },
    unknown: "advisory",
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

const rdsStorageEncryptedCmk = resourceRule({
    name: "rds-storage-encrypted-cmk",
    description: "Database storage is encrypted with the project's customer-managed KMS key.",
    severity: "high",
    checks: "storageEncrypted is true and kmsKeyId names a customer-managed key (not alias/aws/rds)",
    equivalents: {
        cdkNag: ["AwsSolutions-RDS2", "NIST.800.53.R5-RDSStorageEncrypted"],
        checkov: ["CKV_AWS_16"],
        awsguard: ["rds-storage-encrypted"],
    },
    unknown: "advisory",
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
        if (!isCustomerKey(key)) {
            const state =
                key.known && present(key)
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
    checks: "iamDatabaseAuthenticationEnabled is true (engines that support it)",
    equivalents: { cdkNag: ["AwsSolutions-RDS6"], checkov: ["CKV_AWS_161"] },
    unknown: "advisory",
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
    checks: "enabledCloudwatchLogsExports includes postgresql (PostgreSQL), error and slowquery (MySQL/MariaDB), or something (other engines)",
    equivalents: { cdkNag: ["NIST.800.53.R5-RDSLoggingEnabled", "AwsSolutions-RDS16"], checkov: ["CKV_AWS_129"] },
    unknown: "advisory",
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
    checks: "backupRetentionPeriod is set and at least minimumDays (config; 14 in prod)",
    equivalents: {
        cdkNag: ["AwsSolutions-RDS13", "NIST.800.53.R5-RDSInstanceBackupEnabled"],
        checkov: ["CKV_AWS_133"],
        awsguard: ["rds-instance-backup-enabled"],
    },
    unknown: "advisory",
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
    prodOnly: true,
    description: "Databases have deletion protection on, so data cannot be destroyed by one command.",
    severity: "high",
    checks: "deletionProtection is true",
    equivalents: {
        cdkNag: ["AwsSolutions-RDS10", "NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled", "AwsSolutions-RDS15"],
        checkov: ["CKV_AWS_293"],
    },
    unknown: "advisory",
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
    prodOnly: true,
    description: "Database instances are Multi-AZ, so an AZ outage fails over instead of taking the service down.",
    severity: "high",
    checks: "multiAz is true on RDS instances",
    equivalents: {
        awsguard: ["rds-instance-multi-az-enabled"],
        cdkNag: ["AwsSolutions-RDS3", "NIST.800.53.R5-RDSMultiAZSupport"],
        checkov: ["CKV_AWS_157"],
    },
    unknown: "advisory",
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
    checks: "autoMinorVersionUpgrade is not false on RDS instances and cluster instances",
    equivalents: {
        cdkNag: [
            "HIPAA.Security-RDSAutomaticMinorVersionUpgradeEnabled",
            "PCI.DSS.321-RDSAutomaticMinorVersionUpgradeEnabled",
        ],
        checkov: ["CKV_AWS_226"],
    },
    unknown: "advisory",
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
    checks: "manageMasterUserPassword is true and no password/masterPassword is set (replicas exempt)",
    equivalents: {},
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

export const databasePolicies: WebfleetPolicy[] = [
    rdsNoPublicAccess,
    rdsStorageEncryptedCmk,
    rdsIamAuth,
    rdsLogExports,
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsMultiAz,
    rdsAutoMinorUpgrade,
    rdsManagedMasterPassword,
];
