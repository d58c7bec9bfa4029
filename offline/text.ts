/**
 * The offline preview as text, for people: the verdict first (per phase), the counts and the
 * monthly cost, then the violations, the resource tree, the outputs and the cost table. Every
 * line fits `width` columns (the terminal's, or 100 when piped); `details` shows the long form
 * (full type tokens, every line as long as it needs). Secrets never print (render.ts masks them).
 */
import { CostEstimate, estimateMonthlyCost, money } from "./cost";
import type { PlanResult } from "./plan";
import type { Violation } from "./policyRunner";
import { publicOutputs } from "./render";
import { PHASE_TITLES, RecordedResource } from "./types";

export interface TextOptions {
    /** Columns every line fits in. */
    width: number;
    /** The long form: full type tokens, nothing shortened. */
    details: boolean;
}

/** Lines longer than `width` end in "…" (never in the middle of a surrogate pair). */
export function fit(line: string, width: number): string {
    const chars = [...line];
    return chars.length <= width ? line : chars.slice(0, Math.max(1, width - 1)).join("") + "…";
}

/** Words wrapped to `width`, continuation lines indented by `indent`. */
export function wrap(text: string, width: number, indent = ""): string[] {
    const out: string[] = [];
    let line = "";
    for (const word of text.split(/\s+/).filter(Boolean)) {
        const candidate = line ? `${line} ${word}` : `${out.length ? indent : ""}${word}`;
        if (line && [...candidate].length > width) {
            out.push(line);
            line = `${indent}${word}`;
        } else {
            line = candidate;
        }
    }
    return line ? [...out, line] : out;
}

/** "aws:ec2/subnet:Subnet" → "aws.ec2.Subnet", the name the code uses; components stay as they are. */
export function shortType(type: string): string {
    const m = /^([\w-]+):([\w-]+)\/[\w-]+:(\w+)$/.exec(type);
    return m ? `${m[1]}.${m[2]}.${m[3]}` : type;
}

function count<T>(list: T[], pick: (t: T) => boolean): number {
    return list.filter(pick).length;
}

/** The verdict, the counts and the cost: what a reviewer reads first. */
export function renderSummary(plan: PlanResult, cost: CostEstimate, o: TextOptions): string[] {
    const { run } = plan.update;
    const mandatory = plan.phases.flatMap((p) =>
        p.policy.violations.filter((v) => v.enforcementLevel === "mandatory").map(() => p.phase),
    );
    const verdict =
        mandatory.length === 0
            ? "PASS: no mandatory policy violation in either phase"
            : `FAIL: ${mandatory.length} mandatory policy violation${mandatory.length === 1 ? "" : "s"} (${[...new Set(mandatory)].join(" and ")})`;
    const lines = [
        `webfleet ${run.stack}: offline plan (mocked AWS account 123456789012, ${run.region})`,
        "",
        `Verdict: ${verdict}`,
    ];
    for (const p of plan.phases) {
        const v = p.policy.violations;
        lines.push(
            `    ${p.phase.padEnd(8)}${count(v, (x) => x.enforcementLevel === "mandatory")} mandatory, ${count(v, (x) => x.enforcementLevel === "advisory")} advisory, ${p.policy.exempted.length} exempted`,
        );
    }
    const custom = count(run.resources, (r) => r.custom);
    lines.push(
        `Resources: ${run.resources.length} to create (${custom} cloud resources, ${run.resources.length - custom} components)`,
        `Monthly cost: about ${money(cost.totalMonthly)} ${cost.currency}${cost.unpriced.length ? ` (+${cost.unpriced.length} unpriced)` : ""}, ${cost.priceRegion} on-demand list prices as of ${cost.pricesAsOf}; usage not included`,
    );
    return lines.map((l) => (o.details ? l : fit(l, o.width)));
}

function where(urn: string | undefined, byUrn: Map<string, RecordedResource>): string {
    const r = urn ? byUrn.get(urn) : undefined;
    return r ? `${shortType(r.type)} ${r.name}` : (urn ?? "the stack");
}

/** Violations by phase, mandatory first, each with its message wrapped under it. */
export function renderViolations(plan: PlanResult, o: TextOptions): string[] {
    const byUrn = new Map(plan.update.run.resources.map((r) => [r.urn, r]));
    const lines: string[] = [];
    for (const p of plan.phases) {
        const all: (Violation & { reason?: string })[] = [
            ...p.policy.violations.filter((v) => v.enforcementLevel === "mandatory"),
            ...p.policy.violations.filter((v) => v.enforcementLevel === "advisory"),
            ...p.policy.exempted,
        ];
        lines.push(`Policy, ${PHASE_TITLES[p.phase]}: ${all.length === 0 ? "nothing to report" : ""}`.trimEnd());
        for (const v of all) {
            const level = "reason" in v && v.reason !== undefined ? "exempt" : v.enforcementLevel;
            lines.push(fitUnless(o, `    [${level}] ${v.policy}: ${where(v.urn, byUrn)}`));
            const text = level === "exempt" ? `${v.message} (exempted: ${v.reason})` : v.message;
            lines.push(...(o.details ? [`        ${text}`] : wrap(text, o.width - 8).map((l) => `        ${l}`)));
        }
    }
    return lines;
}

function fitUnless(o: TextOptions, line: string): string {
    return o.details ? line : fit(line, o.width);
}

/** The resource tree, parents before children, like `pulumi preview`'s. */
export function renderTree(resources: RecordedResource[], o: TextOptions): string[] {
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
            rows.push([`${prefix}${branch}${o.details ? r.type : shortType(r.type)}`, r.name]);
            walk(r.urn, parent === null ? "" : prefix + (last ? "   " : "│  "));
        });
    };
    walk(null, "");
    const typeWidth = Math.max(4, ...rows.map(([t]) => [...t].length)) + 2;
    if (o.details) {
        const nameWidth = Math.max(4, ...rows.map(([, n]) => n.length)) + 2;
        return [
            `     ${"Type".padEnd(typeWidth)}${"Name".padEnd(nameWidth)}Plan`,
            ...rows.map(([t, n]) => ` +   ${t.padEnd(typeWidth)}${n.padEnd(nameWidth)}create`),
        ];
    }
    // Names after the types when both fit, under each other's column; otherwise shortened.
    const column = Math.min(typeWidth, Math.max(24, Math.floor((o.width - 4) * 0.6)));
    return [
        fit(`   ${"Type".padEnd(column)}Name`, o.width),
        ...rows.map(([t, n]) => fit(` + ${fit(t, column - 2).padEnd(column)}${n}`, o.width)),
    ];
}

export function renderOutputs(plan: PlanResult, o: TextOptions): string[] {
    const outputs = publicOutputs(plan.update.run);
    const keys = Object.keys(outputs).sort();
    const width = Math.max(0, ...keys.map((k) => k.length)) + 2;
    return [
        "Outputs:",
        ...keys.map((k) => fitUnless(o, `    ${(k + ":").padEnd(width)}${JSON.stringify(outputs[k]) ?? "undefined"}`)),
    ];
}

/** The cost table; the item and resource columns give way when the table would not fit. */
export function renderCost(estimate: CostEstimate, o: TextOptions): string[] {
    const rows = estimate.lines.map((l) => [
        l.item,
        l.resource,
        String(l.quantity),
        l.unitPrice,
        l.monthly === null ? "price unknown" : money(l.monthly),
    ]);
    const header = ["item", "resource", "qty", "unit price", "per month"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    // Too wide: the figures stay whole, the item and resource columns share what is left.
    const figures = widths.slice(2).reduce((a, b) => a + b + 2, 0) + 4 + 2;
    const room = o.width - figures;
    if (!o.details && widths[0] + 2 + widths[1] > room) {
        const resource = Math.min(widths[1], Math.max(10, Math.floor(room * 0.35)));
        widths[0] = Math.max(12, room - resource - 2);
        widths[1] = resource;
    }
    const cell = (c: string, i: number) =>
        i >= 2 ? c.padStart(widths[i]) : (o.details ? c : fit(c, widths[i])).padEnd(widths[i]);
    const format = (cells: string[]) => "    " + cells.map(cell).join("  ").trimEnd();
    const indented = (text: string) => wrap(text, o.width - 4, "  ").map((l) => `    ${l}`);
    const lines = [
        `Estimated monthly cost: ${money(estimate.totalMonthly)} ${estimate.currency} (an estimate, not a quote)`,
        ...indented(
            `${estimate.priceRegion} on-demand list prices as of ${estimate.pricesAsOf} (offline/cost.ts), ${estimate.hoursPerMonth} hours a month`,
        ),
        ...estimate.notes.flatMap((n) => indented(`note: ${n}`)),
        format(header),
        ...rows.map(format),
    ];
    if (estimate.unpriced.length > 0) {
        lines.push(
            ...indented(
                `price unknown, not in the total (add it to PRICES in offline/cost.ts): ${estimate.unpriced.join("; ")}`,
            ),
        );
    }
    lines.push(...indented(`excluded (usage-based): ${estimate.excluded.join("; ")}`));
    return lines.map((l) => fitUnless(o, l));
}

/** The whole text plan, verdict first. */
export function renderText(plan: PlanResult, o: TextOptions): string {
    const { run } = plan.update;
    const cost = estimateMonthlyCost(run.resources, { region: run.region });
    return [
        ...renderSummary(plan, cost, o),
        "",
        ...renderViolations(plan, o),
        "",
        `Resources (${run.resources.length}, all to create)${o.details ? "" : "; --details for full type tokens and untrimmed lines"}:`,
        ...renderTree(run.resources, o),
        "",
        ...renderOutputs(plan, o),
        "",
        ...renderCost(cost, o),
    ].join("\n");
}
