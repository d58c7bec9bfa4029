/**
 * The stack's key: one customer-managed KMS key (rotation on) with an alias, for everything
 * the stack encrypts at rest (RDS storage, its master secret and Performance Insights, log
 * groups, EBS volumes, any secret in Secrets Manager). The key policy delegates to IAM (see
 * kmsPolicy.ts for why); the helpers here give one role exactly what it needs on one secret.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Statement } from "../lib/iam";
import { keyUseStatement, secretReadStatements, stackKeyPolicy } from "../lib/kmsPolicy";
import { childName } from "../lib/naming";

export interface SecretsArgs {
    /** The alias, without "alias/" (e.g. "webfleet-prod"): how people find the key in the console. */
    aliasName: string;
    /** Days a scheduled deletion waits (7 to 30); default 30, the most time to notice a mistake. */
    deletionWindowInDays?: number;
    /**
     * The Auto Scaling service-linked role the key policy names (it launches instances with
     * volumes under the key). KMS refuses a policy naming a role that does not exist, so pass
     * the ARN from components/autoScalingRole.ts, which makes the key wait for the role (or fail
     * with the fix); default: the role's well-known ARN, assumed to exist.
     */
    autoScalingRoleArn?: pulumi.Input<string>;
    /**
     * Protect the key (prod): `pulumi destroy` stops before it takes anything down, and a change
     * that would replace the key fails instead. Default false.
     */
    protect?: boolean;
    /**
     * Leave the key in the account when it leaves the stack (prod): final snapshots and backups
     * encrypted under it stay restorable after the stack is gone. Default false.
     */
    retainOnDelete?: boolean;
}

export interface GeneratedSecretOptions {
    description: string;
    /** Length of the generated password (default 32). */
    length?: number;
    /** Days Secrets Manager keeps a deleted secret recoverable (0 or 7 to 30; default 30). */
    recoveryWindowInDays?: number;
}

export interface GeneratedSecret {
    secret: aws.secretsmanager.Secret;
    secretArn: pulumi.Output<string>;
    /** The value, as a Pulumi secret (encrypted in state, "[secret]" in previews). */
    value: pulumi.Output<string>;
}

const ALIAS_NAME = /^[a-zA-Z0-9/_-]{1,200}$/;

/** The key's alias from the project and stack names (a stack name may hold "." , which aliases may not). */
export function aliasNameFor(project: string, stack: string): string {
    return `${project}-${stack}`.replace(/[^a-zA-Z0-9/_-]/g, "-");
}

export class Secrets extends pulumi.ComponentResource {
    public readonly kmsKeyArn: pulumi.Output<string>;
    public readonly kmsKeyId: pulumi.Output<string>;
    public readonly kmsAliasName: pulumi.Output<string>;
    private readonly name: string;
    private readonly region: pulumi.Output<string>;

    constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:secrets:Secrets", name, {}, opts);
        this.name = name;
        const deletionWindowInDays = args.deletionWindowInDays ?? 30;
        if (!ALIAS_NAME.test(args.aliasName) || args.aliasName.startsWith("aws/")) {
            throw new pulumi.ResourceError(
                `secrets.aliasName: "${args.aliasName}" is not a KMS alias name (letters, digits, /, _ and -; not starting with aws/)`,
                this,
            );
        }
        if (!Number.isInteger(deletionWindowInDays) || deletionWindowInDays < 7 || deletionWindowInDays > 30) {
            throw new pulumi.ResourceError(
                `secrets.deletionWindowInDays: ${deletionWindowInDays} is outside 7 to 30, the range KMS accepts`,
                this,
            );
        }

        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        this.region = aws.getRegionOutput({}, { parent: this }).region;
        const key = new aws.kms.Key(
            childName(name, "key"),
            {
                description: `webfleet ${args.aliasName}: RDS, Secrets Manager, CloudWatch Logs and EBS encryption`,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                enableKeyRotation: true,
                rotationPeriodInDays: 365,
                deletionWindowInDays,
                // Set at creation, so the key never exists with the default policy.
                policy: pulumi
                    .all([account, this.region, args.autoScalingRoleArn])
                    .apply(([accountId, region, autoScalingRoleArn]) =>
                        JSON.stringify(stackKeyPolicy({ accountId, region, autoScalingRoleArn })),
                    ),
            },
            { parent: this, protect: args.protect, retainOnDelete: args.retainOnDelete },
        );
        const alias = new aws.kms.Alias(
            childName(name, "alias"),
            { name: `alias/${args.aliasName}`, targetKeyId: key.keyId },
            { parent: this },
        );
        this.kmsKeyArn = key.arn;
        this.kmsKeyId = key.keyId;
        this.kmsAliasName = alias.name;
        this.registerOutputs({ kmsKeyArn: this.kmsKeyArn, kmsKeyId: this.kmsKeyId, kmsAliasName: this.kmsAliasName });
    }

    /** Identity-policy statement: decrypt with the stack key (e.g. a role reading an SSE-KMS object). */
    decryptStatement(via?: string): pulumi.Output<Statement> {
        return pulumi
            .all([this.kmsKeyArn, this.region])
            .apply(([keyArn, region]) => keyUseStatement(keyArn, via ? { via: { service: via, region } } : {}));
    }

    /** Identity-policy statements: read exactly this secret, and decrypt it through Secrets Manager only. */
    secretReadStatements(secretArn: pulumi.Input<string>): pulumi.Output<Statement[]> {
        return pulumi
            .all([secretArn, this.kmsKeyArn, this.region])
            .apply(([arn, keyArn, region]) => secretReadStatements(arn, keyArn, region));
    }

    /**
     * A generated secret (for anything that cannot use IAM): the value comes from
     * @pulumi/random, is a Pulumi secret in state, and is stored in Secrets Manager under the
     * stack key. Resources are children of this component, named after `name`.
     */
    createGeneratedSecret(name: string, opts: GeneratedSecretOptions): GeneratedSecret {
        const password = new random.RandomPassword(
            childName(this.name, `${name}-value`),
            // No quotes, backslashes or spaces: the value survives shells, URLs and JSON unescaped.
            {
                length: opts.length ?? 32,
                special: true,
                overrideSpecial: "!#$%&*()-_=+[]{}<>:?",
                minLower: 1,
                minUpper: 1,
                minNumeric: 1,
            },
            { parent: this },
        );
        const secret = new aws.secretsmanager.Secret(
            childName(this.name, name),
            {
                description: opts.description,
                kmsKeyId: this.kmsKeyArn,
                recoveryWindowInDays: opts.recoveryWindowInDays ?? 30,
            },
            { parent: this },
        );
        new aws.secretsmanager.SecretVersion(
            childName(this.name, `${name}-version`),
            { secretId: secret.id, secretString: password.result },
            { parent: this },
        );
        return { secret, secretArn: secret.arn, value: pulumi.secret(password.result) };
    }
}
