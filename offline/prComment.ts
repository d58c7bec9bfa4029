/**
 * `npm run -s plan:comment -- <diff.json>...`: the pull-request comment for the plan diffs of
 * every stack (`npm run plan -- --stack <s> --diff origin/main --json --out <diff.json>`), as
 * markdown on stdout. The comment workflow (.github/workflows/plan-diff-comment.yml) posts it,
 * finding its earlier comment by MARKER to update it rather than add another.
 */
import * as fs from "node:fs";
import type { PlanDiff } from "./diff";
import { renderDiff } from "./diff";

/** Hidden in the comment, so the workflow finds and updates its own comment. */
export const MARKER = "<!-- webfleet-plan-diff -->";

/** GitHub's limit for a comment body is 65536 characters; leave room for the frame. */
const MAX_DETAILS = 55_000;

/** Backticks cannot end the fenced block early: the text is data from the pull request. */
function fenced(text: string): string {
    return "```text\n" + text.replace(/```/g, "`\u200b``") + "\n```";
}

export function renderComment(diffs: PlanDiff[], sha?: string): string {
    const rows = diffs.map((d) => {
        const s = d.summary;
        const cost = d.cost ? `$${d.cost.old.toFixed(2)} → $${d.cost.new.toFixed(2)}` : "n/a";
        return `| ${d.stack} | ${s.add} | ${s.replace} | ${s.update} | ${s.remove} | ${d.violations.introduced.length} | ${d.violations.fixed.length} | ${cost} |`;
    });
    let budget = MAX_DETAILS;
    const details = diffs.map((d) => {
        let text = renderDiff(d, { width: 100, details: false });
        if (text.length > budget) {
            text = `${text.slice(0, Math.max(0, budget))}\n… (cut to fit a comment; run \`npm run plan -- --stack ${d.stack} --diff ${d.base.ref}\` for all of it)`;
        }
        budget = Math.max(0, budget - text.length);
        const open = d.resources.length + d.outputs.length + d.violations.introduced.length > 0 ? " open" : "";
        return `<details${open}><summary>${d.stack}: ${d.resources.length} resource change(s)</summary>\n\n${fenced(text)}\n\n</details>`;
    });
    const base = diffs[0]?.base;
    return [
        MARKER,
        `### Infrastructure plan diff${base ? ` against \`${base.ref}\` (${base.commit.slice(0, 12)})` : ""}`,
        "",
        "Computed offline by `npm run plan -- --diff` (mocked AWS; no cloud account).",
        ...(sha ? [`Head: ${sha.slice(0, 12)}.`] : []),
        "",
        "| stack | add | replace | update | remove | violations introduced | fixed | monthly cost |",
        "|---|---|---|---|---|---|---|---|",
        ...rows,
        "",
        ...details,
    ].join("\n");
}

function main(argv: string[]): number {
    const files = argv.filter((a) => !a.startsWith("--"));
    const sha = argv.find((a) => a.startsWith("--sha="))?.slice("--sha=".length);
    if (files.length === 0) {
        process.stderr.write("usage: npm run -s plan:comment -- [--sha=<head sha>] <diff.json>...\n");
        return 2;
    }
    const diffs = files.map((f) => JSON.parse(fs.readFileSync(f, "utf8")) as PlanDiff);
    process.stdout.write(renderComment(diffs, sha) + "\n");
    return 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
