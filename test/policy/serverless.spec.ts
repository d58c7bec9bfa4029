import { expect } from "chai";
import { RUNTIME_DEPRECATION } from "../../policy/lib/engines";
import { today } from "../../policy/lib/rule";
import { T } from "../../policy/lib/types";
import { ResourceCase, StackCase, StackResource, UNKNOWN, describeRule } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/2ccbf1d3-c5da-4e41-8932-608ff6ef778e";
const DB_ADDRESS = "webfleet-prod-310fe249.c08864ee4c3d.us-east-1.rds.amazonaws.com";
const db: StackResource = {
    type: T.rdsInstance,
    name: "database-db",
    props: { id: "webfleet-prod-310fe249", address: DB_ADDRESS },
};
const fn = (props: Record<string, unknown>, deps?: Record<string, string[]>): StackResource => ({
    type: T.lambdaFunction,
    name: "migrations-fn",
    props: { runtime: "nodejs22.x", role: "arn:aws:iam::123456789012:role/migrations", ...props },
    deps,
});
const VPC = { subnetIds: ["subnet-0a1", "subnet-0a2"], securityGroupIds: ["sg-0m1"] };

/** A runtime whose deprecation is at least a year away, and one long deprecated, from the dated table. */
const supported = Object.entries(RUNTIME_DEPRECATION).find(
    ([, d]) => d > `${Number(today().slice(0, 4)) + 1}${today().slice(4)}`,
)![0];

describe("policy: serverless and messaging", () => {
    const IN_VPC =
        "functions that reach the database run in the VPC (set vpcConfig: { subnetIds: private subnets, securityGroupIds: [a group the database admits] })";
    describeRule<StackCase>("lambda-in-vpc-for-database", {
        compliant: [
            {
                title: "the migration function in the VPC, reaching the database by its address",
                case: { resources: [db, fn({ vpcConfig: VPC, environment: { variables: { DB_HOST: DB_ADDRESS } } })] },
            },
            {
                title: "a function that never touches the database may run outside the VPC",
                case: { resources: [db, fn({ environment: { variables: { QUEUE: "jobs" } } })] },
            },
        ],
        violations: [
            {
                title: "the database address in the environment, no VPC",
                case: { resources: [db, fn({ environment: { variables: { DB_HOST: DB_ADDRESS } } })] },
                messages: [
                    `Lambda function 'migrations-fn' reaches the database but runs outside the VPC (vpcConfig has no subnetIds), and the database is reachable only inside it; ${IN_VPC}`,
                ],
            },
            {
                title: "at a first preview, the environment depends on the database; subnets but no security group",
                case: {
                    resources: [
                        db,
                        fn(
                            {
                                vpcConfig: { subnetIds: ["subnet-0a1"], securityGroupIds: [] },
                                environment: { variables: { DB_HOST: UNKNOWN } },
                            },
                            { environment: ["database-db"] },
                        ),
                    ],
                },
                messages: [
                    `Lambda function 'migrations-fn' reaches the database but runs outside the VPC (vpcConfig has no securityGroupIds), and the database is reachable only inside it; ${IN_VPC}`,
                ],
            },
            {
                title: "a role that may rds-db:connect, no VPC",
                case: {
                    resources: [
                        db,
                        {
                            type: T.iamRole,
                            name: "migrations",
                            props: { arn: "arn:aws:iam::123456789012:role/migrations" },
                        },
                        {
                            type: T.iamRolePolicy,
                            name: "migrations-connect",
                            props: {
                                role: "arn:aws:iam::123456789012:role/migrations",
                                policy: JSON.stringify({
                                    Statement: [{ Effect: "Allow", Action: "rds-db:connect", Resource: "*" }],
                                }),
                            },
                        },
                        fn({}),
                    ],
                },
                messages: [
                    `Lambda function 'migrations-fn' reaches the database but runs outside the VPC (vpcConfig has no subnetIds), and the database is reachable only inside it; ${IN_VPC}`,
                ],
            },
        ],
        unknown: {
            title: "a vpcConfig unknown at preview is advisory",
            case: { resources: [db, fn({ vpcConfig: UNKNOWN, environment: { variables: { DB_HOST: DB_ADDRESS } } })] },
            advisory: true,
        },
    });

    const RUNTIME =
        "functions run on a supported runtime (move to the current version of the language, e.g. nodejs22.x or python3.13)";
    const lambda = (props: Record<string, unknown>): ResourceCase => ({ type: T.lambdaFunction, props });
    describeRule<ResourceCase>("lambda-supported-runtime", {
        compliant: [
            { title: `a runtime far from its deprecation (${supported})`, case: lambda({ runtime: supported }) },
            {
                title: "a container image (its runtime is the image's)",
                case: lambda({ packageType: "Image", imageUri: "app:1" }),
            },
            { title: "a runtime newer than the table knows", case: lambda({ runtime: "nodejs30.x" }) },
        ],
        violations: [
            {
                title: "Node.js 16",
                case: lambda({ runtime: "nodejs16.x" }),
                messages: [
                    `Lambda function 'subject' runs on nodejs16.x, deprecated on 2024-06-12, which gets no more security patches and will stop updating; ${RUNTIME}`,
                ],
            },
            {
                title: "Go 1.x",
                case: lambda({ runtime: "go1.x" }),
                messages: [
                    `Lambda function 'subject' runs on go1.x, deprecated on 2024-01-08, which gets no more security patches and will stop updating; ${RUNTIME}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown runtime is advisory until checked before creation",
            case: lambda({ runtime: UNKNOWN }),
            advisory: true,
        },
    });

    it("knows every runtime's deprecation as a date, so a runtime is refused from the day it is deprecated", () => {
        for (const [runtime, date] of Object.entries(RUNTIME_DEPRECATION)) {
            expect(date, runtime).to.match(/^\d{4}-\d{2}-\d{2}$/);
        }
        expect(supported).to.be.a("string");
    });

    const topic = (props: Record<string, unknown>): ResourceCase => ({ type: T.snsTopic, name: "alarms", props });
    describeRule<ResourceCase>("sns-topic-cmk", {
        compliant: [{ title: "the project's key", case: topic({ kmsMasterKeyId: KEY }) }],
        violations: [
            {
                title: "unencrypted",
                case: topic({}),
                messages: [
                    "SNS topic 'alarms' stores messages unencrypted; topics must encrypt with the project's key, whose policy the stack controls (set kmsMasterKeyId: key.arn and let the publishing services use the key)",
                ],
            },
            {
                title: "the AWS managed key",
                case: topic({ kmsMasterKeyId: "alias/aws/sns" }),
                messages: [
                    "SNS topic 'alarms' stores messages under the AWS managed key alias/aws/sns; topics must encrypt with the project's key, whose policy the stack controls (set kmsMasterKeyId: key.arn and let the publishing services use the key)",
                ],
            },
        ],
        unknown: {
            title: "a key unknown at preview is the stack's key",
            case: topic({ kmsMasterKeyId: UNKNOWN }),
            passes: true,
        },
    });

    const queue = (props: Record<string, unknown>): ResourceCase => ({ type: T.sqsQueue, name: "jobs", props });
    describeRule<ResourceCase>("sqs-queue-encrypted", {
        compliant: [
            { title: "SQS-managed encryption (the default)", case: queue({}) },
            { title: "the project's key", case: queue({ kmsMasterKeyId: KEY }) },
        ],
        violations: [
            {
                title: "encryption turned off",
                case: queue({ sqsManagedSseEnabled: false }),
                messages: [
                    "SQS queue 'jobs' stores messages unencrypted (sqsManagedSseEnabled is false and no kmsMasterKeyId); queues must encrypt messages (set kmsMasterKeyId: key.arn, or sqsManagedSseEnabled: true)",
                ],
            },
        ],
        unknown: {
            title: "a key unknown at preview is the stack's key",
            case: queue({ sqsManagedSseEnabled: false, kmsMasterKeyId: UNKNOWN }),
            passes: true,
        },
    });

    const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:alarms";
    const denyPublish = {
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "sns:Publish",
        Resource: TOPIC_ARN,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
    const topicPolicy = (statements: unknown[], arn = TOPIC_ARN, deps?: string[]): StackResource => ({
        type: T.snsTopicPolicy,
        name: "alarms-policy",
        props: { arn, policy: JSON.stringify({ Statement: statements }) },
        deps: deps ? { arn: deps } : undefined,
    });
    const TLS_SNS =
        'topics must refuse requests without TLS (add a Deny statement for Principal "*", Action "sns:Publish" (or "sns:*"), Condition { Bool: { "aws:SecureTransport": "false" } } to its policy)';
    describeRule<StackCase>("sns-tls-only", {
        compliant: [
            {
                title: "webfleet's topic policy: deny sns:Publish without TLS",
                case: {
                    resources: [
                        { type: T.snsTopic, name: "alarms", props: { arn: TOPIC_ARN, id: TOPIC_ARN } },
                        topicPolicy([denyPublish]),
                    ],
                },
            },
            {
                title: "at a first preview, traced by dependency, with sns:*",
                case: {
                    resources: [
                        { type: T.snsTopic, name: "alarms", props: { arn: UNKNOWN, id: UNKNOWN } },
                        topicPolicy([{ ...denyPublish, Action: "sns:*" }], UNKNOWN, ["alarms"]),
                    ],
                },
            },
        ],
        violations: [
            {
                title: "no policy",
                case: { resources: [{ type: T.snsTopic, name: "alarms", props: { arn: TOPIC_ARN, id: TOPIC_ARN } }] },
                messages: [`SNS topic 'alarms' has no policy, so it accepts requests without TLS; ${TLS_SNS}`],
            },
            {
                title: "a policy for another topic",
                case: {
                    resources: [
                        { type: T.snsTopic, name: "alarms", props: { arn: TOPIC_ARN, id: TOPIC_ARN } },
                        topicPolicy([denyPublish], "arn:aws:sns:us-east-1:123456789012:other"),
                    ],
                },
                messages: [`SNS topic 'alarms' has no policy, so it accepts requests without TLS; ${TLS_SNS}`],
            },
        ],
        unknown: {
            title: "a policy document unknown at preview is advisory",
            case: {
                resources: [
                    { type: T.snsTopic, name: "alarms", props: { arn: UNKNOWN, id: UNKNOWN } },
                    { ...topicPolicy([], UNKNOWN, ["alarms"]), props: { arn: UNKNOWN, policy: UNKNOWN } },
                ],
            },
            advisory: true,
        },
    });

    const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs";
    const TLS_SQS =
        'queues must refuse requests without TLS (add a Deny statement for Principal "*", Action "sqs:SendMessage" (or "sqs:*"), Condition { Bool: { "aws:SecureTransport": "false" } } to its policy)';
    describeRule<StackCase>("sqs-tls-only", {
        compliant: [
            {
                title: "an inline queue policy denying sqs:* without TLS",
                case: {
                    resources: [
                        {
                            type: T.sqsQueue,
                            name: "jobs",
                            props: {
                                id: QUEUE_URL,
                                policy: JSON.stringify({
                                    Statement: [{ ...denyPublish, Action: "sqs:*", Resource: "*" }],
                                }),
                            },
                        },
                    ],
                },
            },
        ],
        violations: [
            {
                title: "a queue policy that only allows",
                case: {
                    resources: [
                        { type: T.sqsQueue, name: "jobs", props: { id: QUEUE_URL } },
                        {
                            type: T.sqsQueuePolicy,
                            name: "jobs-policy",
                            props: {
                                queueUrl: QUEUE_URL,
                                policy: JSON.stringify({
                                    Statement: [
                                        {
                                            Effect: "Allow",
                                            Principal: { Service: "sns.amazonaws.com" },
                                            Action: "sqs:SendMessage",
                                            Resource: "*",
                                        },
                                    ],
                                }),
                            },
                        },
                    ],
                },
                messages: [
                    `SQS queue policy 'jobs-policy' does not deny requests without TLS, and it is the queue's policy; ${TLS_SQS}`,
                ],
            },
        ],
        unknown: {
            title: "a queue policy unknown at preview is advisory",
            case: {
                resources: [
                    { type: T.sqsQueue, name: "jobs", props: { id: UNKNOWN } },
                    {
                        type: T.sqsQueuePolicy,
                        name: "jobs-policy",
                        props: { queueUrl: UNKNOWN, policy: UNKNOWN },
                        deps: { queueUrl: ["jobs"] },
                    },
                ],
            },
            advisory: true,
        },
    });

    const APIGW_FIX =
        'so anyone who finds the API can call its backend; API methods authenticate their callers (set authorization to "AWS_IAM", "COGNITO_USER_POOLS" or "CUSTOM" with an authorizerId; an API key is not authentication); a method meant to be public takes an exemption with its reason';
    const method = (props: Record<string, unknown>): ResourceCase => ({
        type: T.apigatewayMethod,
        props: { restApi: "abc123", resourceId: "res1", ...props },
    });
    describeRule<ResourceCase>("apigw-method-auth", {
        compliant: [
            { title: "IAM authorization", case: method({ httpMethod: "POST", authorization: "AWS_IAM" }) },
            {
                title: "a Lambda authorizer",
                case: method({ httpMethod: "GET", authorization: "CUSTOM", authorizerId: "auth1" }),
            },
            {
                title: "a CORS preflight OPTIONS method",
                case: method({ httpMethod: "OPTIONS", authorization: "NONE" }),
            },
        ],
        violations: [
            {
                title: "a POST open to anyone",
                case: method({ httpMethod: "POST", authorization: "NONE" }),
                messages: [`API Gateway method 'subject' (POST) has authorization "NONE", ${APIGW_FIX}`],
            },
            {
                title: "an API key in place of authentication",
                case: method({ httpMethod: "ANY", authorization: "none", apiKeyRequired: true }),
                messages: [
                    `API Gateway method 'subject' (ANY) has authorization "NONE" (an API key identifies a client, it does not authenticate one), ${APIGW_FIX}`,
                ],
            },
        ],
        unknown: {
            title: "an authorization unknown at preview is advisory until checked before creation",
            case: method({ httpMethod: "GET", authorization: UNKNOWN }),
            advisory: true,
        },
    });

    const ROUTE_FIX =
        'so anyone who finds the API can call its backend; API methods authenticate their callers (set authorizationType to "AWS_IAM", "JWT" or "CUSTOM" with an authorizerId; an API key is not authentication); a method meant to be public takes an exemption with its reason';
    const route = (props: Record<string, unknown>): ResourceCase => ({
        type: T.apigatewayV2Route,
        props: { apiId: "api123", ...props },
    });
    describeRule<ResourceCase>("apigw-method-auth", {
        compliant: [
            {
                title: "an HTTP API route with a JWT authorizer",
                case: route({ routeKey: "POST /orders", authorizationType: "JWT", authorizerId: "jwt1" }),
            },
            {
                title: "an HTTP API route with IAM authorization",
                case: route({ routeKey: "GET /orders/{id}", authorizationType: "AWS_IAM" }),
            },
            { title: "a CORS preflight route", case: route({ routeKey: "OPTIONS /orders" }) },
            {
                title: "WebSocket $connect with a Lambda authorizer",
                case: route({ routeKey: "$connect", authorizationType: "CUSTOM", authorizerId: "auth1" }),
            },
            {
                title: "WebSocket message routes, which take no authorizer (the connection was authorized)",
                case: route({ routeKey: "sendmessage" }),
            },
            { title: "WebSocket $disconnect", case: route({ routeKey: "$disconnect", authorizationType: "NONE" }) },
        ],
        violations: [
            {
                title: "an HTTP API route with no authorization type (the default, NONE)",
                case: route({ routeKey: "ANY /{proxy+}" }),
                messages: [
                    `API Gateway route 'subject' (ANY /{proxy+}) has authorization type unset (NONE), ${ROUTE_FIX}`,
                ],
            },
            {
                title: "an HTTP API route with NONE and an API key",
                case: route({ routeKey: "DELETE /orders/{id}", authorizationType: "NONE", apiKeyRequired: true }),
                messages: [
                    `API Gateway route 'subject' (DELETE /orders/{id}) has authorization type "NONE" (an API key identifies a client, it does not authenticate one), ${ROUTE_FIX}`,
                ],
            },
            {
                title: "a WebSocket $connect anyone may open",
                case: route({ routeKey: "$connect", authorizationType: "NONE" }),
                messages: [`API Gateway route 'subject' ($connect) has authorization type "NONE", ${ROUTE_FIX}`],
            },
        ],
        unknown: {
            title: "a route key unknown at preview is advisory until checked before creation",
            case: route({ routeKey: UNKNOWN }),
            advisory: true,
        },
    });
});
