/**
 * Issue 7, item 3: the WAFv2 web ACL on the ALB, its rules and its logging.
 */
import { expect } from "chai";
import { validateStackConfig } from "../stackConfig";
import { MANAGED_RULE_GROUPS, webAclRules } from "../components/waf";
import { MOCK_ACCOUNT_ID } from "../offline/mocks";
import { ProgramRun } from "../offline/program";
import { configProblems as problems, rawConfig as raw } from "./support/config";
import { named, ofType, runStack, sharedRun } from "./support/program";

const ACL = "aws:wafv2/webAcl:WebAcl";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

describe("WAF rules (pure)", () => {
    it("blocks an IP over the rate limit first, then applies the four AWS managed rule groups with their own actions", () => {
        const rules = webAclRules("webfleet-prod", 2000);
        expect(rules.map((r) => [r.priority, r.name])).to.deep.equal([
            [0, "rate-limit"],
            [1, "AWSManagedRulesAmazonIpReputationList"],
            [2, "AWSManagedRulesKnownBadInputsRuleSet"],
            [3, "AWSManagedRulesCommonRuleSet"],
            [4, "AWSManagedRulesSQLiRuleSet"],
        ]);
        expect(rules[0]).to.deep.include({
            action: { block: {} },
            statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
        });
        for (const rule of rules.slice(1)) {
            expect(rule.overrideAction, rule.name as string).to.deep.equal({ none: {} });
            expect(rule.statement).to.deep.equal({ managedRuleGroupStatement: { vendorName: "AWS", name: rule.name } });
            expect(rule.visibilityConfig).to.deep.equal({
                cloudwatchMetricsEnabled: true,
                metricName: `webfleet-prod-${rule.name as string}`,
                sampledRequestsEnabled: true,
            });
        }
        expect(MANAGED_RULE_GROUPS).to.have.members([
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesSQLiRuleSet",
            "AWSManagedRulesAmazonIpReputationList",
        ]);
    });
});

describe("WAF config", () => {
    it("is on in prod and off in dev by default, 2000 requests per IP per 5 minutes", () => {
        const oncall = { alarmEmail: "oncall@example.com" };
        expect(validateStackConfig(raw("prod", { monitoring: oncall })).waf).to.deep.equal({
            enabled: true,
            rateLimitPer5Min: 2000,
        });
        expect(validateStackConfig(raw("dev", {})).waf).to.deep.equal({ enabled: false, rateLimitPer5Min: 2000 });
        expect(validateStackConfig(raw("dev", { waf: { enabled: true, rateLimitPer5Min: 300 } })).waf).to.deep.equal({
            enabled: true,
            rateLimitPer5Min: 300,
        });
    });

    it("refuses prod without it, and a limit WAF does not accept", () => {
        expect(problems(() => validateStackConfig(raw("prod", { waf: { enabled: false } })))).to.include(
            "  - waf.enabled: expected true in prod: the internet-facing ALB needs the rate limit and the managed rule groups; found false.\n    Fix: pulumi config set --stack prod --path waf.enabled true",
        );
        expect(problems(() => validateStackConfig(raw("dev", { waf: { rateLimitPer5Min: 5 } })))).to.include(
            "  - waf.rateLimitPer5Min: expected a whole number of requests per IP in 5 minutes from 10 to 2000000000; found 5.",
        );
    });
});

describe("WAF (mocked program)", function () {
    let dev: ProgramRun;
    let prod: ProgramRun;
    let devOn: ProgramRun;
    before(async () => {
        dev = await sharedRun("dev");
        prod = await sharedRun("prod");
        devOn = await runStack("dev", { "webfleet:waf": { enabled: true, rateLimitPer5Min: 500 } });
    });

    it("puts a regional web ACL with the rate limit and the managed rule groups in front of prod's ALB", () => {
        const acl = named(prod, ACL, "waf-acl");
        expect(acl.inputs).to.deep.include({
            name: "webfleet-prod-web",
            scope: "REGIONAL",
            defaultAction: { allow: {} },
        });
        expect(acl.inputs.rules).to.deep.equal(webAclRules("webfleet-prod", 2000));
        const association = named(prod, "aws:wafv2/webAclAssociation:WebAclAssociation", "waf-alb");
        expect(association.inputs).to.deep.equal({
            resourceArn: named(prod, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb").outputs.arn,
            webAclArn: acl.outputs.arn,
        });
    });

    it("follows waf.enabled and waf.rateLimitPer5Min in dev", () => {
        expect(ofType(dev, ACL)).to.deep.equal([]);
        expect(ofType(dev, "aws:wafv2/webAclAssociation:WebAclAssociation")).to.deep.equal([]);
        expect(named(devOn, ACL, "waf-acl").inputs.rules).to.deep.equal(webAclRules("webfleet-dev", 500));
    });

    it("logs matched requests to an aws-waf-logs- group with retention and the stack key, credentials redacted", () => {
        for (const [run, days] of [
            [prod, 365],
            [devOn, 30],
        ] as const) {
            const group = named(run, LOG_GROUP, "waf-logs");
            expect(group.inputs).to.deep.equal({
                name: `aws-waf-logs-webfleet-${run.stack}`,
                retentionInDays: days,
                kmsKeyId: run.outputs.kmsKeyArn.value,
            });
            const logging = named(
                run,
                "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
                "waf-logging",
            );
            expect(logging.inputs.resourceArn).to.equal(named(run, ACL, "waf-acl").outputs.arn);
            expect(logging.inputs.logDestinationConfigs).to.deep.equal([group.outputs.arn]);
            expect(logging.inputs.redactedFields).to.deep.equal([
                { singleHeader: { name: "authorization" } },
                { singleHeader: { name: "cookie" } },
            ]);
            expect(logging.inputs.loggingFilter.defaultBehavior).to.equal("DROP");
            expect(
                logging.inputs.loggingFilter.filters[0].conditions.map((c: any) => c.actionCondition.action),
            ).to.deep.equal(["BLOCK", "COUNT", "CAPTCHA", "CHALLENGE"]);
        }
    });

    it("lets log delivery write to that group only, before logging is turned on", () => {
        const group = named(prod, LOG_GROUP, "waf-logs");
        const policy = named(prod, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "waf-log-delivery");
        expect(JSON.parse(policy.inputs.policyDocument).Statement).to.deep.equal([
            {
                Sid: "WafLogDelivery",
                Effect: "Allow",
                Principal: { Service: "delivery.logs.amazonaws.com" },
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${group.outputs.arn}:log-stream:*`,
                Condition: {
                    StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID },
                    ArnLike: { "aws:SourceArn": `arn:aws:logs:us-east-1:${MOCK_ACCOUNT_ID}:*` },
                },
            },
        ]);
        expect(
            named(prod, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "waf-logging").dependencies,
        ).to.include(policy.urn);
    });
});
