import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { planVpc } from "../offline/awsxVpc";
import { installMocks } from "../offline/mocks";
import { mockInvoke } from "../offline/mockInvoke";
import { runProgram } from "../offline/program";
import { RecordedResource } from "../offline/types";

const AZS = "aws:index/getAvailabilityZones:getAvailabilityZones";

/** Runs `build` as a program under the offline mocks; the first error that fails a registration ends it. */
async function run(build: () => void): Promise<{ resources: RecordedResource[]; error?: Error }> {
    const recorder = await installMocks("webfleet", "engine", { region: "us-east-1" });
    pulumi.runtime.setAllConfig({}, []);
    let error: Error | undefined;
    let fail: (e: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    process.on("unhandledRejection", fail);
    try {
        const { runInPulumiStack } = require("@pulumi/pulumi/runtime/stack");
        await Promise.race([runInPulumiStack(async () => (build(), {})), failed]);
        await Promise.race([require("@pulumi/pulumi/runtime/settings").waitForRPCs(), failed]);
        if (recorder.refused.length > 0) throw recorder.refused[0];
    } catch (e) {
        error = e as Error;
    } finally {
        await new Promise((resolve) => setTimeout(resolve, 20));
        process.off("unhandledRejection", fail);
    }
    return { resources: recorder.resources, error };
}

class Box extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
    }
}

describe("offline preview: what the engine refuses at registration", function () {
    this.timeout(30000);

    it("fails on two resources with one URN, as the engine's 'Duplicate resource URN' does", async () => {
        const r = await run(() => {
            new Box("webfleet:test:Box", "same");
            new Box("webfleet:test:Box", "same");
        });
        expect(r.error?.message).to.contain(
            "Duplicate resource URN 'urn:pulumi:engine::webfleet::webfleet:test:Box::same'; try giving it a unique name",
        );
    });

    it("compares the engine's URN (every parent type, no parent names), not the mock monitor's", async () => {
        // Two parents of one type with different names: their children's URNs are the same.
        const clash = await run(() => {
            for (const p of ["p1", "p2"]) {
                new Box("webfleet:test:Inner", "child", { parent: new Box("webfleet:test:Outer", p) });
            }
        });
        expect(clash.error?.message).to.contain(
            "Duplicate resource URN 'urn:pulumi:engine::webfleet::webfleet:test:Outer$webfleet:test:Inner::child'",
        );
        // Same parent type but grandparents of different types: distinct URNs to the engine.
        const fine = await run(() => {
            for (const g of ["webfleet:test:G1", "webfleet:test:G2"]) {
                const p = new Box("webfleet:test:Outer", "p", { parent: new Box(g, "g") });
                new Box("webfleet:test:Inner", "child", { parent: p });
            }
        });
        expect(fine.error).to.equal(undefined);
        expect(fine.resources.filter((x) => x.name === "child")).to.have.length(2);
    });

    it("fails on a type token that is not package:module:member", async () => {
        const r = await run(() => new Box("webfleet:Box", "b"));
        expect(r.error?.message).to.contain("Type 'webfleet:Box' is not a valid type token (must have format '*:*:*')");
    });
});

describe("offline preview: the Availability Zones a region really has", function () {
    this.timeout(120000);

    it("lists each region's own zones (us-west-1 has two, ap-northeast-1 no 'b'), and refuses a region it does not know", () => {
        const names = (region: string, inputs = {}) => mockInvoke(AZS, inputs, region, []).names;
        expect(names("us-east-1")).to.have.length(6);
        expect(names("us-west-1")).to.deep.equal(["us-west-1b", "us-west-1c"]);
        expect(names("ap-northeast-1")).to.deep.equal(["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]);
        expect(names("eu-west-1", { excludeNames: ["eu-west-1a"] })).to.deep.equal(["eu-west-1b", "eu-west-1c"]);
        expect(mockInvoke(AZS, {}, "us-east-1", []).zoneIds[0]).to.equal("use1-az1");
        expect(() => names("xx-nowhere-9")).to.throw(/not known offline/);
    });

    it("fails an awsx VPC asking for more zones than the region has, with awsx's message", () => {
        const specs = [{ type: "Public", cidrBlocks: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"] }];
        expect(() => planVpc("v", { numberOfAvailabilityZones: 3, subnetSpecs: specs }, "us-west-1")).to.throw(
            "The configured region for this provider does not have at least 3 Availability Zones.",
        );
        expect(planVpc("v", { numberOfAvailabilityZones: 3, subnetSpecs: specs }, "ap-northeast-1").azs).to.deep.equal([
            "ap-northeast-1a",
            "ap-northeast-1c",
            "ap-northeast-1d",
        ]);
    });

    it("the program in a two-zone region with three AZs asked for fails, as awsx fails the preview", async () => {
        const network = { availabilityZones: undefined, azCount: 3 };
        const err = await runProgram({
            stack: "dev",
            phase: "preview",
            overrides: { "aws:region": "us-west-1", "webfleet:network": network },
        }).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.message).to.contain("does not have at least 3 Availability Zones");
    });
});
