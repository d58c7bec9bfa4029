/**
 * The CI workflows run what the policy README promises: tests and the offline preview on every
 * pull request, the policy pack with each stack's config on every cloud preview and update,
 * and prod only behind its approval environment.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { parse } from "yaml";
import { parsePolicyPackConfig, resolvePolicyConfig } from "../../policy/lib/packConfig";
import { PACK_ENFORCEMENT_LEVEL, policies } from "../../policy/policies";

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

    describe("examples/policy-in-another-repo: the pack on another team's previews", () => {
        const DIR = path.join(ROOT, "examples", "policy-in-another-repo");
        const text = fs.readFileSync(path.join(DIR, ".github-workflow.yml"), "utf8");
        const wf = parse(text) as Workflow & { env: Record<string, string> };
        const job = wf.jobs.preview;
        const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")) as {
            version: string;
        };

        it("checks the pack out at a pinned release tag of this version, next to the team's program", () => {
            expect(wf.on).to.have.property("pull_request");
            expect(wf.env.WEBFLEET_GUARD_REF).to.equal(`webfleet-guard-v${pack.version}`);
            const checkout = job.steps.find((s) => s.with?.repository === "${{ env.WEBFLEET_REPOSITORY }}");
            expect(checkout?.uses).to.match(/^actions\/checkout@/);
            expect(checkout?.with?.ref).to.equal("${{ env.WEBFLEET_GUARD_REF }}");
            expect(checkout?.with?.path).to.equal(".webfleet");
            expect(checkout?.with?.["persist-credentials"]).to.equal(false);
        });

        it("installs the pack on its own and runs pulumi preview with it and the team's config per stack", () => {
            const install = job.steps.find((s) => s.run?.includes("npm install --prefix"));
            expect(install?.run).to.include('cp -R .webfleet/policy "$RUNNER_TEMP/webfleet-guard"');
            const steps = pulumiSteps(job);
            expect(steps).to.have.length(1);
            expect(steps[0].with?.command).to.equal("preview");
            expect(steps[0].with?.policyPacks).to.equal("${{ runner.temp }}/webfleet-guard");
            expect(steps[0].with?.policyPackConfigs).to.equal("policy-config/${{ matrix.stack }}.json");
            expect(steps[0].env?.PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
            // The same CLI as this repository's own previews.
            const ours = pulumiSteps(workflow("pull-request.yml").jobs.preview)[0];
            expect(steps[0].with?.["pulumi-version"]).to.equal(ours.with?.["pulumi-version"]);
        });

        it("gets AWS credentials through OIDC, never from a stored key", () => {
            expect(job.permissions?.["id-token"]).to.equal("write");
            expect(
                job.steps.some(
                    (s) =>
                        s.uses?.startsWith("aws-actions/configure-aws-credentials@") &&
                        s.with?.["role-to-assume"] === "${{ secrets.AWS_ROLE_ARN }}",
                ),
            ).to.equal(true);
            expect(text).to.not.match(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id/);
        });

        it("documents an exemption the pack's config schema accepts, and links the pack's docs", () => {
            const readme = fs.readFileSync(path.join(DIR, "README.md"), "utf8");
            const snippet = /```json\n([\s\S]*?)```/.exec(readme)?.[1];
            expect(snippet, "the README's JSON example").to.be.a("string");
            const config = parsePolicyPackConfig(JSON.parse(`{${snippet!}}`));
            expect(() => resolvePolicyConfig(policies, config, PACK_ENFORCEMENT_LEVEL)).to.not.throw();
            expect(readme).to.include("(../../docs/policy-pack.md)");
            expect(fs.existsSync(path.join(ROOT, "docs", "policy-pack.md"))).to.equal(true);
        });
    });
});
