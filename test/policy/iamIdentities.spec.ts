import { T } from "../../policy/lib/types";
import { ResourceCase, UNKNOWN, describeRule } from "./helpers";

const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const role = (...statements: unknown[]): ResourceCase => ({
    type: T.iamRole,
    name: "deploy",
    props: { assumeRolePolicy: doc(...statements) },
});
const GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const github = (condition: Record<string, unknown> | undefined) => ({
    Effect: "Allow",
    Principal: { Federated: GITHUB },
    Action: "sts:AssumeRoleWithWebIdentity",
    ...(condition ? { Condition: condition } : {}),
});

const SSH_KEY = "aws:iam/sshKey:SshKey";
const SIGNING_CERT = "aws:iam/signingCertificate:SigningCertificate";

describe("policy: IAM identities", () => {
    const OPEN =
        'a role is assumed only by named principals (name the account, role or service, or confine "*" with an aws:PrincipalOrgID / aws:PrincipalAccount condition)';
    const PIN =
        'so any workload of the identity provider (any repository, any service account) can assume the role; pin the subject (e.g. StringEquals "token.actions.githubusercontent.com:sub": "repo:<org>/<repo>:environment:prod")';
    const COGNITO =
        'pin the pool (StringEquals "cognito-identity.amazonaws.com:aud": "<region>:<identity pool ID>", with an amr condition for authenticated identities)';
    describeRule<ResourceCase>("iam-trust-policy-restricted", {
        compliant: [
            {
                title: "a service principal confined to the account",
                case: role({
                    Effect: "Allow",
                    Principal: { Service: "lambda.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
                }),
            },
            {
                title: "GitHub OIDC pinned to one repository's environment, with the audience",
                case: role(
                    github({
                        StringEquals: {
                            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                            "token.actions.githubusercontent.com:sub": "repo:acme/webfleet:environment:prod",
                        },
                    }),
                ),
            },
            {
                title: "an EKS service account trust with StringLike on a namespace",
                case: role({
                    Effect: "Allow",
                    Principal: {
                        Federated: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
                    },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringLike: {
                            "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:payments:*",
                        },
                    },
                }),
            },
            {
                title: 'Principal "*" confined to the organization',
                case: role({
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
                }),
            },
            {
                title: "a Cognito identity pool trust pinned to its pool (aud) for authenticated identities",
                case: role({
                    Effect: "Allow",
                    Principal: { Federated: "cognito-identity.amazonaws.com" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            "cognito-identity.amazonaws.com:aud": "us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                        },
                        "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
                    },
                }),
            },
            {
                title: 'Principal "*" confined by aws:PrincipalArn in the account, and a SAML trust',
                case: role(
                    {
                        Effect: "Allow",
                        Principal: "*",
                        Action: "sts:AssumeRole",
                        Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/ci-*" } },
                    },
                    {
                        Effect: "Allow",
                        Principal: { Federated: "arn:aws:iam::123456789012:saml-provider/okta" },
                        Action: "sts:AssumeRoleWithSAML",
                        Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
                    },
                ),
            },
        ],
        violations: [
            {
                title: 'Principal "*" with no condition',
                case: role({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
                messages: [
                    `IAM role 'deploy' has a trust policy whose statement 1 lets any AWS principal assume the role; ${OPEN}`,
                ],
            },
            {
                title: "every account's root (arn:aws:iam::*:root)",
                case: role({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::*:root" }, Action: "sts:AssumeRole" }),
                messages: [
                    `IAM role 'deploy' has a trust policy whose statement 1 lets any AWS principal assume the role; ${OPEN}`,
                ],
            },
            {
                title: "GitHub OIDC with only the audience checked",
                case: role(
                    github({ StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } }),
                ),
                messages: [
                    `IAM role 'deploy' has a web-identity trust whose statement 1 has no condition on the token's subject (<provider>:sub), ${PIN}`,
                ],
            },
            {
                title: "GitHub OIDC with sub repo:*",
                case: role(github({ StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } })),
                messages: [
                    `IAM role 'deploy' has a web-identity trust whose statement 1 lets any subject in ("repo:*"), ${PIN}`,
                ],
            },
            {
                title: 'Principal "*" "confined" by aws:PrincipalArn with a wildcard account',
                case: role({
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: "sts:AssumeRole",
                    Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/deployer" } },
                }),
                messages: [
                    `IAM role 'deploy' has a trust policy whose statement 1 lets any AWS principal assume the role; ${OPEN}`,
                ],
            },
            {
                title: 'GitHub OIDC with Action "sts:AssumeRoleWith*" and no subject',
                case: role({
                    ...github({ StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } }),
                    Action: ["sts:AssumeRoleWith*", "sts:TagSession"],
                }),
                messages: [
                    `IAM role 'deploy' has a web-identity trust whose statement 1 has no condition on the token's subject (<provider>:sub), ${PIN}`,
                ],
            },
            {
                title: "a Cognito trust without the pool, and one with a wildcard pool",
                case: role(
                    {
                        Effect: "Allow",
                        Principal: { Federated: "cognito-identity.amazonaws.com" },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: {
                            "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
                        },
                    },
                    {
                        Effect: "Allow",
                        Principal: { Federated: "cognito-identity.amazonaws.com" },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: { StringLike: { "cognito-identity.amazonaws.com:aud": "us-east-1:*" } },
                    },
                ),
                messages: [1, 2].map(
                    (n) =>
                        `IAM role 'deploy' has a web-identity trust whose statement ${n} does not pin the identity pool (cognito-identity.amazonaws.com:aud), so an identity of any pool in any account qualifies; ${COGNITO}`,
                ),
            },
            {
                title: "a subject checked only with IfExists (passes when the claim is absent)",
                case: role(
                    github({
                        StringEqualsIfExists: {
                            "token.actions.githubusercontent.com:sub": "repo:acme/webfleet:ref:refs/heads/main",
                        },
                    }),
                ),
                messages: [
                    `IAM role 'deploy' has a web-identity trust whose statement 1 has no condition on the token's subject (<provider>:sub), ${PIN}`,
                ],
            },
        ],
        unknown: {
            title: "a trust policy built from outputs is advisory until checked before creation",
            case: { type: T.iamRole, name: "deploy", props: { assumeRolePolicy: UNKNOWN } },
            advisory: true,
        },
    });

    const USER =
        "give permissions to roles (assumed by compute, by people through SSO, by CI through OIDC) or to groups, never to users directly";
    describeRule<ResourceCase>("iam-no-user-policies", {
        compliant: [
            {
                title: "a policy attached to a group",
                case: {
                    type: T.iamGroupPolicyAttachment,
                    props: { group: "ops", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
                },
            },
            {
                title: "a legacy PolicyAttachment to roles only",
                case: {
                    type: T.iamPolicyAttachment,
                    props: { roles: ["app"], users: [], policyArn: "arn:aws:iam::123456789012:policy/app" },
                },
            },
            {
                title: "an exclusive attachment that clears a user's policies",
                case: { type: T.iamUserPolicyAttachmentsExclusive, props: { userName: "legacy", policyArns: [] } },
            },
        ],
        violations: [
            {
                title: "an inline user policy",
                case: { type: T.iamUserPolicy, props: { user: "ci", policy: "{}" } },
                messages: [`IAM user policy 'subject' gives an IAM user an inline policy; ${USER}`],
            },
            {
                title: "a managed policy attached to a user",
                case: {
                    type: T.iamUserPolicyAttachment,
                    props: { user: "ci", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
                },
                messages: [`IAM policy attachment 'subject' attaches a policy to an IAM user; ${USER}`],
            },
            {
                title: "exclusive attachments for a user",
                case: {
                    type: T.iamUserPolicyAttachmentsExclusive,
                    props: { userName: "ci", policyArns: ["arn:aws:iam::123456789012:policy/ci"] },
                },
                messages: [`IAM policy attachments 'subject' attaches policies to an IAM user; ${USER}`],
            },
            {
                title: "a legacy PolicyAttachment naming a user",
                case: {
                    type: T.iamPolicyAttachment,
                    props: { users: ["ci"], policyArn: "arn:aws:iam::123456789012:policy/ci" },
                },
                messages: [`IAM policy attachment 'subject' attaches a policy to IAM users; ${USER}`],
            },
        ],
        unknown: {
            title: "an unknown policy list is advisory until checked before creation",
            case: { type: T.iamUserPolicyAttachmentsExclusive, props: { userName: "ci", policyArns: UNKNOWN } },
            advisory: true,
        },
    });

    const KEYS =
        "people sign in through SSO and workloads assume roles (instance profiles, Lambda roles, OIDC from CI), so no key or password can leak";
    describeRule<ResourceCase>("iam-no-long-lived-credentials", {
        compliant: [
            {
                title: "an inactive access key (being retired)",
                case: { type: T.iamAccessKey, props: { user: "legacy", status: "Inactive" } },
            },
            { title: "a role, not a user", case: { type: T.iamRole, props: { assumeRolePolicy: "{}" } } },
            {
                title: "an inactive SSH key (status in lower case, as AWS documents it)",
                case: { type: SSH_KEY, props: { username: "legacy", status: "inactive" } },
            },
            {
                title: "an inactive signing certificate",
                case: { type: SIGNING_CERT, props: { userName: "legacy", status: "Inactive" } },
            },
        ],
        violations: [
            {
                title: "an access key",
                case: { type: T.iamAccessKey, props: { user: "ci" } },
                messages: [
                    `IAM access key 'subject' creates a long-lived access key for IAM user "ci", which lives in the stack's state and wherever it is copied; ${KEYS}`,
                ],
            },
            {
                title: "a console password",
                case: { type: T.iamUserLoginProfile, props: { user: "alice" } },
                messages: [`IAM login profile 'subject' gives IAM user "alice" a console password; ${KEYS}`],
            },
            {
                title: "an SSH key for CodeCommit",
                case: { type: SSH_KEY, props: { username: "ci", encoding: "SSH", publicKey: "ssh-ed25519 AAAA" } },
                messages: [
                    `IAM SSH public key 'subject' uploads an SSH public key for IAM user "ci", a long-lived CodeCommit credential; ${KEYS} (CodeCommit over HTTPS with git-remote-codecommit and a role)`,
                ],
            },
            {
                title: "an active signing certificate",
                case: { type: SIGNING_CERT, props: { userName: "legacy", status: "Active" } },
                messages: [
                    `IAM signing certificate 'subject' gives IAM user "legacy" an X.509 signing certificate, a long-lived credential; ${KEYS}`,
                ],
            },
            {
                title: "a CodeCommit credential",
                case: {
                    type: T.iamServiceSpecificCredential,
                    props: { serviceName: "codecommit.amazonaws.com", userName: "ci" },
                },
                messages: [
                    `IAM service-specific credential 'subject' creates a long-lived codecommit.amazonaws.com credential for IAM user "ci"; ${KEYS}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown key status is advisory until checked before creation",
            case: { type: T.iamAccessKey, props: { user: "ci", status: UNKNOWN } },
            advisory: true,
        },
    });
});
