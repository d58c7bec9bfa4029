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
        it(`plans ${stack}: prints the resource tree and outputs, and exits 0`, () => {
            const r = plan("--stack", stack);
            expect(r.status, r.stderr).to.equal(0);
            expect(r.stdout).to.include(`Previewing update (${stack}) offline`);
            expect(r.stdout).to.match(/ \+ {3}pulumi:pulumi:Stack +webfleet-/);
            expect(r.stdout).to.match(/├─ webfleet:network:Network +network +create/);
            expect(r.stdout).to.match(/│ {2}├─ awsx:ec2:Vpc +network-vpc +create/);
            expect(r.stdout).to.match(/\n {4}vpcId: +"vpc-[0-9a-f]+"/);
            // Both phases, each with its verdict.
            expect(r.stdout).to.include(
                "Policy, preview (a first `pulumi preview`: values the provider computes are unknown):",
            );
            expect(r.stdout).to.include("Policy, update (the state after `pulumi up`: every value known):");
            expect(r.stdout.match(/Policy violations, mandatory: 0/g)).to.have.length(2);
        });
    }

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
        expect(r.stderr).to.include(`Fix: pulumi config set --stack dev --path 'network.cidr' 10.0.0.0/16`);
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
