/**
 * Where the daily snapshots are copied: a vault in a second region under a key of that region
 * (KMS keys never leave their region), locked like the primary vault when asked. Create it with an
 * AWS provider for that region (`{ providers: { aws: provider } }`); everything here lands there.
 * If the stack's region is lost, these copies are what a restore starts from (docs/operations.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { vaultNameFor } from "../../lib/backup";
import { delegatingKeyPolicy } from "../../lib/kmsPolicy";
import { childName } from "../../lib/naming";

export interface BackupCopyVaultArgs {
    /** Start of the names (e.g. "webfleet-prod"): the vault is "<prefix>-backup-copies". */
    prefix: string;
    /** Days each copy is kept: the vault lock's minimum when `lock` is on. */
    retentionDays: number;
    /** A vault lock in governance mode, as on the primary vault. */
    lock: boolean;
    /** Delete the copies with the vault (dev). */
    forceDestroy: boolean;
    /**
     * Protect the vault and the key (prod), and keep both in the account if they leave the
     * stack: the copies stay restorable after the stack is gone. Default false.
     */
    protect?: boolean;
}

export class BackupCopyVault extends pulumi.ComponentResource {
    public readonly vaultArn: pulumi.Output<string>;
    public readonly vaultName: pulumi.Output<string>;
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** The region it is in (the provider's). */
    public readonly region: pulumi.Output<string>;

    constructor(name: string, args: BackupCopyVaultArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:backup:BackupCopyVault", name, {}, opts);
        let vaultName: string;
        try {
            vaultName = vaultNameFor(args.prefix, "backup-copies");
        } catch (e) {
            throw new pulumi.ResourceError((e as Error).message, this);
        }
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        this.region = aws.getRegionOutput({}, { parent: this }).region;
        const kept = { protect: args.protect, retainOnDelete: args.protect };

        const key = new aws.kms.Key(
            childName(name, "key"),
            {
                description: `webfleet ${args.prefix}: copies of the database snapshots`,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                enableKeyRotation: true,
                rotationPeriodInDays: 365,
                deletionWindowInDays: 30,
                policy: account.apply((accountId) => JSON.stringify(delegatingKeyPolicy(accountId))),
            },
            { parent: this, ...kept },
        );
        new aws.kms.Alias(
            childName(name, "alias"),
            { name: `alias/${vaultName}`, targetKeyId: key.keyId },
            { parent: this },
        );
        const vault = new aws.backup.Vault(
            childName(name, "vault"),
            { name: vaultName, kmsKeyArn: key.arn, forceDestroy: args.forceDestroy },
            { parent: this, ...kept },
        );
        if (args.lock) {
            new aws.backup.VaultLockConfiguration(
                childName(name, "vault-lock"),
                { backupVaultName: vault.name, minRetentionDays: args.retentionDays },
                { parent: this },
            );
        }

        this.vaultArn = vault.arn;
        this.vaultName = vault.name;
        this.kmsKeyArn = key.arn;
        this.registerOutputs({
            vaultArn: this.vaultArn,
            vaultName: this.vaultName,
            kmsKeyArn: this.kmsKeyArn,
            region: this.region,
        });
    }
}
