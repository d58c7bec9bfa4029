/**
 * Where the stack's alarms go: one SNS topic encrypted with the stack key that only this
 * account's CloudWatch alarms may publish to (over TLS), optionally with an e-mail subscription.
 * Every component that owns alarms (the web tier's rollout alarm, the synthetic checks,
 * Monitoring) takes `actions`: this topic, plus an existing one (a pager's, AWS Chatbot's) when
 * given.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Statement, policyDocument } from "../lib/iam";
import { childName } from "../lib/naming";

export interface AlarmTopicArgs {
    /** Start of the topic's name, e.g. "webfleet-prod" (alarmPrefixFor): the topic is "<prefix>-alarms". */
    prefix: string;
    /** Subscribed to the topic by e-mail (AWS sends a confirmation link first). */
    email?: string;
    /** An existing SNS topic in the stack's region that every alarm also notifies. */
    extraTopicArn?: string;
    /** The stack key; its policy lets CloudWatch alarms publish to this account's topics. */
    kmsKeyArn: pulumi.Input<string>;
}

/** Alarm and dashboard names from the project and stack (names allow letters, digits, - and _). */
export function alarmPrefixFor(project: string, stack: string): string {
    return `${project}-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-");
}

/** Whether a prefix is usable in alarm, topic and dashboard names. */
export function isAlarmPrefix(prefix: string): boolean {
    return /^[A-Za-z0-9_-]{1,200}$/.test(prefix);
}

export class AlarmTopic extends pulumi.ComponentResource {
    public readonly arn: pulumi.Output<string>;
    /** What an alarm notifies on ALARM and on OK: this topic, and `extraTopicArn` when given. */
    public readonly actions: pulumi.Output<string>[];

    constructor(name: string, args: AlarmTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:ops:AlarmTopic", name, {}, opts);
        if (!isAlarmPrefix(args.prefix)) {
            throw new pulumi.ResourceError(
                `alarm topic: prefix "${args.prefix}" may hold only letters, digits, - and _ (see alarmPrefixFor)`,
                this,
            );
        }
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const region = aws.getRegionOutput({}, { parent: this }).region;

        const topic = new aws.sns.Topic(
            childName(name, "topic"),
            {
                name: `${args.prefix}-alarms`,
                displayName: `${args.prefix} alarms`,
                kmsMasterKeyId: args.kmsKeyArn,
                tags: { Name: `${args.prefix}-alarms` },
            },
            { parent: this },
        );
        new aws.sns.TopicPolicy(
            childName(name, "policy"),
            {
                arn: topic.arn,
                policy: policyDocument([
                    pulumi.all([topic.arn, account, region]).apply(([arn, accountId, r]): Statement => ({
                        Sid: "AlarmsOfThisAccountPublish",
                        Effect: "Allow",
                        Principal: { Service: "cloudwatch.amazonaws.com" },
                        Action: "sns:Publish",
                        Resource: arn,
                        Condition: {
                            ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${r}:${accountId}:alarm:*` },
                            StringEquals: { "aws:SourceAccount": accountId },
                        },
                    })),
                    topic.arn.apply((arn): Statement => ({
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: { AWS: "*" },
                        Action: "sns:Publish",
                        Resource: arn,
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    })),
                ]),
            },
            { parent: this },
        );
        if (args.email) {
            new aws.sns.TopicSubscription(
                childName(name, "email"),
                { topic: topic.arn, protocol: "email", endpoint: args.email },
                { parent: this },
            );
        }
        this.arn = topic.arn;
        this.actions = args.extraTopicArn ? [topic.arn, pulumi.output(args.extraTopicArn)] : [topic.arn];
        this.registerOutputs({ arn: this.arn });
    }
}
