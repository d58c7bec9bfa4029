import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ALLOWED_CIDRS, INTERNET, architecture, renderSvg, toDot } from "../offline/diagram";
import { parseArgs, writeDiagram } from "../offline/cli";
import { ProgramRun, UsageError } from "../offline/program";
import { RecordedResource } from "../offline/types";
import { runStack } from "./support/program";

const STACK_URN = "urn:pulumi:test::webfleet::pulumi:pulumi:Stack::webfleet-test";

function res(
    type: string,
    name: string,
    parent: string | null,
    inputs: Record<string, any>,
    id = `${name}-id`,
): RecordedResource {
    const custom = !type.startsWith("webfleet:") && type !== "pulumi:pulumi:Stack";
    return {
        urn: `urn:pulumi:test::webfleet::${type}::${name}`,
        type,
        name,
        parent,
        custom,
        inputs,
        outputs: { id, ...inputs },
        dependencies: [],
        propertyDependencies: {},
        secretInputPaths: [],
    };
}
const urn = (type: string, name: string) => `urn:pulumi:test::webfleet::${type}::${name}`;
const WEB = urn("webfleet:web:WebTier", "web");
const LB = urn("webfleet:web:LoadBalancer", "web-lb");
const DB = urn("webfleet:database:Database", "database");
const BASTION = urn("webfleet:network:Bastion", "bastion");
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

/**
 * The whole chain, written the three ways a rule can be written: standalone ingress rules
 * (internet → ALB, ALB → web, bastion → web, allowed CIDR → bastion), a legacy
 * SecurityGroupRule (web → DB) and inline ingress (Lambda → DB). Nested components too.
 */
const FIXTURE: RecordedResource[] = [
    res("pulumi:pulumi:Stack", "webfleet-test", null, {}),
    res("webfleet:network:Network", "network", STACK_URN, {}),
    res("awsx:ec2:Vpc", "network-vpc", urn("webfleet:network:Network", "network"), {
        cidrBlock: "10.0.0.0/16",
        availabilityZoneNames: ["a", "b"],
        natGateways: { strategy: "Single" },
    }),
    res("webfleet:web:WebTier", "web", STACK_URN, {}),
    res("webfleet:web:LoadBalancer", "web-lb", WEB, {}),
    res(SG, "web-lb-sg", LB, {}, "sg-alb"),
    res("aws:lb/loadBalancer:LoadBalancer", "web-lb-alb", LB, {
        loadBalancerType: "application",
        internal: false,
        securityGroups: ["sg-alb"],
    }),
    res(INGRESS, "web-lb-https", LB, {
        securityGroupId: "sg-alb",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
    }),
    res(INGRESS, "web-lb-http", LB, {
        securityGroupId: "sg-alb",
        ipProtocol: "tcp",
        fromPort: 80,
        toPort: 80,
        cidrIpv4: "0.0.0.0/0",
    }),
    res(INGRESS, "web-lb-https6", LB, {
        securityGroupId: "sg-alb",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv6: "::/0",
    }),
    res(SG, "web-sg", WEB, {}, "sg-web"),
    res(INGRESS, "web-from-alb", WEB, {
        securityGroupId: "sg-web",
        ipProtocol: "tcp",
        fromPort: 8080,
        toPort: 8080,
        referencedSecurityGroupId: "sg-alb",
    }),
    res("aws:ec2/launchTemplate:LaunchTemplate", "web-lt", WEB, {
        instanceType: "t4g.small",
        vpcSecurityGroupIds: ["sg-web"],
    }),
    res("aws:autoscaling/group:Group", "web-asg", WEB, {
        minSize: 2,
        maxSize: 4,
        desiredCapacity: 2,
        launchTemplate: { id: "web-lt-id", version: "1" },
    }),
    res("webfleet:database:Database", "database", STACK_URN, {}),
    res(
        SG,
        "database-sg",
        DB,
        {
            ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["sg-fn"] }],
        },
        "sg-db",
    ),
    res("aws:ec2/securityGroupRule:SecurityGroupRule", "database-from-web", DB, {
        type: "ingress",
        securityGroupId: "sg-db",
        sourceSecurityGroupId: "sg-web",
        protocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
    }),
    res("aws:rds/instance:Instance", "database-db", DB, {
        engine: "postgres",
        engineVersion: "17",
        instanceClass: "db.t4g.micro",
        multiAz: false,
        vpcSecurityGroupIds: ["sg-db"],
    }),
    res(SG, "migrations-sg", DB, {}, "sg-fn"),
    res("aws:lambda/function:Function", "migrations-fn", DB, {
        runtime: "nodejs22.x",
        vpcConfig: { securityGroupIds: ["sg-fn"], subnetIds: ["subnet-1"] },
    }),
    res("webfleet:network:Bastion", "bastion", STACK_URN, {}),
    res(SG, "bastion-sg", BASTION, {}, "sg-bastion"),
    res(INGRESS, "bastion-ssh-in-0", BASTION, {
        securityGroupId: "sg-bastion",
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrIpv4: "203.0.113.0/24",
    }),
    res(INGRESS, "bastion-ssh-to-web", BASTION, {
        securityGroupId: "sg-web",
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        referencedSecurityGroupId: "sg-bastion",
    }),
    res("aws:ec2/launchTemplate:LaunchTemplate", "bastion-lt", BASTION, {
        instanceType: "t4g.nano",
        networkInterfaces: [{ deviceIndex: 0, securityGroups: ["sg-bastion"] }],
    }),
    res("aws:autoscaling/group:Group", "bastion-asg", BASTION, {
        minSize: 1,
        maxSize: 1,
        desiredCapacity: 1,
        launchTemplate: { id: "bastion-lt-id", version: "1" },
    }),
    // Neither a node nor an edge: roles, log groups and egress rules are not in the picture.
    res("aws:iam/role:Role", "web-role", WEB, {}),
    res("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "web-https-out", WEB, {
        securityGroupId: "sg-web",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
    }),
];

/** Minimal well-formedness: one root, every element closed in order, nothing after the root. */
function checkXml(text: string): string[] {
    const body = text
        .replace(/^<\?xml[^>]*\?>\s*/, "")
        .replace(/<!DOCTYPE[^>]*>\s*/, "")
        .replace(/<!--[\s\S]*?-->/g, "");
    const stack: string[] = [];
    const roots: string[] = [];
    for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g)) {
        const [, closing, tag, , selfClosing] = m;
        if (closing) {
            expect(stack.pop(), `</${tag}> closes the open element`).to.equal(tag);
        } else if (!selfClosing) {
            if (stack.length === 0) {
                roots.push(tag);
            }
            stack.push(tag);
        }
    }
    expect(stack, "unclosed elements").to.deep.equal([]);
    expect(body.trim().endsWith("</svg>"), "ends with </svg>").to.equal(true);
    return roots;
}

const decode = (s: string) =>
    s
        .replace(/&#45;/g, "-")
        .replace(/&gt;/g, ">")
        .replace(/&lt;/g, "<")
        .replace(/&#160;/g, " ")
        .replace(/&amp;/g, "&");

describe("architecture diagram (offline/diagram.ts)", function () {
    this.timeout(60000);
    let prod: ProgramRun;
    before(async () => {
        prod = await runStack("prod");
    });

    it("derives internet → ALB → web → DB, bastion → web and the allowed CIDRs from all three rule styles", () => {
        const a = architecture(FIXTURE);
        expect(a.title).to.equal("webfleet test");
        expect(a.edges).to.deep.equal([
            { from: ALLOWED_CIDRS, to: "bastion-asg", ports: ["22"] },
            { from: "bastion-asg", to: "web-asg", ports: ["22"] },
            { from: INTERNET, to: "web-lb-alb", ports: ["80", "443"] },
            { from: "migrations-fn", to: "database-db", ports: ["5432"] },
            { from: "web-asg", to: "database-db", ports: ["5432"] },
            { from: "web-lb-alb", to: "web-asg", ports: ["8080"] },
        ]);
        expect(a.nodes.map((n) => [n.id, n.kind, n.cluster])).to.deep.equal([
            [ALLOWED_CIDRS, "entry", null],
            [INTERNET, "entry", null],
            ["network-vpc", "network", urn("webfleet:network:Network", "network")],
            ["web-lb-alb", "edge", LB],
            ["web-asg", "compute", WEB],
            ["database-db", "data", DB],
            ["migrations-fn", "compute", DB],
            ["bastion-asg", "compute", BASTION],
        ]);
        expect(a.nodes.find((n) => n.id === "web-asg")!.label).to.equal(
            "Auto Scaling group\n2 × t4g.small (2-4)\nweb-asg",
        );
        expect(a.nodes.find((n) => n.id === ALLOWED_CIDRS)!.label).to.equal("allowed CIDRs\n203.0.113.0/24");
        expect(a.clusters.map((c) => [c.label.split("\n")[0], c.parent])).to.deep.equal([
            ["network", null],
            ["web", null],
            ["web-lb", WEB],
            ["database", null],
            ["bastion", null],
        ]);
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
        expect(a.edges).to.deep.equal([
            { from: ALLOWED_CIDRS, to: "lonely-sg", ports: ["53/udp"] },
            { from: "sg-0other", to: "lonely-sg", ports: ["all"] },
        ]);
        expect(a.nodes.find((n) => n.id === "sg-0other")!.label).to.equal(
            "security group sg-0other\n(outside this stack)",
        );
    });

    it("writes DOT with nested clusters, styled nodes and port-labelled edges", () => {
        const dot = toDot(FIXTURE);
        expect(dot).to.match(/^digraph architecture \{\n/);
        expect(dot).to.include('  "internet" -> "web-lb-alb" [label="80, 443"];\n');
        expect(dot).to.include('  "web-lb-alb" -> "web-asg" [label="8080"];\n');
        expect(dot).to.include('  "web-asg" -> "database-db" [label="5432"];\n');
        expect(dot).to.include('  "bastion-asg" -> "web-asg" [label="22"];\n');
        // web-lb's cluster sits inside web's, and holds the ALB.
        expect(dot).to.match(
            /subgraph "cluster_1" \{\n {4}label="web\\nwebfleet:web:WebTier";[^\n]*\n {4}"web-asg" \[[^\n]*\n {4}subgraph "cluster_2" \{\n {6}label="web-lb\\nwebfleet:web:LoadBalancer";[^\n]*\n {6}"web-lb-alb" \[label="ALB\\ninternet-facing\\nweb-lb-alb"/,
        );
        expect(dot).to.include('"database-db" [label="RDS postgres 17\\ndb.t4g.micro\\ndatabase-db", shape=cylinder');
        expect(dot.trimEnd().endsWith("}")).to.equal(true);
        expect(dot).to.not.include("web-role").and.to.not.include("web-https-out");
    });

    it("renders the fixture to a well-formed SVG with its nodes and labelled edges", async () => {
        const svg = await renderSvg(toDot(FIXTURE));
        expect(svg.startsWith("<?xml") || svg.startsWith("<svg")).to.equal(true);
        expect(checkXml(svg)).to.deep.equal(["svg"]);
        const text = decode(svg);
        for (const title of [
            "internet",
            "web-lb-alb",
            "web-asg",
            "database-db",
            "bastion-asg",
            "internet->web-lb-alb",
            "web-lb-alb->web-asg",
            "web-asg->database-db",
            "bastion-asg->web-asg",
        ]) {
            expect(text, title).to.include(`<title>${title}</title>`);
        }
        expect(text).to.match(/<text[^>]*>80, 443<\/text>/);
        expect(text).to.match(/<text[^>]*>8080<\/text>/);
    });

    it("draws the real prod program: clusters per component and today's reachability", async () => {
        const run = prod;
        const a = architecture(run.resources);
        const byType = (type: string) => run.resources.filter((r) => r.type === type);
        const roleOf = (r: RecordedResource) =>
            (r.inputs.tags ?? []).find?.((t: any) => t.key === "webfleet:role")?.value;
        const cluster = (id: string) =>
            a.clusters.find((c) => c.urn === a.nodes.find((n) => n.id === id)?.cluster)?.label.split("\n")[1];
        expect(a.title).to.equal("webfleet prod");
        expect(cluster("network-vpc")).to.equal("webfleet:network:Network");
        expect(cluster("bastion-asg")).to.equal("webfleet:network:Bastion");
        // No bastion.allowedCidrs in prod: nothing reaches the bastion (SSM only).
        expect(a.nodes.map((n) => n.id)).to.not.include(ALLOWED_CIDRS);
        expect(a.edges.filter((e) => e.to === "bastion-asg")).to.deep.equal([]);

        const [db] = byType("aws:rds/instance:Instance");
        const [fn] = byType("aws:lambda/function:Function");
        expect(a.edges).to.deep.include({ from: fn.name, to: db.name, ports: ["5432"] });
        const [alb] = byType("aws:lb/loadBalancer:LoadBalancer");
        const web = byType("aws:autoscaling/group:Group").find((g) => roleOf(g) === "web")!;
        expect(web, "the web tier's ASG (webfleet:role=web)").to.not.equal(undefined);
        expect(a.edges).to.deep.include.members([
            { from: INTERNET, to: alb.name, ports: ["80", "443"] },
            { from: alb.name, to: web.name, ports: ["8080"] },
            { from: web.name, to: db.name, ports: ["5432"] },
            { from: "bastion-asg", to: web.name, ports: ["22"] },
        ]);
    });

    it("shows SSH from bastion.allowedCidrs when prod allows it", async () => {
        const run = await runStack("prod", {
            "webfleet:bastion": { allowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"] },
        });
        const a = architecture(run.resources);
        expect(a.edges.filter((e) => e.to === "bastion-asg")).to.deep.equal([
            { from: ALLOWED_CIDRS, to: "bastion-asg", ports: ["22"] },
        ]);
        expect(a.nodes.find((n) => n.id === ALLOWED_CIDRS)!.label).to.equal(
            "allowed CIDRs\n198.51.100.0/24\n203.0.113.0/24",
        );
    });

    it("npm run plan --diagram: parsed, written as SVG, and a path or format it cannot write is refused", async () => {
        expect(parseArgs(["--stack", "prod", "--diagram", "docs/x.svg"])).to.deep.include({
            stack: "prod",
            json: false,
            diagram: "docs/x.svg",
        });
        expect(() => parseArgs(["--stack", "prod", "--diagram"])).to.throw(UsageError, "--diagram needs a value");
        const run = prod;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-diagram-"));
        const out = path.join(dir, "prod.svg");
        await writeDiagram(run, out);
        const svg = fs.readFileSync(out, "utf8");
        expect(checkXml(svg)).to.deep.equal(["svg"]);
        expect(decode(svg)).to.include("<title>network-vpc</title>");
        for (const [bad, message] of [
            [path.join(dir, "nested", "prod.svg"), "does not exist; create it first"],
            [path.join(dir, "prod.txt"), "the format follows the extension"],
        ]) {
            const error = await writeDiagram(run, bad).then(
                () => undefined,
                (e) => e,
            );
            expect(error, bad).to.be.instanceOf(UsageError);
            expect(error.message).to.include(message);
        }
        expect(fs.existsSync(path.join(dir, "nested")), "no directory created behind the user's back").to.equal(false);
    });
});
