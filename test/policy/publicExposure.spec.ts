import { T } from "../../policy/lib/types";
import { ResourceCase, UNKNOWN, describeRule } from "./helpers";

const B = "artifacts-3e5618141e38";

describe("policy: public exposure", () => {
    const ACL =
        "buckets must never be public (use the private ACL, or better BucketOwnerEnforced ownership and no ACLs)";
    describeRule<ResourceCase>("s3-no-public-acl", {
        compliant: [
            { title: "a bucket without an ACL", case: { type: T.bucket, props: { bucketPrefix: "artifacts" } } },
            { title: "the private ACL", case: { type: T.bucket, props: { acl: "private" } } },
            { title: "a private BucketAclV2", case: { type: T.bucketAclV2, props: { bucket: B, acl: "private" } } },
            {
                title: "a grant to a canonical user",
                case: {
                    type: T.bucketAcl,
                    props: {
                        bucket: B,
                        accessControlPolicy: {
                            grants: [{ grantee: { type: "CanonicalUser", id: "abc" }, permission: "READ" }],
                        },
                    },
                },
            },
        ],
        violations: [
            {
                title: "a public-read bucket",
                case: { type: T.bucket, props: { acl: "public-read" } },
                messages: [`S3 bucket 'subject' uses the canned ACL "public-read"; ${ACL}`],
            },
            {
                title: "a grant to AllUsers on the bucket",
                case: {
                    type: T.bucket,
                    props: {
                        grants: [
                            {
                                type: "Group",
                                uri: "http://acs.amazonaws.com/groups/global/AllUsers",
                                permissions: ["READ"],
                            },
                        ],
                    },
                },
                messages: [`S3 bucket 'subject' grants access to AllUsers or AuthenticatedUsers; ${ACL}`],
            },
            {
                title: "a public-read-write BucketAclV2",
                case: { type: T.bucketAclV2, props: { bucket: B, acl: "public-read-write" } },
                messages: [`S3 bucket ACL 'subject' uses the canned ACL "public-read-write"; ${ACL}`],
            },
            {
                title: "a BucketAcl granting AuthenticatedUsers",
                case: {
                    type: T.bucketAcl,
                    props: {
                        bucket: B,
                        accessControlPolicy: {
                            grants: [
                                {
                                    grantee: {
                                        type: "Group",
                                        uri: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
                                    },
                                    permission: "WRITE",
                                },
                            ],
                        },
                    },
                },
                messages: [`S3 bucket ACL 'subject' grants access to AllUsers or AuthenticatedUsers; ${ACL}`],
            },
        ],
        unknown: {
            title: "an unknown ACL is advisory until checked before creation",
            case: { type: T.bucket, props: { acl: UNKNOWN } },
            advisory: true,
        },
    });

    const POLICY_FIX =
        'resource policies name who may use the resource (name accounts, roles or services, or confine Principal "*" with aws:PrincipalOrgID, aws:SourceArn, aws:SourceAccount or aws:SourceVpce set to fixed values, without wildcards)';
    const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
    const TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms";
    const openRead = {
        Sid: "Public",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::site/*",
    };
    describeRule<ResourceCase>("resource-policy-no-public-principal", {
        compliant: [
            {
                title: "a service principal confined by source account (the alarm topic)",
                case: {
                    type: T.snsTopicPolicy,
                    props: {
                        arn: TOPIC,
                        policy: doc({
                            Effect: "Allow",
                            Principal: { Service: "cloudwatch.amazonaws.com" },
                            Action: "sns:Publish",
                            Resource: TOPIC,
                            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
                        }),
                    },
                },
            },
            {
                title: 'Principal "*" confined to the organization, on a secret (policy object, not JSON)',
                case: {
                    type: T.secretPolicy,
                    props: {
                        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
                        policy: {
                            Version: "2012-10-17",
                            Statement: [
                                {
                                    Effect: "Allow",
                                    Principal: { AWS: "*" },
                                    Action: "secretsmanager:GetSecretValue",
                                    Resource: "*",
                                    Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
                                },
                            ],
                        },
                    },
                },
            },
            {
                title: 'a Deny for Principal "*" (the TLS-only statement)',
                case: {
                    type: T.bucketPolicy,
                    props: {
                        bucket: "site",
                        policy: doc({
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: "arn:aws:s3:::site/*",
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        }),
                    },
                },
            },
            {
                title: "CloudFront reading through origin access control",
                case: {
                    type: T.bucketPolicy,
                    props: {
                        bucket: "site",
                        policy: doc({
                            ...openRead,
                            Principal: { Service: "cloudfront.amazonaws.com" },
                            Condition: {
                                StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1" },
                            },
                        }),
                    },
                },
            },
            {
                title: "a Lambda permission for S3 with its source bucket and account",
                case: {
                    type: T.lambdaPermission,
                    props: {
                        action: "lambda:InvokeFunction",
                        function: "fn",
                        principal: "s3.amazonaws.com",
                        sourceArn: "arn:aws:s3:::uploads",
                        sourceAccount: "123456789012",
                    },
                },
            },
            {
                title: "a queue reachable only through a VPC endpoint",
                case: {
                    type: T.sqsQueuePolicy,
                    props: {
                        queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
                        policy: doc({
                            Effect: "Allow",
                            Principal: "*",
                            Action: "sqs:SendMessage",
                            Resource: "*",
                            Condition: { StringEquals: { "aws:SourceVpce": "vpce-0a1b2c3d" } },
                        }),
                    },
                },
            },
        ],
        violations: [
            {
                title: "a public-read bucket policy",
                case: { type: T.bucketPolicy, props: { bucket: "site", policy: doc(openRead) } },
                messages: [
                    `S3 bucket policy 'subject' has a policy whose statement 1 (Sid Public) allows s3:GetObject to Principal "*" with no condition confining it, so anyone can use it; ${POLICY_FIX}`,
                ],
            },
            {
                title: "a topic anyone can publish to (inline on the topic)",
                case: {
                    type: T.snsTopic,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Principal: { AWS: "*" },
                            Action: "sns:Publish",
                            Resource: TOPIC,
                        }),
                    },
                },
                messages: [
                    `SNS topic 'subject' has a policy whose statement 1 allows sns:Publish to Principal "*" with no condition confining it, so anyone can use it; ${POLICY_FIX}`,
                ],
            },
            {
                title: "a condition that confines nothing (an IfExists operator, a wildcard org)",
                case: {
                    type: T.sqsQueuePolicy,
                    props: {
                        queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
                        policy: doc(
                            {
                                Effect: "Allow",
                                Principal: "*",
                                Action: "sqs:SendMessage",
                                Resource: "*",
                                Condition: { StringEqualsIfExists: { "aws:SourceAccount": "123456789012" } },
                            },
                            {
                                Effect: "Allow",
                                Principal: "*",
                                Action: "sqs:ReceiveMessage",
                                Resource: "*",
                                Condition: { StringLike: { "aws:PrincipalOrgID": "*" } },
                            },
                        ),
                    },
                },
                messages: [
                    `SQS queue policy 'subject' has a policy whose statement 1 allows sqs:SendMessage to Principal "*" whose condition names no fixed caller (an IfExists or negated operator, a wildcard value every account, organization or resource matches, or ForAllValues, which holds when the request lacks the key), so anyone can use it; ${POLICY_FIX}`,
                    `SQS queue policy 'subject' has a policy whose statement 2 allows sqs:ReceiveMessage to Principal "*" whose condition names no fixed caller (an IfExists or negated operator, a wildcard value every account, organization or resource matches, or ForAllValues, which holds when the request lacks the key), so anyone can use it; ${POLICY_FIX}`,
                ],
            },
            {
                title: "NotPrincipal with Allow (everyone but one)",
                case: {
                    type: T.secretPolicy,
                    props: {
                        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
                        policy: doc({
                            Effect: "Allow",
                            NotPrincipal: { AWS: "arn:aws:iam::123456789012:role/auditor" },
                            Action: "secretsmanager:GetSecretValue",
                            Resource: "*",
                        }),
                    },
                },
                messages: [
                    `Secret policy 'subject' has a policy whose statement 1 allows secretsmanager:GetSecretValue to Principal "*" with no condition confining it, so anyone can use it; ${POLICY_FIX}`,
                ],
            },
            {
                title: "an ECR repository anyone can pull from",
                case: {
                    type: T.ecrRepositoryPolicy,
                    props: {
                        repository: "app",
                        policy: doc({
                            Effect: "Allow",
                            Principal: "*",
                            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                        }),
                    },
                },
                messages: [
                    `ECR repository policy 'subject' has a policy whose statement 1 allows ecr:BatchGetImage, ecr:GetDownloadUrlForLayer to Principal "*" with no condition confining it, so anyone can use it; ${POLICY_FIX}`,
                ],
            },
            {
                title: "a Lambda permission for anyone",
                case: {
                    type: T.lambdaPermission,
                    props: { action: "lambda:InvokeFunction", function: "fn", principal: "*" },
                },
                messages: [
                    `Lambda permission 'subject' lets Principal "*" call the function (lambda:InvokeFunction) with no sourceArn, sourceAccount or principalOrgId naming a fixed caller, so anyone can invoke it; ${POLICY_FIX} (set principal to the calling service and sourceArn to the caller)`,
                ],
            },
        ],
        unknown: {
            title: "a policy document built from ARNs is advisory at preview and checked before creation",
            case: { type: T.bucketPolicy, props: { bucket: UNKNOWN, policy: UNKNOWN } },
            advisory: true,
        },
    });

    const SHARE =
        'snapshots and images are shared only with named accounts or organizations (list account IDs, never "all")';
    describeRule<ResourceCase>("snapshots-not-public", {
        compliant: [
            {
                title: "a snapshot shared with one account",
                case: { type: T.rdsSnapshot, props: { sharedAccounts: ["210987654321"] } },
            },
            {
                title: "an AMI shared with an organization",
                case: {
                    type: T.amiLaunchPermission,
                    props: {
                        imageId: "ami-0a1",
                        organizationArn: "arn:aws:organizations::123456789012:organization/o-a1",
                    },
                },
            },
        ],
        violations: [
            {
                title: "a DB snapshot shared with all",
                case: { type: T.rdsSnapshot, props: { sharedAccounts: ["all"] } },
                messages: [
                    `RDS snapshot 'subject' is shared with "all", so every AWS account can restore the data; ${SHARE}`,
                ],
            },
            {
                title: "a cluster snapshot copy shared with all",
                case: { type: T.rdsSnapshotCopy, props: { sharedAccounts: ["210987654321", "all"] } },
                messages: [
                    `RDS snapshot copy 'subject' is shared with "all", so every AWS account can restore the data; ${SHARE}`,
                ],
            },
            {
                title: "a public AMI",
                case: { type: T.amiLaunchPermission, props: { imageId: "ami-0a1", group: "all" } },
                messages: [
                    `AMI launch permission 'subject' makes the image public (group "all"), so anyone can launch it and read its disks; ${SHARE}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown account list is advisory until checked before creation",
            case: { type: T.rdsClusterSnapshot, props: { sharedAccounts: UNKNOWN } },
            advisory: true,
        },
    });

    describeRule<ResourceCase>("lambda-url-auth", {
        compliant: [
            {
                title: "IAM auth",
                case: { type: T.lambdaFunctionUrl, props: { functionName: "fn", authorizationType: "AWS_IAM" } },
            },
        ],
        violations: [
            {
                title: "no auth",
                case: { type: T.lambdaFunctionUrl, props: { functionName: "fn", authorizationType: "NONE" } },
                messages: [
                    `Lambda function URL 'subject' has authorizationType "NONE", so anyone on the internet can invoke the function; function URLs require IAM auth (set authorizationType: "AWS_IAM", or put API Gateway or CloudFront with origin access control in front)`,
                ],
            },
        ],
        unknown: {
            title: "an unknown auth type is advisory until checked before creation",
            case: { type: T.lambdaFunctionUrl, props: { functionName: "fn", authorizationType: UNKNOWN } },
            advisory: true,
        },
    });
});
