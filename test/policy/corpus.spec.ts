/**
 * The corpora (test/policy/corpus/), run through the whole pack with the real stack config files:
 *
 * - hardened.yaml: configurations written differently from webfleet's own code; each must produce
 *   no violation at all (and exempt only what its entry declares, with the reason it gives);
 * - adversarial/*.yaml: misconfigurations a team could plausibly write, one per entry with its
 *   group, the rule that must catch it and that rule's severity; each must be caught by that rule
 *   in prod, as mandatory when the rule is critical or high, and in dev as mandatory when it is
 *   critical.
 *
 * The YAML shorthands for unknown values, JSON text and base64 are test/policy/corpusFiles.ts's.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { loadStackConfigs } from "../../policy/docs";
import { PolicyConfigEntry } from "../../policy/lib/packConfig";
import { levelForSeverity } from "../../policy/lib/rule";
import { policies } from "../../policy/policies";
import { runPolicyPack } from "../../offline/policyRunner";
import { adversarialFiles, HARDENED_FILE, loadCases, materialize } from "./corpusFiles";
import { CaseOptions, StackResource, recorded } from "./helpers";

export const GROUPS = [
    "iam",
    "secrets-in-text",
    "public-exposure",
    "cloudfront",
    "lambda-sns-logs-waf",
    "rds",
    "autoscaling",
    "network",
    "load-balancing",
    "compute",
    "resource-options",
    "unknown-values",
] as const;

interface CorpusResource {
    type: string;
    name: string;
    props: unknown;
    inputs?: unknown;
    parent?: string;
    deps?: Record<string, string[]>;
    options?: CaseOptions;
}

interface HardenedCase {
    id: string;
    title: string;
    resources: CorpusResource[];
    /** Per-rule settings merged into both stacks' config (exemptions with their reasons). */
    config?: Record<string, Record<string, unknown>>;
}

interface AdversarialCase extends HardenedCase {
    group: (typeof GROUPS)[number];
    rule: string;
    severity: string;
}

function toStackResources(list: CorpusResource[]): StackResource[] {
    return list.map((r) => ({
        type: r.type,
        name: r.name,
        props: materialize(r.props ?? {}) as Record<string, unknown>,
        ...(r.inputs ? { inputs: materialize(r.inputs) as Record<string, unknown> } : {}),
        ...(r.parent ? { parent: r.parent } : {}),
        ...(r.deps ? { deps: r.deps } : {}),
        ...(r.options ? { options: r.options } : {}),
    }));
}

const hardened = loadCases<HardenedCase>(HARDENED_FILE);
const adversarial = adversarialFiles().flatMap((f) => loadCases<AdversarialCase>(f));

/** The stack's own config file, with the case's settings merged in, written where the runner reads it. */
function configFor(stack: "dev" | "prod", extra: HardenedCase["config"], tmp: string): string {
    const base = loadStackConfigs()[stack];
    const out: Record<string, unknown> = {};
    for (const [name, entry] of Object.entries<PolicyConfigEntry>(base)) {
        out[name] = {
            ...(entry.enforcementLevel ? { enforcementLevel: entry.enforcementLevel } : {}),
            ...entry.properties,
        };
    }
    for (const [name, props] of Object.entries(extra ?? {})) {
        out[name] = { ...(out[name] ?? {}), ...props };
    }
    const file = path.join(tmp, `${stack}-${Math.random().toString(16).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(out));
    return file;
}

async function run(c: HardenedCase, stack: "dev" | "prod", tmp: string) {
    return runPolicyPack({
        project: "webfleet",
        stack,
        resources: recorded(toStackResources(c.resources)),
        configFile: configFor(stack, c.config, tmp),
    });
}

describe("policy corpora", function () {
    this.timeout(120000);
    let tmp: string;
    before(() => {
        tmp = fs.mkdtempSync(path.join(require("os").tmpdir(), "webfleet-corpus-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("has at least 20 hardened configurations and 100 misconfigurations over every group, with unique IDs", () => {
        expect(hardened.length).to.be.at.least(20);
        expect(adversarial.length).to.be.at.least(100);
        const ids = [...hardened, ...adversarial].map((c) => c.id);
        expect(new Set(ids).size).to.equal(ids.length);
        expect([...new Set(adversarial.map((c) => c.group))].sort()).to.deep.equal([...GROUPS].sort());
    });

    it("names real rules with their real severity in every misconfiguration", () => {
        for (const c of adversarial) {
            const rule = policies.find((p) => p.name === c.rule);
            expect(rule, `${c.id}: rule ${c.rule}`).to.not.equal(undefined);
            expect(c.severity, `${c.id}: ${c.rule}`).to.equal(rule!.severity);
            expect(GROUPS, c.id).to.include(c.group);
        }
    });

    describe("hardened configurations: no violation", () => {
        for (const c of hardened) {
            it(`${c.id}: ${c.title}`, async () => {
                for (const stack of ["prod", "dev"] as const) {
                    const report = await run(c, stack, tmp);
                    expect(
                        report.violations.map((v) => `${stack} ${v.policy}: ${v.message}`),
                        stack,
                    ).to.deep.equal([]);
                    // Only what the case exempts on purpose, with its reason, is exempted.
                    const declared = Object.values(c.config ?? {}).flatMap(
                        (p) => (p.exemptions as { reason: string }[] | undefined) ?? [],
                    );
                    for (const e of report.exempted) {
                        expect(
                            declared.map((d) => d.reason),
                            `${stack} ${e.policy}`,
                        ).to.include(e.reason);
                    }
                }
            });
        }
    });

    describe("misconfigurations: caught by the named rule, blocking as its severity says", () => {
        for (const c of adversarial) {
            it(`${c.group} / ${c.id}: ${c.title} (${c.rule}, ${c.severity})`, async () => {
                const rule = policies.find((p) => p.name === c.rule)!;
                for (const stack of ["prod", "dev"] as const) {
                    if (stack === "dev" && rule.metadata.prodOnly) {
                        continue;
                    }
                    const report = await run(c, stack, tmp);
                    const hits = report.violations.filter((v) => v.policy === c.rule);
                    expect(hits.length, `${stack}: ${c.rule} must report it`).to.be.greaterThan(0);
                    const level = levelForSeverity(rule.severity, stack);
                    if (level === "mandatory") {
                        expect(
                            hits.some((v) => v.enforcementLevel === "mandatory"),
                            `${stack}: a ${c.severity} finding blocks`,
                        ).to.equal(true);
                    }
                }
            });
        }
    });
});
