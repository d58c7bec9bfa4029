/**
 * WAF rules: a web ACL that allows by default has a rule that can block (one without rules, or
 * whose rules only count, lets everything through), and logs what it matches, so an attack can
 * be investigated.
 */
import { PolicyResource, ReportViolation } from "@pulumi/policy";
import { ofType, resolveRef } from "./lib/graph";
import { reportAdvisory } from "./lib/report";
import { WebfleetPolicy, stackRule } from "./lib/rule";
import { T, subject } from "./lib/types";
import { attempt } from "./lib/values";

/** Rules kept outside the web ACL (@pulumi/aws 7): one rule, or one rule group, per resource. */
const WEB_ACL_RULE = "aws:wafv2/webAclRule:WebAclRule";
const WEB_ACL_RULE_GROUP = "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation";

/** `obj`'s key `name` in any case: `rules` are camelCase, `ruleJson` is the API's PascalCase. */
function field(obj: unknown, name: string): unknown {
    if (!obj || typeof obj !== "object") {
        return undefined;
    }
    const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : (obj as Record<string, unknown>)[key];
}

/**
 * Whether a rule can stop a request: its action blocks (block, captcha, challenge), or it runs a
 * rule group with overrideAction none, which keeps the group's own block actions. A rule that
 * only counts or allows, or a rule group overridden to count, filters nothing.
 */
function ruleBlocks(rule: unknown, groupDefault = false): boolean {
    const action = field(rule, "action");
    if (action && typeof action === "object") {
        return ["block", "captcha", "challenge"].some((a) => field(action, a) !== undefined);
    }
    const override = field(rule, "overrideAction");
    if (typeof override === "string") {
        return override.toLowerCase() === "none";
    }
    if (override && typeof override === "object") {
        return field(override, "none") !== undefined;
    }
    return groupDefault; // a WebAclRuleGroupAssociation's overrideAction defaults to none
}

/** A list given as JSON text (AWS refuses text that is not a JSON list, so it holds no rule). */
function parsedList(text: unknown): unknown[] {
    if (typeof text !== "string" || !text.trim()) {
        return [];
    }
    try {
        const list: unknown = JSON.parse(text);
        return Array.isArray(list) ? list : [];
    } catch {
        return [];
    }
}

/** The web ACL's own rules: the `rules` list and the rules of `ruleJson`. */
function inlineRules(acl: PolicyResource): unknown[] {
    const rules: unknown = acl.props.rules;
    return [...(Array.isArray(rules) ? (rules as unknown[]) : parsedList(rules)), ...parsedList(acl.props.ruleJson)];
}

const RULES_FIX =
    "a web ACL needs rules that block (add AWS managed rule groups such as AWSManagedRulesCommonRuleSet with overrideAction none, and a rate-based rule with action block)";

const webAclHasRules = stackRule({
    name: "waf-web-acl-has-rules",
    description:
        "WAF web ACLs that allow by default hold at least one rule that can block, so they filter something rather than only adding latency.",
    severity: "high",
    resources: [T.webAcl, WEB_ACL_RULE, WEB_ACL_RULE_GROUP],
    checks: "An aws.wafv2.WebAcl whose defaultAction is not block has a rule (in rules, ruleJson, or a WebAclRule / WebAclRuleGroupAssociation naming it by ARN or dependency) whose action is block, captcha or challenge, or a rule group with overrideAction none; rules that only count or allow filter nothing",
    equivalents: {},
    unknown: "advisory",
    requirement: RULES_FIX,
    validate: (args, report: ReportViolation) => {
        const separate = ofType(args.resources, WEB_ACL_RULE, WEB_ACL_RULE_GROUP);
        for (const acl of ofType(args.resources, T.webAcl)) {
            const verdict = attempt(() => {
                if (field(acl.props.defaultAction, "block") !== undefined) {
                    return { rules: 0, blocks: true };
                }
                const own = separate.filter((r) => resolveRef(r, "webAclArn", [acl]).kind === "resolved");
                const rules = inlineRules(acl);
                const blocks =
                    rules.some((r) => ruleBlocks(r)) ||
                    own.some((r) => ruleBlocks(r.props, r.type === WEB_ACL_RULE_GROUP));
                return { rules: rules.length + own.length, blocks };
            });
            if (!verdict.known) {
                reportAdvisory(
                    report,
                    `${subject(acl.type, acl.name)} has rules or a default action unknown during preview, so whether it filters anything cannot be verified yet; ${RULES_FIX}`,
                    acl.urn,
                );
            } else if (verdict.value.blocks) {
                continue;
            } else if (verdict.value.rules === 0) {
                report(
                    `${subject(acl.type, acl.name)} has no rules, so with its default action allow it lets every request through unexamined; ${RULES_FIX}`,
                    acl.urn,
                );
            } else {
                report(
                    `${subject(acl.type, acl.name)} has ${verdict.value.rules} rule(s) but none that blocks (they only count or allow, or override rule groups to count), and its default action allows, so it lets every request through; ${RULES_FIX}`,
                    acl.urn,
                );
            }
        }
    },
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
