/**
 * The log groups the web servers' CloudWatch agent writes to, made by Pulumi (not by the agent)
 * so they exist with a retention and the stack's KMS key before the first server boots: a group
 * the agent creates itself is unencrypted and kept forever. The instance role gets an
 * identity-policy statement for exactly these groups (`writeStatement`), nothing account-wide.
 *
 *   <prefix>/app     the app's JSON log lines, one stream per instance
 *   <prefix>/system  /var/log/messages, /var/log/secure, cloud-init's output and the agent's
 *                    own log, one stream per instance and file ("<instance id>/<file>")
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Statement } from "../lib/iam";
import { childName } from "../lib/naming";

export interface InstanceLogsArgs {
    /** Start of the group names, e.g. "/webfleet/prod/web" (see logGroupPrefixFor). */
    prefix: string;
    retentionDays: number;
    /** The stack key; CloudWatch Logs may use it for this account's log groups (kmsPolicy.ts). */
    kmsKeyArn: pulumi.Input<string>;
}

/** What the agent needs to write into an existing group; no CreateLogGroup, no retention changes. */
export const LOG_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"];

/** "/<project>/<stack>/web": readable, unique per stack, only characters log group names allow. */
export function logGroupPrefixFor(project: string, stack: string): string {
    return `/${project}/${stack}/web`.replace(/[^A-Za-z0-9_\-./#]/g, "-");
}

export class InstanceLogs extends pulumi.ComponentResource {
    public readonly appLogGroupName: pulumi.Output<string>;
    public readonly systemLogGroupName: pulumi.Output<string>;
    public readonly logGroupArns: pulumi.Output<string[]>;

    constructor(name: string, args: InstanceLogsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:ops:InstanceLogs", name, {}, opts);
        if (!/^[A-Za-z0-9_\-./#]{1,480}$/.test(args.prefix)) {
            throw new pulumi.ResourceError(
                `instance logs: prefix "${args.prefix}" holds characters log group names do not allow (letters, digits, _ - . / #)`,
                this,
            );
        }
        const group = (kind: string) =>
            new aws.cloudwatch.LogGroup(
                childName(name, kind),
                { name: `${args.prefix}/${kind}`, retentionInDays: args.retentionDays, kmsKeyId: args.kmsKeyArn },
                { parent: this },
            );
        const app = group("app");
        const system = group("system");

        this.appLogGroupName = app.name;
        this.systemLogGroupName = system.name;
        this.logGroupArns = pulumi.all([app.arn, system.arn]);
        this.registerOutputs({
            appLogGroupName: this.appLogGroupName,
            systemLogGroupName: this.systemLogGroupName,
            logGroupArns: this.logGroupArns,
        });
    }

    /** Identity-policy statement for the instance role: write streams of these groups only. */
    writeStatement(): pulumi.Output<Statement> {
        return this.logGroupArns.apply((arns): Statement => ({
            Sid: "WriteInstanceLogs",
            Effect: "Allow",
            Action: LOG_WRITE_ACTIONS,
            // The group (CreateLogStream, DescribeLogStreams) and its streams (PutLogEvents).
            Resource: arns.flatMap((arn) => [arn, `${arn}:log-stream:*`]),
        }));
    }
}
