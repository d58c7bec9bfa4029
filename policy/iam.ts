/**
 * IAM policies: no identity policy grants every action, every action of a sensitive service, or
 * by exclusion; no identity gets an administrator, power-user or full-access managed policy,
 * however attached; resource wildcards are reported as advice.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { DEFAULT_IGNORED_ACTIONS, TAKEOVER_ACTIONS, escalationsNamed } from "./lib/iamActions";
import { Statement, iamGlob, isScopedByResourceTag, parsePolicy, statementLabel } from "./lib/iamDoc";
import { WebfleetPolicy, configOf, resourceRule } from "./lib/rule";
import { subject } from "./lib/types";
import { peek } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

type PolicyCheck = (
    statements: Statement[],
    label: string,
    args: ResourceValidationArgs,
    report: ReportViolation,
) => void;

/** Runs `check` on every identity policy document; only one rule (reportInvalid) reports a broken document. */
function onPolicyDocuments(check: PolicyCheck, reportInvalid = false) {
    const run = (doc: unknown, label: string, args: ResourceValidationArgs, report: ReportViolation) => {
        const parsed = parsePolicy(doc);
        if (!parsed.ok) {
            if (!reportInvalid) {
                return;
            }
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
        // An Identity Center permission set's inline policy lands in every account it is assigned to.
        validateResourceOfType(aws.ssoadmin.PermissionSetInlinePolicy, (p, args, report) =>
            run(p.inlinePolicy, "an inline policy", args, report),
        ),
        validateResourceOfType(aws.iam.Role, (role, args, report) => {
            const inline = role.inlinePolicies ?? [];
            for (let i = 0; i < inline.length; i++) {
                run(inline[i].policy, `inline policy '${inline[i].name ?? i}'`, args, report);
            }
        }),
    ];
}

/** "*", "**", "*:*", "*:**": patterns that match every action of every service. */
function isFullWildcard(action: string): boolean {
    return /^\*[*?]*(:[*?]*\*[*?]*)?$/.test(action.trim());
}

/** Services where "<service>:*" hands over the account: identities, keys, secrets, governance. */
export const SENSITIVE_SERVICES = [
    "iam",
    "sts",
    "kms",
    "secretsmanager",
    "ssm",
    "organizations",
    "account",
    "sso",
    "identitystore",
    "cloudtrail",
    "config",
    "guardduty",
    "securityhub",
    "ram",
    "lambda",
];

/** "iam:*", "IAM:*", "kms:**": every action of one service. */
function serviceWide(action: string): string | undefined {
    const m = /^([A-Za-z0-9-]+):[*?]+$/.exec(action.trim());
    return m ? m[1].toLowerCase() : undefined;
}

/** The takeover actions of the sensitive services that a wildcard pattern ("iam:Pass*", "ssm:Send*") covers. */
function takeoversCovered(action: string, sensitiveServices: string[]): string[] {
    if (!/[*?]/.test(action)) {
        return [];
    }
    const re = iamGlob(action.trim());
    return TAKEOVER_ACTIONS.filter((t) => sensitiveServices.includes(t.split(":")[0]) && re.test(t));
}

const iamNoSensitiveServiceWildcard = resourceRule({
    name: "iam-no-sensitive-service-wildcard",
    description:
        'No IAM policy allows every action of a sensitive service ("iam:*", "kms:*", "sts:*", "secretsmanager:*", …), each of which hands over the account or its secrets.',
    severity: "critical",
    checks: 'No Allow statement in identity policies (Policy, RolePolicy, UserPolicy, GroupPolicy, Role inlinePolicies, Identity Center permission set inline policies) has an action <service>:* for a service in sensitiveServices, nor, on Resource "*" (or NotResource) not narrowed by a resource-tag condition, a wildcard ("iam:Pass*", "iam:Put*", "ssm:Send*") covering an action that hands over the account (privilege escalation, every secret, running code as another identity, disabling detection), or an IAM escalation named exactly (iam:PassRole, iam:AttachRolePolicy, iam:CreateAccessKey, …; policy attachments and inline policies pass with a fixed iam:PermissionsBoundary condition)',
    equivalents: {
        checkov: ["CKV_AWS_286", "CKV_AWS_287", "CKV_AWS_289", "CKV_AWS_290"],
        cdkNag: ["AwsSolutions-IAM5", "NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess"],
    },
    unknown: "advisory",
    requirement: "policies must list the actions of sensitive services they need",
    config: {
        sensitiveServices: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: SENSITIVE_SERVICES,
            description: "Services whose service-wide wildcard is refused.",
        },
    },
    validate: onPolicyDocuments((statements, label, args, report) => {
        const { sensitiveServices } = configOf(args, { sensitiveServices: SENSITIVE_SERVICES });
        statements.forEach((s, i) => {
            if (s.effect !== "Allow") {
                return;
            }
            const hits = s.actions.filter((a) => {
                const svc = serviceWide(a);
                return svc !== undefined && sensitiveServices.includes(svc);
            });
            if (hits.length > 0) {
                report(
                    `${who(args)} has ${label} whose ${statementLabel(s, i)} allows ${hits.join(", ")}, every action of a service that controls identities, keys or secrets; policies must list the actions they need (e.g. "kms:Decrypt" on the key's ARN)`,
                );
                return;
            }
            const everywhere = s.resources.includes("*") || s.notResources.length > 0;
            if (!everywhere || isScopedByResourceTag(s)) {
                return;
            }
            const covered = s.actions.map((a) => [a, takeoversCovered(a, sensitiveServices)] as const);
            const risky = covered.filter(([, t]) => t.length > 0);
            if (risky.length > 0) {
                const detail = risky.map(([a, t]) => `${a} (covers ${t.join(", ")})`).join(", ");
                report(
                    `${who(args)} has ${label} whose ${statementLabel(s, i)} allows ${detail} on every resource ("*"), a wildcard over actions that hand over the account or its secrets; policies must list the actions they need and name their resources (e.g. "iam:PassRole" on the one role's ARN, with an iam:PassedToService condition)`,
                );
            }
            const named = escalationsNamed(s, sensitiveServices);
            if (named.length > 0) {
                report(
                    `${who(args)} has ${label} whose ${statementLabel(s, i)} allows ${named.join(", ")} on every resource ("*"), which lets it take any role's or user's permissions (an administrator's included); name the roles, users or policies in Resource (e.g. "iam:PassRole" on the one role's ARN, with an iam:PassedToService condition), or pin iam:PermissionsBoundary for policy attachments`,
                );
            }
        });
    }),
});

const iamNoWildcardAction = resourceRule({
    name: "iam-no-wildcard-action",
    description:
        'No IAM policy allows every action ("*") or allows by exclusion (NotAction), so no identity becomes an administrator by accident.',
    severity: "critical",
    checks: 'No Allow statement in identity policies (Policy, RolePolicy, UserPolicy, GroupPolicy, Role inlinePolicies) has Action "*" or NotAction',
    equivalents: {
        cdkNag: ["AwsSolutions-IAM5", "NIST.800.53.R5-IAMPolicyNoStatementsWithAdminAccess"],
        checkov: ["CKV_AWS_62", "CKV_AWS_63"],
    },
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
    }, true),
});

/** AWS managed policies that make an identity an administrator of the account or of a whole service. */
export const FORBIDDEN_MANAGED_POLICIES = [
    "AdministratorAccess",
    // AdministratorAccess-Amplify, AdministratorAccess-AWSElasticBeanstalk: iam:PassRole and more on "*".
    "AdministratorAccess-*",
    // The job-function policies for administrators: every EC2 action, iam:PassRole, and more.
    "SystemAdministrator",
    "NetworkAdministrator",
    "DatabaseAdministrator",
    "PowerUserAccess",
    "IAMFullAccess",
    "*FullAccess",
    "*FullAccess_v2",
    "AWSKeyManagementServicePowerUser",
    "SecretsManagerReadWrite",
    "AmazonEC2RoleforSSM",
];

function managedPolicyName(arn: string): string | undefined {
    const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
    return m ? m[1] : undefined;
}

function checkArn(arn: unknown, forbidden: string[], args: ResourceValidationArgs, report: ReportViolation): void {
    if (typeof arn !== "string") {
        return;
    }
    const name = managedPolicyName(arn);
    const hit = name ? forbidden.find((f) => iamGlob(f).test(name)) : undefined;
    if (name && hit) {
        report(
            `${who(args)} attaches the AWS managed policy ${name}, which grants administrator, power-user or full-service access; identities get only the actions they need (attach a customer policy that lists them)`,
        );
    }
}

/** Each way to attach a managed policy by ARN: the property and whether it is a list. */
const ATTACHMENTS: [unknown, string, boolean][] = [
    [aws.iam.RolePolicyAttachment, "policyArn", false],
    [aws.iam.UserPolicyAttachment, "policyArn", false],
    [aws.iam.GroupPolicyAttachment, "policyArn", false],
    [aws.iam.PolicyAttachment, "policyArn", false],
    [aws.iam.RolePolicyAttachmentsExclusive, "policyArns", true],
    [aws.iam.UserPolicyAttachmentsExclusive, "policyArns", true],
    [aws.iam.GroupPolicyAttachmentsExclusive, "policyArns", true],
    [aws.iam.Role, "managedPolicyArns", true],
];

const iamNoAdminAccess = resourceRule({
    name: "iam-no-admin-access",
    description:
        "No role, user or group is given an administrator, power-user or full-access AWS managed policy, however it is attached.",
    severity: "critical",
    checks: "Policy attachments (role, user, group, PolicyAttachment), the *PolicyAttachmentsExclusive resources and Role managedPolicyArns use no policy in forbiddenPolicies (AdministratorAccess, PowerUserAccess, IAMFullAccess, *FullAccess, …; IAM wildcards allowed)",
    equivalents: {
        cdkNag: ["AwsSolutions-IAM4"],
        checkov: ["CKV_AWS_274"],
    },
    unknown: "reference",
    unknownNote:
        "AWS managed policy ARNs are literals; an ARN unknown at preview is a policy created by the stack, which the wildcard rules check.",
    requirement: "no identity may hold administrator or full-service access",
    config: {
        forbiddenPolicies: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: FORBIDDEN_MANAGED_POLICIES,
            description: "AWS managed policy names (IAM wildcards allowed) no identity may have.",
        },
    },
    validate: ATTACHMENTS.map(([cls, prop, list]) =>
        validateResourceOfType(cls as typeof aws.iam.Role, (r, args, report) => {
            const { forbiddenPolicies } = configOf(args, { forbiddenPolicies: FORBIDDEN_MANAGED_POLICIES });
            const value = peek<unknown>(r, prop);
            if (!value.known) {
                return;
            }
            const arns = list ? (Array.isArray(value.value) ? value.value : []) : [value.value];
            for (let i = 0; i < arns.length; i++) {
                const arn = list ? peek(r, prop, i) : value;
                if (arn.known) {
                    checkArn(arn.value, forbiddenPolicies, args, report);
                }
            }
        }),
    ),
});

const iamResourceWildcard = resourceRule({
    name: "iam-resource-wildcard",
    description:
        'IAM policies name the resources they allow access to instead of "*", except for actions that accept nothing else.',
    severity: "medium",
    checks: 'Allow statements with Resource "*" (or NotResource) only for actions in ignoredActions, or with Resource "*" narrowed by a positive aws:ResourceTag/<key> (or <service>:ResourceTag/<key>) condition that is not ...IfExists',
    equivalents: { cdkNag: ["AwsSolutions-IAM5"], checkov: ["CKV_AWS_355"] },
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
            // Resource "*" narrowed by the resources' tags (ABAC) names its resources another way.
            if (!wildcard || (s.notResources.length === 0 && isScopedByResourceTag(s))) {
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

export const iamPolicies: WebfleetPolicy[] = [
    iamNoWildcardAction,
    iamNoSensitiveServiceWildcard,
    iamNoAdminAccess,
    iamResourceWildcard,
];
