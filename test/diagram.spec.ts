import { expect } from "chai";
import { ALLOWED_CIDRS, Architecture, INTERNET, architecture, renderSvg, toDot } from "../offline/diagram";
import { ProgramRun } from "../offline/program";
import { UNKNOWN } from "../offline/types";
import { FIXTURE, INGRESS, SG, res } from "./support/diagramFixture";
import { runStack, sharedRun } from "./support/program";
import { DEJAVU, labelOverflows, resvgMeasure } from "./support/svgLabels";
import { requireFile } from "./support/tools";

/** Where a node is drawn, in words: "private us-east-1b", "vpc", "services", … */
function placement(a: Architecture, id: string): string {
    const where = a.nodes.find((n) => n.id === id)?.where;
    if (where?.area === "subnet") {
        const s = a.subnets.find((x) => x.id === where.id)!;
        return `${s.tier} ${s.az}`;
    }
    return where?.area ?? "not drawn";
}

const edgesOf = (a: Architecture, kind: string) =>
    a.edges.filter((e) => e.kind === kind).map((e) => `${e.from} -> ${e.to}: ${e.label}${e.path ? " (path)" : ""}`);

describe("architecture diagram: the model (offline/diagram)", function () {
    let prod: ProgramRun;
    let dev: ProgramRun;
    before(async () => {
        [prod, dev] = [await sharedRun("prod"), await sharedRun("dev")];
    });

    it("derives internet → ALB → web → DB, bastion → web and the allowed CIDRs from all three rule styles", () => {
        const a = architecture(FIXTURE);
        expect(a.title).to.equal("webfleet test");
        expect(a.edges).to.deep.equal([
            { from: ALLOWED_CIDRS, to: "bastion-asg", kind: "connect", label: "22", path: false },
            { from: "bastion-asg", to: "web-asg", kind: "connect", label: "22", path: false },
            { from: INTERNET, to: "web-lb-alb", kind: "connect", label: "80, 443", path: true },
            { from: "migrations-fn", to: "database-db", kind: "connect", label: "5432", path: false },
            { from: "web-asg", to: "database-db", kind: "connect", label: "5432", path: false },
            { from: "web-lb-alb", to: "web-asg", kind: "connect", label: "8080", path: false },
        ]);
        // No VPC records: nothing to place the resources in, so they are drawn outside any.
        expect(a.nodes.map((n) => `${n.id}: ${n.kind}, ${n.where.area}`)).to.deep.equal([
            "web-lb-alb: edge, outside",
            "web-asg: compute, outside",
            "database-db: database, outside",
            "migrations-fn: compute, services",
            "bastion-asg: compute, outside",
            `${INTERNET}: entry, outside`,
            `${ALLOWED_CIDRS}: entry, outside`,
        ]);
        expect(a.nodes.find((n) => n.id === "web-asg")!.lines).to.deep.equal([
            "Auto Scaling group",
            "2 × t4g.small, up to 4",
            "web-asg",
        ]);
        expect(a.nodes.find((n) => n.id === ALLOWED_CIDRS)!.lines).to.deep.equal(["allowed CIDRs", "203.0.113.0/24"]);
        expect(a.requestPath).to.deep.equal([[INTERNET], ["web-lb-alb"]]);
    });

    it("draws a security group nobody uses, and one from outside the stack, as themselves", () => {
        const a = architecture([
            res(SG, "lonely-sg", null, {}, "sg-lonely"),
            res(INGRESS, "from-elsewhere", null, {
                securityGroupId: "sg-lonely",
                ipProtocol: "-1",
                referencedSecurityGroupId: "sg-0other",
            }),
            res(INGRESS, "dns", null, {
                securityGroupId: "sg-lonely",
                ipProtocol: "udp",
                fromPort: 53,
                toPort: 53,
                cidrIpv4: "10.0.0.0/8",
            }),
        ]);
        expect(edgesOf(a, "connect")).to.deep.equal([
            `${ALLOWED_CIDRS} -> lonely-sg: 53/udp`,
            "sg-0other -> lonely-sg: all",
        ]);
        expect(a.nodes.find((n) => n.id === "lonely-sg")).to.deep.include({
            lines: ["security group (unused)", "lonely-sg"],
            kind: "group",
        });
        expect(a.nodes.find((n) => n.id === "sg-0other")!.lines).to.deep.equal([
            "security group",
            "sg-0other",
            "(outside this stack)",
        ]);
    });

    it("places nothing by IDs a preview does not know yet", () => {
        const subnet = (name: string) =>
            res("aws:ec2/subnet:Subnet", name, null, { vpcId: UNKNOWN, availabilityZone: "us-east-1a" }, UNKNOWN);
        const a = architecture([
            res("aws:ec2/vpc:Vpc", "vpc", null, { cidrBlock: "10.0.0.0/16" }, UNKNOWN),
            subnet("one"),
            subnet("two"),
            res("aws:autoscaling/group:Group", "web-asg", null, { vpcZoneIdentifiers: [UNKNOWN, UNKNOWN] }),
        ]);
        expect([a.vpcs, a.subnets]).to.deep.equal([[], []]);
        expect(a.nodes.map((n) => [n.id, n.where.area])).to.deep.equal([["web-asg", "outside"]]);
    });

    it("lays prod's VPC out as the stack reports it: one column per AZ, a public, private and isolated subnet in each", () => {
        const a = architecture(prod.resources);
        const out = (key: string) => prod.outputs[key].value as string[];
        expect(a.vpcs.map((v) => [v.id, v.cidr, v.azs])).to.deep.equal([
            [prod.outputs.vpcId.value, "10.20.0.0/16", out("availabilityZones")],
        ]);
        for (const [tier, key] of [
            ["public", "publicSubnetIds"],
            ["private", "privateSubnetIds"],
            ["isolated", "isolatedSubnetIds"],
        ]) {
            const drawn = a.subnets.filter((s) => s.tier === tier);
            expect(drawn.map((s) => s.id).sort(), tier).to.deep.equal([...out(key)].sort());
            expect(
                drawn.map((s) => s.az),
                tier,
            ).to.deep.equal(["us-east-1a", "us-east-1b", "us-east-1c"]);
        }
    });

    it("puts every prod resource where it runs: servers per AZ, NAT per public subnet, RDS primary and standby", () => {
        const a = architecture(prod.resources);
        const azs = ["us-east-1a", "us-east-1b", "us-east-1c"];
        const expected: Record<string, string> = {
            [INTERNET]: "outside",
            "waf-acl": "edge",
            "web-lb-alb": "vpc",
            "database-db": "isolated us-east-1a",
            "database-db standby": "isolated us-east-1b",
            "access-logs-bucket": "services",
            "web-artifact-bucket": "services",
            "secrets-key": "services",
            "backup-copy-key": "services",
            "database-db master secret": "services",
        };
        azs.forEach((az, i) => {
            expected[`network-vpc-${i + 1}`] = `public ${az}`;
            expected[`bastion-asg@${az}`] = `public ${az}`;
            expected[`web-asg@${az}`] = `private ${az}`;
            expected[`migrations-fn@${az}`] = `private ${az}`;
            expected[`restore-test-validator-fn@${az}`] = `private ${az}`;
            // The instance a restore test restores, in whichever isolated subnet RDS picks.
            expected[`restore-test-database@${az}`] = `isolated ${az}`;
        });
        expect(Object.fromEntries(a.nodes.map((n) => [n.id, placement(a, n.id)]))).to.deep.equal(expected);
        // One bastion across three AZs: each AZ may hold none; three web servers: one in each; a
        // restored database only while a test runs, in one AZ.
        expect(a.nodes.filter((n) => n.optional).map((n) => n.id)).to.have.members([
            ...azs.map((az) => `bastion-asg@${az}`),
            ...azs.map((az) => `restore-test-database@${az}`),
        ]);
        expect(a.nodes.find((n) => n.id === "restore-test-database@us-east-1c")!.lines).to.deep.equal([
            "RDS restore test",
            "db.t4g.micro, while a test runs",
            "restore-test-database",
        ]);
        expect(a.nodes.find((n) => n.id === "web-asg@us-east-1b")!.lines).to.deep.equal([
            "Auto Scaling group",
            "1 × t4g.medium, up to 2",
            "web-asg (3 in 3 AZs)",
        ]);
        expect(edgesOf(a, "replication")).to.deep.equal(["database-db -> database-db standby: sync"]);
        // OnePerAz: each private subnet's default route stays in its AZ.
        expect(
            a.edges
                .filter((e) => e.kind === "route")
                .map((e) => `${placement(a, e.to)} <- ${a.subnets.find((s) => s.id === e.from)!.az}`),
        ).to.have.members(azs.map((az) => `public ${az} <- ${az}`));
    });

    it("dev: two AZs, one NAT gateway that both private subnets route through, RDS without a standby", () => {
        const a = architecture(dev.resources);
        expect(a.vpcs.map((v) => v.azs)).to.deep.equal([["us-east-1a", "us-east-1b"]]);
        const nats = a.nodes.filter((n) => n.kind === "network");
        expect(nats.map((n) => [n.id, placement(a, n.id)])).to.deep.equal([["network-vpc-1", "public us-east-1a"]]);
        const routes = a.edges.filter((e) => e.kind === "route");
        expect(routes.map((e) => [a.subnets.find((s) => s.id === e.from)!.name, e.to])).to.have.deep.members([
            ["network-vpc-private-1", "network-vpc-1"],
            ["network-vpc-private-2", "network-vpc-1"],
        ]);
        expect(a.nodes.filter((n) => n.kind === "database").map((n) => [n.id, placement(a, n.id)])).to.deep.equal([
            ["database-db", "isolated us-east-1a"],
            ["restore-test-database@us-east-1a", "isolated us-east-1a"],
            ["restore-test-database@us-east-1b", "isolated us-east-1b"],
        ]);
        expect(edgesOf(a, "replication")).to.deep.equal([]);
        // No WAF in dev by default.
        expect(a.nodes.filter((n) => n.kind === "firewall")).to.deep.equal([]);
    });

    it("prod's request path: internet → ALB (its WAF inspecting, 80 redirected to HTTPS) → a web server in each AZ", () => {
        const a = architecture(prod.resources);
        const web = ["us-east-1a", "us-east-1b", "us-east-1c"].map((az) => `web-asg@${az}`);
        expect(a.requestPath).to.deep.equal([[INTERNET], ["web-lb-alb"], web]);
        expect(a.nodes.find((n) => n.id === "web-lb-alb")!.lines).to.deep.equal([
            "ALB, internet-facing",
            "443 HTTPS",
            "80 HTTP → 301 to HTTPS 443",
            "web-lb-alb",
        ]);
        expect(a.edges.filter((e) => e.path).map((e) => `${e.from} -> ${e.to}: ${e.label}`)).to.deep.equal([
            `${INTERNET} -> web-lb-alb: 80, 443`,
            ...web.map((w) => `web-lb-alb -> ${w}: 8443`),
        ]);
        expect(edgesOf(a, "guard")).to.deep.equal(["waf-acl -> web-lb-alb: inspects"]);
    });

    it("prod's security groups: web and migrations reach only the primary, the validator only a restored copy, the bastion each AZ's web servers, nothing the bastion", () => {
        const a = architecture(prod.resources);
        const azs = ["us-east-1a", "us-east-1b", "us-east-1c"];
        expect(
            edgesOf(a, "connect").filter((e) => !e.startsWith("web-lb-alb") && !e.startsWith(INTERNET)),
        ).to.have.members([
            ...azs.map((az) => `bastion-asg@${az} -> web-asg@${az}: 22`),
            ...azs.map((az) => `migrations-fn@${az} -> database-db: 5432`),
            ...azs.map((az) => `web-asg@${az} -> database-db: 5432`),
            ...azs.map((az) => `restore-test-validator-fn@${az} -> restore-test-database@${az}: 5432`),
        ]);
        expect(a.nodes.map((n) => n.id)).to.not.include(ALLOWED_CIDRS);
    });

    it("shows SSH from bastion.allowedCidrs when prod allows it", async () => {
        const run = await runStack("prod", {
            "webfleet:bastion": { allowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"] },
        });
        const a = architecture(run.resources);
        expect(edgesOf(a, "connect").filter((e) => e.includes("-> bastion-asg"))).to.deep.equal(
            ["us-east-1a", "us-east-1b", "us-east-1c"].map((az) => `${ALLOWED_CIDRS} -> bastion-asg@${az}: 22`),
        );
        expect(a.nodes.find((n) => n.id === ALLOWED_CIDRS)!.lines).to.deep.equal([
            "allowed CIDRs",
            "198.51.100.0/24",
            "203.0.113.0/24",
        ]);
    });

    it("with CloudFront: internet → CloudFront (the WAF inspecting there) → ALB, admitted through CloudFront's prefix list", async function () {
        const run = await runStack("prod", {
            "webfleet:web": { domain: "app.example.com", hostedZoneId: "Z0123456789ABC" },
        });
        const a = architecture(run.resources);
        expect(a.requestPath.slice(0, 3)).to.deep.equal([[INTERNET], ["cdn-distribution"], ["web-lb-alb"]]);
        expect(a.nodes.find((n) => n.id === "cdn-distribution")).to.deep.include({
            kind: "edge",
            where: { area: "edge" },
        });
        expect(a.edges.filter((e) => e.path && !e.from.startsWith("web-lb-alb"))).to.deep.equal([
            { from: "cdn-distribution", to: "web-lb-alb", kind: "connect", label: "443", path: true },
            { from: INTERNET, to: "cdn-distribution", kind: "forward", label: "443 (80 → 301)", path: true },
        ]);
        expect(edgesOf(a, "guard")).to.deep.equal(["waf-acl -> cdn-distribution: inspects"]);
        // The prefix list is CloudFront's, not "allowed CIDRs"; nothing on the internet reaches the ALB.
        expect(a.nodes.map((n) => n.id)).to.not.include(ALLOWED_CIDRS);
        expect(a.edges.filter((e) => e.from === INTERNET && e.to === "web-lb-alb")).to.deep.equal([]);
        // Its labels (the domain among them) fit their boxes too.
        DEJAVU.forEach((f) => requireFile(this, f, "apt-get install fonts-dejavu-core"));
        const svg = await renderSvg(toDot(a));
        expect(labelOverflows(svg, resvgMeasure(DEJAVU))).to.deep.equal([]);
    });
});
