/**
 * IAM policy documents as the pack reads them: a JSON string or an object (PolicyDocument),
 * one statement or a list, single values or lists. Parsing touches every value, so a document
 * that is unknown during preview throws UnknownValueError here and each rule decides.
 */
import { asList, isUnknownValueError } from "./values";

export interface Statement {
    sid?: string;
    effect: string;
    actions: string[];
    notActions: string[];
    resources: string[];
    notResources: string[];
    /** "*" for a wildcard principal in any form ("*", {AWS: "*"}, {AWS: ["*"]}). */
    principals: string[];
    /** Principal types named ("AWS", "Service", "Federated", "CanonicalUser", or "*"). */
    principalTypes: string[];
    /** NotPrincipal values: with Allow, everyone except these. */
    notPrincipals: string[];
    /** Condition operator → key → values, as strings. */
    conditions: Record<string, Record<string, string[]>>;
    conditionKeys: string[];
}

export type Parsed = { ok: true; statements: Statement[] } | { ok: false; error: string };

/** Where a copied document held values unknown during preview: their paths and the first error. */
interface Unknowns {
    paths: (string | number)[][];
    errors: unknown[];
}

/** The text an unknown value becomes in a tolerant copy: it matches no action, ARN or principal. */
export const UNKNOWN_TEXT = "(unknown during preview)";

/**
 * Deep copy out of the engine's proxy: reading every value is what surfaces an unknown. With
 * `unknowns`, an unknown value is recorded and copied as UNKNOWN_TEXT instead of thrown.
 */
function plain(value: unknown, unknowns?: Unknowns, path: (string | number)[] = []): unknown {
    const read = (get: () => unknown, key: string | number): unknown => {
        try {
            return plain(get(), unknowns, [...path, key]);
        } catch (e) {
            if (!unknowns || !isUnknownValueError(e)) {
                throw e;
            }
            unknowns.paths.push([...path, key]);
            unknowns.errors.push(e);
            return UNKNOWN_TEXT;
        }
    };
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) {
            out.push(read(() => (value as unknown[])[i], i));
        }
        return out;
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(value)) {
            out[k] = read(() => (value as Record<string, unknown>)[k], k);
        }
        return out;
    }
    return value;
}

/** A statement's fields, as a rule names those it needs known. */
export type StatementField =
    "Effect" | "Action" | "NotAction" | "Resource" | "NotResource" | "Principal" | "NotPrincipal" | "Condition";

/** What a rule reads of a document: the fields it needs, and which statements matter. */
export interface Needs {
    fields: StatementField[];
    /** Only statements of this effect matter: unknowns in statements whose Effect is known and different are tolerated. */
    effect?: "Allow" | "Deny";
}

/** What a public-principal check reads: who is allowed, and under which conditions. */
export const PUBLIC_NEEDS: Needs = { fields: ["Principal", "NotPrincipal", "Condition"], effect: "Allow" };

/** What a TLS-only check reads: a Deny's principal, action and condition. */
export const TLS_DENY_NEEDS: Needs = { fields: ["Principal", "Action", "Condition"], effect: "Deny" };

/** Whether an unknown at `path` (from the document's root) affects a rule that reads `needs`. */
function matters(path: (string | number)[], root: unknown, needs: Needs): boolean {
    if (path[0] !== "Statement") {
        return false;
    }
    const list = (root as Record<string, unknown>).Statement;
    const single = !Array.isArray(list);
    const statement = (single ? list : (list as unknown[])[path[1] as number]) as Record<string, unknown> | undefined;
    const field = single ? path[1] : path[2];
    if (field === undefined || typeof statement !== "object" || statement === null) {
        return true; // the statement list or a whole statement is unknown
    }
    if (needs.effect && statement.Effect !== UNKNOWN_TEXT && statement.Effect !== needs.effect) {
        return false;
    }
    return needs.fields.includes(field as StatementField) || field === "Effect";
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

/**
 * The statements of a policy document. Any value unknown during preview throws (UnknownValueError),
 * unless the rule says which fields it reads (`needs`): then only unknowns in those fields (or in
 * Effect, or a whole statement) throw, and the others read as UNKNOWN_TEXT. A document whose
 * resource ARNs come from a bucket created in the same preview can still be judged on its
 * principals and conditions.
 */
export function parsePolicy(doc: unknown, needs?: Needs): Parsed {
    const unknowns: Unknowns | undefined = needs ? { paths: [], errors: [] } : undefined;
    let value = plain(doc, unknowns);
    if (unknowns && unknowns.paths.length > 0) {
        const i = unknowns.paths.findIndex((p) => matters(p, value, needs!));
        if (i >= 0) {
            throw unknowns.errors[i];
        }
    }
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
    const raw = asList((value as Record<string, unknown>).Statement);
    const odd = raw.findIndex((s) => s === null || typeof s !== "object" || Array.isArray(s));
    if (odd >= 0) {
        // AWS refuses such a document (MalformedPolicyDocument); say so rather than guess.
        return { ok: false, error: `not a policy document (statement ${odd + 1} is not an object)` };
    }
    const statements = (raw as Record<string, unknown>[]).map((s): Statement => {
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
            principalTypes:
                typeof s.Principal === "string"
                    ? ["*"]
                    : s.Principal && typeof s.Principal === "object"
                      ? Object.keys(s.Principal)
                      : [],
            notPrincipals: principalsOf(s.NotPrincipal),
            conditions,
            conditionKeys: Object.values(conditions).flatMap((kv) => Object.keys(kv)),
        };
    });
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

/**
 * Condition keys that confine a statement to known callers: the caller's account, organization
 * or ARN, the calling resource (for service principals), the network (VPC, endpoint, address).
 * AWS treats a policy restricted by these as not public (S3 Block Public Access, Access
 * Analyzer), https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 */
const CONFINING_KEYS = new Set([
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:userid",
    "kms:calleraccount",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
    "lambda:functionarn",
]);

/** ARN-valued confining keys, whose account field must be named for the ARN to confine. */
const ARN_KEYS = new Set(["aws:sourcearn", "aws:principalarn", "s3:dataaccesspointarn", "lambda:functionarn"]);

/**
 * A value that confines nothing: only wildcards, a world-wide address range, or an ARN whose
 * account is a wildcard ("arn:aws:iam::*:role/deployer" is that role name in every account).
 */
function opensEverything(key: string, value: string): boolean {
    const v = value.trim();
    if (/^[*?]*$/.test(v)) {
        return true;
    }
    if (ARN_KEYS.has(key)) {
        const parts = v.split(":");
        // An ARN cut short by a wildcard before its account ("arn:aws:*") names no account either.
        return parts.length < 5 ? /[*?]/.test(v) : /[*?]/.test(parts[4]);
    }
    return key === "aws:sourceip" && /\/(\d+)$/.test(v) && Number(/\/(\d+)$/.exec(v)![1]) < 8;
}

/**
 * Whether a statement carries a condition that confines it (a positive operator, not
 * ...IfExists, which passes when the key is absent; not ForAllValues:, which is true when the key is
 * missing, e.g. aws:PrincipalOrgID for an account outside any organization; not a negation,
 * which lets everyone else in),
 * on a confining key, with values that are not all wildcards.
 */
export function isConfined(s: Statement): boolean {
    return Object.entries(s.conditions).some(
        ([op, kv]) =>
            !/IfExists$/i.test(op) &&
            !/Not/i.test(op) &&
            /^(ForAnyValue:)?(String(Equals|Like)(IgnoreCase)?|Arn(Equals|Like)|IpAddress)$/i.test(op) &&
            Object.entries(kv).some(
                ([k, values]) =>
                    CONFINING_KEYS.has(k.toLowerCase()) &&
                    values.length > 0 &&
                    values.every((v) => !opensEverything(k.toLowerCase(), v)),
            ),
    );
}

/** Whether any condition of the statement names a confining key, however it is written. */
export function mentionsConfiningKey(s: Statement): boolean {
    return Object.values(s.conditions).some((kv) => Object.keys(kv).some((k) => CONFINING_KEYS.has(k.toLowerCase())));
}

/** Whether a principal list lets in every AWS account or anonymous callers. */
export function hasWildcardPrincipal(s: Statement): boolean {
    return s.principals.some((p) => p === "*" || /^arn:aws[a-z-]*:iam::\*:/.test(p)) || s.notPrincipals.length > 0;
}

/** An Allow to everyone that no condition confines: what public means for a resource policy. */
export function isPublicStatement(s: Statement): boolean {
    return s.effect === "Allow" && hasWildcardPrincipal(s) && !isConfined(s);
}

/**
 * Whether an Allow statement's Resource "*" is narrowed by the resources' tags (attribute-based
 * access control): a positive StringEquals/StringLike (not ...IfExists, which passes untagged
 * resources) on aws:ResourceTag/<key> or <service>:ResourceTag/<key>, with values that are not
 * all wildcards. https://docs.aws.amazon.com/IAM/latest/UserGuide/introduction_attribute-based-access-control.html
 */
export function isScopedByResourceTag(s: Statement): boolean {
    return Object.entries(s.conditions).some(
        ([op, kv]) =>
            /^(ForAnyValue:)?String(Equals|Like)(IgnoreCase)?$/i.test(op) &&
            Object.entries(kv).some(
                ([k, values]) =>
                    /^[a-z0-9-]+:resourcetag\/./i.test(k) &&
                    values.length > 0 &&
                    values.every((v) => !/^[*?]*$/.test(v.trim())),
            ),
    );
}

/**
 * Whether a policy denies to everyone, when the request is not over TLS (aws:SecureTransport
 * "false"), every action `covers` accepts in at least one statement: the TLS-only statement of a
 * bucket, topic or queue policy.
 */
export function deniesWithoutTls(doc: unknown, covers: (action: string) => boolean): boolean {
    const parsed = parsePolicy(doc, TLS_DENY_NEEDS);
    return (
        parsed.ok &&
        parsed.statements.some(
            (s) =>
                s.effect === "Deny" &&
                s.principals.includes("*") &&
                s.actions.some(covers) &&
                Object.entries(s.conditions).some(
                    ([op, kv]) =>
                        /^Bool(IfExists)?$/i.test(op) &&
                        Object.entries(kv).some(
                            ([k, v]) =>
                                k.toLowerCase() === "aws:securetransport" && v.some((x) => x.toLowerCase() === "false"),
                        ),
                ),
        )
    );
}
