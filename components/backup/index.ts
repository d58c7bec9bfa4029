/**
 * The database's backups in AWS Backup: a vault encrypted with the stack key (with a vault lock in
 * governance mode when asked: prod), a plan that snapshots the database daily and keeps each
 * snapshot `retentionDays` (copying it to a vault in a second region when one is given), and the
 * selection of the database under a service role that can back up and copy, nothing more.
 *
 * Snapshots only, no continuous backup: point-in-time recovery stays with RDS's own automated
 * backups (database.backupRetentionDays). An AWS Backup continuous rule would take over the
 * instance's backup retention and fight the program over it on every deploy. The restore test of
 * these snapshots is components/backup/restoreTest.ts; the runbook is docs/operations.md.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    BACKUP_COMPLETION_WINDOW_MINUTES,
    BACKUP_SCHEDULE,
    BACKUP_SERVICE_ROLE_POLICY,
    BACKUP_START_WINDOW_MINUTES,
    vaultNameFor,
} from "../../lib/backup";
import { policyDocument, serviceTrustPolicy } from "../../lib/iam";
import { backupKeyStatements } from "../../lib/kmsPolicy";
import { childName } from "../../lib/naming";

export { BackupCopyVault } from "./copyVault";
export type { BackupCopyVaultArgs } from "./copyVault";
export { RestoreTest } from "./restoreTest";
export type { RestoreTestArgs } from "./restoreTest";

export interface BackupArgs {
    /** Start of the names (e.g. "webfleet-prod"): the vault is "<prefix>-backups". */
    prefix: string;
    /** The stack key: encrypts the vault; the database's snapshots are under it too. */
    kmsKeyArn: pulumi.Input<string>;
    /** The RDS instance to back up. */
    databaseArn: pulumi.Input<string>;
    /** Days each daily snapshot (and its copy) is kept. */
    retentionDays: number;
    /**
     * A vault lock in governance mode: no snapshot can be deleted or have its retention cut below
     * `retentionDays`, except by a principal allowed backup:DeleteBackupVaultLockConfiguration.
     */
    lock: boolean;
    /** A vault in a second region (components/backup/copyVault.ts) each snapshot is copied to. */
    copy?: { vaultArn: pulumi.Input<string>; kmsKeyArn: pulumi.Input<string> };
    /** Delete the vault's snapshots with it (dev); false leaves `pulumi destroy` to stop at a full vault. */
    forceDestroy: boolean;
    /** Protect the vault (prod) and keep it in the account if it leaves the stack. Default false. */
    protect?: boolean;
}

export class Backup extends pulumi.ComponentResource {
    public readonly vaultName: pulumi.Output<string>;
    public readonly vaultArn: pulumi.Output<string>;
    public readonly planId: pulumi.Output<string>;
    /** The role AWS Backup backs up and copies with. */
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:backup:Backup", name, {}, opts);
        if (!Number.isInteger(args.retentionDays) || args.retentionDays < 1) {
            throw new pulumi.ResourceError(
                `backup.retentionDays: ${args.retentionDays} is not a whole number of days of at least 1`,
                this,
            );
        }
        let vaultName: string;
        try {
            vaultName = vaultNameFor(args.prefix);
        } catch (e) {
            throw new pulumi.ResourceError((e as Error).message, this);
        }

        const vault = new aws.backup.Vault(
            childName(name, "vault"),
            { name: vaultName, kmsKeyArn: args.kmsKeyArn, forceDestroy: args.forceDestroy },
            { parent: this, protect: args.protect, retainOnDelete: args.protect },
        );
        if (args.lock) {
            // Governance mode: no changeableForDays, which would turn it into compliance mode for good.
            new aws.backup.VaultLockConfiguration(
                childName(name, "vault-lock"),
                { backupVaultName: vault.name, minRetentionDays: args.retentionDays },
                { parent: this },
            );
        }

        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const role = new aws.iam.Role(
            childName(name, "role"),
            {
                assumeRolePolicy: serviceTrustPolicy("backup.amazonaws.com", account),
                description: `webfleet ${args.prefix}: AWS Backup snapshots and copies the database`,
            },
            { parent: this },
        );
        const managed = new aws.iam.RolePolicyAttachment(
            childName(name, "role"),
            { role: role.name, policyArn: BACKUP_SERVICE_ROLE_POLICY },
            { parent: this },
        );
        const keys = new aws.iam.RolePolicy(
            childName(name, "role-keys"),
            {
                role: role.id,
                policy: pulumi
                    .all([args.kmsKeyArn, args.copy?.kmsKeyArn])
                    .apply(([stackKey, copyKey]) =>
                        policyDocument(backupKeyStatements(copyKey ? [stackKey, copyKey] : [stackKey])),
                    ),
            },
            { parent: this },
        );

        const plan = new aws.backup.Plan(
            childName(name, "plan"),
            {
                name: `${args.prefix}-database`,
                rules: [
                    {
                        ruleName: "daily",
                        targetVaultName: vault.name,
                        schedule: BACKUP_SCHEDULE,
                        startWindow: BACKUP_START_WINDOW_MINUTES,
                        completionWindow: BACKUP_COMPLETION_WINDOW_MINUTES,
                        enableContinuousBackup: false,
                        lifecycle: { deleteAfter: args.retentionDays },
                        recoveryPointTags: { Name: `${args.prefix}-daily` },
                        copyActions: args.copy
                            ? [
                                  {
                                      destinationVaultArn: args.copy.vaultArn,
                                      lifecycle: { deleteAfter: args.retentionDays },
                                  },
                              ]
                            : undefined,
                    },
                ],
            },
            { parent: this },
        );
        new aws.backup.Selection(
            childName(name, "database"),
            {
                name: `${args.prefix}-database`,
                planId: plan.id,
                iamRoleArn: role.arn,
                resources: [args.databaseArn],
            },
            // AWS Backup checks the role when the selection is created.
            { parent: this, dependsOn: [managed, keys] },
        );

        this.vaultName = vault.name;
        this.vaultArn = vault.arn;
        this.planId = plan.id;
        this.roleArn = role.arn;
        this.registerOutputs({
            vaultName: this.vaultName,
            vaultArn: this.vaultArn,
            planId: this.planId,
            roleArn: this.roleArn,
        });
    }
}
