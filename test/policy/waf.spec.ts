import { T } from "../../policy/lib/types";
import { StackCase, StackResource, UNKNOWN, describeRule } from "./helpers";

describe("policy: WAF", () => {
    const managed = {
        name: "common",
        priority: 1,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { name: "AWSManagedRulesCommonRuleSet", vendorName: "AWS" } },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "common", sampledRequestsEnabled: true },
    };
    const EDGE_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1";
    const aclResource = (props: Record<string, unknown>): StackResource => ({
        type: T.webAcl,
        name: "edge",
        props: { arn: EDGE_ARN, scope: "CLOUDFRONT", defaultAction: { allow: {} }, ...props },
    });
    const acl = (props: Record<string, unknown>, ...others: StackResource[]): StackCase => ({
        resources: [aclResource(props), ...others],
    });
    const RULES_FIX =
        "a web ACL needs rules that block (add AWS managed rule groups such as AWSManagedRulesCommonRuleSet with overrideAction none, and a rate-based rule with action block)";
    const rate = (action: string) => ({
        name: "rate",
        priority: 2,
        action: { [action]: {} },
        statement: { rateBasedStatement: { limit: 1000, aggregateKeyType: "IP" } },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "rate", sampledRequestsEnabled: true },
    });
    const WAF_RULE = "aws:wafv2/webAclRule:WebAclRule";
    const WAF_GROUP = "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation";
    describeRule<StackCase>("waf-web-acl-has-rules", {
        compliant: [
            { title: "a managed rule group", case: acl({ rules: [managed] }) },
            {
                title: "rules given as JSON (ruleJson, PascalCase), with the rules list left empty",
                case: acl({
                    rules: [],
                    ruleJson: JSON.stringify([
                        {
                            Name: "common",
                            Priority: 1,
                            OverrideAction: { None: {} },
                            Statement: {
                                ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesCommonRuleSet" },
                            },
                        },
                    ]),
                }),
            },
            { title: "a rate-based rule that challenges", case: acl({ rules: [rate("challenge")] }) },
            {
                title: "block by default, admitting one address set",
                case: acl({ defaultAction: { block: {} }, rules: [{ ...rate("allow"), name: "office" }] }),
            },
            {
                title: "a rule group kept outside the ACL (WebAclRuleGroupAssociation, overrideAction defaults to none), traced by dependency",
                case: acl(
                    { arn: UNKNOWN, rules: [] },
                    {
                        type: WAF_GROUP,
                        name: "edge-common",
                        props: {
                            webAclArn: UNKNOWN,
                            ruleName: "common",
                            priority: 1,
                            managedRuleGroup: { name: "AWSManagedRulesCommonRuleSet", vendorName: "AWS" },
                        },
                        deps: { webAclArn: ["edge"] },
                    },
                ),
            },
            {
                title: "a blocking rule kept outside the ACL (WebAclRule) by ARN",
                case: acl({}, { type: WAF_RULE, name: "edge-rate", props: { webAclArn: EDGE_ARN, ...rate("block") } }),
            },
        ],
        violations: [
            {
                title: "no rules",
                case: acl({ rules: [] }),
                messages: [
                    `Web ACL 'edge' has no rules, so with its default action allow it lets every request through unexamined; ${RULES_FIX}`,
                ],
            },
            {
                title: "an empty ruleJson",
                case: acl({ ruleJson: "[]" }),
                messages: [
                    `Web ACL 'edge' has no rules, so with its default action allow it lets every request through unexamined; ${RULES_FIX}`,
                ],
            },
            {
                title: "a managed rule group overridden to count and a rate rule that counts",
                case: acl({ rules: [{ ...managed, overrideAction: { count: {} } }, rate("count")] }),
                messages: [
                    `Web ACL 'edge' has 2 rule(s) but none that blocks (they only count or allow, or override rule groups to count), and its default action allows, so it lets every request through; ${RULES_FIX}`,
                ],
            },
            {
                title: "a separate rule group association overridden to count, and a rule of another ACL",
                case: acl(
                    {},
                    {
                        type: WAF_GROUP,
                        name: "edge-common",
                        props: { webAclArn: EDGE_ARN, ruleName: "common", priority: 1, overrideAction: "count" },
                    },
                    {
                        type: WAF_RULE,
                        name: "other-rate",
                        props: {
                            webAclArn: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/other/2",
                            ...rate("block"),
                        },
                    },
                ),
                messages: [
                    `Web ACL 'edge' has 1 rule(s) but none that blocks (they only count or allow, or override rule groups to count), and its default action allows, so it lets every request through; ${RULES_FIX}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown rule list is advisory",
            case: acl({ rules: UNKNOWN }),
            advisory: true,
        },
    });

    const ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/web/1";
    describeRule<StackCase>("waf-logging-enabled", {
        compliant: [
            {
                title: "a logging configuration naming the web ACL, traced by dependency at preview",
                case: {
                    resources: [
                        { type: T.webAcl, name: "web", props: { arn: UNKNOWN } },
                        {
                            type: T.webAclLogging,
                            name: "web-logs",
                            props: { resourceArn: UNKNOWN },
                            deps: { resourceArn: ["web"] },
                        },
                    ],
                },
            },
        ],
        violations: [
            {
                title: "no logging configuration",
                case: { resources: [{ type: T.webAcl, name: "web", props: { arn: ACL_ARN } }] },
                messages: [
                    "Web ACL 'web' logs nothing, so blocked and counted requests leave no trace; add an aws.wafv2.WebAclLoggingConfiguration with resourceArn: acl.arn and an aws-waf-logs- log group",
                ],
            },
        ],
        unknown: {
            title: "a logging configuration that cannot be traced covers nothing",
            case: {
                resources: [
                    { type: T.webAcl, name: "web", props: { arn: UNKNOWN } },
                    { type: T.webAclLogging, name: "web-logs", props: { resourceArn: UNKNOWN } },
                ],
            },
            messages: [
                "Web ACL 'web' logs nothing, so blocked and counted requests leave no trace; add an aws.wafv2.WebAclLoggingConfiguration with resourceArn: acl.arn and an aws-waf-logs- log group",
            ],
        },
    });
});
