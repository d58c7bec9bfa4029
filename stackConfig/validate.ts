/**
 * Validates what config.ts read against the declarations (keys.ts) and the rules (rules.ts), and
 * returns the typed config with every default filled in, or throws one StackConfigError listing
 * every problem. Each problem names the key, what was expected, what was found, and the exact
 * `pulumi config` commands that fix it, built from the stack's own values: the validator applies
 * every repair to a copy of the stack file and checks again until the copy is valid, and the
 * fixes are that valid copy's values.
 */
import { SubnetPlan, planSubnets } from "../lib/cidr";
import { Kind, closest } from "./kinds";
import {
    Context,
    ENVIRONMENT,
    ENVIRONMENTS,
    Environment,
    KeyDef,
    ResolvedSections,
    SECTIONS,
    SECTION_NAMES,
    TAGS,
} from "./keys";
import { Issue, Path, RULES, Repair, isCommercialRegion } from "./rules";
import { commandsFor, listsToRewrite, withListRewrites } from "./fixes";
import { pathText } from "./paths";

export { pathText } from "./paths";

/** What config.ts read: the project's keys without their namespace, and `aws:region`. */
export interface RawStackConfig {
    project: string;
    stack: string;
    region: string | undefined;
    values: Record<string, unknown>;
}

export type StackConfig = Omit<ResolvedSections, "network"> & {
    project: string;
    stack: string;
    environment: Environment;
    region: string;
    network: ResolvedSections["network"] & { subnets: SubnetPlan };
    tags: Record<string, string>;
};

/** One thing wrong with the stack config. */
export interface ConfigProblem {
    path: string;
    expected: string;
    found: unknown;
    fix: string;
}

export class StackConfigError extends Error {
    constructor(
        readonly stackName: string,
        readonly problems: ConfigProblem[],
    ) {
        super(
            `Invalid stack config for stack "${stackName}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems
                    .map((p) => `  - ${p.path}: expected ${p.expected}; found ${shown(p.found)}.\n    Fix: ${p.fix}`)
                    .join("\n"),
        );
        this.name = "StackConfigError";
    }
}

/** A StackConfigError from any copy of this module (the offline preview reloads the program's modules). */
export function isStackConfigError(e: unknown): e is StackConfigError {
    return e instanceof Error && e.name === "StackConfigError" && Array.isArray((e as StackConfigError).problems);
}

function shown(value: unknown): string {
    return value === undefined ? "nothing" : JSON.stringify(value);
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const TOP_LEVEL = ["environment", ...SECTION_NAMES, "tags"];

interface Evaluation {
    issues: Issue[];
    resolved: ResolvedSections;
    environment: Environment;
    tags: Record<string, string>;
}

function defaultOf<T>(def: KeyDef<T>, ctx: Context): T | undefined {
    const d = def.default;
    if (!d) return undefined;
    if (d.kind === "value") return d.value;
    if (d.kind === "perEnv") return d[ctx.environment];
    return d.derive(ctx);
}

/** One key's given value: accepted, or an issue with the repair that makes it acceptable. */
function checkValue(kind: Kind<unknown>, path: Path, given: unknown, fallback: unknown, issues: Issue[]): unknown {
    const accepted = kind.accept(given);
    if (accepted !== undefined) return accepted;
    // Lists are checked element by element, so the fix names the element (`key[1]`).
    if (kind.item && Array.isArray(given) && given.length >= kind.minItems! && given.length <= kind.maxItems!) {
        const items = given.map((x, i) => checkValue(kind.item!, [...path, i], x, undefined, issues));
        return items.filter((x) => x !== undefined);
    }
    if (kind.fields && isMap(given)) return checkRecord(kind, path, given, issues);
    const suggestion = kind.suggest(given);
    const repair: Repair =
        suggestion !== undefined
            ? { op: "set", path, value: suggestion }
            : fallback !== undefined
              ? { op: "set", path, value: fallback }
              : { op: "rm", path };
    // A list element with no suggestion goes: the rest of the list stays as it was.
    const why = suggestion === undefined ? kind.why?.(given) : undefined;
    issues.push({ path, expected: why ? `${kind.expected}; ${why}` : kind.expected, found: given, repairs: [repair] });
    return suggestion ?? fallback;
}

/**
 * A record (a list entry), field by field, so the message names the field
 * (`bastion.users[1].publicKey`). A field with no obvious fix takes its whole entry with it: an
 * entry is a grant, and a half-repaired grant (a person without their key, or a date typo made
 * "never expires") is worse than none.
 */
function checkRecord(kind: Kind<unknown>, path: Path, given: Record<string, unknown>, issues: Issue[]): unknown {
    const fields = kind.fields!;
    const known = Object.keys(fields);
    // A misspelt field is moved to the field it is a typo of, which then counts as given.
    const moved = new Set<string>();
    for (const [name, value] of Object.entries(given)) {
        if (name in fields) continue;
        unknownKey([...path, name], known, value, `one of the fields of ${pathText(path)}`, issues);
        const near = closest(name, known);
        if (near && given[near] === undefined) moved.add(near);
    }
    const out: Record<string, unknown> = {};
    let whole = true;
    for (const [name, field] of Object.entries(fields)) {
        const value = given[name];
        if (value === undefined) {
            if (field.required && !moved.has(name)) {
                issues.push({
                    path: [...path, name],
                    expected: `${field.kind.expected} (every entry needs ${known.filter((k) => fields[k].required).join(" and ")})`,
                    found: undefined,
                    repairs: [{ op: "rm", path }],
                });
            }
            whole &&= !field.required;
            continue;
        }
        const accepted = field.kind.accept(value);
        const suggestion = accepted === undefined ? field.kind.suggest(value) : undefined;
        if (accepted === undefined) {
            const why = suggestion === undefined ? field.kind.why?.(value) : undefined;
            issues.push({
                path: [...path, name],
                expected: why ? `${field.kind.expected}; ${why}` : field.kind.expected,
                found: value,
                repairs: [
                    suggestion !== undefined
                        ? { op: "set", path: [...path, name], value: suggestion }
                        : { op: "rm", path },
                ],
            });
        }
        const result = accepted ?? suggestion;
        if (result === undefined) whole = false;
        else out[name] = result;
    }
    return whole ? out : undefined;
}

/** A key the declarations do not know: moved to the key it is a typo of, or removed. */
function unknownKey(path: Path, known: string[], value: unknown, what: string, issues: Issue[]): void {
    const name = String(path[path.length - 1]);
    const near = closest(name, known);
    const target = [...path.slice(0, -1), near ?? name];
    // A map (a misspelt section) moves key by key into the existing one, keeping what is there.
    const moves: Repair[] = !near
        ? []
        : isMap(value)
          ? Object.entries(value).map(([k, v]): Repair => ({ op: "set", path: [...target, k], value: v }))
          : [{ op: "set", path: target, value }];
    issues.push({
        path,
        expected: `${what}: ${known.join(", ")}${near ? `; did you mean ${pathText(target)}?` : ""}`,
        found: value,
        repairs: [{ op: "rm", path }, ...moves],
    });
}

function evaluate(raw: RawStackConfig): Evaluation {
    const issues: Issue[] = [];
    const values = raw.values;
    for (const [key, value] of Object.entries(values)) {
        if (!TOP_LEVEL.includes(key)) unknownKey([key], TOP_LEVEL, value, "one of the keys and sections", issues);
    }
    const fromStack = (ENVIRONMENTS as readonly string[]).includes(raw.stack) ? (raw.stack as Environment) : undefined;
    let environment = fromStack;
    if (values.environment !== undefined || !fromStack) {
        environment = checkValue(ENVIRONMENT.kind, ["environment"], values.environment, fromStack ?? "dev", issues) as
            Environment | undefined;
        const last = issues[issues.length - 1];
        if (values.environment === undefined && last?.path[0] === "environment") {
            last.expected += ` (the stack name "${raw.stack}" is neither, so it must be set)`;
        }
    }
    const env = environment ?? "dev";
    const ctx: Context = { environment: env, region: raw.region ?? "", stack: raw.stack, resolved: {} };
    const given: Record<string, Record<string, unknown> | undefined> = {};
    for (const section of SECTION_NAMES) {
        const defs = SECTIONS[section] as Record<string, KeyDef<unknown>>;
        let sv = values[section];
        if (sv !== undefined && !isMap(sv)) {
            issues.push({
                path: [section],
                expected: `a map of ${Object.keys(defs).join(", ")} (set each with --path '${section}.<key>')`,
                found: sv,
                repairs: [{ op: "rm", path: [section] }],
            });
            sv = undefined;
        }
        given[section] = sv as Record<string, unknown> | undefined;
        for (const [key, value] of Object.entries(sv ?? {})) {
            if (!(key in defs))
                unknownKey([section, key], Object.keys(defs), value, `one of the keys of ${section}`, issues);
        }
        const out: Record<string, unknown> = (ctx.resolved[section] = {});
        for (const [name, def] of Object.entries(defs)) {
            const value = (sv as Record<string, unknown> | undefined)?.[name];
            const fallback = defaultOf(def, ctx);
            const result =
                value === undefined ? fallback : checkValue(def.kind, [section, name], value, fallback, issues);
            // An optional key left unset is absent, not undefined.
            if (result !== undefined) out[name] = result;
        }
    }
    given.tags = isMap(values.tags) ? values.tags : undefined;
    const tags = (values.tags === undefined ? {} : checkValue(TAGS.kind, ["tags"], values.tags, {}, issues)) as Record<
        string,
        string
    >;
    const resolved = ctx.resolved as unknown as ResolvedSections;
    // Rules run on what resolved; a key that already has a problem is not reported twice.
    const flagged = new Set(issues.map((i) => pathText(i.path.slice(0, 2))));
    for (const rule of RULES) {
        for (const issue of rule(resolved, { environment: env, region: raw.region, stack: raw.stack, given })) {
            if (!flagged.has(pathText(issue.path.slice(0, 2)))) issues.push(issue);
        }
    }
    if (!raw.region) {
        issues.unshift({
            path: ["aws:region"],
            expected: "the AWS region the stack deploys to, like us-east-1",
            found: undefined,
            repairs: [],
        });
    } else if (!isCommercialRegion(raw.region)) {
        issues.unshift({
            path: ["aws:region"],
            expected: `a region of AWS's commercial partition: the program's ARNs and policies are written for arn:aws, so ${raw.region}'s partition (GovCloud, China or an isolated one) is not supported`,
            found: raw.region,
            repairs: [],
        });
    }
    return { issues, resolved, environment: env, tags };
}

function clone<T>(v: T): T {
    return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Applies a repair to a stack file's values (paths as `pulumi config --path` writes them). */
export function applyRepair(values: Record<string, unknown>, repair: Repair): void {
    const { path } = repair;
    let node: Record<string | number, unknown> = values;
    for (let i = 0; i < path.length - 1; i++) {
        const next = node[path[i]];
        if (next === null || typeof next !== "object") {
            if (repair.op === "rm") return;
            node[path[i]] = typeof path[i + 1] === "number" ? [] : {};
        }
        node = node[path[i]] as Record<string | number, unknown>;
    }
    const last = path[path.length - 1];
    if (repair.op === "set") {
        node[last] = clone(repair.value);
    } else if (Array.isArray(node) && typeof last === "number") {
        node.splice(last, 1);
    } else {
        delete node[last];
    }
}

/**
 * The stack file's values with every problem repaired, checked again until valid: fixes that
 * hold together. Element removals run last, highest index first, so indexes stay right.
 */
function repaired(raw: RawStackConfig, first: Issue[]): Record<string, unknown> {
    const values = clone(raw.values);
    let issues = first;
    for (let round = 0; round < 8 && issues.length > 0; round++) {
        const repairs = issues.flatMap((i) => i.repairs);
        const removals = repairs.filter((r) => r.op === "rm" && typeof r.path[r.path.length - 1] === "number");
        removals.sort((a, b) => (b.path[b.path.length - 1] as number) - (a.path[a.path.length - 1] as number));
        for (const r of [...repairs.filter((r) => !removals.includes(r)), ...removals]) applyRepair(values, r);
        issues = evaluate({ ...raw, values }).issues.filter((i) => i.path[0] !== "aws:region");
    }
    return values;
}

/** Every key's value for an environment when the stack file sets nothing (derived ones included). */
export function defaultsFor(environment: Environment, region = "us-east-1"): ResolvedSections {
    return evaluate({ project: "", stack: environment, region, values: {} }).resolved;
}

export function validateStackConfig(raw: RawStackConfig): StackConfig {
    const { issues, resolved, environment, tags } = evaluate(raw);
    if (issues.length > 0) {
        const fixedValues = repaired(raw, issues);
        const rewrite = listsToRewrite(issues);
        throw new StackConfigError(
            raw.stack,
            issues.map((i) => ({
                path: pathText(i.path),
                expected: i.expected,
                found: i.found,
                fix: commandsFor(raw.stack, withListRewrites(i, rewrite), fixedValues),
            })),
        );
    }
    return {
        ...resolved,
        project: raw.project,
        stack: raw.stack,
        environment,
        region: raw.region!,
        network: { ...resolved.network, subnets: planSubnets(resolved.network.cidr, resolved.network.azCount) },
        tags,
    };
}
