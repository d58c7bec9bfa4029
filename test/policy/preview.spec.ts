/**
 * The pack over the real dev and prod programs in the offline preview's preview phase (a first
 * `pulumi preview`: provider-computed values unknown, property dependencies kept), next to the
 * deployed view: no mandatory violation in either. This is the test that would have caught issue
 * 10's failure: at a first preview the ALB's access-log bucket reaches the pack only as its
 * bucket policy's unknown `bucket` output, whose dependency is the policy, so s3-encryption-kms
 * lost its access-log exemption and refused prod's SSE-S3 log bucket.
 */
import { expect } from "chai";
import { resolveRef, resolveThrough } from "../../policy/lib/graph";
import { T } from "../../policy/lib/types";
import { policyResources, runPolicyPack } from "../../offline/policyRunner";
import { ProgramRun, runProgram } from "../../offline/program";
import { RecordedResource, UNKNOWN } from "../../offline/types";
import { sharedRun } from "../support/program";

function named(resources: RecordedResource[], name: string): RecordedResource {
    const r = resources.find((x) => x.name === name);
    expect(r, name).to.not.equal(undefined);
    return r!;
}

describe("policy pack at a first preview of the real programs", function () {
    this.timeout(180000);
    const preview: Record<string, ProgramRun> = {};
    const deployed: Record<string, ProgramRun> = {};
    before(async () => {
        for (const stack of ["dev", "prod"] as const) {
            preview[stack] = await runProgram({ stack, phase: "preview" });
            deployed[stack] = await sharedRun(stack);
        }
    });

    it("sees what the engine sends: the log bucket named only through its policy's unknown output", () => {
        const resources = preview.prod.resources;
        const alb = named(resources, "web-lb-alb");
        expect((alb.inputs.accessLogs as { bucket: unknown }).bucket).to.equal(UNKNOWN);
        expect(alb.propertyDependencies.accessLogs.map((u) => u.split("::").pop())).to.deep.equal([
            "access-logs-policy",
        ]);
        expect(named(resources, "access-logs-bucket").outputs.id).to.equal(UNKNOWN);
        expect(named(resources, "access-logs-policy").outputs.bucket).to.equal(UNKNOWN);
    });

    it("finds the log bucket only by following the bucket policy's own `bucket` (a pass-through)", () => {
        const resources = policyResources(preview.prod.resources);
        const alb = resources.find((r) => r.name === "web-lb-alb")!;
        const buckets = resources.filter((r) => r.type === T.bucket);
        expect(resolveRef(alb, "accessLogs", buckets).kind).to.not.equal("resolved");
        const through = resolveThrough(alb, "accessLogs", buckets);
        expect(through.kind === "resolved" ? through.targets.map((t) => t.name) : through.kind).to.deep.equal([
            "access-logs-bucket",
        ]);
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`finds no mandatory violation in ${stack}, at a first preview and as deployed`, async () => {
            for (const run of [preview[stack], deployed[stack]]) {
                const report = await runPolicyPack({ project: run.project, stack, resources: run.resources });
                const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
                expect(mandatory.map((v) => `${run.phase} ${v.policy}: ${v.message}`)).to.deep.equal([]);
            }
        });
    }

    it("keeps the access-log exemption of s3-encryption-kms at prod's first preview", async () => {
        const report = await runPolicyPack({ project: "webfleet", stack: "prod", resources: preview.prod.resources });
        expect(report.violations.filter((v) => v.policy === "s3-encryption-kms")).to.deep.equal([]);
    });

    it("judges awsx's VPC children at a first preview: a NAT gateway per AZ, isolated subnets without internet routes", async () => {
        const resources = preview.prod.resources;
        expect(resources.filter((r) => r.type === T.natGateway)).to.have.length.greaterThan(1);
        expect(resources.filter((r) => r.type === T.subnet).every((s) => s.outputs.id === UNKNOWN)).to.equal(true);
        const report = await runPolicyPack({ project: "webfleet", stack: "prod", resources });
        const network = ["nat-gateway-per-az", "subnet-isolated-no-internet-route", "subnet-public-ip-only-public"];
        expect(report.violations.filter((v) => network.includes(v.policy))).to.deep.equal([]);
    });
});
