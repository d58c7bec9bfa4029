/**
 * The GitHub Actions workflows and Dependabot's configuration, parsed, for the specs that hold
 * CI to what docs/ci-iam.md and docs/operations.md promise.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../../offline/program";

export const WORKFLOWS_DIR = path.join(REPO_ROOT, ".github", "workflows");

export interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
    "continue-on-error"?: unknown;
}
export interface Job {
    name?: string;
    if?: string;
    uses?: string;
    environment?: string;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress"?: boolean; queue?: string };
    strategy?: { "fail-fast"?: boolean; matrix?: Record<string, unknown[]> };
    env?: Record<string, string>;
    steps?: Step[];
}
export interface Workflow {
    file: string;
    text: string;
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

/** Every workflow file, parsed, with its raw text (the pins' tag comments are not in the YAML data). */
export function workflows(): Workflow[] {
    return fs
        .readdirSync(WORKFLOWS_DIR)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((file) => {
            const text = fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
            return { file, text, ...(parse(text) as Omit<Workflow, "file" | "text">) };
        });
}

export function workflow(file: string): Workflow {
    const found = workflows().find((w) => w.file === file);
    if (!found) {
        throw new Error(`.github/workflows/${file} is missing`);
    }
    return found;
}

/** Every `uses:` of a workflow: steps' actions and jobs' reusable workflows, with where. */
export function usesOf(wf: Workflow): { where: string; uses: string }[] {
    return Object.entries(wf.jobs).flatMap(([id, job]) => [
        ...(job.uses ? [{ where: `${wf.file} ${id}`, uses: job.uses }] : []),
        ...(job.steps ?? [])
            .filter((s) => s.uses !== undefined)
            .map((s, i) => ({ where: `${wf.file} ${id} step ${i + 1}`, uses: s.uses! })),
    ]);
}

export function dependabot(): { version: number; updates: DependabotUpdate[] } {
    return parse(fs.readFileSync(path.join(REPO_ROOT, ".github", "dependabot.yml"), "utf8"));
}

export interface DependabotUpdate {
    "package-ecosystem": string;
    directory?: string;
    directories?: string[];
    schedule: { interval: string };
    groups?: Record<string, { patterns?: string[]; "update-types"?: string[] }>;
    ignore?: { "dependency-name": string; "update-types"?: string[] }[];
}
