import { T } from "../../policy/lib/types";
import { ResourceCase, UNKNOWN, describeRule } from "./helpers";

describe("policy: Lambda permissions for AWS services", () => {
    const FIX =
        "a permission for an AWS service names the resource or account that may use it (set sourceArn to the bucket, topic, rule or API that calls the function, and sourceAccount to the account)";
    const permission = (props: Record<string, unknown>): ResourceCase => ({
        type: T.lambdaPermission,
        props: { action: "lambda:InvokeFunction", function: "fn", ...props },
    });
    describeRule<ResourceCase>("lambda-permission-source-confined", {
        compliant: [
            {
                title: "EventBridge with the rule's ARN (the restore test's shape)",
                case: permission({
                    principal: "events.amazonaws.com",
                    sourceArn: "arn:aws:events:us-east-1:123456789012:rule/nightly",
                }),
            },
            {
                title: "S3 with the source account only",
                case: permission({ principal: "s3.amazonaws.com", sourceAccount: "123456789012" }),
            },
            {
                title: "API Gateway with a wildcard after the API's ARN in the account",
                case: permission({
                    principal: "apigateway.amazonaws.com",
                    sourceArn: "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/*/POST/orders",
                }),
            },
            { title: "another account (not a service)", case: permission({ principal: "210987654321" }) },
            {
                title: "a service of the China partition with its source",
                case: permission({
                    principal: "sns.amazonaws.com.cn",
                    sourceArn: "arn:aws-cn:sns:cn-north-1:123456789012:t",
                }),
            },
        ],
        violations: [
            {
                title: "S3 with neither sourceArn nor sourceAccount",
                case: permission({ principal: "s3.amazonaws.com" }),
                messages: [
                    `Lambda permission 'subject' lets s3.amazonaws.com call the function (lambda:InvokeFunction) with no sourceArn or sourceAccount, so a resource in any AWS account can make the service invoke it; ${FIX}`,
                ],
            },
            {
                title: "SNS with a sourceArn that matches every topic of every account",
                case: permission({ principal: "sns.amazonaws.com", sourceArn: "arn:aws:sns:*:*:*" }),
                messages: [
                    `Lambda permission 'subject' lets sns.amazonaws.com call the function (lambda:InvokeFunction) for any caller ("arn:aws:sns:*:*:*" matches every account or resource), so a resource in any AWS account can make the service invoke it; ${FIX}`,
                ],
            },
        ],
        unknown: {
            title: "a sourceArn unknown at preview is a resource of the stack",
            case: permission({ principal: "events.amazonaws.com", sourceArn: UNKNOWN }),
            passes: true,
        },
    });
});
