import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PlanDiff } from "../offline/diff";
import { MARKER, renderComment } from "../offline/prComment";
import { REPO_ROOT } from "../offline/program";

function diff(stack: string, over: Partial<PlanDiff> = {}): PlanDiff {
    return {
        stack,
        base: { ref: "origin/main", commit: "abcdef0123456789" },
        summary: { add: 1, remove: 0, replace: 0, update: 1, unchanged: 100 },
        resources: [
            { kind: "add", urn: "urn:a", type: "aws:s3/bucket:Bucket", name: "new-bucket" },
            {
                kind: "update",
                urn: "urn:b",
                type: "aws:ec2/launchTemplate:LaunchTemplate",
                name: "web-lt",
                changes: [{ path: "instanceType", old: "t4g.small", new: "t4g.medium" }],
            },
        ],
        outputs: [],
        violations: { introduced: [], fixed: [] },
        cost: { old: 100, new: 125.5 },
        ...over,
    };
}

interface Workflow {
    on: Record<string, any>;
    permissions?: Record<string, string>;
    jobs: Record<
        string,
        { if?: string; permissions?: Record<string, string>; steps: { uses?: string; run?: string; with?: any }[] }
    >;
}
const workflow = (name: string) =>
    parse(fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", name), "utf8")) as Workflow;

describe("the plan diff in pull requests", () => {
    it("renders one comment for both stacks: the marker first, a summary row each, the diff text", () => {
        const body = renderComment(
            [diff("dev"), diff("prod", { summary: { add: 0, remove: 2, replace: 1, update: 0, unchanged: 90 } })],
            "0123456789abcdef",
        );
        expect(body.split("\n")[0]).to.equal(MARKER);
        expect(body).to.include("against `origin/main` (abcdef012345)");
        expect(body).to.include("| dev | 1 | 0 | 1 | 0 | 0 | 0 | $100.00 → $125.50 |");
        expect(body).to.include("| prod | 0 | 1 | 0 | 2 | 0 | 0 | $100.00 → $125.50 |");
        expect(body).to.include('instanceType: "t4g.small" → "t4g.medium"');
        expect(body).to.include("Head: 0123456789ab.");
    });

    it("keeps text from the pull request inside its code block, and the whole comment within GitHub's limit", () => {
        const hostile = diff("dev", {
            resources: [
                {
                    kind: "update",
                    urn: "urn:x",
                    type: "aws:s3/bucket:Bucket",
                    name: "b",
                    changes: [{ path: "tags.Name", old: "a", new: "```\n# injected heading" }],
                },
            ],
        });
        const body = renderComment([hostile]);
        const fences = body.split("\n").filter((l) => l.startsWith("```"));
        expect(fences).to.deep.equal(["```text", "```"]);
        const huge = diff("dev", {
            resources: Array.from({ length: 5000 }, (_, i) => ({
                kind: "add" as const,
                urn: `urn:${i}`,
                type: "aws:s3/bucket:Bucket",
                name: `bucket-${i}-${"x".repeat(40)}`,
            })),
        });
        const big = renderComment([huge, huge]);
        expect(big.length).to.be.below(65536);
        expect(big).to.include("cut to fit a comment");
    });

    it("is computed offline for every pull request, forks included, and uploaded for the comment workflow", () => {
        const job = workflow("pull-request.yml").jobs["plan-diff"];
        expect(job.if, "runs for forks too: it needs no secret").to.equal(undefined);
        expect(JSON.stringify(job)).to.not.include("secrets.");
        const checkout = job.steps.find((s) => s.uses?.startsWith("actions/checkout@"))!;
        expect(checkout.with?.["fetch-depth"]).to.equal(0);
        const run = job.steps.map((s) => s.run ?? "").join("\n");
        for (const stack of ["dev", "prod"]) {
            expect(run).to.include("for stack in dev prod");
            expect(run).to.include(`plan-diff/${stack}.json`);
        }
        expect(run).to.include('--diff "$BASE"');
        expect(job.steps.some((s) => s.uses?.startsWith("actions/upload-artifact@"))).to.equal(true);
    });

    it("is posted by a workflow that never runs the pull request's code, updating its one comment", () => {
        const wf = workflow("plan-diff-comment.yml");
        expect(wf.on.workflow_run).to.deep.equal({ workflows: ["pull-request"], types: ["completed"] });
        expect(wf.permissions).to.deep.equal({});
        const job = wf.jobs.comment;
        expect(job.permissions).to.deep.equal({ actions: "read", "pull-requests": "write" });
        expect(
            job.steps.some((s) => s.uses?.startsWith("actions/checkout@")),
            "no checkout",
        ).to.equal(false);
        const script = job.steps.map((s) => s.run ?? "").join("\n");
        expect(script).to.not.match(/\bnpm\b|\bnode\b/);
        // The pull request comes from the run's head commit, not from the artifact.
        expect(script).to.include('"$HEAD_SHA"');
        expect(script).to.not.include("pr-number");
        expect(script).to.include("PATCH");
        expect(script).to.include(MARKER);
    });
});
