/**
 * Shapes the pack has never seen: every resource of the corpora again, one property (or one
 * property of its first nested entry) at a time replaced by what programs and providers really
 * produce (null, an empty list, a list holding null, "" , numbers as text, policy documents with
 * Version only, Statement [] or {}, a null statement, text that is not JSON), then by values of
 * the wrong type altogether. The pack must not crash on any of them; on the realistic ones no
 * rule may fall back to "could not be checked" either (that fallback, for the wrong types, says
 * so at the rule's level instead of crashing the preview or passing silently).
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { runPolicyPack } from "../../offline/policyRunner";
import { resourceRule, stackRule } from "../../policy/lib/rule";
import { T } from "../../policy/lib/types";
import { adversarialFiles, HARDENED_FILE, loadCases, materialize } from "./corpusFiles";
import { recorded, runResourceRule, runStackRule } from "./helpers";

const SHAPE = "a value has a shape the rule does not handle";

/** Up to two resources of each type from the corpora, as plain props. */
function samples(): [string, Record<string, unknown>][] {
    const files = [HARDENED_FILE, ...adversarialFiles()];
    const byType = new Map<string, Record<string, unknown>[]>();
    for (const file of files) {
        const cases = loadCases<{ resources: { type: string; props?: unknown }[] }>(file);
        for (const c of cases) {
            for (const r of c.resources) {
                const list = byType.get(r.type) ?? [];
                if (list.length < 2) {
                    list.push(materialize(r.props ?? {}) as Record<string, unknown>);
                }
                byType.set(r.type, list);
            }
        }
    }
    return [...byType].flatMap(([type, list]) => list.map((p): [string, Record<string, unknown>] => [type, p]));
}

const ODD_DOCUMENTS = [
    '{"Version":"2012-10-17"}',
    '{"Version":"2012-10-17","Statement":[]}',
    '{"Statement":{}}',
    '{"Statement":[null]}',
    '{"Statement":[{"Effect":"Allow"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":[],"Principal":{}}]}',
    "{}",
    "not json",
];

/** What a program or provider may really hand over in place of `v`. */
function realistic(key: string, v: unknown): unknown[] {
    const out: unknown[] = [null];
    if (typeof v === "string") {
        out.push("");
        if (/polic|document|content|redrive/i.test(key) || v.trim().startsWith("{")) {
            out.push(...ODD_DOCUMENTS);
        }
        if (/^-?\d+$/.test(v)) {
            out.push(Number(v));
        }
    } else if (typeof v === "number") {
        out.push(String(v), "0", 0);
    } else if (typeof v === "boolean") {
        out.push(String(v), "false");
    } else if (Array.isArray(v)) {
        out.push([], [null]);
        if (v.length > 0 && typeof v[0] === "object") {
            out.push([{}]);
        }
        if (v.length > 0 && typeof v[0] === "string") {
            out.push([""]);
        }
    } else if (v && typeof v === "object") {
        out.push({});
        if (/polic/i.test(key)) {
            out.push({ Version: "2012-10-17" }, { Version: "2012-10-17", Statement: [] }, { Statement: [null] });
        }
    }
    return out;
}

/** Values of the wrong type altogether. */
function wrongType(): unknown[] {
    return [[], {}, 0, "1", [[]], true, [{}], "not json"];
}

function variants(props: Record<string, unknown>, odd: (key: string, v: unknown) => unknown[]) {
    const out: Record<string, unknown>[] = [];
    for (const [k, v] of Object.entries(props)) {
        for (const x of odd(k, v)) {
            out.push({ ...props, [k]: x });
        }
        const first = Array.isArray(v) ? v[0] : v;
        if (first && typeof first === "object" && !Array.isArray(first)) {
            for (const [k2, v2] of Object.entries(first as Record<string, unknown>)) {
                for (const x of odd(k2, v2)) {
                    const changed = { ...(first as Record<string, unknown>), [k2]: x };
                    out.push({ ...props, [k]: Array.isArray(v) ? [changed, ...v.slice(1)] : changed });
                }
            }
        }
    }
    return out;
}

async function runAlone(type: string, props: Record<string, unknown>, configFile: string) {
    return runPolicyPack({
        project: "webfleet",
        stack: "prod",
        resources: recorded([{ type, name: "r", props }]),
        configFile,
    });
}

describe("policy pack: shapes it has never seen", function () {
    this.timeout(120000);
    let tmp: string;
    let configFile: string;
    before(() => {
        tmp = fs.mkdtempSync(path.join(require("os").tmpdir(), "webfleet-shapes-"));
        configFile = path.join(tmp, "empty.json");
        fs.writeFileSync(configFile, "{}");
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("handles nulls, empty lists, numbers as text and odd policy documents in every rule", async () => {
        const unhandled = new Set<string>();
        let runs = 0;
        for (const [type, props] of samples()) {
            for (const v of variants(props, realistic)) {
                runs++;
                const report = await runAlone(type, v, configFile);
                for (const f of report.violations.filter((x) => x.message.includes(SHAPE))) {
                    unhandled.add(`${type} ${f.policy}: ${f.message} (props ${JSON.stringify(v).slice(0, 200)})`);
                }
            }
        }
        expect(runs).to.be.greaterThan(1000);
        expect([...unhandled]).to.deep.equal([]);
    });

    it("never crashes on values of the wrong type: a rule that cannot read one says so", async () => {
        for (const [type, props] of samples()) {
            for (const v of variants(props, wrongType)) {
                // Throws (failing the test) if any rule's exception escapes the pack.
                await runAlone(type, v, configFile);
            }
        }
    });

    describe("a rule whose code cannot read a value", () => {
        const throwsOnShape = resourceRule({
            name: "shape-probe",
            description: "A probe rule that reads a value of the wrong type.",
            severity: "critical",
            checks: "nothing",
            equivalents: {},
            unknown: "advisory",
            requirement: "nothing",
            validate: [
                (args) => {
                    (args.props.listeners as string[]).map((l) => l.toUpperCase());
                },
            ],
        });

        it("reports that it could not check the resource, at the rule's level, naming rule and error", async () => {
            const findings = await runResourceRule(throwsOnShape, {
                type: T.lbListener,
                name: "web-http",
                props: { listeners: [1] },
            });
            expect(findings).to.have.length(1);
            expect(findings[0].advisory).to.equal(undefined);
            expect(findings[0].message).to.match(
                /^Listener 'web-http' could not be checked by shape-probe: a value has a shape the rule does not handle \(.*toUpperCase.*\), so the rule cannot vouch for it/,
            );
        });

        it("passes a resource it can read", async () => {
            const findings = await runResourceRule(throwsOnShape, {
                type: T.lbListener,
                props: { listeners: ["http"] },
            });
            expect(findings).to.deep.equal([]);
        });

        it("still lets other errors through (the engine's own signals, bugs that are not about shapes)", async () => {
            const broken = resourceRule({
                name: "broken-probe",
                description: "A probe rule that fails for a reason other than a value's shape.",
                severity: "low",
                checks: "nothing",
                equivalents: {},
                unknown: "advisory",
                requirement: "nothing",
                validate: [
                    () => {
                        throw new Error("not a shape problem");
                    },
                ],
            });
            let caught: unknown;
            try {
                await runResourceRule(broken, { type: T.lbListener, props: {} });
            } catch (e) {
                caught = e;
            }
            expect((caught as Error)?.message).to.equal("not a shape problem");
        });

        it("in a stack rule, reports it for the stack", async () => {
            const stackProbe = stackRule({
                name: "stack-shape-probe",
                description: "A probe stack rule that reads a value of the wrong type.",
                severity: "high",
                resources: [T.lbListener],
                checks: "nothing",
                equivalents: {},
                unknown: "advisory",
                validate: (args) => {
                    for (const r of args.resources) {
                        (r.props.port as unknown as string).trim();
                    }
                },
            });
            const findings = await runStackRule(stackProbe, {
                resources: [{ type: T.lbListener, name: "l", props: { port: 80 } }],
            });
            expect(findings.map((f) => f.message)).to.have.length(1);
            expect(findings[0].message).to.match(
                /^The stack could not be checked by stack-shape-probe: a value has a shape/,
            );
        });
    });
});
