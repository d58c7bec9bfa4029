/**
 * The web application firewall in front of the ALB: a WAFv2 regional web ACL associated with
 * the load balancer (or, with CloudFront in front, a CLOUDFRONT web ACL the distribution uses,
 * so the rules see the viewers' addresses rather than CloudFront's), with a per-IP rate limit
 * and four AWS managed rule groups, logging the
 * requests a rule matched to a CloudWatch Logs group (WAF requires the name to start with
 * "aws-waf-logs-") kept for the stack's audit-log horizon under the stack's KMS key.
 *
 * Rules, in evaluation order (lower priority first; the first terminating match wins):
 *   0 rate-limit                              block an IP above N requests in 5 minutes
 *   1 AWSManagedRulesAmazonIpReputationList   addresses Amazon threat intelligence knows as bad
 *   2 AWSManagedRulesKnownBadInputsRuleSet    request patterns of known exploits (Log4j, …)
 *   3 AWSManagedRulesCommonRuleSet            the OWASP-style core set (XSS, LFI, bad bots, size)
 *   4 AWSManagedRulesSQLiRuleSet              SQL injection
 * Cheapest and most decisive first: an address that is flooding or known bad is dropped before
 * the larger rule sets inspect its body. Everything else is allowed (default action).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Statement, policyDocument } from "../lib/iam";
import { childName, nameWithin } from "../lib/naming";

/** The managed rule groups, in priority order after the rate limit. */
export const MANAGED_RULE_GROUPS = [
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesSQLiRuleSet",
] as const;

/** WAF's bounds for a rate-based rule over a 5-minute window. */
export const RATE_LIMIT_MIN = 10;
export const RATE_LIMIT_MAX = 2_000_000_000;

/** Headers whose values never reach the WAF logs. */
export const REDACTED_HEADERS = ["authorization", "cookie"];

export interface WebFirewallArgs {
    /** Start of the web ACL's, its metrics' and its log group's names, e.g. "webfleet-prod". */
    prefix: string;
    /**
     * REGIONAL: associated with `loadBalancerArn`. CLOUDFRONT: for a distribution's webAclId;
     * AWS requires such a web ACL (and its log group) in us-east-1, the stack's region then.
     */
    scope: "REGIONAL" | "CLOUDFRONT";
    /** The ALB to protect (REGIONAL only). */
    loadBalancerArn?: pulumi.Input<string>;
    /** Requests one IP may make in 5 minutes before it is blocked. */
    rateLimitPer5Min: number;
    retentionDays: number;
    kmsKeyArn: pulumi.Input<string>;
}

type Rule = aws.types.input.wafv2.WebAclRule;

function visibility(metricName: string): aws.types.input.wafv2.WebAclVisibilityConfig {
    return { cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

/** The web ACL's rules (pure, so the tests read exactly what is deployed). */
export function webAclRules(prefix: string, rateLimitPer5Min: number): Rule[] {
    const rate: Rule = {
        name: "rate-limit",
        priority: 0,
        action: { block: {} },
        statement: {
            rateBasedStatement: { limit: rateLimitPer5Min, aggregateKeyType: "IP", evaluationWindowSec: 300 },
        },
        visibilityConfig: visibility(`${prefix}-rate-limit`),
    };
    const managed = MANAGED_RULE_GROUPS.map((group, i): Rule => ({
        name: group,
        priority: i + 1,
        // "none" keeps each group's own actions (block); "count" would only watch.
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
        visibilityConfig: visibility(`${prefix}-${group}`),
    }));
    return [rate, ...managed];
}

export class WebFirewall extends pulumi.ComponentResource {
    public readonly webAclArn: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: WebFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:ops:WebFirewall", name, {}, opts);
        if (
            !Number.isInteger(args.rateLimitPer5Min) ||
            args.rateLimitPer5Min < RATE_LIMIT_MIN ||
            args.rateLimitPer5Min > RATE_LIMIT_MAX
        ) {
            throw new pulumi.ResourceError(
                `waf.rateLimitPer5Min: ${args.rateLimitPer5Min} is outside ${RATE_LIMIT_MIN} to ${RATE_LIMIT_MAX}, what a WAF rate-based rule accepts`,
                this,
            );
        }
        if ((args.scope === "REGIONAL") !== (args.loadBalancerArn !== undefined)) {
            throw new pulumi.ResourceError(
                "waf: a REGIONAL web ACL needs loadBalancerArn, a CLOUDFRONT one takes none (the distribution names it)",
                this,
            );
        }
        if (!/^[A-Za-z0-9_-]{1,100}$/.test(args.prefix)) {
            throw new pulumi.ResourceError(`waf: prefix "${args.prefix}" may hold only letters, digits, - and _`, this);
        }

        const acl = new aws.wafv2.WebAcl(
            childName(name, "acl"),
            {
                name: nameWithin(`${args.prefix}-web`, 128, "WAF web ACL"),
                description: "webfleet: rate limit and AWS managed rule groups in front of the ALB",
                scope: args.scope,
                defaultAction: { allow: {} },
                rules: webAclRules(args.prefix, args.rateLimitPer5Min),
                visibilityConfig: visibility(`${args.prefix}-web`),
                tags: { Name: `${args.prefix}-web` },
            },
            { parent: this },
        );
        if (args.loadBalancerArn) {
            new aws.wafv2.WebAclAssociation(
                childName(name, "alb"),
                { resourceArn: args.loadBalancerArn, webAclArn: acl.arn },
                { parent: this },
            );
        }

        const logGroup = new aws.cloudwatch.LogGroup(
            childName(name, "logs"),
            { name: `aws-waf-logs-${args.prefix}`, retentionInDays: args.retentionDays, kmsKeyId: args.kmsKeyArn },
            { parent: this },
        );
        // WAF delivers through CloudWatch Logs' log delivery service, which needs this resource
        // policy; written here for exactly this group, rather than left to WAF to add one for
        // the whole account when logging is turned on.
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const delivery = new aws.cloudwatch.LogResourcePolicy(
            childName(name, "log-delivery"),
            {
                policyName: `${args.prefix}-waf-log-delivery`,
                policyDocument: policyDocument([
                    pulumi.all([logGroup.arn, account, region]).apply(([arn, accountId, r]): Statement => ({
                        Sid: "WafLogDelivery",
                        Effect: "Allow",
                        Principal: { Service: "delivery.logs.amazonaws.com" },
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                        Resource: `${arn}:log-stream:*`,
                        Condition: {
                            StringEquals: { "aws:SourceAccount": accountId },
                            ArnLike: { "aws:SourceArn": `arn:aws:logs:${r}:${accountId}:*` },
                        },
                    })),
                ]),
            },
            { parent: this },
        );
        new aws.wafv2.WebAclLoggingConfiguration(
            childName(name, "logging"),
            {
                resourceArn: acl.arn,
                logDestinationConfigs: [logGroup.arn],
                redactedFields: REDACTED_HEADERS.map((header) => ({ singleHeader: { name: header } })),
                // Only what a rule matched: the ALB's access logs already hold every request.
                loggingFilter: {
                    defaultBehavior: "DROP",
                    filters: [
                        {
                            behavior: "KEEP",
                            requirement: "MEETS_ANY",
                            conditions: ["BLOCK", "COUNT", "CAPTCHA", "CHALLENGE"].map((action) => ({
                                actionCondition: { action },
                            })),
                        },
                    ],
                },
            },
            { parent: this, dependsOn: [delivery] },
        );

        this.webAclArn = acl.arn;
        this.logGroupName = logGroup.name;
        this.registerOutputs({ webAclArn: this.webAclArn, logGroupName: this.logGroupName });
    }
}
