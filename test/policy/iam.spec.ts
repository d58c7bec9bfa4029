import { T } from "../../policy/lib/types";
import { ResourceCase, UNKNOWN, describeRule } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/2ccbf1d3-c5da-4e41-8932-608ff6ef778e";
const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

describe("policy: IAM", () => {
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
                title: 'Action "**" in one statement object (not a list)',
                case: {
                    type: T.iamPolicy,
                    props: {
                        policy: JSON.stringify({ Statement: { Effect: "Allow", Action: ["**"], Resource: "*" } }),
                    },
                },
                messages: [
                    `IAM policy 'subject' has a policy document whose statement 1 allows every action ("*"); ${LIST}`,
                ],
            },
            {
                title: "an Identity Center permission set's inline policy",
                case: {
                    type: "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
                    props: { inlinePolicy: doc({ Effect: "Allow", Action: "*:*", Resource: "*" }) },
                },
                messages: [
                    `Permission set inline policy 'subject' has an inline policy whose statement 1 allows every action ("*"); ${LIST}`,
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
        "which grants administrator, power-user or full-service access; identities get only the actions they need (attach a customer policy that lists them)";
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
                    `IAM policy attachment 'subject' attaches the AWS managed policy AdministratorAccess, ${ADMIN}`,
                ],
            },
            {
                title: "AdministratorAccess on a group, in GovCloud",
                case: {
                    type: T.iamGroupPolicyAttachment,
                    props: { group: "g", policyArn: "arn:aws-us-gov:iam::aws:policy/AdministratorAccess" },
                },
                messages: [
                    `IAM policy attachment 'subject' attaches the AWS managed policy AdministratorAccess, ${ADMIN}`,
                ],
            },
            {
                title: "a legacy PolicyAttachment",
                case: {
                    type: T.iamPolicyAttachment,
                    props: { users: ["u"], policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
                },
                messages: [
                    `IAM policy attachment 'subject' attaches the AWS managed policy AdministratorAccess, ${ADMIN}`,
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
                messages: [`IAM role 'subject' attaches the AWS managed policy AdministratorAccess, ${ADMIN}`],
            },
            {
                title: "a full-access policy through RolePolicyAttachmentsExclusive",
                case: {
                    type: T.iamRolePolicyAttachmentsExclusive,
                    props: {
                        roleName: "app",
                        policyArns: [
                            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                            "arn:aws:iam::aws:policy/AmazonS3FullAccess",
                        ],
                    },
                },
                messages: [
                    `IAM policy attachments 'subject' attaches the AWS managed policy AmazonS3FullAccess, ${ADMIN}`,
                ],
            },
            {
                title: "PowerUserAccess on a user, through UserPolicyAttachmentsExclusive",
                case: {
                    type: T.iamUserPolicyAttachmentsExclusive,
                    props: { userName: "ci", policyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"] },
                },
                messages: [
                    `IAM policy attachments 'subject' attaches the AWS managed policy PowerUserAccess, ${ADMIN}`,
                ],
            },
            {
                title: "the job-function SystemAdministrator (under its path) and IAMFullAccess on a group",
                case: {
                    type: T.iamGroupPolicyAttachmentsExclusive,
                    props: {
                        groupName: "ops",
                        policyArns: [
                            "arn:aws:iam::aws:policy/job-function/SystemAdministrator",
                            "arn:aws:iam::aws:policy/IAMFullAccess",
                        ],
                    },
                },
                messages: [
                    `IAM policy attachments 'subject' attaches the AWS managed policy SystemAdministrator, ${ADMIN}`,
                    `IAM policy attachments 'subject' attaches the AWS managed policy IAMFullAccess, ${ADMIN}`,
                ],
            },
            {
                title: "an AdministratorAccess variant (AdministratorAccess-AWSElasticBeanstalk) in the aws-cn partition",
                case: {
                    type: T.iamRolePolicyAttachment,
                    props: { policyArn: "arn:aws-cn:iam::aws:policy/AdministratorAccess-AWSElasticBeanstalk" },
                },
                messages: [
                    `IAM policy attachment 'subject' attaches the AWS managed policy AdministratorAccess-AWSElasticBeanstalk, ${ADMIN}`,
                ],
            },
            {
                title: "a policy the stack's config forbids",
                case: {
                    type: T.iamRolePolicyAttachment,
                    props: { policyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
                    config: { forbiddenPolicies: ["AdministratorAccess", "PowerUserAccess"] },
                },
                messages: [`IAM policy attachment 'subject' attaches the AWS managed policy PowerUserAccess, ${ADMIN}`],
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
                title: "actions with no resource type: the ECR registry token, X-Ray sampling, Cloud Map discovery, GetRandomPassword",
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Action: [
                                "ecr:GetAuthorizationToken",
                                "xray:GetSamplingRules",
                                "xray:GetSamplingTargets",
                                "servicediscovery:DiscoverInstances",
                                "secretsmanager:GetRandomPassword",
                                "elasticloadbalancing:DescribeTargetGroups",
                            ],
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
                title: 'Resource "*" narrowed by the resources\' tags (ABAC)',
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Action: ["ec2:StartInstances", "ec2:StopInstances"],
                            Resource: "*",
                            Condition: { StringEquals: { "aws:ResourceTag/team": "web" } },
                        }),
                    },
                },
            },
            {
                title: "Route 53's zone listings (no resource type), next to record changes named by zone",
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc(
                            {
                                Effect: "Allow",
                                Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
                                Resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
                            },
                            {
                                Effect: "Allow",
                                Action: ["route53:ListHostedZones", "route53:ListHostedZonesByName"],
                                Resource: "*",
                            },
                        ),
                    },
                },
            },
            {
                title: "actions added to ignoredActions by config",
                case: {
                    type: T.iamPolicy,
                    props: { policy: doc({ Effect: "Allow", Action: "route53:ListHealthChecks", Resource: "*" }) },
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
                title: "records of every hosted zone: only the zone listings are resource-less",
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Action: [
                                "route53:ListHostedZones",
                                "route53:ChangeResourceRecordSets",
                                "route53:ListResourceRecordSets",
                            ],
                            Resource: "*",
                        }),
                    },
                },
                messages: [
                    `IAM role policy 'subject' has a policy document whose statement 1 allows route53:ChangeResourceRecordSets, route53:ListResourceRecordSets on every resource ("*"); ${NAME}`,
                ],
            },
            {
                title: "an image pull on every repository: only the registry token is resource-less",
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Action: ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                            Resource: "*",
                        }),
                    },
                },
                messages: [
                    `IAM role policy 'subject' has a policy document whose statement 1 allows ecr:BatchGetImage, ecr:GetDownloadUrlForLayer on every resource ("*"); ${NAME}`,
                ],
            },
            {
                title: "a resource-tag condition with IfExists (untagged resources pass) or only a wildcard value",
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc(
                            {
                                Effect: "Allow",
                                Action: "ec2:TerminateInstances",
                                Resource: "*",
                                Condition: { StringEqualsIfExists: { "aws:ResourceTag/team": "web" } },
                            },
                            {
                                Effect: "Allow",
                                Action: "ec2:RebootInstances",
                                Resource: "*",
                                Condition: { StringLike: { "ec2:ResourceTag/team": "*" } },
                            },
                        ),
                    },
                },
                messages: [
                    `IAM role policy 'subject' has a policy document whose statement 1 allows ec2:TerminateInstances on every resource ("*"); ${NAME}`,
                    `IAM role policy 'subject' has a policy document whose statement 2 allows ec2:RebootInstances on every resource ("*"); ${NAME}`,
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

    const SENSITIVE = 'policies must list the actions they need (e.g. "kms:Decrypt" on the key\'s ARN)';
    const TAKEOVER =
        'a wildcard over actions that hand over the account or its secrets; policies must list the actions they need and name their resources (e.g. "iam:PassRole" on the one role\'s ARN, with an iam:PassedToService condition)';
    const ESCALATE =
        "on every resource (\"*\"), which lets it take any role's or user's permissions (an administrator's included); name the roles, users or policies in Resource (e.g. \"iam:PassRole\" on the one role's ARN, with an iam:PassedToService condition), or pin iam:PermissionsBoundary for policy attachments";
    describeRule<ResourceCase>("iam-no-sensitive-service-wildcard", {
        compliant: [
            {
                title: "specific KMS and Secrets Manager actions",
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Action: ["kms:Decrypt", "secretsmanager:GetSecretValue"],
                            Resource: KEY,
                        }),
                    },
                },
            },
            {
                title: "a service-wide wildcard of a service not on the list (s3:* on one bucket)",
                case: {
                    type: T.iamPolicy,
                    props: { policy: doc({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::scratch/*" }) },
                },
            },
            {
                title: 'read-only wildcards of a sensitive service on "*" (iam:Get*, kms:List*)',
                case: {
                    type: T.iamPolicy,
                    props: {
                        policy: doc({ Effect: "Allow", Action: ["iam:Get*", "iam:List*", "kms:List*"], Resource: "*" }),
                    },
                },
            },
            {
                title: "iam:Pass* on one role's ARN",
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Action: "iam:Pass*",
                            Resource: "arn:aws:iam::123456789012:role/fleet-role",
                        }),
                    },
                },
            },
            {
                title: 'ssm:Send* on "*" narrowed by the instances\' tags',
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Action: "ssm:Send*",
                            Resource: "*",
                            Condition: { StringEquals: { "ssm:resourceTag/role": "web" } },
                        }),
                    },
                },
            },
            {
                title: "iam:PassRole on one role's ARN, with iam:PassedToService",
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Action: ["ec2:RunInstances", "iam:PassRole"],
                            Resource: "arn:aws:iam::123456789012:role/fleet-role",
                            Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
                        }),
                    },
                },
            },
            {
                title: 'delegated administration: iam:AttachRolePolicy on "*" with a fixed permissions boundary',
                case: {
                    type: T.iamPolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Action: ["iam:CreateRole", "iam:AttachRolePolicy", "iam:PutRolePolicy"],
                            Resource: "*",
                            Condition: {
                                StringEquals: {
                                    "iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/team-boundary",
                                },
                            },
                        }),
                    },
                },
            },
            {
                title: "a Deny of iam:*",
                case: { type: T.iamPolicy, props: { policy: doc({ Effect: "Deny", Action: "iam:*", Resource: "*" }) } },
            },
        ],
        violations: [
            {
                title: "iam:* in a role's inline policy",
                case: {
                    type: T.iamRole,
                    props: {
                        inlinePolicies: [
                            { name: "admin-ish", policy: doc({ Effect: "Allow", Action: "iam:*", Resource: "*" }) },
                        ],
                    },
                },
                messages: [
                    `IAM role 'subject' has inline policy 'admin-ish' whose statement 1 allows iam:*, every action of a service that controls identities, keys or secrets; ${SENSITIVE}`,
                ],
            },
            {
                title: "kms:* and STS:* (any case) on a specific resource still",
                case: {
                    type: T.iamPolicy,
                    props: { policy: doc({ Sid: "Keys", Effect: "Allow", Action: ["kms:*", "STS:*"], Resource: KEY }) },
                },
                messages: [
                    `IAM policy 'subject' has a policy document whose statement 1 (Sid Keys) allows kms:*, STS:*, every action of a service that controls identities, keys or secrets; ${SENSITIVE}`,
                ],
            },
            {
                title: "secretsmanager:* in a group policy",
                case: {
                    type: T.iamGroupPolicy,
                    props: { policy: doc({ Effect: "Allow", Action: "secretsmanager:*", Resource: "*" }) },
                },
                messages: [
                    `IAM group policy 'subject' has a policy document whose statement 1 allows secretsmanager:*, every action of a service that controls identities, keys or secrets; ${SENSITIVE}`,
                ],
            },
            {
                title: 'wildcards over takeover actions on "*" (IAM:Pass*, ssm:Send*), in any case, by NotResource too',
                case: {
                    type: T.iamPolicy,
                    props: {
                        policy: doc(
                            {
                                Sid: "Launch",
                                Effect: "Allow",
                                Action: ["ec2:RunInstances", "IAM:Pass*"],
                                Resource: "*",
                            },
                            {
                                Effect: "Allow",
                                Action: "ssm:Send*",
                                NotResource: "arn:aws:ec2:us-east-1:123456789012:instance/i-bastion",
                            },
                        ),
                    },
                },
                messages: [
                    `IAM policy 'subject' has a policy document whose statement 1 (Sid Launch) allows IAM:Pass* (covers iam:PassRole) on every resource ("*"), ${TAKEOVER}`,
                    `IAM policy 'subject' has a policy document whose statement 2 allows ssm:Send* (covers ssm:SendCommand) on every resource ("*"), ${TAKEOVER}`,
                ],
            },
            {
                title: "iam:Put* in a user policy",
                case: {
                    type: T.iamUserPolicy,
                    props: { policy: doc({ Effect: "Allow", Action: ["iam:Put*"], Resource: ["*"] }) },
                },
                messages: [
                    `IAM user policy 'subject' has a policy document whose statement 1 allows iam:Put* (covers iam:PutUserPolicy, iam:PutGroupPolicy, iam:PutRolePolicy) on every resource ("*"), ${TAKEOVER}`,
                ],
            },
            {
                title: 'iam:PassRole named exactly on "*" next to ec2:RunInstances (any role to an instance)',
                case: {
                    type: T.iamRolePolicy,
                    props: {
                        policy: doc({
                            Sid: "Deploy",
                            Effect: "Allow",
                            Action: ["ec2:RunInstances", "IAM:PassRole"],
                            Resource: "*",
                        }),
                    },
                },
                messages: [
                    `IAM role policy 'subject' has a policy document whose statement 1 (Sid Deploy) allows IAM:PassRole ${ESCALATE}`,
                ],
            },
            {
                title: "iam:CreateAccessKey and iam:UpdateAssumeRolePolicy on NotResource; a boundary does not confine iam:PassRole",
                case: {
                    type: T.iamPolicy,
                    props: {
                        policy: doc(
                            {
                                Effect: "Allow",
                                Action: ["iam:CreateAccessKey", "iam:UpdateAssumeRolePolicy"],
                                NotResource: "arn:aws:iam::123456789012:user/root-like",
                            },
                            {
                                Effect: "Allow",
                                Action: ["iam:AttachRolePolicy", "iam:PassRole"],
                                Resource: "*",
                                Condition: {
                                    StringEquals: {
                                        "iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/team-boundary",
                                    },
                                },
                            },
                            {
                                Effect: "Allow",
                                Action: "iam:AttachRolePolicy",
                                Resource: "*",
                                Condition: { StringLike: { "iam:PermissionsBoundary": "*" } },
                            },
                        ),
                    },
                },
                messages: [
                    `IAM policy 'subject' has a policy document whose statement 1 allows iam:CreateAccessKey, iam:UpdateAssumeRolePolicy ${ESCALATE}`,
                    `IAM policy 'subject' has a policy document whose statement 2 allows iam:PassRole ${ESCALATE}`,
                    `IAM policy 'subject' has a policy document whose statement 3 allows iam:AttachRolePolicy ${ESCALATE}`,
                ],
            },
        ],
        unknown: {
            title: "a document built from outputs is advisory until checked before creation",
            case: { type: T.iamRolePolicy, props: { policy: UNKNOWN } },
            advisory: true,
        },
    });
});
