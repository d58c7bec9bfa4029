/**
 * Pure facts and builders for the database's backups and their restore test
 * (components/backup/): schedules, names AWS Backup accepts, the restore metadata that puts a
 * restored instance where only the validator can reach it, the event pattern that wakes the
 * validator. Tested without mocks.
 *
 * The day in UTC: RDS's automated backup window 03:00-04:00 (it keeps point-in-time recovery),
 * RDS maintenance on Sundays 04:30-05:30, the AWS Backup snapshot from 06:00, the restore test
 * on Saturdays from 09:00, once that day's snapshot is in the vault.
 */

/** The daily snapshot: after RDS's own backup window and Sunday's maintenance window. */
export const BACKUP_SCHEDULE = "cron(0 6 * * ? *)";
/** Minutes AWS Backup may wait to start the job, and to finish it, before it counts as failed. */
export const BACKUP_START_WINDOW_MINUTES = 60;
export const BACKUP_COMPLETION_WINDOW_MINUTES = 240;

/** The restore test: weekly, three hours after Saturday's snapshot starts. */
export const RESTORE_TEST_SCHEDULE = "cron(0 9 ? * SAT *)";
/** Hours after the scheduled time the restore may start. */
export const RESTORE_TEST_START_WINDOW_HOURS = 2;
/**
 * Only a recovery point this recent is restored: Saturday's, or Friday's if Saturday's failed.
 * The validator relies on it: the snapshot then holds the current or the previous master
 * password (RDS rotates the secret every 7 days), never an older one.
 */
export const RESTORE_SELECTION_WINDOW_DAYS = 2;
/** How long the restored instance is kept for validation before AWS Backup deletes it. */
export const RESTORE_VALIDATION_WINDOW_HOURS = 2;
/** The smallest class PostgreSQL runs on: the test proves the data restores, not its speed. */
export const RESTORE_TEST_INSTANCE_CLASS = "db.t4g.micro";

export const BACKUP_SERVICE_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup";
export const RESTORE_SERVICE_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores";

/** A backup vault's name: letters, digits, hyphens and underscores, 2 to 50 characters. */
export function vaultNameFor(prefix: string, suffix = "backups"): string {
    const name = `${prefix}-${suffix}`.replace(/[^A-Za-z0-9_-]/g, "-");
    if (name.length < 2 || name.length > 50) {
        throw new Error(`backup vault name "${name}" must be 2 to 50 characters; use a shorter project or stack name`);
    }
    return name;
}

/** Restore testing plan and selection names: letters, digits and underscores only, at most 50. */
export function restoreTestingNameFor(prefix: string, suffix: string): string {
    const name = `${prefix}_${suffix}`.replace(/[^A-Za-z0-9_]/g, "_");
    if (name.length > 50) {
        throw new Error(
            `restore testing name "${name}" is longer than 50 characters; use a shorter project or stack name`,
        );
    }
    return name;
}

/**
 * What the restore test changes about the restored instance, against what AWS Backup would infer
 * from the snapshot: the smallest class, one AZ, no public address, the database's own isolated
 * subnets, and a security group only the validator can reach (never the live database's).
 */
export function restoreMetadataOverrides(args: {
    subnetGroupName: string;
    securityGroupId: string;
    instanceClass?: string;
}): Record<string, string> {
    return {
        dbInstanceClass: args.instanceClass ?? RESTORE_TEST_INSTANCE_CLASS,
        dbSubnetGroupName: args.subnetGroupName,
        vpcSecurityGroupIds: JSON.stringify([args.securityGroupId]),
        publiclyAccessible: "false",
        multiAz: "false",
    };
}

/**
 * The EventBridge pattern for this plan's restore jobs that ended: completed ones are validated,
 * failed or aborted ones logged as failures (there is nothing to validate, but someone must hear).
 */
export function restoreJobEventPattern(restoreTestingPlanArn: string): Record<string, unknown> {
    return {
        source: ["aws.backup"],
        "detail-type": ["Restore Job State Change"],
        detail: {
            restoreTestingPlanArn: [restoreTestingPlanArn],
            status: ["COMPLETED", "FAILED", "ABORTED"],
        },
    };
}

/** The metric filter pattern that counts the validator's failure lines (app/lambda/restoreValidation.ts). */
export function failureFilterPattern(message: string): string {
    return `{ $.msg = ${JSON.stringify(message)} }`;
}
