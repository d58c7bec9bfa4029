import { ResourceCase, UNKNOWN, describeRule } from "./helpers";

describe("policy: SNS subscriptions", () => {
    const SUB = "aws:sns/topicSubscription:TopicSubscription";
    const FIX = 'topics deliver to web endpoints over TLS (set protocol: "https" and an https:// endpoint)';
    const sub = (protocol: unknown, endpoint: unknown): ResourceCase => ({
        type: SUB,
        props: { topic: "arn:aws:sns:us-east-1:123456789012:alarms", protocol, endpoint },
    });
    describeRule<ResourceCase>("sns-subscription-https", {
        compliant: [
            { title: "an HTTPS webhook", case: sub("https", "https://hooks.example.com/sns") },
            { title: "email (the alarm topic)", case: sub("email", "ops@example.com") },
            { title: "a queue", case: sub("sqs", "arn:aws:sqs:us-east-1:123456789012:jobs") },
        ],
        violations: [
            {
                title: "a plain HTTP webhook",
                case: sub("http", "http://hooks.example.com/sns"),
                messages: [
                    `SNS topic subscription 'subject' delivers messages to "http://hooks.example.com/sns" over plain HTTP, where anyone on the path can read or change them; ${FIX}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown protocol is advisory until checked before creation",
            case: sub(UNKNOWN, "https://hooks.example.com/sns"),
            advisory: true,
        },
    });
});
