/**
 * How the offline preview shows a program run: a resource tree like `pulumi preview`, the
 * stack outputs, the policy report, and the JSON document of DESIGN.md. Secrets never print.
 */
import * as crypto from "node:crypto";
import type { PlanResult } from "./plan";
import type { PolicyReport } from "./policyRunner";
import { ProgramRun } from "./program";
import { PHASE_TITLES, Phase, RecordedOptions, RecordedResource } from "./types";

export const SECRET = "[secret]";

/** What the policy runner reports (offline/policyRunner.ts owns the shapes). */
export type PolicyOutcome = Pick<PolicyReport, "violations" | "exempted">;

/** A copy of `value` with every listed path (a.b[0].c) replaced by "[secret]". */
export function maskPaths(value: Record<string, any>, paths: string[]): Record<string, any> {
    const copy = JSON.parse(JSON.stringify(value ?? {}));
    for (const path of paths) {
        const keys = path.match(/[^.[\]]+/g) ?? [];
        let node: any = copy;
        for (let i = 0; i < keys.length - 1 && node != null; i++) {
            node = node[keys[i]];
        }
        const last = keys[keys.length - 1];
        if (node != null && last !== undefined && last in node) {
            node[last] = SECRET;
        }
    }
    return copy;
}

/** Strings past this size (bundled code uploaded as an object) show as their digest and length. */
export const MAX_SHOWN_STRING = 16 * 1024;

function abbreviateLongStrings(value: any): any {
    if (typeof value === "string" && value.length > MAX_SHOWN_STRING) {
        return `[${Buffer.byteLength(value)} bytes, sha256:${crypto.createHash("sha256").update(value).digest("hex")}]`;
    }
    if (Array.isArray(value)) {
        return value.map(abbreviateLongStrings);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, abbreviateLongStrings(v)]));
    }
    return value;
}

/** A resource as it may be shown: secret inputs and secret outputs masked, long strings abbreviated. */
export function publicView(r: RecordedResource) {
    const secretOutputs = [...r.secretInputPaths, ...(r.secretOutputNames ?? [])];
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent,
        inputs: abbreviateLongStrings(maskPaths(r.inputs, r.secretInputPaths)),
        outputs: abbreviateLongStrings(maskPaths(r.outputs, secretOutputs)),
    };
}

export function publicOutputs(run: ProgramRun): Record<string, unknown> {
    return Object.fromEntries(Object.entries(run.outputs).map(([k, o]) => [k, o.secret ? SECRET : o.value]));
}

const NO_OPTIONS: RecordedOptions = {
    protect: false,
    retainOnDelete: false,
    deleteBeforeReplace: false,
    ignoreChanges: [],
    replaceOnChanges: [],
    dependsOn: [],
};

/**
 * The JSON document of DESIGN.md: resources with the known values (the update phase), each with
 * its resource options and the input paths a first preview cannot know yet; the stack outputs;
 * the violations and exemptions of both phases, each saying its phase.
 */
export function jsonDocument(plan: PlanResult) {
    const { run } = plan.update;
    const unknownAtPreview = new Map(plan.preview.run.resources.map((r) => [r.urn, r.unknownInputPaths ?? []]));
    const tagged = <T extends object>(pick: (p: PolicyReport) => T[]) =>
        plan.phases.flatMap((p) => pick(p.policy).map((v) => ({ ...v, phase: p.phase })));
    return {
        project: run.project,
        stack: run.stack,
        phases: plan.phases.map((p) => p.phase),
        resources: run.resources.map((r) => ({
            ...publicView(r),
            options: r.options ?? NO_OPTIONS,
            unknownInputsAtPreview: unknownAtPreview.get(r.urn) ?? [],
        })),
        outputs: publicOutputs(run),
        violations: tagged((p) => p.violations),
        exempted: tagged((p) => p.exempted),
    };
}

/** The resource tree, parents before children, drawn like `pulumi preview`. */
export function renderTree(resources: RecordedResource[]): string {
    const children = new Map<string | null, RecordedResource[]>();
    const known = new Set(resources.map((r) => r.urn));
    for (const r of resources) {
        const parent = r.parent && known.has(r.parent) ? r.parent : null;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const rows: [string, string][] = [];
    const walk = (parent: string | null, prefix: string) => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const branch = parent === null ? "" : last ? "└─ " : "├─ ";
            rows.push([`${prefix}${branch}${r.type}`, r.name]);
            walk(r.urn, parent === null ? "" : prefix + (last ? "   " : "│  "));
        });
    };
    walk(null, "");
    const width = Math.max(4, ...rows.map(([t]) => t.length)) + 2;
    const nameWidth = Math.max(4, ...rows.map(([, n]) => n.length)) + 2;
    return [
        `     ${"Type".padEnd(width)}${"Name".padEnd(nameWidth)}Plan`,
        ...rows.map(([t, n]) => ` +   ${t.padEnd(width)}${n.padEnd(nameWidth)}create`),
    ].join("\n");
}

function renderValue(v: unknown): string {
    return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v, null, 0);
}

export function renderOutputs(run: ProgramRun): string {
    const outputs = publicOutputs(run);
    const keys = Object.keys(outputs).sort();
    const width = Math.max(0, ...keys.map((k) => k.length)) + 1;
    return ["Outputs:", ...keys.map((k) => `    ${(k + ":").padEnd(width + 1)}${renderValue(outputs[k])}`)].join("\n");
}

export function renderPolicy(policy: PolicyOutcome, byUrn: Map<string, RecordedResource>, phase?: Phase): string {
    const where = (urn?: string) => {
        const r = urn ? byUrn.get(urn) : undefined;
        return r ? ` (${r.type}: ${r.name})` : urn ? ` (${urn})` : " (stack)";
    };
    const lines: string[] = phase ? [`Policy, ${PHASE_TITLES[phase]}:`] : [];
    for (const level of ["mandatory", "advisory"] as const) {
        const list = policy.violations.filter((v) => v.enforcementLevel === level);
        lines.push(`Policy violations, ${level}: ${list.length}`);
        for (const v of list) {
            lines.push(
                `    [${level}] ${v.policy}${where(v.urn)}`,
                `        ${v.message.replace(/\n/g, "\n        ")}`,
            );
        }
    }
    lines.push(`Exempted by policy config: ${policy.exempted.length}`);
    for (const v of policy.exempted) {
        lines.push(`    [exempt] ${v.policy}${where(v.urn)}: ${v.reason}`);
    }
    return lines.join("\n");
}
