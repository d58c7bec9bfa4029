/**
 * Logging rules: log groups say how long they keep what they hold, and encrypt it with the
 * project's key (logs carry request details, errors, sometimes data); a CloudTrail trail a team
 * adds signs its log files.
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { WebfleetPolicy, configOf, resourceRule } from "./lib/rule";
import { subject } from "./lib/types";
import { isAwsManagedKey, isTrue, peek } from "./lib/values";

const logGroupRetention = resourceRule({
    name: "log-group-retention",
    description: "CloudWatch log groups set an explicit retention of at least the configured number of days.",
    severity: "low",
    checks: "retentionInDays is set and at least minimumDays (config); 0 (never expire) is refused too: a known period bounds what the logs keep (request details, errors, personal data) and what they cost",
    equivalents: { cdkNag: ["NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod"], checkov: ["CKV_AWS_66"] },
    unknown: "advisory",
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
                    `${subject(args.type, args.name)} keeps logs forever (retentionInDays is ${days === 0 ? "0, never expire" : "not set"}); log groups must keep logs for a known period of at least ${minimumDays} days, so what they hold is deleted once no longer needed (set retentionInDays)`,
                );
            } else if (days < minimumDays) {
                report(
                    `${subject(args.type, args.name)} keeps logs for ${days} day(s); log groups must keep logs for at least ${minimumDays} days for incident response (set retentionInDays: ${minimumDays} or more)`,
                );
            }
        }),
    ],
});

const logGroupCmk = resourceRule({
    name: "log-group-cmk",
    description: "CloudWatch log groups are encrypted with a customer-managed KMS key.",
    severity: "medium",
    checks: "kmsKeyId is set on aws.cloudwatch.LogGroup (a key ARN, not an AWS managed alias)",
    equivalents: { cdkNag: ["NIST.800.53.R5-CloudWatchLogGroupEncrypted"], checkov: ["CKV_AWS_158"] },
    unknown: "reference",
    unknownNote: "A key ARN unknown at preview is a key of the stack and counts as set.",
    requirement: "log groups must use the project's key (set kmsKeyId: key.arn)",
    validate: [
        validateResourceOfType(aws.cloudwatch.LogGroup, (lg, args, report) => {
            const key = peek(lg, "kmsKeyId");
            if ((key.known && !key.value) || isAwsManagedKey(key)) {
                report(
                    `${subject(args.type, args.name)} is encrypted only with CloudWatch Logs' service key; log groups must use the project's key, whose policy controls who reads the logs (set kmsKeyId: key.arn, and allow logs.<region>.amazonaws.com in the key policy)`,
                );
            }
        }),
    ],
});

const cloudtrailLogValidation = resourceRule({
    name: "cloudtrail-log-validation",
    description:
        "CloudTrail trails sign their log files (log file validation), so a deleted or edited audit record can be detected.",
    severity: "medium",
    checks: "aws.cloudtrail.Trail enableLogFileValidation is true",
    equivalents: {
        cdkNag: ["NIST.800.53.R5-CloudTrailLogFileValidationEnabled"],
        checkov: ["CKV_AWS_36"],
    },
    unknown: "advisory",
    requirement: "trails validate their log files (set enableLogFileValidation: true)",
    validate: [
        validateResourceOfType(aws.cloudtrail.Trail, (t, args, report) => {
            if (!isTrue(t.enableLogFileValidation)) {
                report(
                    `${subject(args.type, args.name)} does not validate its log files (enableLogFileValidation is ${JSON.stringify(t.enableLogFileValidation ?? null)}), so someone who can write to the log bucket can delete or edit audit records unnoticed; trails validate their log files (set enableLogFileValidation: true)`,
                );
            }
        }),
    ],
});

export const loggingPolicies: WebfleetPolicy[] = [logGroupRetention, logGroupCmk, cloudtrailLogValidation];
