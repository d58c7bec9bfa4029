/**
 * The policy pack config file (`pulumi preview --policy-pack-config FILE`), resolved the way
 * the Pulumi engine does it (pkg/resource/analyzer/config.go): start from each policy's own
 * enforcement level and its schema defaults, apply `all`, then each policy's entry (level and
 * properties merged), then validate every policy's properties against its config schema.
 *
 * One deliberate difference: a policy name or property the pack does not know is an error
 * here, where the engine ignores it, so a typo cannot silently weaken a stack's enforcement.
 */
import * as fs from "fs";
import { EnforcementLevel, Policy } from "@pulumi/policy";
import { PolicyConfigJSONSchema, PolicyConfigJSONSchemaDefinition } from "@pulumi/policy/schema";

export const ENFORCEMENT_LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export interface PolicyConfigEntry {
    enforcementLevel?: EnforcementLevel;
    properties?: Record<string, unknown>;
}

export interface ResolvedPolicyConfig {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

export type ResolvedConfig = Record<string, ResolvedPolicyConfig>;

/** Every problem found in a config file, reported together. */
export class PolicyConfigError extends Error {
    constructor(
        readonly file: string | undefined,
        readonly problems: string[],
    ) {
        super(`invalid policy pack config${file ? ` ${file}` : ""}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "PolicyConfigError";
    }
}

function isLevel(v: unknown): v is EnforcementLevel {
    return typeof v === "string" && (ENFORCEMENT_LEVELS as string[]).includes(v);
}

/** Parses the file's JSON shape (string level, or object with enforcementLevel and properties). */
export function parsePolicyPackConfig(raw: unknown, file?: string): Record<string, PolicyConfigEntry> {
    const problems: string[] = [];
    const result: Record<string, PolicyConfigEntry> = {};
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        throw new PolicyConfigError(file, ["the file must hold a JSON object of policy name to level or settings"]);
    }
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value === "string") {
            if (!isLevel(value)) {
                problems.push(
                    `${name}: "${value}" is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`,
                );
                continue;
            }
            result[name] = { enforcementLevel: value };
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
                problems.push(
                    `${name}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`,
                );
                continue;
            }
            const entry: PolicyConfigEntry = {};
            if (enforcementLevel !== undefined) {
                entry.enforcementLevel = enforcementLevel;
            }
            if (Object.keys(properties).length > 0) {
                entry.properties = properties;
            }
            if (entry.enforcementLevel !== undefined || entry.properties !== undefined) {
                result[name] = entry;
            }
        } else {
            problems.push(`${name}: ${JSON.stringify(value)} is not a valid value; must be a string or object`);
        }
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(file, problems);
    }
    return result;
}

export function loadPolicyPackConfigFile(file: string): Record<string, PolicyConfigEntry> {
    let raw: unknown;
    try {
        const text = fs.readFileSync(file, "utf8");
        raw = text.trim() === "" ? {} : JSON.parse(text);
    } catch (e) {
        throw new PolicyConfigError(file, [(e as Error).message]);
    }
    return parsePolicyPackConfig(raw, file);
}

/**
 * Resolves the effective level and properties of every policy, as the engine would, and
 * validates them. `packLevel` is the PolicyPack's default level ("advisory" unless set).
 */
export function resolvePolicyConfig(
    policies: Policy[],
    config: Record<string, PolicyConfigEntry> | undefined,
    packLevel: EnforcementLevel = "advisory",
    file?: string,
): ResolvedConfig {
    const problems: string[] = [];
    const result: ResolvedConfig = {};
    for (const p of policies) {
        const properties: Record<string, unknown> = {};
        for (const [k, schema] of Object.entries(p.configSchema?.properties ?? {})) {
            if (schema.default !== undefined) {
                properties[k] = clone(schema.default);
            }
        }
        result[p.name] = { enforcementLevel: p.enforcementLevel ?? packLevel, properties };
    }
    const known = new Set(policies.map((p) => p.name));
    const given = config ?? {};
    const all = given["all"];
    if (all?.enforcementLevel) {
        for (const name of Object.keys(result)) {
            result[name].enforcementLevel = all.enforcementLevel;
        }
    }
    if (all?.properties) {
        problems.push(
            `all: only an enforcement level can be set for all policies (found ${Object.keys(all.properties).join(", ")})`,
        );
    }
    for (const [name, entry] of Object.entries(given)) {
        if (name === "all") {
            continue;
        }
        if (!known.has(name)) {
            problems.push(
                `${name}: no such policy in the pack (a typo would silently leave the real policy at its default level)`,
            );
            continue;
        }
        if (entry.enforcementLevel) {
            result[name].enforcementLevel = entry.enforcementLevel;
        }
        Object.assign(result[name].properties, entry.properties ?? {});
    }
    for (const p of policies) {
        const schema: PolicyConfigJSONSchema = {
            type: "object",
            properties: p.configSchema?.properties ?? {},
            required: p.configSchema?.required,
            // Stricter than the engine: an unknown property is a typo.
            additionalProperties: false,
        };
        for (const problem of validateSchema(schema, result[p.name].properties, "")) {
            problems.push(`${p.name}: ${problem}`);
        }
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(file, problems);
    }
    return result;
}

function clone<T>(v: T): T {
    return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** JSON Schema keywords the validator understands; a schema using another one is refused. */
export const SUPPORTED_KEYWORDS = new Set([
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
    "default",
    "description",
]);

function typeOf(v: unknown): string {
    if (v === null) {
        return "null";
    }
    if (Array.isArray(v)) {
        return "array";
    }
    return typeof v;
}

function matchesType(v: unknown, t: string): boolean {
    switch (t) {
        case "integer":
            return typeof v === "number" && Number.isInteger(v);
        case "number":
            return typeof v === "number" && Number.isFinite(v);
        case "array":
            return Array.isArray(v);
        case "object":
            return v !== null && typeof v === "object" && !Array.isArray(v);
        case "null":
            return v === null;
        default:
            return typeof v === t;
    }
}

/** Validates `value` against the subset of JSON Schema the pack's config schemas use. */
export function validateSchema(schema: PolicyConfigJSONSchemaDefinition, value: unknown, path: string): string[] {
    const at = path === "" ? "" : `${path}: `;
    if (schema === true) {
        return [];
    }
    if (schema === false) {
        return [`${at}is not allowed`];
    }
    for (const k of Object.keys(schema)) {
        if (!SUPPORTED_KEYWORDS.has(k)) {
            return [`${at}the config schema uses "${k}", which the offline runner cannot check`];
        }
    }
    const problems: string[] = [];
    if (schema.type !== undefined) {
        const types = Array.isArray(schema.type) ? schema.type : [schema.type];
        if (!types.some((t) => matchesType(value, t))) {
            return [`${at}must be ${types.join(" or ")} (got ${typeOf(value)} ${JSON.stringify(value)})`];
        }
    }
    if (schema.enum !== undefined && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
        problems.push(
            `${at}must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")} (got ${JSON.stringify(value)})`,
        );
    }
    if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) {
        problems.push(`${at}must be ${JSON.stringify(schema.const)}`);
    }
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum) {
            problems.push(`${at}must be >= ${schema.minimum} (got ${value})`);
        }
        if (schema.maximum !== undefined && value > schema.maximum) {
            problems.push(`${at}must be <= ${schema.maximum} (got ${value})`);
        }
        if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) {
            problems.push(`${at}must be > ${schema.exclusiveMinimum} (got ${value})`);
        }
        if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) {
            problems.push(`${at}must be < ${schema.exclusiveMaximum} (got ${value})`);
        }
        if (schema.multipleOf !== undefined && value % schema.multipleOf !== 0) {
            problems.push(`${at}must be a multiple of ${schema.multipleOf} (got ${value})`);
        }
    }
    if (typeof value === "string") {
        const length = [...value].length;
        if (schema.minLength !== undefined && length < schema.minLength) {
            problems.push(`${at}must be at least ${schema.minLength} characters (got ${length})`);
        }
        if (schema.maxLength !== undefined && length > schema.maxLength) {
            problems.push(`${at}must be at most ${schema.maxLength} characters (got ${length})`);
        }
        if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value)) {
            problems.push(`${at}must match /${schema.pattern}/ (got ${JSON.stringify(value)})`);
        }
    }
    if (Array.isArray(value)) {
        if (schema.minItems !== undefined && value.length < schema.minItems) {
            problems.push(`${at}must have at least ${schema.minItems} item(s) (got ${value.length})`);
        }
        if (schema.maxItems !== undefined && value.length > schema.maxItems) {
            problems.push(`${at}must have at most ${schema.maxItems} item(s) (got ${value.length})`);
        }
        if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
            problems.push(`${at}must not repeat items`);
        }
        if (schema.items !== undefined) {
            if (Array.isArray(schema.items)) {
                return [`${at}the config schema uses tuple "items", which the offline runner cannot check`];
            }
            value.forEach((item, i) =>
                problems.push(
                    ...validateSchema(schema.items as PolicyConfigJSONSchemaDefinition, item, `${path}[${i}]`),
                ),
            );
        }
    }
    if (matchesType(value, "object")) {
        const obj = value as Record<string, unknown>;
        for (const r of schema.required ?? []) {
            if (!(r in obj)) {
                problems.push(`${path === "" ? "" : `${path}.`}${r}: is required`);
            }
        }
        const props = schema.properties ?? {};
        for (const [k, v] of Object.entries(obj)) {
            const sub = path === "" ? k : `${path}.${k}`;
            if (k in props) {
                problems.push(...validateSchema(props[k], v, sub));
            } else if (schema.additionalProperties === false) {
                problems.push(
                    `${sub}: is not a setting of this policy (known: ${Object.keys(props).join(", ") || "none"})`,
                );
            } else if (schema.additionalProperties !== undefined && schema.additionalProperties !== true) {
                problems.push(...validateSchema(schema.additionalProperties, v, sub));
            }
        }
    }
    return problems;
}
