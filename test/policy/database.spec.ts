import { T } from "../../policy/lib/types";
import { ResourceCase, UNKNOWN, UNKNOWN_ARRAY, UNKNOWN_BOOL, UNKNOWN_NUMBER, describeRule } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/2ccbf1d3-c5da-4e41-8932-608ff6ef778e";
const db = (props: Record<string, unknown>, type: string = T.rdsInstance): ResourceCase => ({
    type,
    props: { engine: "postgres", ...props },
});

describe("policy: database", () => {
    describeRule<ResourceCase>("rds-no-public-access", {
        compliant: [
            { title: "not publicly accessible", case: db({ publiclyAccessible: false }) },
            { title: "the provider's default (false)", case: db({}) },
            { title: "a private cluster instance", case: db({ publiclyAccessible: false }, T.rdsClusterInstance) },
        ],
        violations: [
            {
                title: "a public instance",
                case: db({ publiclyAccessible: true }),
                messages: [
                    "RDS instance 'subject' is publicly accessible; databases must stay in isolated subnets (set publiclyAccessible: false)",
                ],
            },
            {
                title: "a public cluster instance",
                case: db({ publiclyAccessible: true }, T.rdsClusterInstance),
                messages: [
                    "RDS cluster instance 'subject' is publicly accessible; databases must stay in isolated subnets (set publiclyAccessible: false)",
                ],
            },
        ],
        unknown: {
            title: "an unknown publiclyAccessible is advisory until checked before creation",
            case: db({ publiclyAccessible: UNKNOWN_BOOL }),
            advisory: true,
        },
    });

    const CMK =
        "database storage must use the project's customer-managed key, whose policy and rotation the stack controls (set kmsKeyId: key.arn)";
    describeRule<ResourceCase>("rds-storage-encrypted-cmk", {
        compliant: [
            { title: "encrypted with the project's key", case: db({ storageEncrypted: true, kmsKeyId: KEY }) },
            {
                title: "a key unknown at preview is a reference to the stack's key",
                case: db({ storageEncrypted: true, kmsKeyId: UNKNOWN }),
            },
            { title: "a read replica inherits its source's encryption", case: db({ replicateSourceDb: "primary" }) },
            {
                title: "an encrypted cluster",
                case: db({ engine: "aurora-postgresql", storageEncrypted: true, kmsKeyId: KEY }, T.rdsCluster),
            },
        ],
        violations: [
            {
                title: "unencrypted storage",
                case: db({ storageEncrypted: false }),
                messages: [
                    "RDS instance 'subject' has unencrypted storage; database storage must be encrypted with the project's KMS key (set storageEncrypted: true and kmsKeyId: key.arn)",
                ],
            },
            {
                title: "encrypted with the default key",
                case: db({ storageEncrypted: true }),
                messages: [
                    `RDS instance 'subject' is encrypted with the AWS managed key (kmsKeyId is not set); ${CMK}`,
                ],
            },
            {
                title: "a cluster on alias/aws/rds",
                case: db(
                    { storageEncrypted: true, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:alias/aws/rds" },
                    T.rdsCluster,
                ),
                messages: [
                    `RDS cluster 'subject' is encrypted with the AWS managed key arn:aws:kms:us-east-1:123456789012:alias/aws/rds; ${CMK}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown storageEncrypted is advisory until checked before creation",
            case: db({ storageEncrypted: UNKNOWN_BOOL, kmsKeyId: KEY }),
            advisory: true,
        },
    });

    const IAM =
        "servers must connect with short-lived IAM tokens, not stored passwords (set iamDatabaseAuthenticationEnabled: true)";
    describeRule<ResourceCase>("rds-iam-auth", {
        compliant: [
            { title: "IAM authentication on", case: db({ iamDatabaseAuthenticationEnabled: true }) },
            { title: "an engine without IAM authentication (SQL Server)", case: db({ engine: "sqlserver-se" }) },
            {
                title: "a cluster with IAM authentication",
                case: db({ engine: "aurora-postgresql", iamDatabaseAuthenticationEnabled: true }, T.rdsCluster),
            },
        ],
        violations: [
            {
                title: "IAM authentication off",
                case: db({ iamDatabaseAuthenticationEnabled: false }),
                messages: [`RDS instance 'subject' has IAM database authentication off; ${IAM}`],
            },
            {
                title: "a cluster without it",
                case: db({ engine: "aurora-mysql" }, T.rdsCluster),
                messages: [`RDS cluster 'subject' has IAM database authentication off; ${IAM}`],
            },
        ],
        unknown: {
            title: "an unknown setting is advisory until checked before creation",
            case: db({ iamDatabaseAuthenticationEnabled: UNKNOWN_BOOL }),
            advisory: true,
        },
    });

    const LOGS = "database logs must outlive the instance for incident response";
    describeRule<ResourceCase>("rds-log-exports", {
        compliant: [
            {
                title: "PostgreSQL exporting postgresql and upgrade",
                case: db({ enabledCloudwatchLogsExports: ["postgresql", "upgrade"] }),
            },
            {
                title: "MySQL exporting error, slow query and general logs",
                case: db({ engine: "mysql", enabledCloudwatchLogsExports: ["error", "slowquery", "general"] }),
            },
            {
                title: "another engine exporting its log",
                case: db({ engine: "oracle-ee", enabledCloudwatchLogsExports: ["alert"] }),
            },
            {
                title: "an Aurora PostgreSQL cluster",
                case: db({ engine: "aurora-postgresql", enabledCloudwatchLogsExports: ["postgresql"] }, T.rdsCluster),
            },
        ],
        violations: [
            {
                title: "PostgreSQL exporting nothing",
                case: db({}),
                messages: [
                    `RDS instance 'subject' does not export postgresql to CloudWatch Logs; ${LOGS} (set enabledCloudwatchLogsExports: ["postgresql"])`,
                ],
            },
            {
                title: "MySQL without the slow query log",
                case: db({ engine: "mysql", enabledCloudwatchLogsExports: ["error"] }),
                messages: [
                    `RDS instance 'subject' does not export slowquery to CloudWatch Logs; ${LOGS} (set enabledCloudwatchLogsExports: ["error","slowquery"])`,
                ],
            },
            {
                title: "another engine exporting nothing",
                case: db({ engine: "oracle-ee" }),
                messages: [
                    `RDS instance 'subject' does not export any log to CloudWatch Logs; ${LOGS} (set enabledCloudwatchLogsExports: ["<engine log>"])`,
                ],
            },
        ],
        unknown: {
            title: "an unknown export list is advisory until checked before creation",
            case: db({ enabledCloudwatchLogsExports: UNKNOWN_ARRAY }),
            advisory: true,
        },
    });

    describeRule<ResourceCase>("rds-backup-retention", {
        compliant: [
            { title: "7 days against the default minimum", case: db({ backupRetentionPeriod: 7 }) },
            {
                title: "14 days against prod's 14",
                case: { ...db({ backupRetentionPeriod: 14 }), config: { minimumDays: 14 } },
            },
            { title: "a read replica", case: db({ replicateSourceDb: "primary", backupRetentionPeriod: 0 }) },
        ],
        violations: [
            {
                title: "not set",
                case: db({}),
                messages: [
                    "RDS instance 'subject' does not set backupRetentionPeriod; databases must keep automated backups for at least 7 day(s) (set backupRetentionPeriod: 7 or more)",
                ],
            },
            {
                title: "1 day against prod's 14",
                case: { ...db({ backupRetentionPeriod: 1 }), config: { minimumDays: 14 } },
                messages: [
                    "RDS instance 'subject' keeps backups for 1 day(s); databases must keep automated backups for at least 14 day(s) (set backupRetentionPeriod: 14 or more)",
                ],
            },
            {
                title: "a cluster with backups off",
                case: db({ backupRetentionPeriod: 0 }, T.rdsCluster),
                messages: [
                    "RDS cluster 'subject' keeps backups for 0 day(s); databases must keep automated backups for at least 7 day(s) (set backupRetentionPeriod: 7 or more)",
                ],
            },
        ],
        unknown: {
            title: "an unknown retention is advisory until checked before creation",
            case: db({ backupRetentionPeriod: UNKNOWN_NUMBER }),
            advisory: true,
        },
    });

    describeRule<ResourceCase>("rds-deletion-protection", {
        compliant: [
            { title: "protected", case: db({ deletionProtection: true }) },
            { title: "a protected cluster", case: db({ deletionProtection: true }, T.rdsCluster) },
        ],
        violations: [
            {
                title: "not protected",
                case: db({ deletionProtection: false }),
                messages: [
                    "RDS instance 'subject' has deletion protection off; production data must not be destroyable by one command (set deletionProtection: true)",
                ],
            },
            {
                title: "a cluster with the default",
                case: db({}, T.rdsCluster),
                messages: [
                    "RDS cluster 'subject' has deletion protection off; production data must not be destroyable by one command (set deletionProtection: true)",
                ],
            },
        ],
        unknown: {
            title: "an unknown setting is advisory until checked before creation",
            case: db({ deletionProtection: UNKNOWN_BOOL }),
            advisory: true,
        },
    });

    describeRule<ResourceCase>("rds-multi-az", {
        compliant: [{ title: "Multi-AZ", case: db({ multiAz: true }) }],
        violations: [
            {
                title: "single AZ",
                case: db({ multiAz: false }),
                messages: [
                    "RDS instance 'subject' runs in a single AZ; the database must survive an AZ outage (set multiAz: true)",
                ],
            },
            {
                title: "the default",
                case: db({}),
                messages: [
                    "RDS instance 'subject' runs in a single AZ; the database must survive an AZ outage (set multiAz: true)",
                ],
            },
        ],
        unknown: {
            title: "an unknown setting is advisory until checked before creation",
            case: db({ multiAz: UNKNOWN_BOOL }),
            advisory: true,
        },
    });

    const PATCH = "security patches must be applied in the maintenance window (set autoMinorVersionUpgrade: true)";
    describeRule<ResourceCase>("rds-auto-minor-upgrade", {
        compliant: [
            { title: "the default (on)", case: db({}) },
            {
                title: "explicitly on, for a cluster instance",
                case: db({ autoMinorVersionUpgrade: true }, T.rdsClusterInstance),
            },
        ],
        violations: [
            {
                title: "off",
                case: db({ autoMinorVersionUpgrade: false }),
                messages: [`RDS instance 'subject' has automatic minor version upgrades off; ${PATCH}`],
            },
            {
                title: "off on a cluster instance",
                case: db({ autoMinorVersionUpgrade: false }, T.rdsClusterInstance),
                messages: [`RDS cluster instance 'subject' has automatic minor version upgrades off; ${PATCH}`],
            },
        ],
        unknown: {
            title: "an unknown setting is advisory until checked before creation",
            case: db({ autoMinorVersionUpgrade: UNKNOWN_BOOL }),
            advisory: true,
        },
    });

    const SET =
        "RDS instance 'subject' sets the master password in the program, so it lives in the Pulumi config and state; let RDS keep it in Secrets Manager (set manageMasterUserPassword: true and remove the password)";
    describeRule<ResourceCase>("rds-managed-master-password", {
        compliant: [
            { title: "RDS manages the password", case: db({ manageMasterUserPassword: true, username: "admin" }) },
            { title: "a read replica has no master password", case: db({ replicateSourceDb: "primary" }) },
            {
                title: "a cluster whose password RDS manages",
                case: db({ engine: "aurora-postgresql", manageMasterUserPassword: true }, T.rdsCluster),
            },
        ],
        violations: [
            {
                title: "a password in the program",
                case: db({ username: "admin", password: "correct-horse" }),
                messages: [SET],
            },
            {
                title: "a cluster master password in the program",
                case: db({ engine: "aurora-postgresql", masterPassword: "correct-horse" }, T.rdsCluster),
                messages: [
                    "RDS cluster 'subject' sets the master password in the program, so it lives in the Pulumi config and state; let RDS keep it in Secrets Manager (set manageMasterUserPassword: true and remove the password)",
                ],
            },
            {
                title: "neither managed nor set",
                case: db({ username: "admin" }),
                messages: [
                    "RDS instance 'subject' does not let RDS manage the master password; the password must live only in Secrets Manager (set manageMasterUserPassword: true)",
                ],
            },
        ],
        unknown: {
            title: "a password unknown at preview is still a password in the program",
            case: db({ password: UNKNOWN }),
            messages: [SET],
        },
    });
});
