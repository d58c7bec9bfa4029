/**
 * Issue 14, item 5: Route 53 health checks of / and /healthz from outside the VPC, each with an
 * alarm to the stack's topic; on in prod, us-east-1 only.
 */
import { expect } from "chai";
import { validateStackConfig } from "../stackConfig";
import { renderHomeHtml } from "../app/http/render";
import { errorPages } from "../app/static/pages";
import { SITE_CHECKS, SyntheticChecks, endpointOf } from "../components/syntheticChecks";
import { estimateMonthlyCost } from "../offline/cost";
import { ProgramRun } from "../offline/program";
import { RecordedResource } from "../offline/types";
import { runComponent } from "./support/component";
import { configProblems, rawConfig } from "./support/config";
import { named, ofType, runStack, sharedRun } from "./support/program";

const CHECK = "aws:route53/healthCheck:HealthCheck";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

function checksOf(run: ProgramRun | { resources: RecordedResource[] }) {
    return ofType(run as ProgramRun, CHECK);
}

describe("synthetic checks (mocked program)", function () {
    let prod: ProgramRun;
    let dev: ProgramRun;
    before(async () => {
        prod = await sharedRun("prod");
        dev = await sharedRun("dev");
    });

    it("in prod: an HTTPS string-match check of / and of /healthz at the site's host, with SNI, every 30 s", () => {
        const host = new URL(prod.outputs.url.value as string).hostname;
        expect(host).to.equal(named(prod, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb").outputs.dnsName);
        const checks = checksOf(prod);
        expect(checks.map((c) => c.name)).to.deep.equal(["synthetic-home", "synthetic-healthz"]);
        expect(checks.map((c) => [c.inputs.resourcePath, c.inputs.searchString])).to.deep.equal([
            ["/", "<dt>Availability zone</dt>"],
            ["/healthz", "ok"],
        ]);
        for (const c of checks) {
            expect(c.inputs).to.deep.include({
                type: "HTTPS_STR_MATCH",
                fqdn: host,
                port: 443,
                enableSni: true,
                requestInterval: 30,
                failureThreshold: 3,
                measureLatency: false,
            });
            // Every checker region (Route 53's default), so "outside" means several continents.
            expect(c.inputs.regions).to.equal(undefined);
        }
    });

    it("alarms on each check's status to the stack's alarm topic, on ALARM and OK, and puts the alarms on the dashboard", () => {
        const topic = prod.outputs.alarmTopicArn.value;
        const byName = Object.fromEntries(checksOf(prod).map((c) => [c.name, c.outputs.id]));
        for (const key of ["home", "healthz"]) {
            const alarm = named(prod, ALARM, `synthetic-${key}-alarm`);
            expect(alarm.inputs).to.deep.include({
                name: `webfleet-prod-synthetic-${key}`,
                namespace: "AWS/Route53",
                metricName: "HealthCheckStatus",
                dimensions: { HealthCheckId: byName[`synthetic-${key}`] },
                statistic: "Minimum",
                period: 60,
                evaluationPeriods: 3,
                datapointsToAlarm: 2,
                comparisonOperator: "LessThanThreshold",
                threshold: 1,
                treatMissingData: "breaching",
                alarmActions: [topic],
                okActions: [topic],
                actionsEnabled: true,
            });
            expect(byName[`synthetic-${key}`]).to.match(
                /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
            );
            const body = JSON.parse(
                named(prod, "aws:cloudwatch/dashboard:Dashboard", "monitoring-dashboard").inputs.dashboardBody,
            );
            expect(body.widgets[0].properties.alarms).to.include(alarm.outputs.arn);
        }
    });

    it("is off in dev by default, and on when monitoring.syntheticChecks is true, at the domain when there is one", async () => {
        expect(checksOf(dev)).to.deep.equal([]);
        const withDomain = await runStack("dev", {
            "webfleet:monitoring": { syntheticChecks: true },
            "webfleet:web": { domain: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
        });
        expect(checksOf(withDomain).map((c) => [c.inputs.fqdn, c.inputs.resourcePath])).to.deep.equal([
            ["www.example.com", "/"],
            ["www.example.com", "/healthz"],
        ]);
        expect(ofType(withDomain, ALARM).filter((a) => a.name.startsWith("synthetic-"))).to.have.length(2);
    });

    it("costs $2.50 a month per check (HTTPS and string matching) in the estimate", () => {
        const lines = estimateMonthlyCost(prod.resources, { region: "us-east-1" }).lines.filter((l) =>
            l.item.startsWith("Route 53"),
        );
        expect(lines.map((l) => [l.resource, l.item, l.monthly])).to.deep.equal([
            ["synthetic-home", "Route 53 health check (HTTPS, string matching)", 2.5],
            ["synthetic-healthz", "Route 53 health check (HTTPS, string matching)", 2.5],
        ]);
    });
});

describe("synthetic checks: what they look for is what the app serves", () => {
    const home = SITE_CHECKS.find((c) => c.key === "home")!;

    it("finds the home page's marker within the first 5120 bytes Route 53 reads, even with long IDs", () => {
        const at = new Date();
        const row = (i: number) => ({
            instanceId: `i-0${"f".repeat(16)}${i}`,
            availabilityZone: "ap-southeast-2c",
            count: 1e9,
            lastSeen: at,
        });
        const html = renderHomeHtml({
            identity: { instanceId: row(0).instanceId, availabilityZone: "ap-southeast-2c", source: "imds" },
            view: { own: row(0), others: Array.from({ length: 50 }, (_, i) => row(i + 1)), dataAsOf: at },
            maxStalenessMs: 2000,
            now: at,
        });
        const end = Buffer.byteLength(html.slice(0, html.indexOf(home.searchString) + home.searchString.length));
        expect(html.indexOf(home.searchString)).to.be.greaterThan(0);
        expect(end).to.be.at.most(5120);
    });

    it("never finds it in an error page, so a 503 cannot pass for the home page", () => {
        for (const page of Object.values(errorPages)) {
            expect(page).to.not.include(home.searchString);
        }
    });
});

describe("synthetic checks: config and seams", () => {
    it("is on by default in prod in us-east-1 only, and refused elsewhere, naming why", () => {
        const oncall = { alarmEmail: "oncall@acme-corp.io" };
        const eu = {
            network: { availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] },
            monitoring: oncall,
        };
        expect(validateStackConfig(rawConfig("prod", { monitoring: oncall })).monitoring.syntheticChecks).to.equal(
            true,
        );
        expect(validateStackConfig(rawConfig("dev", {})).monitoring.syntheticChecks).to.equal(false);
        expect(validateStackConfig(rawConfig("prod", eu, "eu-west-1")).monitoring.syntheticChecks).to.equal(false);
        expect(
            configProblems(() =>
                validateStackConfig(
                    rawConfig("prod", { ...eu, monitoring: { ...oncall, syntheticChecks: true } }, "eu-west-1"),
                ),
            ),
        ).to.include(
            "  - monitoring.syntheticChecks: expected false outside us-east-1: Route 53 publishes health-check metrics only in us-east-1, and an alarm can notify only a topic in its own region (unset, it is off there); found true.\n" +
                "    Fix: pulumi config rm --stack prod --path monitoring.syntheticChecks",
        );
        expect(
            configProblems(() => validateStackConfig(rawConfig("dev", { monitoring: { syntheticChecks: "yes" } }))),
        ).to.include(
            'monitoring.syntheticChecks: expected true or false; found "yes".\n    Fix: pulumi config set --stack dev --path monitoring.syntheticChecks true',
        );
    });

    it("takes the host and port from the URL", () => {
        expect(endpointOf("https://www.example.com")).to.deep.equal({ fqdn: "www.example.com", port: 443 });
        expect(endpointOf("https://lb.example.com:8443/")).to.deep.equal({ fqdn: "lb.example.com", port: 8443 });
        expect(() => endpointOf("http://www.example.com")).to.throw("is not an https:// URL");
    });

    const build = (over: Partial<ConstructorParameters<typeof SyntheticChecks>[1]>) =>
        runComponent(
            () =>
                new SyntheticChecks("synthetic", {
                    prefix: "webfleet-seams",
                    url: "https://www.example.com",
                    region: "us-east-1",
                    alarmActions: ["arn:aws:sns:us-east-1:123456789012:t"],
                    ...over,
                }),
        );

    it("refuses another region, naming why and the way out", async () => {
        const run = await build({ region: "eu-west-1" });
        expect(run.error?.message).to.include(
            "synthetic checks: the stack is in eu-west-1, but Route 53 publishes health-check metrics only in us-east-1 and an alarm can notify only a topic in its own region; deploy in us-east-1 or set monitoring.syntheticChecks false",
        );
        expect(run.resources.filter((r) => r.type === CHECK)).to.deep.equal([]);
    });

    it("refuses a check Route 53 cannot run, and two checks with one name", async () => {
        const long = await build({ checks: [{ key: "home", path: "/", searchString: "x".repeat(256), title: "t" }] });
        expect(long.error?.message).to.include('"home" needs a search string of 1 to 255 characters');
        const badPath = await build({ checks: [{ key: "home", path: "healthz", searchString: "ok", title: "t" }] });
        expect(badPath.error?.message).to.include("a path starting with /");
        const twice = await build({ checks: [SITE_CHECKS[0], SITE_CHECKS[0]] });
        expect(twice.error?.message).to.include("two checks share a key");
    });

    it("on its own: checks the given URL's host and port and alarms to the given topic", async () => {
        const run = await build({ url: "https://lb.example.com:8443" });
        expect(run.error).to.equal(undefined);
        expect(checksOf(run).map((c) => [c.inputs.fqdn, c.inputs.port])).to.deep.equal([
            ["lb.example.com", 8443],
            ["lb.example.com", 8443],
        ]);
        expect(ofType(run as ProgramRun, ALARM).map((a) => a.inputs.alarmActions)).to.deep.equal([
            ["arn:aws:sns:us-east-1:123456789012:t"],
            ["arn:aws:sns:us-east-1:123456789012:t"],
        ]);
    });
});
