/**
 * The consumer example (examples/consumer) against the real contract: webfleet's dev stack runs
 * under the offline mocks first, and the consumer's StackReference is mocked with exactly the
 * outputs that run exported, so renaming or retyping an output the consumer reads breaks here.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ProgramRun, REPO_ROOT } from "../offline/program";
import { runStack } from "./support/program";

const CONSUMER_DIR = path.join(REPO_ROOT, "examples", "consumer");

/** The contract outputs the consumer reads, in the order its index.ts reads them. */
const CONSUMED = ["vpcId", "privateSubnetIds", "webSecurityGroupId", "dbEndpoint", "dbPort"];

interface Registration {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

interface ConsumerRun {
    registrations: Registration[];
    stackOutputs: Record<string, unknown>;
    exported: Record<string, unknown>;
}

function stackFileConfig(stack: string): Record<string, string> {
    const doc = YAML.parse(fs.readFileSync(path.join(CONSUMER_DIR, `Pulumi.${stack}.yaml`), "utf8"));
    return Object.fromEntries(
        Object.entries(doc.config ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

/** Runs examples/consumer under its own mocks; the StackReference answers with `referenced`. */
async function runConsumer(
    referenced: Record<string, unknown>,
    config: Record<string, string>,
    stack = "dev",
    // What a self-managed backend calls every stack's organization; Pulumi Cloud passes the org.
    organization = "organization",
): Promise<ConsumerRun> {
    const registrations: Registration[] = [];
    // Installed after webfleet's run: the mocks are global, and this replaces webfleet's.
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                registrations.push({ type: args.type, name: args.name, inputs: args.inputs });
                if (args.type === "pulumi:pulumi:StackReference") {
                    return {
                        id: args.inputs.name,
                        state: { name: args.inputs.name, outputs: referenced, secretOutputNames: [] },
                    };
                }
                const id = `${args.name}-id`;
                const extra: Record<string, unknown> =
                    args.type === "aws:ec2/launchTemplate:LaunchTemplate"
                        ? { latestVersion: 1 }
                        : args.type.startsWith("aws:iam/")
                          ? {
                                name: id,
                                arn: `arn:aws:iam::123456789012:${args.type.includes("instanceProfile") ? "instance-profile" : "role"}/${id}`,
                            }
                          : args.type === "aws:ec2/securityGroup:SecurityGroup"
                            ? {}
                            : { name: id };
                return {
                    id: args.type === "aws:ec2/securityGroup:SecurityGroup" ? "sg-0c0ffee0worker00" : id,
                    state: { ...args.inputs, ...extra },
                };
            },
            call(args) {
                throw new Error(`the consumer example called ${args.token}; it should need no data source`);
            },
        },
        "webfleet-consumer",
        stack,
        false,
        organization,
    );
    pulumi.runtime.setAllConfig(config);
    for (const id of Object.keys(require.cache)) {
        if (id.startsWith(CONSUMER_DIR + path.sep)) {
            delete require.cache[id];
        }
    }
    // A failed output (a missing or malformed contract value) surfaces as an unhandled rejection
    // while a resource's inputs are serialized, which is how `pulumi preview` reports it; catch
    // it here instead of letting mocha report it against whichever test runs next.
    let fail: (e: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    const mochaListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", (e) => fail(e as Error));
    try {
        const run = async () => {
            let exported: Record<string, unknown> = {};
            const { runInPulumiStack } = require("@pulumi/pulumi/runtime/stack");
            await runInPulumiStack(async () => {
                exported = require(path.join(CONSUMER_DIR, "index"));
                return exported;
            });
            // A failed resource leaves its dependents waiting for ever (the next setMocks resets
            // the RPC queue), so this is raced against the failure.
            await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
            return Promise.all(
                Object.entries(exported).map(
                    async ([k, v]) => [k, pulumi.Output.isInstance(v) ? await (v as any).promise() : v] as const,
                ),
            );
        };
        const timeout = new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error("the consumer program did not finish within 10 s")), 10000).unref(),
        );
        const values = Object.fromEntries(await Promise.race([run(), failed, timeout]));
        return { registrations, stackOutputs: referenced, exported: values };
    } finally {
        process.removeAllListeners("unhandledRejection");
        mochaListeners.forEach((l) => process.on("unhandledRejection", l));
    }
}

function only(run: ConsumerRun, type: string): Registration {
    const found = run.registrations.filter((r) => r.type === type);
    expect(found, type).to.have.length(1);
    return found[0];
}

/** The dev stack's outputs as `pulumi stack output --json` would give them to a StackReference. */
function referencedOutputs(webfleet: ProgramRun): Record<string, unknown> {
    return Object.fromEntries(Object.entries(webfleet.outputs).map(([k, o]) => [k, o.value]));
}

describe("consumer example (examples/consumer) against the dev stack's real outputs", function () {
    this.timeout(60000);
    let webfleet: ProgramRun;
    let consumer: ConsumerRun;

    before(async () => {
        webfleet = await runStack("dev");
        consumer = await runConsumer(referencedOutputs(webfleet), stackFileConfig("dev"));
    });

    it("reads only outputs the dev stack exports and docs/outputs.md's table documents", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "docs", "outputs.md"), "utf8");
        const table = readme.slice(
            readme.indexOf("<!-- outputs-table:start -->"),
            readme.indexOf("<!-- outputs-table:end -->"),
        );
        for (const name of CONSUMED) {
            expect(webfleet.outputs, `webfleet dev exports ${name}`).to.have.property(name);
            expect(webfleet.outputs[name].secret, `${name} is not a secret`).to.equal(false);
            expect(table, `docs/outputs.md's table lists ${name}`).to.include(`| \`${name}\` |`);
        }
    });

    it("references webfleet's stack of its own name in its own organization, fully qualified", () => {
        expect(stackFileConfig("dev")).to.not.have.property("webfleet-consumer:webfleetStack");
        expect(only(consumer, "pulumi:pulumi:StackReference").inputs.name).to.equal("organization/webfleet/dev");
        expect(consumer.exported.webfleetStackName).to.equal("organization/webfleet/dev");
    });

    it("works on Pulumi Cloud, where the stacks live in the team's organization, not 'organization'", async () => {
        const cloud = await runConsumer(referencedOutputs(webfleet), stackFileConfig("dev"), "dev", "acme");
        expect(only(cloud, "pulumi:pulumi:StackReference").inputs.name).to.equal("acme/webfleet/dev");
        const other = await runConsumer(
            referencedOutputs(webfleet),
            { ...stackFileConfig("dev"), "webfleet-consumer:webfleetStack": "platform-team/webfleet/prod" },
            "dev",
            "acme",
        );
        expect(only(other, "pulumi:pulumi:StackReference").inputs.name).to.equal("platform-team/webfleet/prod");
    });

    it("refuses a stack name that is not fully qualified, which would resolve in the consumer's own project", async () => {
        const message = await runConsumer(referencedOutputs(webfleet), {
            ...stackFileConfig("dev"),
            "webfleet-consumer:webfleetStack": "dev",
        }).then(
            () => undefined,
            (e: Error) => e.message,
        );
        expect(message).to.include(
            'webfleet-consumer:webfleetStack: "dev" is not a fully qualified stack name; set it to <org>/webfleet/<stack>',
        );
    });

    it("puts its security group in webfleet's VPC, open only to webfleet's web servers", () => {
        const out = consumer.stackOutputs;
        expect(only(consumer, "aws:ec2/securityGroup:SecurityGroup").inputs.vpcId)
            .to.equal(out.vpcId)
            .and.to.match(/^vpc-/);
        const ingress = only(consumer, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").inputs;
        expect(ingress).to.deep.include({
            securityGroupId: "sg-0c0ffee0worker00",
            referencedSecurityGroupId: out.webSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: 9000,
            toPort: 9000,
        });
        expect(ingress).to.not.have.any.keys("cidrIpv4", "cidrIpv6");
        const egress = only(consumer, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").inputs;
        expect(egress).to.deep.include({
            securityGroupId: "sg-0c0ffee0worker00",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: "0.0.0.0/0",
        });
        expect(consumer.exported.workerSecurityGroupId).to.equal("sg-0c0ffee0worker00");
    });

    it("runs its workers in webfleet's private subnets, configured with the database endpoint", () => {
        const out = consumer.stackOutputs;
        const group = only(consumer, "aws:autoscaling/group:Group").inputs;
        expect(group.vpcZoneIdentifiers).to.deep.equal(webfleet.outputs.privateSubnetIds.value).and.to.have.length(2);
        expect(group).to.deep.include({
            minSize: 1,
            desiredCapacity: 1,
            maxSize: 2,
            launchTemplate: { id: "worker-lt-id", version: "1" },
        });
        const lt = only(consumer, "aws:ec2/launchTemplate:LaunchTemplate").inputs;
        const script = Buffer.from(lt.userData, "base64").toString("utf8");
        expect(script).to.include(`\nDB_HOST=${out.dbEndpoint}\nDB_PORT=${out.dbPort}\nWORKER_PORT=9000\n`);
        expect(lt.vpcSecurityGroupIds).to.deep.equal(["sg-0c0ffee0worker00"]);
        expect(lt.metadataOptions).to.deep.equal({
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
        });
        expect(lt.blockDeviceMappings[0].ebs).to.include({ encrypted: "true", volumeType: "gp3" });
        expect(lt.imageId).to.equal("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
        expect(lt).to.not.have.property("networkInterfaces");
    });

    it("fails the preview with the output's name when the contract changes", async () => {
        const { dbEndpoint, ...withoutDb } = referencedOutputs(webfleet);
        expect(dbEndpoint).to.be.a("string");
        const missing = await runConsumer(withoutDb, stackFileConfig("dev")).then(
            () => undefined,
            (e: Error) => e.message,
        );
        expect(missing).to.include("Required output 'dbEndpoint' does not exist on stack 'organization/webfleet/dev'");
        const retyped = await runConsumer(
            { ...referencedOutputs(webfleet), dbPort: "5432; rm -rf /" },
            stackFileConfig("dev"),
        ).then(
            () => undefined,
            (e: Error) => e.message,
        );
        expect(retyped).to.include(
            'organization/webfleet/dev output dbPort: expected a port number, found "5432; rm -rf /"',
        );
    });

    it("defaults to the webfleet stack of its own name", async () => {
        const run = await runConsumer(referencedOutputs(webfleet), { "aws:region": "us-east-1" }, "prod");
        expect(only(run, "pulumi:pulumi:StackReference").inputs.name).to.equal("organization/webfleet/prod");
    });
});
