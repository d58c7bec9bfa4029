/**
 * Keys and secrets: customer-managed KMS keys rotate and are never open to everyone, every
 * secret sits under a customer key, and secrets the stack creates are rotated.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { ofType, resolveThrough } from "./lib/graph";
import { PUBLIC_NEEDS, parsePolicy, statementLabel } from "./lib/iamDoc";
import { openToEveryone } from "./lib/fixedConditions";
import { WebfleetPolicy, resourceRule, stackRule } from "./lib/rule";
import { T, subject } from "./lib/types";
import { isCustomerKey, peek } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

const kmsKeyRotation = resourceRule({
    name: "kms-key-rotation",
    description: "Symmetric customer-managed KMS keys rotate their key material automatically.",
    severity: "medium",
    checks: "enableKeyRotation is true on symmetric ENCRYPT_DECRYPT keys with AWS-generated material",
    equivalents: {
        cdkNag: ["AwsSolutions-KMS5", "NIST.800.53.R5-KMSBackingKeyRotationEnabled"],
        checkov: ["CKV_AWS_7"],
        awsguard: ["cmk-backing-key-rotation-enabled"],
    },
    unknown: "advisory",
    requirement: "keys must rotate (set enableKeyRotation: true)",
    validate: [
        validateResourceOfType(aws.kms.Key, (key, args, report) => {
            const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
            const usage = key.keyUsage ?? "ENCRYPT_DECRYPT";
            if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT" || key.customKeyStoreId || key.xksKeyId) {
                return;
            }
            if (key.enableKeyRotation !== true) {
                report(
                    `${who(args)} does not rotate its key material; a leaked or broken key must age out (set enableKeyRotation: true)`,
                );
            }
        }),
    ],
});

function checkKeyPolicy(doc: unknown, args: ResourceValidationArgs, report: ReportViolation): void {
    const parsed = parsePolicy(doc, PUBLIC_NEEDS);
    if (!parsed.ok) {
        report(
            `${who(args)} has a key policy that is ${parsed.error}; the key policy must be a valid IAM policy document (fix the JSON)`,
        );
        return;
    }
    parsed.statements.forEach((s, i) => {
        if (openToEveryone(s) !== undefined) {
            report(
                `${who(args)} has a key policy whose ${statementLabel(s, i)} allows Principal "*"; the key must be usable only by named principals of the account (name the account root or roles, or confine "*" with a kms:CallerAccount / aws:PrincipalOrgID condition)`,
            );
        }
    });
}

const kmsNoWildcardPrincipal = resourceRule({
    name: "kms-no-wildcard-principal",
    description:
        "KMS key policies never allow a wildcard principal without confining it to the account or organization.",
    severity: "critical",
    checks: 'No Allow statement in a key policy (aws.kms.Key, ReplicaKey, ExternalKey, ReplicaExternalKey policy or aws.kms.KeyPolicy) has Principal "*" (or NotPrincipal) without a confining condition (kms:CallerAccount, aws:PrincipalOrgID, aws:SourceArn, …, positive operator, no wildcard-only values)',
    equivalents: { checkov: ["CKV_AWS_33"] },
    unknown: "advisory",
    unknownNote:
        "A key policy built from outputs is unknown at preview: an advisory note, and the rule runs on the real document at `pulumi up`, before the key is created. Without a policy, AWS's default key policy (the account root) applies, which passes.",
    requirement: "key policies must name their principals",
    validate: [
        validateResourceOfType(aws.kms.Key, (key, args, report) => checkKeyPolicy(key.policy, args, report)),
        validateResourceOfType(aws.kms.KeyPolicy, (kp, args, report) => checkKeyPolicy(kp.policy, args, report)),
        // Replicas of multi-Region keys and keys with imported material carry their own policies.
        validateResourceOfType(aws.kms.ReplicaKey, (key, args, report) => checkKeyPolicy(key.policy, args, report)),
        validateResourceOfType(aws.kms.ExternalKey, (key, args, report) => checkKeyPolicy(key.policy, args, report)),
        validateResourceOfType(aws.kms.ReplicaExternalKey, (key, args, report) =>
            checkKeyPolicy(key.policy, args, report),
        ),
    ],
});

const SECRET_FIX = "every secret must be encrypted with the project's customer-managed KMS key";

/** An RDS instance or cluster whose master password RDS manages keeps that secret under a customer key. */
function checkManagedMasterSecret(
    db: { manageMasterUserPassword?: boolean },
    args: ResourceValidationArgs,
    report: ReportViolation,
): void {
    if (db.manageMasterUserPassword !== true) {
        return;
    }
    if (!isCustomerKey(peek(db, "masterUserSecretKmsKeyId"))) {
        report(
            `${who(args)} keeps its RDS-managed master password secret under the AWS managed key aws/secretsmanager; ${SECRET_FIX} (set masterUserSecretKmsKeyId: key.arn)`,
        );
    }
}

const secretsManagerCmk = resourceRule({
    name: "secrets-manager-cmk",
    description:
        "Every Secrets Manager secret, including the RDS-managed master password, is encrypted with a customer-managed KMS key.",
    severity: "high",
    checks: "aws.secretsmanager.Secret kmsKeyId, and RDS masterUserSecretKmsKeyId when manageMasterUserPassword is on, name a customer key (not alias/aws/secretsmanager)",
    equivalents: { cdkNag: ["NIST.800.53.R5-SecretsManagerUsingKMSKey"], checkov: ["CKV_AWS_149"] },
    unknown: "reference",
    unknownNote:
        "An unknown key reference counts as the stack's customer key; an unknown manageMasterUserPassword is a violation.",
    requirement: `${SECRET_FIX} (set kmsKeyId: key.arn)`,
    validate: [
        validateResourceOfType(aws.secretsmanager.Secret, (secret, args, report) => {
            const key = peek(secret, "kmsKeyId");
            if (!isCustomerKey(key)) {
                report(
                    `${who(args)} is encrypted with the AWS managed key aws/secretsmanager; ${SECRET_FIX}, whose policy the stack controls (set kmsKeyId: key.arn)`,
                );
            }
        }),
        validateResourceOfType(aws.rds.Instance, checkManagedMasterSecret),
        validateResourceOfType(aws.rds.Cluster, checkManagedMasterSecret),
    ],
});

const secretsManagerRotation = stackRule({
    name: "secrets-manager-rotation",
    description: "Secrets the stack creates in Secrets Manager rotate automatically, so a leaked value ages out.",
    severity: "medium",
    resources: [T.secret, T.secretRotation],
    checks: "Each aws.secretsmanager.Secret has an aws.secretsmanager.SecretRotation (traced by ARN or property dependency, through a SecretPolicy or SecretVersion too); RDS-managed master passwords rotate by RDS and are not Secret resources",
    equivalents: {
        cdkNag: ["AwsSolutions-SMG4", "NIST.800.53.R5-SecretsManagerRotationEnabled"],
        checkov: ["CKV2_AWS_57"],
    },
    unknown: "violation",
    unknownNote:
        "A rotation whose secretId can be traced neither by value nor by dependency rotates no secret of the stack.",
    validate: (args, report: ReportViolation) => {
        const secrets = ofType(args.resources, T.secret);
        const rotations = ofType(args.resources, T.secretRotation);
        for (const secret of secrets) {
            const rotated = rotations.some((r) => resolveThrough(r, "secretId", [secret]).kind === "resolved");
            if (!rotated) {
                report(
                    `${subject(secret.type, secret.name)} never rotates; a secret that leaks stays valid until someone notices (add an aws.secretsmanager.SecretRotation with a rotation Lambda, or exempt a secret that holds no credential with the reason)`,
                    secret.urn,
                );
            }
        }
    },
});

export const kmsPolicies: WebfleetPolicy[] = [
    kmsKeyRotation,
    kmsNoWildcardPrincipal,
    secretsManagerCmk,
    secretsManagerRotation,
];
