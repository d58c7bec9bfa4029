/**
 * Issue 15, item 5: a daily drift check per stack (.github/workflows/drift.yml running
 * scripts/drift.sh). The workflow's shape is checked from its YAML; the script runs for real
 * (bash, git, node) against a stand-in for the Pulumi CLI, which this machine does not have: the
 * stand-in records its arguments and prints what a preview prints, so what is checked is the
 * command the script runs and what it makes of the answer.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../offline/program";
import { requireTool } from "./support/tools";
import { DRIFT_SCRIPT, DriftSandbox } from "./support/driftSandbox";
import { Step, workflow } from "./support/workflows";

const STACKS = ["dev", "prod"];
const MiB = 1024 * 1024;

describe("drift workflow", () => {
    const wf = workflow("drift.yml");
    const job = wf.jobs.drift;
    const steps = job.steps ?? [];
    const index = (pred: (s: Step) => boolean, what: string) => {
        const i = steps.findIndex(pred);
        expect(i, what).to.be.greaterThan(-1);
        return i;
    };

    it("runs daily and on demand, from main only, for every stack", () => {
        const cron = (wf.on.schedule as { cron: string }[])[0].cron;
        expect(cron).to.match(/^\d{1,2} \d{1,2} \* \* \*$/);
        expect(wf.on).to.have.property("workflow_dispatch");
        expect(job.if).to.equal("github.ref == 'refs/heads/main'");
        expect(job.strategy?.matrix?.stack).to.deep.equal(STACKS);
        expect(job.strategy?.["fail-fast"]).to.equal(false);
        for (const stack of STACKS) {
            expect(fs.existsSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`)), stack).to.equal(true);
            expect(fs.existsSync(path.join(REPO_ROOT, "policy", "config", `${stack}.json`)), stack).to.equal(true);
        }
    });

    it("never overlaps a deploy of the same stack: it waits in that deploy's concurrency group", () => {
        const deploy = workflow("deploy.yml").jobs;
        for (const stack of STACKS) {
            const group = job.concurrency!.group.replace("${{ matrix.stack }}", stack);
            // Every deploy job that runs Pulumi against this stack holds this very group.
            const deployers = Object.values(deploy).filter((j) =>
                (j.steps ?? []).some((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.["stack-name"] === stack),
            );
            expect(deployers.length, stack).to.be.greaterThan(0);
            for (const d of deployers) {
                expect(d.concurrency?.group, stack).to.equal(group);
            }
        }
        expect(job.concurrency?.["cancel-in-progress"]).to.equal(false);
        // Joins the queue: with GitHub's default a queued job cancels the one waiting, which
        // could be a deploy.
        expect(job.concurrency?.queue).to.equal("max");
    });

    it("is read-only: the read-only role and Pulumi token, no environment, no deploy secret", () => {
        expect(wf.permissions).to.deep.equal({ contents: "read" });
        expect(job.permissions).to.deep.equal({ contents: "read", "id-token": "write" });
        expect(job.environment).to.equal(undefined);
        const credentials = steps.filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        expect(credentials).to.have.length(1);
        expect(credentials[0].with?.["role-to-assume"]).to.equal("${{ secrets.AWS_READONLY_ROLE_ARN }}");
        const secrets = [...wf.text.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]);
        expect([...new Set(secrets)].sort()).to.deep.equal(["AWS_READONLY_ROLE_ARN", "PULUMI_READONLY_ACCESS_TOKEN"]);
        // Scheduled runs run on main: the read-only role must trust main's subject.
        expect(fs.readFileSync(path.join(REPO_ROOT, "docs", "ci-iam.md"), "utf8")).to.include(
            '"repo:acme/webfleet:ref:refs/heads/main"',
        );
        expect(wf.text).to.not.match(/pulumi config|--show-secrets|set -x/);
    });

    it("checks out the deployed commit, installs without credentials, then previews with them", () => {
        const checkout = index((s) => s.uses?.startsWith("actions/checkout@") === true, "actions/checkout");
        expect(steps[checkout].with).to.deep.include({ "fetch-depth": 0, "persist-credentials": false });
        const cli = index((s) => s.uses?.startsWith("pulumi/actions@") === true, "the Pulumi CLI");
        expect(steps[cli].with).to.not.have.property("command");
        // The CLI the deploys use.
        const deployCli = (workflow("deploy.yml").jobs.dev.steps ?? []).find((s) => s.uses?.startsWith("pulumi/"));
        expect(steps[cli].with?.["pulumi-version"]).to.equal(deployCli?.with?.["pulumi-version"]);
        const deployed = index((s) => /drift\.sh" checkout "\$STACK"$/m.test(s.run ?? ""), "drift.sh checkout");
        // main's script, copied before the checkout moves to a commit that may predate it.
        expect(steps[deployed].run).to.match(/^cp scripts\/drift\.sh "\$RUNNER_TEMP\/drift\.sh"\n/);
        const install = index((s) => /^npm ci\b/.test(s.run ?? ""), "npm ci");
        const credentials = index((s) => s.uses?.startsWith("aws-actions/") === true, "AWS credentials");
        const preview = index((s) => s.run === 'bash "$RUNNER_TEMP/drift.sh" preview "$STACK"', "drift.sh preview");
        expect([checkout, cli, deployed, install, credentials, preview]).to.deep.equal(
            [checkout, cli, deployed, install, credentials, preview].sort((a, b) => a - b),
        );
        expect(job.env?.STACK).to.equal("${{ matrix.stack }}");
        for (const i of [deployed, preview]) {
            expect(steps[i].env?.PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_READONLY_ACCESS_TOKEN }}");
            expect(steps[i]).to.not.have.property("continue-on-error");
        }
    });
});

describe("drift.sh", () => {
    let box: DriftSandbox;
    beforeEach(function () {
        requireTool(this, "git", "apt-get install git");
        box = new DriftSandbox(STACKS);
    });
    afterEach(() => box.remove());

    it("passes shellcheck", function () {
        requireTool(this, "shellcheck", "apt-get install shellcheck");
        const result = spawnSync("shellcheck", [DRIFT_SCRIPT], { encoding: "utf8" });
        expect(result.status, result.stdout).to.equal(0);
    });

    for (const stack of STACKS) {
        it(`${stack}: runs pulumi preview --refresh --expect-no-changes --diff with the pack and the stack's policy config`, () => {
            const { status, args, summary } = box.run("preview", stack, {
                STUB_PREVIEW_OUT: box.file("same.txt", `Previewing update (${stack})\nResources:\n    112 unchanged\n`),
            });
            expect(status).to.equal(0);
            expect(args).to.deep.equal([
                `preview --stack ${stack} --refresh --expect-no-changes --diff --policy-pack policy ` +
                    `--policy-pack-config policy/config/${stack}.json --non-interactive --color never --suppress-progress`,
            ]);
            expect(summary).to.include("No drift: every resource is as the code says.");
            expect(summary).to.include("112 unchanged");
        });
    }

    it("fails on drift, with the diff and the policy results in the summary and an error annotation", () => {
        const diff = [
            "Previewing update (prod)",
            "    ~ aws:ec2/securityGroup:SecurityGroup web-sg update [diff: ~ingress]",
            "      ~ ingress: [ + { cidrBlocks: [0.0.0.0/0], fromPort: 22 } ]",
            "      password: [secret]",
            "Policies:",
            "    ✅ webfleet-guard@v0.1.0 (local: policy)",
            "error: no changes were expected but changes were proposed",
        ].join("\n");
        const { status, stdout, summary } = box.run("preview", "prod", {
            STUB_PREVIEW_OUT: box.file("drift.txt", diff + "\n"),
            STUB_PREVIEW_RC: "255",
        });
        expect(status).to.equal(255);
        expect(summary).to.include("**Drift**: what runs differs from the code");
        expect(summary).to.include("```text\n" + diff + "\n```");
        expect(stdout).to.match(/^::error title=Drift in prod::/m);
        // Cloud values in the log cannot act as workflow commands.
        const token = /^::stop-commands::([0-9a-f]{32})$/m.exec(stdout)?.[1];
        expect(stdout.indexOf(`::${token}::`)).to.be.greaterThan(stdout.indexOf("web-sg"));
    });

    it("tells a failed preview (AccessDenied) from drift", () => {
        const { status, summary, stdout } = box.run("preview", "dev", {
            STUB_PREVIEW_OUT: box.file("denied.txt", "error: reading S3 Bucket: AccessDenied: s3:GetBucketTagging\n"),
            STUB_PREVIEW_RC: "255",
        });
        expect(status).to.equal(255);
        expect(summary).to.include("**The preview failed** (exit 255)");
        expect(summary).to.include("docs/ci-iam.md");
        expect(summary).to.not.include("**Drift**");
        expect(stdout).to.match(/^::error title=Drift check of dev failed::/m);
    });

    it("cuts a diff too big for GitHub's 1 MiB summary at a line, and says so", () => {
        const line = "    ~ aws:ec2/subnet:Subnet network-private-1 update [diff: ~tags] é\n";
        const big = line.repeat(Math.ceil((1.5 * MiB) / Buffer.byteLength(line)));
        box.file("summary.md", "### Drift check: prod\n\nCode compared with what runs: main's tip.\n");
        const { status, summary } = box.run("preview", "prod", {
            STUB_PREVIEW_OUT: box.file("big.txt", big + "error: no changes were expected but changes were proposed\n"),
            STUB_PREVIEW_RC: "255",
        });
        expect(status).to.equal(255);
        expect(Buffer.byteLength(summary))
            .to.be.at.most(MiB)
            .and.greaterThan(MiB - 16 * 1024);
        const shown = /```text\n([\s\S]*)\n```/.exec(summary)![1];
        expect((shown + "\n").replaceAll(line, "")).to.equal("");
        expect(summary).to.match(
            /Cut to fit the run summary \(GitHub takes 1 MiB at most\): the first \d+ of \d+ bytes/,
        );
        expect(summary.startsWith("### Drift check: prod")).to.equal(true);
    });

    it("keeps cloud text from ending the fenced block", () => {
        const { summary } = box.run("preview", "dev", {
            STUB_PREVIEW_OUT: box.file("fence.txt", "tag: ```\n## not a heading\n"),
        });
        expect(summary.match(/^```/gm)).to.have.length(2);
    });

    it("refuses a stack name that is not one, before running anything", () => {
        const { status, stderr, args } = box.run("preview", "dev; rm -rf /");
        expect(status).to.equal(2);
        expect(stderr).to.include("is not a stack name");
        expect(args).to.deep.equal([]);
    });

    describe("checkout", () => {
        const history = (entries: unknown[]) => ({ STUB_STACK_OUT: box.file("history.json", JSON.stringify(entries)) });
        const update = (version: number, head: string, extra: Record<string, unknown> = {}) => ({
            version,
            kind: "update",
            result: "succeeded",
            environment: { "git.head": head, "git.dirty": "false" },
            config: { "webfleet:db": { secure: "v1:c2VjcmV0" } },
            ...extra,
        });

        it("moves to the commit of the stack's last pulumi up (not a later refresh), naming it", () => {
            const [first, second, third] = box.commits;
            const { status, args, summary, stdout } = box.run(
                "checkout",
                "prod",
                history([
                    { version: 9, kind: "refresh", result: "succeeded", environment: { "git.head": third } },
                    update(8, second),
                    update(7, first),
                ]),
            );
            expect(status).to.equal(0);
            expect(args).to.deep.equal(["stack history --stack prod --json --page-size 50"]);
            expect(box.head()).to.equal(second);
            expect(summary).to.include(`${second.slice(0, 12)}, the commit of the last \`pulumi up\` of prod`);
            // Only the commit, its cleanliness and the result are read: never the config.
            expect(stdout + summary).to.not.include("c2VjcmV0");
        });

        it("says when that update ran from uncommitted changes", () => {
            const { summary } = box.run(
                "checkout",
                "dev",
                history([
                    update(3, box.commits[0], { environment: { "git.head": box.commits[0], "git.dirty": "true" } }),
                ]),
            );
            expect(box.head()).to.equal(box.commits[0]);
            expect(summary).to.include("uncommitted changes, which this check cannot see");
        });

        for (const [what, entries, note] of [
            ["the stack was never updated", [], "has no `pulumi up` among its last 50 history entries"],
            [
                "its last update ran from a commit not on main",
                [update(2, "f".repeat(40))],
                "which is not a commit of main",
            ],
            ["its last update recorded no usable commit", [update(2, "$(touch /tmp/x)")], "recorded no commit"],
        ] as const) {
            it(`stays on main's tip when ${what}`, () => {
                const tip = box.head();
                const { status, summary } = box.run("checkout", "dev", history([...entries]));
                expect(status).to.equal(0);
                expect(box.head()).to.equal(tip);
                expect(summary).to.include(`main's tip`).and.include(note);
            });
        }

        it("fails when the history cannot be read, rather than comparing with the wrong code", () => {
            const { status } = box.run("checkout", "dev", { STUB_STACK_RC: "255" });
            expect(status).to.not.equal(0);
            expect(box.head()).to.equal(box.commits[2]);
        });
    });
});
