/**
 * The CI workflows run what the policy README promises: tests and the offline preview on every
 * pull request, the policy pack with each stack's config on every cloud preview and update,
 * and prod only behind its approval environment. And no branch can deploy by editing them
 * (docs/ci-iam.md): the deploy credentials exist only in the dev and prod environments, whose
 * roles trust exactly those environments; everything else runs read-only.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { parse } from "yaml";
import { parsePolicyPackConfig, resolvePolicyConfig } from "../../policy/lib/packConfig";
import { PACK_ENFORCEMENT_LEVEL, policies } from "../../policy/policies";

const ROOT = path.resolve(__dirname, "..", "..");

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    needs?: string | string[];
    environment?: string;
    if?: string;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    strategy?: { matrix?: Record<string, unknown[]> };
    permissions?: Record<string, string>;
    steps: Step[];
}
interface Workflow {
    on: Record<string, unknown>;
    concurrency?: unknown;
    jobs: Record<string, Job>;
}

const DEPLOY_SECRETS = ["secrets.AWS_ROLE_ARN", "secrets.PULUMI_ACCESS_TOKEN"];
const WORKFLOWS = ["pull-request.yml", "deploy.yml"];

function roleOf(job: Job): unknown {
    return job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with?.[
        "role-to-assume"
    ];
}

/** The JSON policy documents in a docs page, in order. */
function jsonBlocks(page: string): any[] {
    const text = fs.readFileSync(path.join(ROOT, "docs", page), "utf8");
    return [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
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
        for (const stack of preview.strategy!.matrix!.stack as string[]) {
            expect(fs.existsSync(path.join(ROOT, "policy", "config", `${stack}.json`)), stack).to.equal(true);
        }
        // Read-only: a pull request's branch may have rewritten this very file.
        expect(roleOf(preview)).to.equal("${{ secrets.AWS_READONLY_ROLE_ARN }}");
        expect(steps[0].env?.PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_READONLY_ACCESS_TOKEN }}");
        expect(preview.environment).to.equal(undefined);
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

    it("keeps the deploy role and token in the dev and prod environments: no other job names them", () => {
        for (const name of WORKFLOWS) {
            for (const [id, job] of Object.entries(workflow(name).jobs)) {
                const text = JSON.stringify(job);
                const where = `${name} ${id}`;
                if (job.environment === undefined) {
                    for (const secret of DEPLOY_SECRETS) {
                        expect(text, `${where} names ${secret}`).to.not.include(secret);
                    }
                } else {
                    expect(["dev", "prod"], where).to.include(job.environment);
                    expect(roleOf(job), where).to.equal("${{ secrets.AWS_ROLE_ARN }}");
                    for (const step of pulumiSteps(job)) {
                        expect(step.env?.PULUMI_ACCESS_TOKEN, where).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
                    }
                }
                // Whatever reaches AWS or Pulumi Cloud outside an environment does it read-only.
                if (job.environment === undefined && (roleOf(job) || pulumiSteps(job).length > 0)) {
                    expect(roleOf(job), where).to.equal("${{ secrets.AWS_READONLY_ROLE_ARN }}");
                    for (const step of pulumiSteps(job)) {
                        expect(step.with?.command, where).to.equal("preview");
                        expect(step.env?.PULUMI_ACCESS_TOKEN, where).to.equal(
                            "${{ secrets.PULUMI_READONLY_ACCESS_TOKEN }}",
                        );
                    }
                }
            }
        }
        // Every update runs in the environment of the stack it updates.
        for (const [id, job] of Object.entries(workflow("deploy.yml").jobs)) {
            for (const step of pulumiSteps(job).filter((s) => s.with?.command === "up")) {
                expect(job.environment, id).to.equal(step.with?.["stack-name"]);
            }
        }
    });

    it("pins each role's OIDC trust (docs/ci-iam.md) to exactly the subjects the workflows produce", () => {
        const trust = jsonBlocks("ci-iam.md").filter((d) =>
            d.Statement?.some((s: any) => s.Action === "sts:AssumeRoleWithWebIdentity"),
        );
        const subjects = trust.map(
            (d) => d.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"],
        );
        expect(subjects).to.deep.equal([
            ["repo:acme/webfleet:pull_request", "repo:acme/webfleet:ref:refs/heads/main"],
            "repo:acme/webfleet:environment:dev",
        ]);
        for (const d of trust) {
            expect(d.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"]).to.equal(
                "sts.amazonaws.com",
            );
        }
        // The read-only subjects are exactly the triggers of the jobs that use the read-only role.
        const readOnlySubjects = WORKFLOWS.flatMap((name) =>
            Object.values(workflow(name).jobs)
                .filter((j) => roleOf(j) === "${{ secrets.AWS_READONLY_ROLE_ARN }}")
                .map(() => (name === "pull-request.yml" ? "pull_request" : "ref:refs/heads/main")),
        );
        expect([...new Set(readOnlySubjects)].map((e) => `repo:acme/webfleet:${e}`)).to.have.members(subjects[0]);
        // The deploy role's subject names an environment the deploy workflow uses.
        const environments = Object.values(workflow("deploy.yml").jobs).map((j) => j.environment);
        expect(environments).to.include((subjects[1] as string).split(":environment:")[1]);
        // The read-only role can read, not write: no action that changes anything.
        const readOnly = jsonBlocks("ci-iam.md").find((d) =>
            d.Statement?.some((s: any) => s.Sid === "DataSourcesAndPreflight"),
        );
        const actions: string[] = readOnly.Statement.flatMap((s: any) => [s.Action].flat());
        expect(actions.length).to.be.greaterThan(10);
        for (const action of actions) {
            expect(action, action).to.match(/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]+$/);
        }
    });

    it("deploys only from main, and a prod approval never holds back the next dev deploy", () => {
        const wf = workflow("deploy.yml");
        // workflow_dispatch can be started from any branch.
        expect(wf.on).to.have.property("workflow_dispatch");
        for (const id of ["dev", "prod-preview", "prod"]) {
            expect(wf.jobs[id].if, id).to.equal("github.ref == 'refs/heads/main'");
        }
        // No workflow-wide group: it would queue every later run behind one awaiting approval.
        expect(wf.concurrency).to.equal(undefined);
        expect(wf.jobs.dev.concurrency).to.deep.equal({ group: "deploy-dev", "cancel-in-progress": false });
        for (const id of ["prod-preview", "prod"]) {
            expect(wf.jobs[id].concurrency, id).to.deep.equal({ group: "deploy-prod", "cancel-in-progress": false });
        }
    });

    it("runs the preflight with the job's credentials before every pulumi up and the prod preview", () => {
        const wf = workflow("deploy.yml");
        for (const [id, stack] of [
            ["dev", "dev"],
            ["prod-preview", "prod"],
            ["prod", "prod"],
        ]) {
            const steps = wf.jobs[id].steps;
            const preflight = steps.findIndex((s) => s.run === `npm run preflight -- --stack ${stack}`);
            const credentials = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
            const pulumi = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
            expect(credentials, id).to.be.greaterThan(-1);
            expect(preflight, `${id} runs the preflight after the credentials`).to.be.greaterThan(credentials);
            expect(pulumi, id).to.be.greaterThan(preflight);
        }
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        expect(pkg.scripts.preflight).to.equal("node -r ./scripts/register.js preflight/cli.ts");
    });

    it("caches npm for the way CI installs: one root lockfile, and root's npm ci pointed at the runner's cache", () => {
        // The policy pack is a workspace of the root, so the root lockfile is the only one.
        expect(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).workspaces).to.deep.equal([
            "policy",
        ]);
        expect(fs.existsSync(path.join(ROOT, "package-lock.json"))).to.equal(true);
        expect(fs.existsSync(path.join(ROOT, "policy", "package-lock.json"))).to.equal(false);
        for (const name of WORKFLOWS) {
            for (const [id, job] of Object.entries(workflow(name).jobs)) {
                const setupNode = job.steps.filter((s) => s.uses?.startsWith("actions/setup-node@"));
                expect(setupNode, `${name} ${id}`).to.have.length(1);
                expect(setupNode[0].with).to.deep.include({
                    cache: "npm",
                    "cache-dependency-path": "package-lock.json",
                });
                // .ci/run runs npm ci as root: without this it fills root's cache, not the one
                // setup-node restores and saves.
                for (const step of job.steps.filter((s) => s.run?.includes(".ci/run"))) {
                    expect(step.run, `${name} ${id}`).to.include('"npm_config_cache=$(npm config get cache)"');
                    expect(step.run!.indexOf("npm_config_cache")).to.be.lessThan(step.run!.indexOf("bash .ci/run"));
                }
            }
        }
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
