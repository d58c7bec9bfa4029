/**
 * WAF rules: a web ACL has rules (a web ACL without rules lets everything through), and logs
 * what it matches, so an attack can be investigated.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { ofType, resolveRef } from "./lib/graph";
import { WebfleetPolicy, resourceRule, stackRule } from "./lib/rule";
import { T, subject } from "./lib/types";

const webAclHasRules = resourceRule({
    name: "waf-web-acl-has-rules",
    description: "WAF web ACLs hold at least one rule, so they filter something rather than only adding latency.",
    severity: "medium",
    checks: "aws.wafv2.WebAcl has rules (the rules list, or a ruleJson with at least one rule)",
    equivalents: {},
    unknown: "advisory",
    requirement: "a web ACL needs rules (add AWS managed rule groups and a rate-based rule)",
    validate: [
        validateResourceOfType(aws.wafv2.WebAcl, (acl, args, report) => {
            const rules = acl.rules;
            const count = Array.isArray(rules)
                ? rules.length
                : typeof rules === "string"
                  ? (JSON.parse(rules) as unknown[]).length
                  : acl.ruleJson
                    ? (JSON.parse(acl.ruleJson) as unknown[]).length
                    : 0;
            if (count === 0) {
                report(
                    `${subject(args.type, args.name)} has no rules, so with its default action it lets every request through unexamined; a web ACL needs rules (add AWS managed rule groups such as AWSManagedRulesCommonRuleSet and a rate-based rule)`,
                );
            }
        }),
    ],
});

const webAclLogging = stackRule({
    name: "waf-logging-enabled",
    description: "WAF web ACLs log the requests they match, so an attack can be investigated.",
    severity: "medium",
    resources: [T.webAcl, T.webAclLogging],
    checks: "Each aws.wafv2.WebAcl is the resourceArn of an aws.wafv2.WebAclLoggingConfiguration (by ARN or property dependency)",
    equivalents: { cdkNag: ["NIST.800.53.R5-WAFv2LoggingEnabled"], checkov: ["CKV2_AWS_31"] },
    unknown: "violation",
    unknownNote:
        "A logging configuration whose resourceArn can be traced neither by value nor by dependency logs no web ACL of the stack.",
    validate: (args, report: ReportViolation) => {
        const configs = ofType(args.resources, T.webAclLogging);
        for (const acl of ofType(args.resources, T.webAcl)) {
            if (!configs.some((c) => resolveRef(c, "resourceArn", [acl]).kind === "resolved")) {
                report(
                    `${subject(acl.type, acl.name)} logs nothing, so blocked and counted requests leave no trace; add an aws.wafv2.WebAclLoggingConfiguration with resourceArn: acl.arn and an aws-waf-logs- log group`,
                    acl.urn,
                );
            }
        }
    },
});

export const wafPolicies: WebfleetPolicy[] = [webAclHasRules, webAclLogging];
