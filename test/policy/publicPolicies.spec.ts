/**
 * Resource policies judged the way AWS judges "public": a wildcard principal is confined only by
 * a condition with fixed values (lib/fixedConditions.ts); the resource policies of Lambda
 * functions, layers and S3 access points; a BucketV2's inline ACL; Lambda permissions for AWS
 * services that must name their caller (lambda-permission-source-confined).
 */
import { expect } from "chai";
import { confinedByFixedValues, isFixedValue } from "../../policy/lib/fixedConditions";
import { parsePolicy } from "../../policy/lib/iamDoc";
import { T } from "../../policy/lib/types";
import { ResourceCase, UNKNOWN, describeRule } from "./helpers";

const POLICY_FIX =
    'resource policies name who may use the resource (name accounts, roles or services, or confine Principal "*" with aws:PrincipalOrgID, aws:SourceArn, aws:SourceAccount or aws:SourceVpce set to fixed values, without wildcards)';
const WILDCARD =
    "whose condition names no fixed caller (an IfExists or negated operator, a wildcard value every account, organization or resource matches, or ForAllValues, which holds when the request lacks the key)";
const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const QUEUE = "arn:aws:sqs:us-east-1:123456789012:jobs";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs";
const send = (condition: unknown) => ({
    Effect: "Allow",
    Principal: { AWS: ["*"] },
    Action: "sqs:SendMessage",
    Resource: QUEUE,
    Condition: condition,
});
const queuePolicy = (condition: unknown): ResourceCase => ({
    type: T.sqsQueuePolicy,
    props: { queueUrl: QUEUE_URL, policy: doc(send(condition)) },
});

describe("policy: fixed condition values", () => {
    it("takes values without wildcards, and wildcards only after a part that names the caller", () => {
        const fixed: [string, string][] = [
            ["aws:PrincipalOrgID", "o-a1b2c3d4e5"],
            ["aws:SourceAccount", "123456789012"],
            ["aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:*"],
            ["AWS:SourceArn", "arn:aws:cloudfront::123456789012:distribution/*"],
            ["aws:SourceArn", "arn:aws:s3:::uploads-1"],
            ["aws:PrincipalArn", "arn:aws:iam::123456789012:role/deploy-*"],
            ["aws:PrincipalOrgPaths", "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"],
            ["aws:userid", "AROAEXAMPLEID:*"],
            ["aws:SourceVpce", "vpce-0a1b2c3d"],
        ];
        const open: [string, string][] = [
            ["aws:PrincipalOrgID", "o-*"],
            ["aws:SourceAccount", "*"],
            ["aws:SourceArn", "arn:aws:sns:*:*:*"],
            ["aws:SourceArn", "arn:aws:s3:::*"],
            ["aws:SourceArn", "arn:aws:s3:::logs-*"],
            ["aws:SourceArn", "arn:aws:*"],
            ["aws:PrincipalArn", "arn:aws:iam::*:role/admin"],
            ["aws:PrincipalOrgPaths", "o-*/*"],
            ["aws:SourceVpce", "vpce-*"],
            ["aws:SourceAccount", "${aws:PrincipalAccount}"],
        ];
        for (const [k, v] of fixed) {
            expect(isFixedValue(k, v), `${k} ${v}`).to.equal(true);
        }
        for (const [k, v] of open) {
            expect(isFixedValue(k, v), `${k} ${v}`).to.equal(false);
        }
    });

    it("needs one confining condition whose values are all fixed", () => {
        const judge = (condition: unknown) => {
            const parsed = parsePolicy(doc(send(condition)));
            return parsed.ok && confinedByFixedValues(parsed.statements[0]);
        };
        expect(judge({ StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } })).to.equal(true);
        expect(judge({ StringLike: { "aws:PrincipalOrgID": ["o-a1b2c3d4e5", "o-*"] } })).to.equal(false);
        expect(
            judge({
                ArnLike: { "aws:SourceArn": "arn:aws:s3:::*" },
                StringEquals: { "aws:SourceAccount": "123456789012" },
            }),
        ).to.equal(true);
        expect(judge({ StringNotEquals: { "aws:SourceAccount": "123456789012" } })).to.equal(false);
        expect(judge({ Bool: { "aws:SecureTransport": "true" } })).to.equal(false);
        expect(judge({ "ForAllValues:StringEquals": { "aws:SourceVpce": ["vpce-0a1b2c3d"] } })).to.equal(false);
        expect(judge({ "ForAnyValue:StringEquals": { "aws:SourceVpce": ["vpce-0a1b2c3d"] } })).to.equal(true);
    });
});

describe("policy: public resource policies written other ways", () => {
    describeRule<ResourceCase>("resource-policy-no-public-principal", {
        compliant: [
            {
                title: "a queue open to one topic by a fixed aws:SourceArn",
                case: queuePolicy({ ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:orders" } }),
            },
            {
                title: "an organization unit path with a wildcard after the organization",
                case: queuePolicy({
                    "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"] },
                }),
            },
            {
                title: "a layer shared with the organization",
                case: {
                    type: "aws:lambda/layerVersionPermission:LayerVersionPermission",
                    props: {
                        layerName: "common",
                        versionNumber: 1,
                        statementId: "org",
                        action: "lambda:GetLayerVersion",
                        principal: "*",
                        organizationId: "o-a1b2c3d4e5",
                    },
                },
            },
            {
                title: "a Lambda permission for anyone in the organization",
                case: {
                    type: T.lambdaPermission,
                    props: {
                        action: "lambda:InvokeFunction",
                        function: "fn",
                        principal: "*",
                        principalOrgId: "o-a1b2c3d4e5",
                    },
                },
            },
        ],
        violations: [
            {
                title: "StringLike aws:PrincipalOrgID o-*",
                case: queuePolicy({ StringLike: { "aws:PrincipalOrgID": "o-*" } }),
                messages: [
                    `SQS queue policy 'subject' has a policy whose statement 1 allows sqs:SendMessage to Principal "*" ${WILDCARD}, so anyone can use it; ${POLICY_FIX}`,
                ],
            },
            {
                title: "ArnLike aws:SourceArn on any topic of any account",
                case: queuePolicy({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:*" } }),
                messages: [
                    `SQS queue policy 'subject' has a policy whose statement 1 allows sqs:SendMessage to Principal "*" ${WILDCARD}, so anyone can use it; ${POLICY_FIX}`,
                ],
            },
            {
                title: "ForAllValues:StringEquals on aws:PrincipalOrgID (true for an anonymous caller, who has no such key)",
                case: queuePolicy({ "ForAllValues:StringEquals": { "aws:PrincipalOrgID": ["o-a1b2c3d4e5"] } }),
                messages: [
                    `SQS queue policy 'subject' has a policy whose statement 1 allows sqs:SendMessage to Principal "*" ${WILDCARD}, so anyone can use it; ${POLICY_FIX}`,
                ],
            },
            {
                title: "a Lambda resource policy (aws.lambda.ResourcePolicy) for anyone",
                case: {
                    type: "aws:lambda/resourcePolicy:ResourcePolicy",
                    props: {
                        resourceArn: "arn:aws:lambda:us-east-1:123456789012:function:api",
                        policy: doc({
                            Effect: "Allow",
                            Principal: "*",
                            Action: "lambda:InvokeFunction",
                            Resource: "*",
                        }),
                    },
                },
                messages: [
                    `Lambda resource policy 'subject' has a policy whose statement 1 allows lambda:InvokeFunction to Principal "*" with no condition confining it, so anyone can use it; ${POLICY_FIX}`,
                ],
            },
            {
                title: "an S3 access point policy for anyone",
                case: {
                    type: "aws:s3/accessPoint:AccessPoint",
                    props: {
                        bucket: "reports",
                        name: "reports-ap",
                        policy: doc({
                            Effect: "Allow",
                            Principal: { AWS: "*" },
                            Action: "s3:GetObject",
                            Resource: "*",
                        }),
                    },
                },
                messages: [
                    `S3 access point 'subject' has a policy whose statement 1 allows s3:GetObject to Principal "*" with no condition confining it, so anyone can use it; ${POLICY_FIX}`,
                ],
            },
            {
                title: "a layer version shared with everyone",
                case: {
                    type: "aws:lambda/layerVersionPermission:LayerVersionPermission",
                    props: {
                        layerName: "common",
                        versionNumber: 1,
                        statementId: "all",
                        action: "lambda:GetLayerVersion",
                        principal: "*",
                    },
                },
                messages: [
                    `Lambda layer permission 'subject' shares the layer version with every AWS account (principal "*" and no organizationId), so anyone can download its code; ${POLICY_FIX} (set principal to an account ID, or keep "*" with organizationId)`,
                ],
            },
            {
                title: 'a Lambda permission for "*" whose sourceAccount is a wildcard',
                case: {
                    type: T.lambdaPermission,
                    props: { action: "lambda:InvokeFunction", function: "fn", principal: "*", sourceAccount: "*" },
                },
                messages: [
                    `Lambda permission 'subject' lets Principal "*" call the function (lambda:InvokeFunction) with no sourceArn, sourceAccount or principalOrgId naming a fixed caller, so anyone can invoke it; ${POLICY_FIX} (set principal to the calling service and sourceArn to the caller)`,
                ],
            },
        ],
        unknown: {
            title: "an unknown condition value (a policy object, not JSON text) is advisory at preview",
            case: {
                type: T.sqsQueuePolicy,
                props: {
                    queueUrl: QUEUE_URL,
                    policy: { Statement: [send({ StringEquals: { "aws:PrincipalOrgID": UNKNOWN } })] },
                },
            },
            advisory: true,
        },
    });

    describeRule<ResourceCase>("s3-no-public-acl", {
        compliant: [
            { title: "a BucketV2 with the private ACL", case: { type: T.bucketV2, props: { acl: "private" } } },
        ],
        violations: [
            {
                title: "a BucketV2 with the deprecated inline acl public-read and an AllUsers grant",
                case: {
                    type: T.bucketV2,
                    props: {
                        acl: "public-read",
                        grants: [
                            {
                                type: "Group",
                                uri: "http://acs.amazonaws.com/groups/global/AllUsers",
                                permissions: ["READ"],
                            },
                        ],
                    },
                },
                messages: [
                    `S3 bucket 'subject' uses the canned ACL "public-read"; buckets must never be public (use the private ACL, or better BucketOwnerEnforced ownership and no ACLs)`,
                    `S3 bucket 'subject' grants access to AllUsers or AuthenticatedUsers; buckets must never be public (use the private ACL, or better BucketOwnerEnforced ownership and no ACLs)`,
                ],
            },
        ],
        unknown: {
            title: "an unknown inline ACL is advisory",
            case: { type: T.bucketV2, props: { acl: UNKNOWN } },
            advisory: true,
        },
    });
});
