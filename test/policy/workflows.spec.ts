/**
 * The CI workflows run what the policy README promises: tests and the offline preview on every
 * pull request, the policy pack with each stack's config on every cloud preview and update,
 * and prod only behind its approval environment.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");

interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    needs?: string | string[];
    environment?: string;
    if?: string;
    strategy?: { matrix?: Record<string, unknown[]> };
    permissions?: Record<string, string>;
    steps: Step[];
}
interface Workflow {
    on: Record<string, unknown>;
    jobs: Record<string, Job>;
}

function workflow(name: string): Workflow {
    return parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", name), "utf8")) as Workflow;
}

function pulumiSteps(job: Job): Step[] {
    return job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
}

/** Every Pulumi command runs the pack with the config of the stack it targets. */
function expectPolicyPack(step: Step, stack: string): void {
    expect(step.with?.policyPacks).to.equal("policy");
    expect(step.with?.policyPackConfigs).to.equal(`policy/config/${stack}.json`);
    expect(step.with?.["stack-name"]).to.equal(stack);
    expect(step.env?.PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
}

describe("CI workflows", () => {
    it("pull requests: tests and the offline preview, then pulumi preview of dev and prod with the pack", () => {
        const wf = workflow("pull-request.yml");
        expect(wf.on).to.have.property("pull_request");
        const test = wf.jobs.test;
        expect(
            test.steps.some((s) => s.run?.includes(".ci/run")),
            "runs .ci/run (npm test, npm run plan for dev and prod)",
        ).to.equal(true);
        const preview = wf.jobs.preview;
        expect(preview.needs).to.equal("test");
        expect(preview.strategy?.matrix?.stack).to.deep.equal(["dev", "prod"]);
        expect(preview.permissions?.["id-token"]).to.equal("write");
        const steps = pulumiSteps(preview);
        expect(steps).to.have.length(1);
        expect(steps[0].with?.command).to.equal("preview");
        expect(steps[0].with?.policyPacks).to.equal("policy");
        expect(steps[0].with?.policyPackConfigs).to.equal("policy/config/${{ matrix.stack }}.json");
        expect(steps[0].env?.PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
        for (const stack of preview.strategy!.matrix!.stack as string[]) {
            expect(fs.existsSync(path.join(ROOT, "policy", "config", `${stack}.json`)), stack).to.equal(true);
        }
        expect(
            preview.steps.some(
                (s) =>
                    s.uses?.startsWith("aws-actions/configure-aws-credentials@") &&
                    s.with?.["role-to-assume"] === "${{ secrets.AWS_ROLE_ARN }}",
            ),
        ).to.equal(true);
    });

    it("main: tests, pulumi up of dev, a prod preview, then pulumi up of prod behind the prod environment", () => {
        const wf = workflow("deploy.yml");
        expect(wf.on).to.have.property("push");
        expect((wf.on.push as { branches: string[] }).branches).to.deep.equal(["main"]);
        expect(wf.jobs.test.steps.some((s) => s.run?.includes(".ci/run"))).to.equal(true);
        expect(wf.jobs.dev.needs).to.equal("test");
        expect(wf.jobs["prod-preview"].needs).to.equal("dev");
        expect(wf.jobs.prod.needs).to.equal("prod-preview");
        expect(wf.jobs.prod.environment).to.equal("prod");
        const [devUp] = pulumiSteps(wf.jobs.dev);
        expect(devUp.with?.command).to.equal("up");
        expectPolicyPack(devUp, "dev");
        const [prodPreview] = pulumiSteps(wf.jobs["prod-preview"]);
        expect(prodPreview.with?.command).to.equal("preview");
        expectPolicyPack(prodPreview, "prod");
        const [prodUp] = pulumiSteps(wf.jobs.prod);
        expect(prodUp.with?.command).to.equal("up");
        expectPolicyPack(prodUp, "prod");
    });

    it("main: npm run verify checks each stack right after its update, and prod's update waits for dev's", () => {
        const wf = workflow("deploy.yml");
        for (const stack of ["dev", "prod"]) {
            const steps = wf.jobs[stack].steps;
            const up = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");
            const verify = steps.findIndex((s) => /^npm run verify -- /.test(s.run ?? ""));
            expect(verify, `${stack} verifies after its update`).to.equal(up + 1);
            // The deployed stack's url and AZ count, read with the Pulumi CLI from the state backend.
            expect(steps[verify].run).to.match(new RegExp(`^npm run verify -- --stack ${stack}( |$)`));
            expect(steps[verify].env?.PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
            // A failed check must fail the job: nothing may swallow the exit code.
            expect(steps[verify]).to.not.have.property("continue-on-error");
            expect(steps[verify].run).to.not.match(/\|\||; *true|set \+e/);
        }
        // prod (through its preview) runs only after the dev job, verify included, succeeded.
        expect(wf.jobs["prod-preview"].needs).to.equal("dev");
        expect(wf.jobs.prod.needs).to.equal("prod-preview");
    });
});
