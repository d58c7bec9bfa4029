/**
 * IAM identities: who may assume a role (no open trust, no web-identity trust without a
 * subject), and no IAM users with policies or long-lived credentials, since roles (for AWS
 * compute) and OIDC federation (for CI) never hand out a key that can leak.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { Statement, iamGlob, parsePolicy, statementLabel } from "./lib/iamDoc";
import { openToEveryone } from "./lib/fixedConditions";
import { WebfleetPolicy, resourceRule } from "./lib/rule";
import { subject } from "./lib/types";
import { peek } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

/** Subject prefixes that name only the kind of workload, not which one (GitHub, Kubernetes, GitLab). */
const GENERIC_SUBJECT_PREFIXES = ["", "repo:", "system:", "system:serviceaccount:", "project_path:"];

/** A subject value that names nothing: "*", "repo:*", "system:serviceaccount:*". */
function broadSubject(value: string): boolean {
    const prefix = value.split(/[*?]/)[0];
    return value !== prefix && GENERIC_SUBJECT_PREFIXES.includes(prefix.toLowerCase());
}

/** Values of positive string conditions (no ...IfExists, no negation) on keys matching `key`. */
function positiveValues(s: Statement, key: RegExp): string[] {
    const values: string[] = [];
    for (const [op, kv] of Object.entries(s.conditions)) {
        if (/IfExists$/i.test(op) || /Not/i.test(op) || !/String(Equals|Like)/i.test(op)) {
            continue;
        }
        for (const [k, v] of Object.entries(kv)) {
            if (key.test(k)) {
                values.push(...v);
            }
        }
    }
    return values;
}

/** Cognito identity pools federate through one provider for every pool of every account. */
function isCognito(s: Statement): boolean {
    return s.principals.some((p) => /^cognito-identity\.amazonaws\.com(\.cn)?$/i.test(p));
}

/**
 * The problem with a web-identity (OIDC) trust statement, or undefined when it is pinned: the
 * token's subject for an OIDC provider; for Cognito, whose subject is a per-user identity ID,
 * the identity pool (cognito-identity.amazonaws.com:aud), as AWS's role trust for identity pools does.
 */
function webIdentityProblem(s: Statement): string | undefined {
    if (isCognito(s)) {
        const pools = positiveValues(s, /^cognito-identity\.amazonaws\.com:aud$/i);
        if (pools.length === 0 || pools.some((p) => /^[*?]*$/.test(p.trim()) || /^[^:]*:?[*?]+$/.test(p.trim()))) {
            return "does not pin the identity pool (cognito-identity.amazonaws.com:aud), so an identity of any pool in any account qualifies";
        }
        return undefined;
    }
    const subs = positiveValues(s, /:sub$/i);
    if (subs.length === 0) {
        return "has no condition on the token's subject (<provider>:sub)";
    }
    const broad = subs.filter(broadSubject);
    return broad.length > 0 ? `lets any subject in (${broad.map((b) => JSON.stringify(b)).join(", ")})` : undefined;
}

/** A Federated trust whose actions (any spelling: "sts:AssumeRoleWith*", "sts:*") include AssumeRoleWithWebIdentity. */
function isWebIdentity(s: Statement): boolean {
    return (
        s.principalTypes.includes("Federated") &&
        s.actions.some((a) => iamGlob(a.trim()).test("sts:AssumeRoleWithWebIdentity"))
    );
}

function checkTrust(doc: unknown, args: ResourceValidationArgs, report: ReportViolation): void {
    const parsed = parsePolicy(doc, { fields: ["Action", "Principal", "NotPrincipal", "Condition"], effect: "Allow" });
    if (!parsed.ok) {
        report(
            `${who(args)} has a trust policy that is ${parsed.error}; a role's trust policy must be a valid IAM policy document (fix the JSON)`,
        );
        return;
    }
    parsed.statements.forEach((s, i) => {
        if (s.effect !== "Allow") {
            return;
        }
        if (openToEveryone(s) !== undefined) {
            report(
                `${who(args)} has a trust policy whose ${statementLabel(s, i)} lets any AWS principal assume the role; a role is assumed only by named principals (name the account, role or service, or confine "*" with an aws:PrincipalOrgID / aws:PrincipalAccount condition)`,
            );
            return;
        }
        const problem = isWebIdentity(s) ? webIdentityProblem(s) : undefined;
        if (problem) {
            report(
                isCognito(s)
                    ? `${who(args)} has a web-identity trust whose ${statementLabel(s, i)} ${problem}; pin the pool (StringEquals "cognito-identity.amazonaws.com:aud": "<region>:<identity pool ID>", with an amr condition for authenticated identities)`
                    : `${who(args)} has a web-identity trust whose ${statementLabel(s, i)} ${problem}, so any workload of the identity provider (any repository, any service account) can assume the role; pin the subject (e.g. StringEquals "token.actions.githubusercontent.com:sub": "repo:<org>/<repo>:environment:prod")`,
            );
        }
    });
}

const iamTrustPolicyRestricted = resourceRule({
    name: "iam-trust-policy-restricted",
    description:
        "Role trust policies name who may assume the role: no wildcard principal without an account or organization condition, no web-identity (OIDC) trust without a pinned subject.",
    severity: "critical",
    checks: 'assumeRolePolicy Allow statements: Principal "*" (or NotPrincipal) only with a confining condition; Federated principals with sts:AssumeRoleWithWebIdentity (in any spelling) only with a StringEquals/StringLike condition on <provider>:sub that is not a bare wildcard (repo:*), or for Cognito identity pools on cognito-identity.amazonaws.com:aud',
    equivalents: { checkov: ["CKV_AWS_60", "CKV_AWS_61", "CKV_AWS_358"] },
    unknown: "advisory",
    requirement: "role trust policies must name who may assume the role",
    validate: [
        validateResourceOfType(aws.iam.Role, (role, args, report) => checkTrust(role.assumeRolePolicy, args, report)),
    ],
});

const USER_FIX =
    "give permissions to roles (assumed by compute, by people through SSO, by CI through OIDC) or to groups, never to users directly";

const iamNoUserPolicies = resourceRule({
    name: "iam-no-user-policies",
    description: "IAM users get no policies of their own; permissions go to roles or groups.",
    severity: "medium",
    checks: "No aws.iam.UserPolicy, UserPolicyAttachment, UserPolicyAttachmentsExclusive with policies, or PolicyAttachment naming users",
    equivalents: {
        cdkNag: ["NIST.800.53.R5-IAMUserNoPolicies"],
        checkov: ["CKV_AWS_40", "CKV_AWS_273"],
    },
    unknown: "advisory",
    requirement: USER_FIX,
    validate: [
        validateResourceOfType(aws.iam.UserPolicy, (_p, args, report) =>
            report(`${who(args)} gives an IAM user an inline policy; ${USER_FIX}`),
        ),
        validateResourceOfType(aws.iam.UserPolicyAttachment, (_p, args, report) =>
            report(`${who(args)} attaches a policy to an IAM user; ${USER_FIX}`),
        ),
        validateResourceOfType(aws.iam.UserPolicyAttachmentsExclusive, (p, args, report) => {
            if ((p.policyArns ?? []).length > 0) {
                report(`${who(args)} attaches policies to an IAM user; ${USER_FIX}`);
            }
        }),
        validateResourceOfType(aws.iam.PolicyAttachment, (p, args, report) => {
            const users = peek<unknown[]>(p, "users");
            if (!users.known || (Array.isArray(users.value) && users.value.length > 0)) {
                report(`${who(args)} attaches a policy to IAM users; ${USER_FIX}`);
            }
        }),
    ],
});

const CREDENTIAL_FIX =
    "people sign in through SSO and workloads assume roles (instance profiles, Lambda roles, OIDC from CI), so no key or password can leak";

const iamNoLongLivedCredentials = resourceRule({
    name: "iam-no-long-lived-credentials",
    description:
        "The stack creates no long-lived IAM credentials: no active access keys, SSH keys, signing certificates, console passwords or service-specific credentials for IAM users.",
    severity: "high",
    checks: "No aws.iam.AccessKey, aws.iam.SshKey or aws.iam.SigningCertificate (unless status Inactive), aws.iam.UserLoginProfile or aws.iam.ServiceSpecificCredential",
    equivalents: {
        checkov: ["CKV_AWS_273"],
        awsguard: ["access-keys-rotated", "mfa-enabled-for-iam-console-access"],
    },
    unknown: "advisory",
    requirement: CREDENTIAL_FIX,
    validate: [
        validateResourceOfType(aws.iam.AccessKey, (k, args, report) => {
            if ((k.status ?? "Active").toLowerCase() !== "inactive") {
                report(
                    `${who(args)} creates a long-lived access key for IAM user ${JSON.stringify(k.user)}, which lives in the stack's state and wherever it is copied; ${CREDENTIAL_FIX}`,
                );
            }
        }),
        validateResourceOfType(aws.iam.UserLoginProfile, (p, args, report) =>
            report(`${who(args)} gives IAM user ${JSON.stringify(p.user)} a console password; ${CREDENTIAL_FIX}`),
        ),
        validateResourceOfType(aws.iam.SshKey, (k, args, report) => {
            if ((k.status ?? "Active").toLowerCase() !== "inactive") {
                report(
                    `${who(args)} uploads an SSH public key for IAM user ${JSON.stringify(k.username)}, a long-lived CodeCommit credential; ${CREDENTIAL_FIX} (CodeCommit over HTTPS with git-remote-codecommit and a role)`,
                );
            }
        }),
        validateResourceOfType(aws.iam.SigningCertificate, (c, args, report) => {
            if ((c.status ?? "Active").toLowerCase() !== "inactive") {
                report(
                    `${who(args)} gives IAM user ${JSON.stringify(c.userName)} an X.509 signing certificate, a long-lived credential; ${CREDENTIAL_FIX}`,
                );
            }
        }),
        validateResourceOfType(aws.iam.ServiceSpecificCredential, (c, args, report) =>
            report(
                `${who(args)} creates a long-lived ${c.serviceName} credential for IAM user ${JSON.stringify(c.userName)}; ${CREDENTIAL_FIX}`,
            ),
        ),
    ],
});

export const iamIdentityPolicies: WebfleetPolicy[] = [
    iamTrustPolicyRestricted,
    iamNoUserPolicies,
    iamNoLongLivedCredentials,
];
