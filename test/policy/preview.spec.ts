/**
 * The pack over the real dev and prod programs as a first `pulumi preview` shows them (every ID,
 * ARN and value built from one unknown; property dependencies kept), next to the deployed view:
 * no mandatory violation in either. This is the test that would have caught issue 10's failure:
 * at a first preview the ALB's access-log bucket reaches the pack only as its bucket policy's
 * unknown `bucket` output, whose dependency is the policy, so s3-encryption-kms lost its
 * access-log exemption and refused prod's SSE-S3 log bucket.
 */
import { expect } from "chai";
import { resolveRef, resolveThrough } from "../../policy/lib/graph";
import { T } from "../../policy/lib/types";
import { policyResources, runPolicyPack } from "../../offline/policyRunner";
import { ProgramRun } from "../../offline/program";
import { RecordedResource } from "../../offline/types";
import { sharedRun } from "../support/program";
import { firstPreview, isUnknown } from "./preview";

function named(resources: RecordedResource[], name: string): RecordedResource {
    const r = resources.find((x) => x.name === name);
    expect(r, name).to.not.equal(undefined);
    return r!;
}

describe("policy pack at a first preview of the real programs", function () {
    this.timeout(120000);
    const runs: Record<string, ProgramRun> = {};
    before(async () => {
        runs.dev = await sharedRun("dev");
        runs.prod = await sharedRun("prod");
    });

    it("simulates what the engine sends: the log bucket named only through its policy's unknown output", () => {
        const preview = firstPreview(runs.prod.resources);
        const alb = named(preview, "web-lb-alb");
        expect(isUnknown(alb.inputs.accessLogs.bucket)).to.equal(true);
        expect(alb.propertyDependencies.accessLogs.map((u) => u.split("::").pop())).to.deep.equal([
            "access-logs-policy",
        ]);
        expect(isUnknown(named(preview, "access-logs-bucket").outputs.id)).to.equal(true);
        expect(isUnknown(named(preview, "access-logs-policy").outputs.bucket)).to.equal(true);
    });

    it("finds the log bucket only by following the bucket policy's own `bucket` (a pass-through)", () => {
        const resources = policyResources(firstPreview(runs.prod.resources));
        const alb = resources.find((r) => r.name === "web-lb-alb")!;
        const buckets = resources.filter((r) => r.type === T.bucket);
        expect(resolveRef(alb, "accessLogs", buckets).kind).to.not.equal("resolved");
        const through = resolveThrough(alb, "accessLogs", buckets);
        expect(through.kind === "resolved" ? through.targets.map((t) => t.name) : through.kind).to.deep.equal([
            "access-logs-bucket",
        ]);
    });

    for (const stack of ["dev", "prod"]) {
        it(`finds no mandatory violation in ${stack}, at a first preview and as deployed`, async () => {
            for (const resources of [firstPreview(runs[stack].resources), runs[stack].resources]) {
                const report = await runPolicyPack({ project: runs[stack].project, stack, resources });
                const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
                expect(mandatory.map((v) => `${v.policy}: ${v.message}`)).to.deep.equal([]);
            }
        });
    }

    it("keeps the access-log exemption of s3-encryption-kms at prod's first preview", async () => {
        const report = await runPolicyPack({
            project: runs.prod.project,
            stack: "prod",
            resources: firstPreview(runs.prod.resources),
        });
        expect(report.violations.filter((v) => v.policy === "s3-encryption-kms")).to.deep.equal([]);
    });
});
