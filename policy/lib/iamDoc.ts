/**
 * IAM policy documents as the pack reads them: a JSON string or an object (PolicyDocument),
 * one statement or a list, single values or lists. Parsing touches every value, so a document
 * that is unknown during preview throws UnknownValueError here and each rule decides.
 */
import { asList } from "./values";

export interface Statement {
    sid?: string;
    effect: string;
    actions: string[];
    notActions: string[];
    resources: string[];
    notResources: string[];
    /** "*" for a wildcard principal in any form ("*", {AWS: "*"}, {AWS: ["*"]}). */
    principals: string[];
    /** Condition operator → key → values, as strings. */
    conditions: Record<string, Record<string, string[]>>;
    conditionKeys: string[];
}

export type Parsed = { ok: true; statements: Statement[] } | { ok: false; error: string };

/** Deep copy out of the engine's proxy: reading every value is what surfaces an unknown. */
function plain(value: unknown): unknown {
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) {
            out.push(plain(value[i]));
        }
        return out;
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(value)) {
            out[k] = plain((value as Record<string, unknown>)[k]);
        }
        return out;
    }
    return value;
}

function strings(v: unknown): string[] {
    return asList(v as string | string[] | undefined).map(String);
}

function principalsOf(p: unknown): string[] {
    if (p === undefined || p === null) {
        return [];
    }
    if (typeof p === "string") {
        return [p];
    }
    if (typeof p === "object") {
        return Object.values(p as Record<string, unknown>).flatMap(strings);
    }
    return [];
}

export function parsePolicy(doc: unknown): Parsed {
    let value = plain(doc);
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch {
            return { ok: false, error: "not valid JSON" };
        }
    }
    if (value === undefined || value === null || value === "") {
        return { ok: true, statements: [] };
    }
    if (typeof value !== "object") {
        return { ok: false, error: "not a policy document" };
    }
    const raw = (value as Record<string, unknown>).Statement;
    const statements = asList(raw as Record<string, unknown> | Record<string, unknown>[] | undefined).map(
        (s): Statement => {
            const conditions: Record<string, Record<string, string[]>> = {};
            if (s.Condition && typeof s.Condition === "object") {
                for (const [op, kv] of Object.entries(s.Condition as Record<string, Record<string, unknown>>)) {
                    conditions[op] = {};
                    for (const [k, v] of Object.entries(kv ?? {})) {
                        conditions[op][k] = strings(v);
                    }
                }
            }
            return {
                sid: typeof s.Sid === "string" ? s.Sid : undefined,
                effect: typeof s.Effect === "string" ? s.Effect : "",
                actions: strings(s.Action),
                notActions: strings(s.NotAction),
                resources: strings(s.Resource),
                notResources: strings(s.NotResource),
                principals: principalsOf(s.Principal),
                conditions,
                conditionKeys: Object.values(conditions).flatMap((kv) => Object.keys(kv)),
            };
        },
    );
    return { ok: true, statements };
}

/** "Statement 2 (Sid AllowS3)" for messages. */
export function statementLabel(s: Statement, index: number): string {
    return s.sid ? `statement ${index + 1} (Sid ${s.sid})` : `statement ${index + 1}`;
}

/** IAM wildcard matching: `*` any run, `?` one character, case-insensitive like IAM actions. */
export function iamGlob(pattern: string): RegExp {
    const escaped = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${escaped}$`, "i");
}
