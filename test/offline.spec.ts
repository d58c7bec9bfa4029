import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../offline/program";
import { publicView } from "../offline/render";

function plan(...args: string[]) {
    const r = spawnSync(process.execPath, ["-r", "./offline/register.js", "offline/cli.ts", ...args], {
        cwd: REPO_ROOT,
        encoding: "utf8",
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of a stack file with one section changed, for the invalid-config cases. */
function variant(stack: string, edit: (config: Record<string, any>) => void): string {
    const doc = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    edit(doc.config);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-plan-")), `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
}

const CONTRACT_OUTPUTS = [
    "vpcId",
    "publicSubnetIds",
    "privateSubnetIds",
    "isolatedSubnetIds",
    "bastionSecurityGroupId",
    "bastionPublicIp",
];

describe("offline preview (npm run plan)", function () {
    this.timeout(120000);

    for (const stack of ["dev", "prod"]) {
        it(`plans ${stack}: the verdict per phase, counts and cost first, then violations, tree, outputs, cost table`, () => {
            const r = plan("--stack", stack);
            expect(r.status, r.stderr).to.equal(0);
            const lines = r.stdout.split("\n");
            expect(lines[0]).to.equal(`webfleet ${stack}: offline plan (mocked AWS account 123456789012, us-east-1)`);
            expect(lines[2]).to.equal("Verdict: PASS: no mandatory policy violation in either phase");
            expect(lines[3]).to.match(/^ {4}preview +0 mandatory, \d+ advisory, \d+ exempted$/);
            expect(lines[4]).to.match(/^ {4}update +0 mandatory, \d+ advisory, \d+ exempted$/);
            expect(lines[5]).to.match(/^Resources: \d+ to create \(\d+ cloud resources, \d+ components\)$/);
            expect(lines[6]).to.match(/^Monthly cost: about \$[\d.]+ USD/);
            const order = [
                "Policy, preview (a first `pulumi preview`",
                "Policy, update (the state after `pulumi up`",
                "Resources (",
                " + pulumi:pulumi:Stack ",
                "Outputs:",
                "Estimated monthly cost:",
            ].map((s) => r.stdout.indexOf(s));
            expect(
                order.every((i) => i > 0),
                String(order),
            ).to.equal(true);
            expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
            expect(r.stdout).to.match(/├─ webfleet:network:Network +network\n/);
            expect(r.stdout).to.match(/│ {2}├─ awsx:ec2:Vpc +network-vpc\n/);
            expect(r.stdout).to.match(/\n {4}vpcId: +"vpc-[0-9a-f]+"/);
            // Piped, every line fits 100 columns.
            const wide = lines.filter((l) => [...l].length > 100);
            expect(wide, wide.join("\n")).to.deep.equal([]);
        });
    }

    it("shows the long form with --details: full type tokens and untrimmed lines", () => {
        const r = plan("--stack", "dev", "--details");
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.match(/aws:ec2\/subnet:Subnet +network-vpc-public-1 +create/);
        expect(r.stdout).to.include("PASS: no mandatory policy violation in either phase");
        expect(r.stdout.split("\n").some((l) => l.length > 100)).to.equal(true);
    });

    it("prints usage on --help and exits 0", () => {
        const r = plan("--help");
        expect(r.status).to.equal(0);
        expect(r.stdout).to.match(/^usage: npm run plan -- --stack <name> \[options\]/);
        expect(r.stdout).to.include("--diff <git-ref>");
        expect(r.stderr).to.equal("");
    });

    it("ends quietly when the reader closes the pipe", () => {
        const r = spawnSync("sh", ["-c", "node -r ./offline/register.js offline/cli.ts --stack dev | head -n 1"], {
            cwd: REPO_ROOT,
            encoding: "utf8",
        });
        expect(r.stdout).to.equal("webfleet dev: offline plan (mocked AWS account 123456789012, us-east-1)\n");
        expect(r.stderr).to.not.match(/EPIPE|Error|\n\s+at /);
    });

    it("writes the JSON document with --out, clean however it is run, and refuses what it cannot write", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-out-"));
        const file = path.join(dir, "plan.json");
        const r = plan("--stack", "dev", "--out", file);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.include("Verdict: PASS");
        const doc = JSON.parse(fs.readFileSync(file, "utf8"));
        expect(doc).to.include({ project: "webfleet", stack: "dev" });
        expect(r.stderr).to.include(`Wrote ${file}`);
        for (const [bad, message] of [
            [path.join(dir, "missing", "plan.json"), `the directory ${path.join(dir, "missing")} does not exist`],
            [path.join(dir, "plan.yaml"), "the format follows the extension, and .yaml is not one this writes (.json)"],
            [dir + "/", "the format follows the extension"],
        ]) {
            const refused = plan("--stack", "dev", "--out", bad);
            expect(refused.status, bad).to.equal(2);
            expect(refused.stderr).to.include(message);
            expect(refused.stdout).to.equal("");
        }
        expect(fs.existsSync(path.join(dir, "missing")), "no directory created").to.equal(false);
    });

    it("prints the DESIGN.md JSON document with --json", () => {
        const r = plan("--stack", "prod", "--json");
        expect(r.status, r.stderr).to.equal(0);
        const doc = JSON.parse(r.stdout);
        expect(doc).to.include({ project: "webfleet", stack: "prod" });
        expect(doc.phases).to.deep.equal(["preview", "update"]);
        expect(doc.violations).to.be.an("array").that.is.not.empty;
        for (const v of [...doc.violations, ...doc.exempted]) {
            expect(["preview", "update"]).to.include(v.phase);
        }
        expect(doc.outputs).to.include.keys(CONTRACT_OUTPUTS);
        const urns = new Set(doc.resources.map((x: any) => x.urn));
        for (const res of doc.resources) {
            expect(res).to.have.all.keys(
                "urn",
                "type",
                "name",
                "parent",
                "inputs",
                "outputs",
                "options",
                "unknownInputsAtPreview",
            );
            expect(res.options).to.include.keys("protect", "retainOnDelete", "ignoreChanges", "dependsOn");
            expect(res.urn).to.match(/^urn:pulumi:prod::webfleet::/);
            if (res.type !== "pulumi:pulumi:Stack") {
                expect(urns.has(res.parent), `${res.name}'s parent ${res.parent}`).to.equal(true);
            }
        }
        const vpc = doc.resources.find((x: any) => x.type === "awsx:ec2:Vpc");
        expect(vpc.outputs.vpcId).to.equal(doc.outputs.vpcId);
        // The VPC's own resources, with the inputs a first preview cannot know.
        const subnets = doc.resources.filter((x: any) => x.type === "aws:ec2/subnet:Subnet");
        expect(subnets).to.have.length(9);
        expect(subnets[0].unknownInputsAtPreview).to.deep.equal(["vpcId"]);
        const db = doc.resources.find((x: any) => x.type === "aws:rds/instance:Instance");
        expect(db.options.protect).to.equal(true);
        expect(db.unknownInputsAtPreview).to.include("identifier");
    });

    it("exits 2 with a message naming the key and the fix for an invalid stack file", () => {
        const file = variant("dev", (c) => {
            c["webfleet:network"].cidr = "10.0.0.0/33";
        });
        const r = plan("--stack", "dev", "--config", file);
        expect(r.status).to.equal(2);
        expect(r.stderr).to.include(`Invalid stack config for stack "dev" (1 problem):`);
        expect(r.stderr).to.include(
            `network.cidr: expected a canonical IPv4 CIDR block from /16 to /20; found "10.0.0.0/33".`,
        );
        expect(r.stderr).to.include(`Fix: pulumi config set --stack dev --path network.cidr 10.0.0.0/16`);
        expect(r.stderr, "no stack trace").to.not.match(/\n\s+at /);
        expect(r.stdout).to.equal("");
    });

    it("exits 2 for bad usage and unknown stacks", () => {
        const noStack = plan();
        expect(noStack.status).to.equal(2);
        expect(noStack.stderr).to.include("--stack is required");
        const unknown = plan("--stack", "staging");
        expect(unknown.status).to.equal(2);
        expect(unknown.stderr).to.include("no stack config Pulumi.staging.yaml; known stacks: dev, prod");
        const flag = plan("--stack", "dev", "--jsn");
        expect(flag.status).to.equal(2);
        expect(flag.stderr).to.include('unknown argument "--jsn"');
        // A --config that is not there is that, not a stack to create.
        const config = plan("--stack", "dev", "--config", "/nope.yaml");
        expect(config.status).to.equal(2);
        expect(config.stderr).to.equal(
            "error: --config /nope.yaml: no such file (give the path of a stack file, like Pulumi.dev.yaml)\n",
        );
    });
});

describe("offline preview rendering", () => {
    it("masks secret inputs and secret outputs by their recorded paths, nothing else", () => {
        const view = publicView({
            urn: "urn:pulumi:dev::webfleet::tls:index/privateKey:PrivateKey::k",
            type: "tls:index/privateKey:PrivateKey",
            name: "k",
            parent: null,
            custom: true,
            inputs: { algorithm: "ECDSA", nested: { list: ["a", "s3cr3t"] } },
            outputs: {
                algorithm: "ECDSA",
                privateKeyPem: "-----BEGIN PRIVATE KEY-----",
                publicKeyPem: "pub",
                nested: { list: ["a", "s3cr3t"] },
            },
            dependencies: [],
            propertyDependencies: {},
            secretInputPaths: ["nested.list[1]"],
            secretOutputNames: ["privateKeyPem"],
        });
        expect(view.inputs).to.deep.equal({ algorithm: "ECDSA", nested: { list: ["a", "[secret]"] } });
        expect(view.outputs).to.deep.equal({
            algorithm: "ECDSA",
            privateKeyPem: "[secret]",
            publicKeyPem: "pub",
            nested: { list: ["a", "[secret]"] },
        });
    });
});
