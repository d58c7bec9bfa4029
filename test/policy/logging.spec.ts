import { T } from "../../policy/lib/types";
import { ResourceCase, UNKNOWN, UNKNOWN_BOOL, UNKNOWN_NUMBER, describeRule } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/2ccbf1d3-c5da-4e41-8932-608ff6ef778e";

describe("policy: logging", () => {
    describeRule<ResourceCase>("log-group-retention", {
        compliant: [
            { title: "30 days against the default", case: { type: T.logGroup, props: { retentionInDays: 30 } } },
            {
                title: "365 days against prod's 90",
                case: { type: T.logGroup, props: { retentionInDays: 365 }, config: { minimumDays: 90 } },
            },
        ],
        violations: [
            {
                title: "no retention",
                case: { type: T.logGroup, props: {} },
                messages: [
                    "Log group 'subject' keeps logs forever (retentionInDays is not set); log groups must keep logs for a known period of at least 30 days, so what they hold is deleted once no longer needed (set retentionInDays)",
                ],
            },
            {
                title: "never expire (0)",
                case: { type: T.logGroup, props: { retentionInDays: 0 } },
                messages: [
                    "Log group 'subject' keeps logs forever (retentionInDays is 0, never expire); log groups must keep logs for a known period of at least 30 days, so what they hold is deleted once no longer needed (set retentionInDays)",
                ],
            },
            {
                title: "too short",
                case: { type: T.logGroup, props: { retentionInDays: 7 } },
                messages: [
                    "Log group 'subject' keeps logs for 7 day(s); log groups must keep logs for at least 30 days for incident response (set retentionInDays: 30 or more)",
                ],
            },
        ],
        unknown: {
            title: "an unknown retention is advisory until checked before creation",
            case: { type: T.logGroup, props: { retentionInDays: UNKNOWN_NUMBER } },
            advisory: true,
        },
    });

    const LOG_KEY =
        "log groups must use the project's key, whose policy controls who reads the logs (set kmsKeyId: key.arn, and allow logs.<region>.amazonaws.com in the key policy)";
    describeRule<ResourceCase>("log-group-cmk", {
        compliant: [
            { title: "the project's key", case: { type: T.logGroup, props: { retentionInDays: 365, kmsKeyId: KEY } } },
        ],
        violations: [
            {
                title: "no key",
                case: { type: T.logGroup, props: { retentionInDays: 365 } },
                messages: [`Log group 'subject' is encrypted only with CloudWatch Logs' service key; ${LOG_KEY}`],
            },
        ],
        unknown: {
            title: "a key unknown at preview is the stack's key",
            case: { type: T.logGroup, props: { retentionInDays: 365, kmsKeyId: UNKNOWN } },
            passes: true,
        },
    });

    const TRAIL =
        "so someone who can write to the log bucket can delete or edit audit records unnoticed; trails validate their log files (set enableLogFileValidation: true)";
    describeRule<ResourceCase>("cloudtrail-log-validation", {
        compliant: [
            {
                title: "log file validation on",
                case: { type: T.cloudtrailTrail, props: { s3BucketName: "audit", enableLogFileValidation: true } },
            },
        ],
        violations: [
            {
                title: "left unset (off by default)",
                case: { type: T.cloudtrailTrail, props: { s3BucketName: "audit" } },
                messages: [
                    `CloudTrail trail 'subject' does not validate its log files (enableLogFileValidation is null), ${TRAIL}`,
                ],
            },
            {
                title: "switched off",
                case: { type: T.cloudtrailTrail, props: { s3BucketName: "audit", enableLogFileValidation: false } },
                messages: [
                    `CloudTrail trail 'subject' does not validate its log files (enableLogFileValidation is false), ${TRAIL}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown setting is advisory until checked before creation",
            case: { type: T.cloudtrailTrail, props: { s3BucketName: "audit", enableLogFileValidation: UNKNOWN_BOOL } },
            advisory: true,
        },
    });
});
