/**
 * `npm run plan -- --stack <name> --diff <git-ref>`: what a change does to the infrastructure,
 * with no cloud account. The plan of the working tree is compared with the plan the ref's own
 * code gives (its tree exported with `git archive`, run with this checkout's node_modules):
 * resources added, removed, replaced or updated (each change with its input path and old → new
 * value, secrets masked as in the plan), stack outputs changed, policy violations introduced or
 * fixed, and the monthly cost. The pull-request workflow posts it for both stacks.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { money } from "./cost";
import { UsageError } from "./errors";

const REPO_ROOT = path.resolve(__dirname, "..");
import { replacementFor } from "./replacements";
import { TextOptions, fit, shortType } from "./text";

interface DocResource {
    urn: string;
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    options?: { replaceOnChanges?: string[]; aliases?: string[]; protect?: boolean };
}

interface DocViolation {
    policy: string;
    enforcementLevel: string;
    urn?: string;
    message: string;
    phase?: string;
}

/** The part of the plan's JSON document (offline/render.ts) the diff reads. */
export interface PlanDocument {
    project: string;
    stack: string;
    resources: DocResource[];
    outputs: Record<string, unknown>;
    violations: DocViolation[];
    costEstimate?: { totalMonthly: number };
}

export interface InputChange {
    path: string;
    old?: unknown;
    new?: unknown;
}

export interface ResourceChange {
    kind: "add" | "remove" | "replace" | "update";
    urn: string;
    type: string;
    name: string;
    /** Input changes (replace and update). */
    changes?: InputChange[];
    /** The force-new inputs behind a replacement. */
    replacedBecause?: string[];
    /** Set when the type's force-new inputs are not known offline. */
    note?: string;
    /** The engine's error when it refuses this change (replacing or deleting a protected resource). */
    error?: string;
}

export interface PlanDiff {
    stack: string;
    base: { ref: string; commit: string; note?: string };
    summary: { add: number; remove: number; replace: number; update: number; unchanged: number };
    resources: ResourceChange[];
    outputs: { key: string; old?: unknown; new?: unknown }[];
    violations: { introduced: DocViolation[]; fixed: DocViolation[] };
    cost?: { old: number; new: number };
    /** Changes the engine refuses, failing `pulumi preview` (each also on its resource's `error`). */
    errors?: string[];
}

/** The engine's errors (pkg/resource/deploy: step generator and DeleteStep) for a protected resource. */
export const protectedError = {
    replace: (urn: string) =>
        `unable to replace resource "${urn}"\nas it is currently marked for protection. To unprotect the resource, ` +
        "remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`",
    remove: (urn: string) =>
        `unable to delete resource "${urn}"\nas it is currently marked for protection. To unprotect the resource, ` +
        "either remove the `protect` flag from the resource in your Pulumi program and run `pulumi up` " +
        `or use the command:\n\`pulumi state unprotect ${urn}\``,
};

/** Leaf values by path ("a.b[0].c"); empty objects and arrays count as leaves. */
export function flatten(value: unknown, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
    if (Array.isArray(value) && value.length > 0) {
        value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
    } else if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
        for (const [k, v] of Object.entries(value)) {
            flatten(v, prefix ? `${prefix}.${k}` : k, out);
        }
    } else if (prefix) {
        out.set(prefix, value);
    }
    return out;
}

function same(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

export function inputChanges(before: Record<string, unknown>, after: Record<string, unknown>): InputChange[] {
    const a = flatten(before);
    const b = flatten(after);
    const changes: InputChange[] = [];
    for (const p of new Set([...a.keys(), ...b.keys()])) {
        if (!same(a.get(p), b.get(p))) {
            changes.push({ path: p, ...(a.has(p) ? { old: a.get(p) } : {}), ...(b.has(p) ? { new: b.get(p) } : {}) });
        }
    }
    return changes.sort((x, y) => x.path.localeCompare(y.path));
}

const violationKey = (v: DocViolation) => [v.phase ?? "update", v.policy, v.urn ?? "", v.message].join("\u0000");

export function diffPlans(base: PlanDocument, head: PlanDocument, ref: PlanDiff["base"]): PlanDiff {
    const before = new Map(base.resources.map((r) => [r.urn, r]));
    const after = new Map(head.resources.map((r) => [r.urn, r]));
    const resources: ResourceChange[] = [];
    // A resource that moved (its `aliases` name the old URN) is the same resource to the engine.
    const carriedOver = new Set<string>();
    let unchanged = 0;
    for (const r of head.resources) {
        const oldUrn = before.has(r.urn)
            ? r.urn
            : (r.options?.aliases ?? []).find((u) => before.has(u) && !after.has(u));
        const old = oldUrn === undefined ? undefined : before.get(oldUrn);
        if (oldUrn !== undefined && oldUrn !== r.urn) {
            carriedOver.add(oldUrn);
        }
        if (!old) {
            resources.push({ kind: "add", urn: r.urn, type: r.type, name: r.name });
            continue;
        }
        const changes = inputChanges(old.inputs, r.inputs);
        if (changes.length === 0) {
            unchanged++;
            continue;
        }
        const topLevel = [...new Set(changes.map((c) => c.path.split(/[.[]/)[0]))];
        const { verdict, because } = replacementFor(r.type, topLevel, r.options?.replaceOnChanges);
        // The engine refuses to replace what is protected both in its state and in the program
        // (unprotecting and replacing in one update is allowed).
        const blocked = verdict === "replace" && old.options?.protect === true && r.options?.protect === true;
        resources.push({
            kind: verdict === "replace" ? "replace" : "update",
            urn: r.urn,
            type: r.type,
            name: r.name,
            changes,
            ...(verdict === "replace" ? { replacedBecause: because } : {}),
            ...(verdict === "unknown" ? { note: "whether this replaces it is not known offline" } : {}),
            ...(blocked ? { error: protectedError.replace(r.urn) } : {}),
        });
    }
    for (const r of base.resources) {
        if (!after.has(r.urn) && !carriedOver.has(r.urn)) {
            resources.push({
                kind: "remove",
                urn: r.urn,
                type: r.type,
                name: r.name,
                ...(r.options?.protect === true ? { error: protectedError.remove(r.urn) } : {}),
            });
        }
    }
    const outputs = [...new Set([...Object.keys(base.outputs), ...Object.keys(head.outputs)])]
        .sort()
        .filter((k) => !same(base.outputs[k], head.outputs[k]))
        .map((k) => ({
            key: k,
            ...(k in base.outputs ? { old: base.outputs[k] } : {}),
            ...(k in head.outputs ? { new: head.outputs[k] } : {}),
        }));
    const baseKeys = new Set(base.violations.map(violationKey));
    const headKeys = new Set(head.violations.map(violationKey));
    const count = (kind: ResourceChange["kind"]) => resources.filter((r) => r.kind === kind).length;
    return {
        stack: head.stack,
        base: ref,
        summary: {
            add: count("add"),
            remove: count("remove"),
            replace: count("replace"),
            update: count("update"),
            unchanged,
        },
        resources,
        outputs,
        violations: {
            introduced: head.violations.filter((v) => !baseKeys.has(violationKey(v))),
            fixed: base.violations.filter((v) => !headKeys.has(violationKey(v))),
        },
        errors: resources.flatMap((r) => (r.error ? [r.error] : [])),
        ...(base.costEstimate && head.costEstimate
            ? { cost: { old: base.costEstimate.totalMonthly, new: head.costEstimate.totalMonthly } }
            : {}),
    };
}

function shown(v: unknown, width: number): string {
    return v === undefined ? "(none)" : fit(JSON.stringify(v), width);
}

const SIGN: Record<ResourceChange["kind"], string> = { add: "+", remove: "-", replace: "+-", update: "~" };

export function renderDiff(diff: PlanDiff, o: TextOptions): string {
    const s = diff.summary;
    const line = (text: string) => (o.details ? text : fit(text, o.width));
    const valueWidth = o.details ? 10_000 : Math.max(20, Math.floor((o.width - 14) / 2));
    const lines = [
        line(`webfleet ${diff.stack}: plan diff against ${diff.base.ref} (${diff.base.commit.slice(0, 12)})`),
        ...(diff.base.note ? [line(`note: ${diff.base.note}`)] : []),
        // As `pulumi preview` ends: the engine refuses these, so the update would not run.
        ...(diff.errors ?? []).flatMap((e) => [
            "",
            ...e.split("\n").map((l, i) => line(`${i === 0 ? "error: " : "       "}${l}`)),
        ]),
        "",
        line(
            `Resources: ${s.add} to add, ${s.replace} to replace, ${s.update} to update, ${s.remove} to remove, ${s.unchanged} unchanged`,
        ),
        line(
            `Policy: ${diff.violations.introduced.length} violation(s) introduced, ${diff.violations.fixed.length} fixed`,
        ),
    ];
    if (diff.cost) {
        const delta = diff.cost.new - diff.cost.old;
        lines.push(
            line(
                `Monthly cost: ${money(diff.cost.old)} → ${money(diff.cost.new)} (${delta >= 0 ? "+" : "-"}${money(Math.abs(delta))})`,
            ),
        );
    }
    for (const r of diff.resources) {
        lines.push("", line(`${SIGN[r.kind].padEnd(3)}${shortType(r.type)} ${r.name} (${r.kind})`));
        if (r.replacedBecause?.length)
            lines.push(line(`     replaced because ${r.replacedBecause.join(", ")} changed`));
        if (r.note) lines.push(line(`     note: ${r.note}`));
        if (r.error) lines.push(line(`     error: refused, the resource is protected (see above)`));
        for (const c of r.changes ?? []) {
            lines.push(line(`     ${c.path}: ${shown(c.old, valueWidth)} → ${shown(c.new, valueWidth)}`));
        }
    }
    if (diff.outputs.length) {
        lines.push("", "Stack outputs:");
        for (const c of diff.outputs) {
            lines.push(line(`  ~  ${c.key}: ${shown(c.old, valueWidth)} → ${shown(c.new, valueWidth)}`));
        }
    }
    for (const [title, list] of [
        ["Policy violations introduced", diff.violations.introduced],
        ["Policy violations fixed", diff.violations.fixed],
    ] as const) {
        if (list.length) {
            lines.push("", `${title}:`);
            for (const v of list) {
                lines.push(line(`  [${v.enforcementLevel}, ${v.phase ?? "update"}] ${v.policy}: ${v.message}`));
            }
        }
    }
    if (diff.resources.length === 0 && diff.outputs.length === 0) {
        lines.push("", "No changes to the infrastructure.");
    }
    return lines.join("\n");
}

function git(args: string[], cwd = REPO_ROOT): string {
    const r = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) {
        throw new UsageError(`git ${args.join(" ")}: ${(r.stderr || r.error?.message || "failed").trim()}`);
    }
    return r.stdout;
}

/**
 * The plan at `ref`, as its own code computes it: the ref's tree is exported to a temporary
 * directory (committed files only), this checkout's node_modules lent to it, and its CLI run
 * with --json. A lockfile that differs is noted: the base then ran with these dependencies.
 */
export function planAtRef(
    ref: string,
    opts: { stack: string; configFile?: string },
): { ref: PlanDiff["base"]; document: PlanDocument } {
    let commit: string;
    try {
        commit = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).trim();
    } catch {
        throw new UsageError(
            `--diff ${ref}: not a commit in this repository (fetch it first, e.g. git fetch origin main)`,
        );
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-plan-base-"));
    try {
        const archive = spawnSync("git", ["archive", "--format=tar", commit], {
            cwd: REPO_ROOT,
            maxBuffer: 1024 * 1024 * 1024,
        });
        if (archive.status !== 0) {
            throw new UsageError(`--diff ${ref}: git archive failed: ${String(archive.stderr).trim()}`);
        }
        const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
        if (untar.status !== 0) {
            throw new UsageError(`--diff ${ref}: could not unpack the tree: ${String(untar.stderr).trim()}`);
        }
        if (!fs.existsSync(path.join(dir, "offline", "cli.ts"))) {
            throw new UsageError(`--diff ${ref}: that commit has no offline preview (offline/cli.ts) to compare with`);
        }
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
        const lock = (root: string) => fs.readFileSync(path.join(root, "package-lock.json"), "utf8");
        const note =
            fs.existsSync(path.join(dir, "package-lock.json")) && lock(dir) !== lock(REPO_ROOT)
                ? `${ref} pins other dependencies (package-lock.json differs); its plan ran with this checkout's`
                : undefined;
        // The TypeScript loader that commit has (it moved from offline/ to scripts/).
        const loader = ["scripts/register.js", "offline/register.js"].find((f) => fs.existsSync(path.join(dir, f)));
        if (!loader) {
            throw new UsageError(
                `--diff ${ref}: that commit has no TypeScript loader (scripts/register.js) to run its plan`,
            );
        }
        const args = ["-r", `./${loader}`, "offline/cli.ts", "--stack", opts.stack, "--json"];
        if (opts.configFile) args.push("--config", path.resolve(opts.configFile));
        const r = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        if (r.status !== 0 && r.status !== 1) {
            throw new UsageError(`--diff ${ref}: the plan at ${ref} failed (exit ${r.status}):\n${r.stderr.trim()}`);
        }
        return { ref: { ref, commit, ...(note ? { note } : {}) }, document: JSON.parse(r.stdout) as PlanDocument };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
