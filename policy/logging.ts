/**
 * Logging rules: log groups say how long they keep what they hold.
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { WebfleetPolicy, configOf, resourceRule } from "./lib/rule";
import { subject } from "./lib/types";

const logGroupRetention = resourceRule({
    name: "log-group-retention",
    description: "CloudWatch log groups set an explicit retention of at least the configured number of days.",
    severity: "low",
    enforcementLevel: "advisory",
    checks: "retentionInDays is set (not 0, never expire) and at least minimumDays (config)",
    equivalents: ["CKV_AWS_66", "NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod"],
    unknown: "violation",
    requirement: "log groups must keep logs for a known period (set retentionInDays)",
    config: {
        minimumDays: {
            type: "integer",
            minimum: 1,
            maximum: 3653,
            default: 30,
            description: "Fewest days a log group must keep its logs.",
        },
    },
    validate: [
        validateResourceOfType(aws.cloudwatch.LogGroup, (lg, args, report) => {
            const { minimumDays } = configOf(args, { minimumDays: 30 });
            const days = lg.retentionInDays;
            if (days === undefined || days === null || days === 0) {
                report(
                    `${subject(args.type, args.name)} keeps logs forever (retentionInDays is not set); log groups must keep logs for a known period of at least ${minimumDays} days (set retentionInDays)`,
                );
            } else if (days < minimumDays) {
                report(
                    `${subject(args.type, args.name)} keeps logs for ${days} day(s); log groups must keep logs for at least ${minimumDays} days for incident response (set retentionInDays: ${minimumDays} or more)`,
                );
            }
        }),
    ],
});

export const loggingPolicies: WebfleetPolicy[] = [logGroupRetention];
