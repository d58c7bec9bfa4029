/**
 * Keys, secrets and IAM: the project's KMS key rotates and is never open to everyone, every
 * secret sits under a customer key, and no IAM policy grants every action or administrator
 * access. Resource wildcards are reported as advice.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { Statement, iamGlob, parsePolicy, statementLabel } from "./lib/iamDoc";
import { WebfleetPolicy, configOf, resourceRule } from "./lib/rule";
import { subject } from "./lib/types";
import { Peeked, peek } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

const kmsKeyRotation = resourceRule({
    name: "kms-key-rotation",
    description: "Symmetric customer-managed KMS keys rotate their key material automatically.",
    severity: "medium",
    enforcementLevel: "mandatory",
    checks: "enableKeyRotation is true on symmetric ENCRYPT_DECRYPT keys with AWS-generated material",
    equivalents: [
        "AwsSolutions-KMS5",
        "CKV_AWS_7",
        "NIST.800.53.R5-KMSBackingKeyRotationEnabled",
        "awsguard cmk-backing-key-rotation-enabled",
    ],
    unknown: "violation",
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

/** Condition keys that confine a "*" principal to one account or organization. */
const CONFINING_KEYS = [
    "kms:calleraccount",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:sourceaccount",
    "aws:principalarn",
    "aws:sourcearn",
];

function checkKeyPolicy(doc: unknown, args: ResourceValidationArgs, report: ReportViolation): void {
    const parsed = parsePolicy(doc);
    if (!parsed.ok) {
        report(
            `${who(args)} has a key policy that is ${parsed.error}; the key policy must be a valid IAM policy document (fix the JSON)`,
        );
        return;
    }
    parsed.statements.forEach((s, i) => {
        const open =
            s.effect === "Allow" &&
            s.principals.includes("*") &&
            !s.conditionKeys.some((k) => CONFINING_KEYS.includes(k.toLowerCase()));
        if (open) {
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
    enforcementLevel: "mandatory",
    checks: 'No Allow statement in a key policy (aws.kms.Key policy or aws.kms.KeyPolicy) has Principal "*" without an account/org condition',
    equivalents: ["CKV_AWS_33"],
    unknown: "advisory",
    unknownNote:
        "A key policy built from outputs is unknown at preview: the engine notes it as advisory and the rule runs on the real document at `pulumi up`, before the key is created. Without a policy, AWS's default key policy (the account root) applies, which passes.",
    requirement: "key policies must name their principals",
    validate: [
        validateResourceOfType(aws.kms.Key, (key, args, report) => checkKeyPolicy(key.policy, args, report)),
        validateResourceOfType(aws.kms.KeyPolicy, (kp, args, report) => checkKeyPolicy(kp.policy, args, report)),
    ],
});

function keySet(p: Peeked<unknown>): boolean {
    return !p.known || (typeof p.value === "string" && p.value !== "");
}

function isAwsManagedKey(p: Peeked<unknown>): boolean {
    return p.known && typeof p.value === "string" && /(^|:)alias\/aws\//.test(p.value);
}

const SECRET_FIX = "every secret must be encrypted with the project's customer-managed KMS key";

const secretsManagerCmk = resourceRule({
    name: "secrets-manager-cmk",
    description:
        "Every Secrets Manager secret, including the RDS-managed master password, is encrypted with a customer-managed KMS key.",
    severity: "high",
    enforcementLevel: "mandatory",
    checks: "aws.secretsmanager.Secret kmsKeyId, and RDS masterUserSecretKmsKeyId when manageMasterUserPassword is on, name a customer key (not alias/aws/secretsmanager)",
    equivalents: ["CKV_AWS_149", "NIST.800.53.R5-SecretsManagerUsingKMSKey"],
    unknown: "reference",
    unknownNote:
        "An unknown key reference counts as the stack's customer key; an unknown manageMasterUserPassword is a violation.",
    requirement: `${SECRET_FIX} (set kmsKeyId: key.arn)`,
    validate: [
        validateResourceOfType(aws.secretsmanager.Secret, (secret, args, report) => {
            const key = peek(secret, "kmsKeyId");
            if (!keySet(key) || isAwsManagedKey(key)) {
                report(
                    `${who(args)} is encrypted with the AWS managed key aws/secretsmanager; ${SECRET_FIX}, whose policy the stack controls (set kmsKeyId: key.arn)`,
                );
            }
        }),
        validateResourceOfType(aws.rds.Instance, (db, args, report) => {
            if (db.manageMasterUserPassword !== true) {
                return;
            }
            const key = peek(db, "masterUserSecretKmsKeyId");
            if (!keySet(key) || isAwsManagedKey(key)) {
                report(
                    `${who(args)} keeps its RDS-managed master password secret under the AWS managed key aws/secretsmanager; ${SECRET_FIX} (set masterUserSecretKmsKeyId: key.arn)`,
                );
            }
        }),
        validateResourceOfType(aws.rds.Cluster, (db, args, report) => {
            if (db.manageMasterUserPassword !== true) {
                return;
            }
            const key = peek(db, "masterUserSecretKmsKeyId");
            if (!keySet(key) || isAwsManagedKey(key)) {
                report(
                    `${who(args)} keeps its RDS-managed master password secret under the AWS managed key aws/secretsmanager; ${SECRET_FIX} (set masterUserSecretKmsKeyId: key.arn)`,
                );
            }
        }),
    ],
});

type PolicyCheck = (
    statements: Statement[],
    label: string,
    args: ResourceValidationArgs,
    report: ReportViolation,
) => void;

/** Runs `check` on every identity policy document a resource holds. */
function onPolicyDocuments(check: PolicyCheck) {
    const run = (doc: unknown, label: string, args: ResourceValidationArgs, report: ReportViolation) => {
        const parsed = parsePolicy(doc);
        if (!parsed.ok) {
            report(
                `${who(args)} has ${label} that is ${parsed.error}; IAM policies must be valid JSON documents (fix the document)`,
            );
            return;
        }
        check(parsed.statements, label, args, report);
    };
    return [
        validateResourceOfType(aws.iam.Policy, (p, args, report) => run(p.policy, "a policy document", args, report)),
        validateResourceOfType(aws.iam.RolePolicy, (p, args, report) =>
            run(p.policy, "a policy document", args, report),
        ),
        validateResourceOfType(aws.iam.UserPolicy, (p, args, report) =>
            run(p.policy, "a policy document", args, report),
        ),
        validateResourceOfType(aws.iam.GroupPolicy, (p, args, report) =>
            run(p.policy, "a policy document", args, report),
        ),
        validateResourceOfType(aws.iam.Role, (role, args, report) => {
            const inline = role.inlinePolicies ?? [];
            for (let i = 0; i < inline.length; i++) {
                run(inline[i].policy, `inline policy '${inline[i].name ?? i}'`, args, report);
            }
        }),
    ];
}

function isFullWildcard(action: string): boolean {
    return action === "*" || action === "*:*";
}

const iamNoWildcardAction = resourceRule({
    name: "iam-no-wildcard-action",
    description:
        'No IAM policy allows every action ("*") or allows by exclusion (NotAction), so no identity becomes an administrator by accident.',
    severity: "critical",
    enforcementLevel: "mandatory",
    checks: 'No Allow statement in identity policies (Policy, RolePolicy, UserPolicy, GroupPolicy, Role inlinePolicies) has Action "*" or NotAction',
    equivalents: [
        "CKV_AWS_62",
        "CKV_AWS_63",
        "AwsSolutions-IAM5",
        "NIST.800.53.R5-IAMPolicyNoStatementsWithAdminAccess",
    ],
    unknown: "advisory",
    unknownNote:
        "Policy documents built from ARNs are unknown at preview: the engine notes it as advisory and the rule runs on the real document at `pulumi up`, before the policy is created; the offline preview always sees it.",
    requirement: "policies must list the actions they allow",
    validate: onPolicyDocuments((statements, label, args, report) => {
        statements.forEach((s, i) => {
            if (s.effect !== "Allow") {
                return;
            }
            if (s.actions.some(isFullWildcard)) {
                report(
                    `${who(args)} has ${label} whose ${statementLabel(s, i)} allows every action ("*"); policies must list the actions they need (replace "*" with the specific actions, e.g. "s3:GetObject")`,
                );
            } else if (s.notActions.length > 0) {
                report(
                    `${who(args)} has ${label} whose ${statementLabel(s, i)} allows by exclusion (NotAction), which grants every other action, present and future; policies must list the actions they need (use Action with specific actions)`,
                );
            }
        });
    }),
});

const ADMIN_DEFAULTS = ["AdministratorAccess"];

function managedPolicyName(arn: string): string | undefined {
    const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
    return m ? m[1] : undefined;
}

function checkArn(
    arn: Peeked<unknown>,
    forbidden: string[],
    args: ResourceValidationArgs,
    report: ReportViolation,
): void {
    if (!arn.known || typeof arn.value !== "string") {
        return;
    }
    const name = managedPolicyName(arn.value);
    if (name && forbidden.includes(name)) {
        report(
            `${who(args)} attaches the AWS managed policy ${name}; no identity of the stack may hold administrator access (attach a policy that lists only the actions it needs)`,
        );
    }
}

const iamNoAdminAccess = resourceRule({
    name: "iam-no-admin-access",
    description:
        "No role, user or group of the stack is given the AdministratorAccess managed policy (or another configured one).",
    severity: "critical",
    enforcementLevel: "mandatory",
    checks: "Policy attachments and Role managedPolicyArns do not use arn:aws:iam::aws:policy/AdministratorAccess (config: forbiddenPolicies)",
    equivalents: ["CKV_AWS_274", "AwsSolutions-IAM4"],
    unknown: "reference",
    unknownNote:
        "AWS managed policy ARNs are literals; an ARN unknown at preview is a policy created by the stack, which iam-no-wildcard-action checks.",
    requirement: "no identity may hold administrator access",
    config: {
        forbiddenPolicies: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: ADMIN_DEFAULTS,
            description: "AWS managed policy names no identity may have.",
        },
    },
    validate: [
        ...[
            aws.iam.RolePolicyAttachment,
            aws.iam.UserPolicyAttachment,
            aws.iam.GroupPolicyAttachment,
            aws.iam.PolicyAttachment,
        ].map((cls) =>
            validateResourceOfType(cls as typeof aws.iam.RolePolicyAttachment, (a, args, report) => {
                checkArn(
                    peek(a, "policyArn"),
                    configOf(args, { forbiddenPolicies: ADMIN_DEFAULTS }).forbiddenPolicies,
                    args,
                    report,
                );
            }),
        ),
        validateResourceOfType(aws.iam.Role, (role, args, report) => {
            const { forbiddenPolicies } = configOf(args, { forbiddenPolicies: ADMIN_DEFAULTS });
            const arns = peek<unknown[]>(role, "managedPolicyArns");
            const n = arns.known && Array.isArray(arns.value) ? arns.value.length : 0;
            for (let i = 0; i < n; i++) {
                checkArn(peek(role, "managedPolicyArns", i), forbiddenPolicies, args, report);
            }
        }),
    ],
});

const DEFAULT_IGNORED_ACTIONS = [
    // Actions that support no resource-level permission: "*" is the only Resource they accept.
    "cloudwatch:PutMetricData",
    "ec2:Describe*",
    "ssm:UpdateInstanceInformation",
    "ssmmessages:*",
    "ec2messages:*",
    // The SSM agent's own State Manager calls about the instance it runs on (AWS's managed
    // instance policies grant them on "*"); the document an association runs is named instead.
    "ssm:ListInstanceAssociations",
    "ssm:UpdateInstanceAssociationStatus",
    "ssm:PutComplianceItems",
    "logs:DescribeLogGroups",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "sts:GetCallerIdentity",
    // A Lambda function in a VPC manages its ENIs; AWSLambdaVPCAccessExecutionRole grants these on "*".
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
];

const iamResourceWildcard = resourceRule({
    name: "iam-resource-wildcard",
    description:
        'IAM policies name the resources they allow access to instead of "*", except for actions that accept nothing else.',
    severity: "medium",
    enforcementLevel: "advisory",
    checks: 'Allow statements with Resource "*" (or NotResource) only for actions in ignoredActions',
    equivalents: ["CKV_AWS_355", "AwsSolutions-IAM5"],
    unknown: "advisory",
    requirement: "policies should name their resources",
    config: {
        ignoredActions: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: DEFAULT_IGNORED_ACTIONS,
            description: 'Actions (IAM wildcards allowed) that may use Resource "*".',
        },
    },
    validate: onPolicyDocuments((statements, label, args, report) => {
        const { ignoredActions } = configOf(args, { ignoredActions: DEFAULT_IGNORED_ACTIONS });
        const ignored = ignoredActions.map(iamGlob);
        statements.forEach((s, i) => {
            if (s.effect !== "Allow") {
                return;
            }
            const wildcard = s.resources.includes("*") || s.notResources.length > 0;
            if (!wildcard) {
                return;
            }
            const flagged = s.actions.filter((a) => !ignored.some((re) => re.test(a)));
            if (flagged.length > 0 || s.notActions.length > 0) {
                const actions = flagged.length > 0 ? flagged.join(", ") : "NotAction";
                report(
                    `${who(args)} has ${label} whose ${statementLabel(s, i)} allows ${actions} on every resource ("*"); policies should name the resources they touch (set Resource to the ARNs the actions need, or add the actions to ignoredActions if they accept no resource)`,
                );
            }
        });
    }),
});

export const secretsAndIamPolicies: WebfleetPolicy[] = [
    kmsKeyRotation,
    kmsNoWildcardPrincipal,
    secretsManagerCmk,
    iamNoWildcardAction,
    iamNoAdminAccess,
    iamResourceWildcard,
];
