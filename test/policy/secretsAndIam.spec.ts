import { T } from "../../policy/lib/types";
import { ResourceCase, UNKNOWN, UNKNOWN_BOOL, UNKNOWN_NUMBER, describeRule } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/2ccbf1d3-c5da-4e41-8932-608ff6ef778e";
const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ROOT = {
    Sid: "AccountAdministers",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::123456789012:root" },
    Action: "kms:*",
    Resource: "*",
};

describe("policy: secrets and IAM", () => {
    describeRule<ResourceCase>("kms-key-rotation", {
        compliant: [
            { title: "rotation on", case: { type: T.kmsKey, props: { enableKeyRotation: true } } },
            {
                title: "an asymmetric signing key cannot rotate",
                case: { type: T.kmsKey, props: { customerMasterKeySpec: "RSA_3072", keyUsage: "SIGN_VERIFY" } },
            },
            {
                title: "an HMAC key cannot rotate",
                case: { type: T.kmsKey, props: { customerMasterKeySpec: "HMAC_384", keyUsage: "GENERATE_VERIFY_MAC" } },
            },
            { title: "a key in an external key store", case: { type: T.kmsKey, props: { customKeyStoreId: "cks-1" } } },
        ],
        violations: [
            {
                title: "rotation off",
                case: { type: T.kmsKey, props: { enableKeyRotation: false } },
                messages: [
                    "KMS key 'subject' does not rotate its key material; a leaked or broken key must age out (set enableKeyRotation: true)",
                ],
            },
            {
                title: "the default (off)",
                case: { type: T.kmsKey, props: { description: "x" } },
                messages: [
                    "KMS key 'subject' does not rotate its key material; a leaked or broken key must age out (set enableKeyRotation: true)",
                ],
            },
        ],
        unknown: {
            title: "an unknown rotation flag is a violation",
            case: { type: T.kmsKey, props: { enableKeyRotation: UNKNOWN_BOOL } },
            messages: [
                "KMS key 'subject' has a value unknown during preview at enableKeyRotation, so it cannot be verified; keys must rotate (set enableKeyRotation: true)",
            ],
        },
    });

    const OPEN =
        'the key must be usable only by named principals of the account (name the account root or roles, or confine "*" with a kms:CallerAccount / aws:PrincipalOrgID condition)';
    describeRule<ResourceCase>("kms-no-wildcard-principal", {
        compliant: [
            {
                title: "no policy: AWS's default key policy (the account root)",
                case: { type: T.kmsKey, props: { enableKeyRotation: true } },
            },
            { title: "the account root", case: { type: T.kmsKey, props: { policy: doc(ROOT) } } },
            {
                title: '"*" confined to the account with kms:CallerAccount',
                case: {
                    type: T.kmsKey,
                    props: {
                        policy: doc(ROOT, {
                            Effect: "Allow",
                            Principal: { AWS: "*" },
                            Action: "kms:Decrypt",
                            Resource: "*",
                            Condition: {
                                StringEquals: {
                                    "kms:CallerAccount": "123456789012",
                                    "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com",
                                },
                            },
                        }),
                    },
                },
            },
            {
                title: "a standalone key policy naming the root",
                case: { type: T.kmsKeyPolicy, props: { keyId: "k", policy: doc(ROOT) } },
            },
            {
                title: "a wildcard in a Deny",
                case: {
                    type: T.kmsKey,
                    props: { policy: doc(ROOT, { Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*" }) },
                },
            },
        ],
        violations: [
            {
                title: "an Allow for everyone",
                case: {
                    type: T.kmsKey,
                    props: {
                        policy: doc(ROOT, {
                            Sid: "Everyone",
                            Effect: "Allow",
                            Principal: "*",
                            Action: "kms:Decrypt",
                            Resource: "*",
                        }),
                    },
                },
                messages: [
                    `KMS key 'subject' has a key policy whose statement 2 (Sid Everyone) allows Principal "*"; ${OPEN}`,
                ],
            },
            {
                title: '{ AWS: ["*"] } in a standalone key policy, with a condition that does not confine it',
                case: {
                    type: T.kmsKeyPolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Principal: { AWS: ["*"] },
                            Action: "kms:*",
                            Resource: "*",
                            Condition: { Bool: { "aws:SecureTransport": "true" } },
                        }),
                    },
                },
                messages: [`KMS key policy 'subject' has a key policy whose statement 1 allows Principal "*"; ${OPEN}`],
            },
            {
                title: "a key policy that is not JSON",
                case: { type: T.kmsKey, props: { policy: "{ not json" } },
                messages: [
                    "KMS key 'subject' has a key policy that is not valid JSON; the key policy must be a valid IAM policy document (fix the JSON)",
                ],
            },
        ],
        unknown: {
            title: "a policy built from outputs is the engine's advisory note",
            case: { type: T.kmsKey, props: { policy: UNKNOWN } },
            advisory: true,
        },
    });

    const SECRET = "every secret must be encrypted with the project's customer-managed KMS key";
    describeRule<ResourceCase>("secrets-manager-cmk", {
        compliant: [
            { title: "a secret under the project's key", case: { type: T.secret, props: { kmsKeyId: KEY } } },
            {
                title: "an RDS-managed master secret under the project's key",
                case: { type: T.rdsInstance, props: { manageMasterUserPassword: true, masterUserSecretKmsKeyId: KEY } },
            },
            {
                title: "an RDS instance without a managed secret is not this rule's business",
                case: { type: T.rdsInstance, props: { replicateSourceDb: "primary" } },
            },
        ],
        violations: [
            {
                title: "a secret on the default key",
                case: { type: T.secret, props: { description: "x" } },
                messages: [
                    `Secret 'subject' is encrypted with the AWS managed key aws/secretsmanager; ${SECRET}, whose policy the stack controls (set kmsKeyId: key.arn)`,
                ],
            },
            {
                title: "a secret on alias/aws/secretsmanager",
                case: { type: T.secret, props: { kmsKeyId: "alias/aws/secretsmanager" } },
                messages: [
                    `Secret 'subject' is encrypted with the AWS managed key aws/secretsmanager; ${SECRET}, whose policy the stack controls (set kmsKeyId: key.arn)`,
                ],
            },
            {
                title: "an RDS-managed master secret on the default key",
                case: { type: T.rdsInstance, props: { manageMasterUserPassword: true } },
                messages: [
                    `RDS instance 'subject' keeps its RDS-managed master password secret under the AWS managed key aws/secretsmanager; ${SECRET} (set masterUserSecretKmsKeyId: key.arn)`,
                ],
            },
            {
                title: "a cluster's managed master secret on the default key",
                case: { type: T.rdsCluster, props: { manageMasterUserPassword: true, masterUserSecretKmsKeyId: "" } },
                messages: [
                    `RDS cluster 'subject' keeps its RDS-managed master password secret under the AWS managed key aws/secretsmanager; ${SECRET} (set masterUserSecretKmsKeyId: key.arn)`,
                ],
            },
            {
                title: "whether RDS manages the secret is unknown at preview",
                case: { type: T.rdsInstance, props: { manageMasterUserPassword: UNKNOWN_BOOL } },
                messages: [
                    `RDS instance 'subject' has a value unknown during preview at manageMasterUserPassword, so it cannot be verified; ${SECRET} (set kmsKeyId: key.arn)`,
                ],
            },
        ],
        unknown: {
            title: "a key unknown at preview is a reference to the stack's key",
            case: { type: T.secret, props: { kmsKeyId: UNKNOWN } },
            passes: true,
        },
    });

    const LIST =
        'policies must list the actions they need (replace "*" with the specific actions, e.g. "s3:GetObject")';
    describeRule<ResourceCase>("iam-no-wildcard-action", {
        compliant: [
            {
                title: "specific actions",
                case: {
                    type: T.iamPolicy,
                    props: { policy: doc({ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }) },
                },
            },
            {
                title: "a wildcard in a Deny",
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        role: "r",
                        policy: doc({
                            Effect: "Deny",
                            Action: "*",
                            Resource: "*",
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        }),
                    },
                },
            },
            {
                title: "a policy document object",
                case: {
                    type: T.iamUserPolicy,
                    props: {
                        user: "u",
                        policy: {
                            Version: "2012-10-17",
                            Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:::q" }],
                        },
                    },
                },
            },
            {
                title: "a role's specific inline policy",
                case: {
                    type: T.iamRole,
                    props: {
                        assumeRolePolicy: "{}",
                        inlinePolicies: [
                            { name: "read", policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) },
                        ],
                    },
                },
            },
        ],
        violations: [
            {
                title: 'Action "*"',
                case: { type: T.iamPolicy, props: { policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) } },
                messages: [
                    `IAM policy 'subject' has a policy document whose statement 1 allows every action ("*"); ${LIST}`,
                ],
            },
            {
                title: 'Action "*:*" among others, with a Sid',
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc(
                            { Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
                            { Sid: "Everything", Effect: "Allow", Action: ["s3:PutObject", "*:*"], Resource: "*" },
                        ),
                    },
                },
                messages: [
                    `IAM role policy 'subject' has a policy document whose statement 2 (Sid Everything) allows every action ("*"); ${LIST}`,
                ],
            },
            {
                title: "an Allow by NotAction",
                case: {
                    type: T.iamGroupPolicy,
                    props: { policy: doc({ Sid: "Most", Effect: "Allow", NotAction: "iam:*", Resource: "*" }) },
                },
                messages: [
                    "IAM group policy 'subject' has a policy document whose statement 1 (Sid Most) allows by exclusion (NotAction), which grants every other action, present and future; policies must list the actions they need (use Action with specific actions)",
                ],
            },
            {
                title: "a role's inline policy",
                case: {
                    type: T.iamRole,
                    props: {
                        assumeRolePolicy: "{}",
                        inlinePolicies: [
                            { name: "admin", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) },
                        ],
                    },
                },
                messages: [
                    `IAM role 'subject' has inline policy 'admin' whose statement 1 allows every action ("*"); ${LIST}`,
                ],
            },
            {
                title: "a document that is not JSON",
                case: { type: T.iamPolicy, props: { policy: "Action: *" } },
                messages: [
                    "IAM policy 'subject' has a policy document that is not valid JSON; IAM policies must be valid JSON documents (fix the document)",
                ],
            },
        ],
        unknown: {
            title: "a document built from ARNs is the engine's advisory note",
            case: { type: T.iamRolePolicy, props: { policy: UNKNOWN } },
            advisory: true,
        },
    });

    const ADMIN =
        "no identity of the stack may hold administrator access (attach a policy that lists only the actions it needs)";
    describeRule<ResourceCase>("iam-no-admin-access", {
        compliant: [
            {
                title: "the SSM managed policy",
                case: {
                    type: T.iamRolePolicyAttachment,
                    props: { role: "r", policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" },
                },
            },
            {
                title: "a customer managed policy",
                case: {
                    type: T.iamUserPolicyAttachment,
                    props: { user: "u", policyArn: "arn:aws:iam::123456789012:policy/AdministratorAccess" },
                },
            },
            {
                title: "a role with harmless managed policies",
                case: {
                    type: T.iamRole,
                    props: { managedPolicyArns: ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"] },
                },
            },
        ],
        violations: [
            {
                title: "AdministratorAccess on a role",
                case: {
                    type: T.iamRolePolicyAttachment,
                    props: { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
                },
                messages: [
                    `IAM policy attachment 'subject' attaches the AWS managed policy AdministratorAccess; ${ADMIN}`,
                ],
            },
            {
                title: "AdministratorAccess on a group, in GovCloud",
                case: {
                    type: T.iamGroupPolicyAttachment,
                    props: { group: "g", policyArn: "arn:aws-us-gov:iam::aws:policy/AdministratorAccess" },
                },
                messages: [
                    `IAM policy attachment 'subject' attaches the AWS managed policy AdministratorAccess; ${ADMIN}`,
                ],
            },
            {
                title: "a legacy PolicyAttachment",
                case: {
                    type: T.iamPolicyAttachment,
                    props: { users: ["u"], policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
                },
                messages: [
                    `IAM policy attachment 'subject' attaches the AWS managed policy AdministratorAccess; ${ADMIN}`,
                ],
            },
            {
                title: "a role's managedPolicyArns",
                case: {
                    type: T.iamRole,
                    props: {
                        managedPolicyArns: [
                            "arn:aws:iam::aws:policy/ReadOnlyAccess",
                            "arn:aws:iam::aws:policy/AdministratorAccess",
                        ],
                    },
                },
                messages: [`IAM role 'subject' attaches the AWS managed policy AdministratorAccess; ${ADMIN}`],
            },
            {
                title: "a policy the stack's config forbids",
                case: {
                    type: T.iamRolePolicyAttachment,
                    props: { policyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
                    config: { forbiddenPolicies: ["AdministratorAccess", "PowerUserAccess"] },
                },
                messages: [`IAM policy attachment 'subject' attaches the AWS managed policy PowerUserAccess; ${ADMIN}`],
            },
        ],
        unknown: {
            title: "an ARN unknown at preview is a policy the stack creates (AWS managed ARNs are literals)",
            case: { type: T.iamRolePolicyAttachment, props: { role: "r", policyArn: UNKNOWN } },
            passes: true,
        },
    });

    const NAME =
        "policies should name the resources they touch (set Resource to the ARNs the actions need, or add the actions to ignoredActions if they accept no resource)";
    describeRule<ResourceCase>("iam-resource-wildcard", {
        compliant: [
            {
                title: "named resources",
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/app/*" }),
                    },
                },
            },
            {
                title: 'an action that accepts only "*"',
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Action: ["cloudwatch:PutMetricData", "ec2:DescribeInstances"],
                            Resource: "*",
                        }),
                    },
                },
            },
            {
                title: 'a Deny on "*"',
                case: {
                    type: T.iamPolicy,
                    props: { policy: doc({ Effect: "Deny", Action: "s3:DeleteBucket", Resource: "*" }) },
                },
            },
            {
                title: "the SSM agent's State Manager calls about its own instance",
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Action: [
                                "ssm:ListInstanceAssociations",
                                "ssm:UpdateInstanceAssociationStatus",
                                "ssm:PutComplianceItems",
                            ],
                            Resource: "*",
                        }),
                    },
                },
            },
            {
                title: "actions added to ignoredActions by config",
                case: {
                    type: T.iamPolicy,
                    props: { policy: doc({ Effect: "Allow", Action: "route53:ListHostedZones", Resource: "*" }) },
                    config: { ignoredActions: ["route53:List*"] },
                },
            },
        ],
        violations: [
            {
                title: 'the document an association runs, on "*"',
                case: {
                    type: T.iamRolePolicy,
                    props: { policy: doc({ Effect: "Allow", Action: "ssm:GetDocument", Resource: "*" }) },
                },
                messages: [
                    `IAM role policy 'subject' has a policy document whose statement 1 allows ssm:GetDocument on every resource ("*"); ${NAME}`,
                ],
            },
            {
                title: 's3:GetObject on "*"',
                case: {
                    type: T.iamRolePolicy,
                    props: { policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) },
                },
                messages: [
                    `IAM role policy 'subject' has a policy document whose statement 1 allows s3:GetObject on every resource ("*"); ${NAME}`,
                ],
            },
            {
                title: "only the actions that need a resource are named",
                case: {
                    type: T.iamPolicy,
                    props: {
                        policy: doc({
                            Sid: "Mixed",
                            Effect: "Allow",
                            Action: ["cloudwatch:PutMetricData", "sqs:SendMessage"],
                            Resource: ["*"],
                        }),
                    },
                },
                messages: [
                    `IAM policy 'subject' has a policy document whose statement 1 (Sid Mixed) allows sqs:SendMessage on every resource ("*"); ${NAME}`,
                ],
            },
            {
                title: "NotResource",
                case: {
                    type: T.iamPolicy,
                    props: {
                        policy: doc({ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::secret/*" }),
                    },
                },
                messages: [
                    `IAM policy 'subject' has a policy document whose statement 1 allows s3:GetObject on every resource ("*"); ${NAME}`,
                ],
            },
        ],
        unknown: {
            title: "a document built from ARNs is the engine's advisory note",
            case: { type: T.iamPolicy, props: { policy: UNKNOWN } },
            advisory: true,
        },
    });
});

describe("policy: logging", () => {
    describeRule<ResourceCase>("log-group-retention", {
        compliant: [
            { title: "30 days against the default", case: { type: T.logGroup, props: { retentionInDays: 30 } } },
            {
                title: "365 days against prod's 90",
                case: { type: T.logGroup, props: { retentionInDays: 365 }, config: { minimumDays: 90 } },
            },
        ],
        violations: [
            {
                title: "no retention",
                case: { type: T.logGroup, props: {} },
                messages: [
                    "Log group 'subject' keeps logs forever (retentionInDays is not set); log groups must keep logs for a known period of at least 30 days (set retentionInDays)",
                ],
            },
            {
                title: "never expire (0)",
                case: { type: T.logGroup, props: { retentionInDays: 0 } },
                messages: [
                    "Log group 'subject' keeps logs forever (retentionInDays is not set); log groups must keep logs for a known period of at least 30 days (set retentionInDays)",
                ],
            },
            {
                title: "too short",
                case: { type: T.logGroup, props: { retentionInDays: 7 } },
                messages: [
                    "Log group 'subject' keeps logs for 7 day(s); log groups must keep logs for at least 30 days for incident response (set retentionInDays: 30 or more)",
                ],
            },
        ],
        unknown: {
            title: "an unknown retention is a violation",
            case: { type: T.logGroup, props: { retentionInDays: UNKNOWN_NUMBER } },
            messages: [
                "Log group 'subject' has a value unknown during preview at retentionInDays, so it cannot be verified; log groups must keep logs for a known period (set retentionInDays)",
            ],
        },
    });
});
