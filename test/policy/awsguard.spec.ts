/**
 * @pulumi/awsguard's own pack over the offline prod plan, through the same runner as webfleet's
 * pack: every violation it reports must be one docs/policy-pack.md justifies (the table between
 * the awsguard-justified markers), and nothing more. Its ELB rules match only the legacy
 * elasticloadbalancingv2/applicationloadbalancing type tokens of @pulumi/aws 4, so a second run
 * presents webfleet's load balancer and listeners under those tokens too, to let them judge the
 * ALB. acm-certificate-expiration is left out: it calls the ACM API for a deployed certificate.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { Policy } from "@pulumi/policy";
import { extractTable } from "../../policy/docs";
import { runPolicyPack } from "../../offline/policyRunner";
import { ProgramRun } from "../../offline/program";
import { RecordedResource } from "../../offline/types";
import { sharedRun } from "../support/program";

const ROOT = path.resolve(__dirname, "..", "..");
const MODULES = ["apiGateway", "compute", "database", "elasticsearch", "network", "security", "storage"];
/** Needs the AWS API (describeCertificate of a deployed certificate): nothing to check in a plan. */
const NEEDS_AWS_API = ["acm-certificate-expiration"];

function awsguardPolicies(): Policy[] {
    // aws-sdk v2 (awsguard's dependency) prints an end-of-support notice on load.
    process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";
    const found: Policy[] = [];
    for (const mod of MODULES) {
        const exported = require(`@pulumi/awsguard/${mod}`) as Record<string, Policy>;
        for (const p of Object.values(exported)) {
            if (p && typeof p.name === "string" && !NEEDS_AWS_API.includes(p.name)) {
                found.push(p);
            }
        }
    }
    return found;
}

/** The legacy tokens awsguard 0.3.1's ELB rules match, for each webfleet load balancing type. */
const LEGACY: Record<string, string[]> = {
    "aws:lb/loadBalancer:LoadBalancer": [
        "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer",
        "aws:applicationloadbalancing/loadBalancer:LoadBalancer",
    ],
    "aws:lb/listener:Listener": ["aws:elasticloadbalancingv2/listener:Listener"],
};

function withLegacyTwins(resources: RecordedResource[]): RecordedResource[] {
    const twins = resources.flatMap((r) =>
        (LEGACY[r.type] ?? []).map((type) => ({ ...r, type, urn: r.urn.replace(r.type, type) })),
    );
    return [...resources, ...twins];
}

/** (policy, resource) pairs the docs justify. */
function justified(): string[] {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "policy-pack.md"), "utf8");
    const table = extractTable(doc, "<!-- awsguard-justified:start -->", "<!-- awsguard-justified:end -->");
    expect(table, "docs/policy-pack.md has the awsguard-justified table").to.not.equal(undefined);
    return table!
        .split("\n")
        .slice(2)
        .map((row) => {
            const [policy, resource] = [...row.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
            return `${policy} on ${resource}`;
        });
}

describe("@pulumi/awsguard over the offline prod plan", function () {
    this.timeout(120000);
    let prod: ProgramRun;
    let policies: Policy[];
    before(async () => {
        prod = await sharedRun("prod");
        policies = awsguardPolicies();
    });

    it("loads with this repository's @pulumi/policy and runs every policy but the one that needs the AWS API", () => {
        expect(policies.map((p) => p.name)).to.include.members([
            "elb-logging-enabled",
            "alb-http-to-https-redirection",
            "rds-instance-public-access",
            "s3-bucket-logging-enabled",
        ]);
        expect(policies.length).to.equal(25);
    });

    for (const [title, present] of [
        ["as recorded", (r: RecordedResource[]) => r],
        ["with the load balancer also under the legacy tokens its ELB rules match", withLegacyTwins],
    ] as const) {
        it(`reports only what docs/policy-pack.md justifies, ${title}`, async () => {
            const resources = present(JSON.parse(JSON.stringify(prod.resources)) as RecordedResource[]);
            // No awsguard config file: each awsguard policy keeps its own default level.
            const report = await runPolicyPack({
                project: prod.project,
                stack: "awsguard",
                resources,
                policies,
            });
            const found = report.violations.map((v) => `${v.policy} on ${v.urn!.split("::").pop()}`);
            expect([...new Set(found)].sort()).to.deep.equal(justified().sort());
        });
    }

    it("does judge the ALB through the legacy tokens: an ALB without access logs is caught", async () => {
        const resources = withLegacyTwins(JSON.parse(JSON.stringify(prod.resources)) as RecordedResource[]);
        for (const r of resources.filter((x) => x.type.endsWith("/loadBalancer:LoadBalancer"))) {
            r.inputs.accessLogs = { ...r.inputs.accessLogs, enabled: false };
        }
        const report = await runPolicyPack({ project: prod.project, stack: "awsguard", resources, policies });
        expect(report.violations.filter((v) => v.policy === "elb-logging-enabled").length).to.equal(2);
    });
});
