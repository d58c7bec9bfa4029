/**
 * What the offline preview may show of a program run, and its JSON document (DESIGN.md):
 * secrets masked by their recorded paths, long strings abbreviated to their digest. The text
 * form is offline/text.ts.
 */
import * as crypto from "node:crypto";
import type { PlanResult } from "./plan";
import type { PolicyReport } from "./policyRunner";
import { ProgramRun } from "./program";
import { RecordedOptions, RecordedResource } from "./types";

export const SECRET = "[secret]";

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
