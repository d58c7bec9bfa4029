/**
 * Reading resource properties the way the engine hands them over: wrapped in
 * `unknownCheckingProxy`, where touching a value that is unknown during preview throws
 * `UnknownValueError`. Rules that must decide what an unknown value means (a reference to a
 * key counts as "set"; an unknown port cannot be trusted) read through `peek`, which turns the
 * throw into data instead of letting it abort the rule.
 */
import * as zlib from "zlib";
import { UnknownValueError } from "@pulumi/policy";

export type Peeked<T = unknown> = { known: true; value: T } | { known: false; path: string };

export function isUnknownValueError(e: unknown): e is { props: (string | symbol)[]; message: string } {
    return e instanceof UnknownValueError;
}

/** The dotted path of an UnknownValueError (e.g. "metadataOptions.httpTokens"). */
export function unknownPath(e: { props: (string | symbol)[] }): string {
    return e.props.map(String).join(".");
}

/** Reads `obj.path[0].path[1]…`; an unknown anywhere on the way is reported, not thrown. */
// Rules read the engine's untyped props; a caller names the type it expects, `any` otherwise.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function peek<T = any>(obj: unknown, ...path: (string | number)[]): Peeked<T | undefined> {
    let cur: unknown = obj;
    try {
        for (const key of path) {
            if (cur === undefined || cur === null) {
                return { known: true, value: undefined };
            }
            cur = (cur as Record<string | number, unknown>)[key];
        }
        // Touch nothing more: a known object may still hold unknowns further down.
        return { known: true, value: cur as T };
    } catch (e) {
        if (isUnknownValueError(e)) {
            return { known: false, path: unknownPath(e) };
        }
        throw e;
    }
}

/** Runs `read`; an unknown value met on the way becomes `{ known: false }`. */
export function attempt<T>(read: () => T): Peeked<T> {
    try {
        return { known: true, value: read() };
    } catch (e) {
        if (isUnknownValueError(e)) {
            return { known: false, path: unknownPath(e) };
        }
        throw e;
    }
}

/**
 * A stack resource's property that is wholly unknown at preview and depends on other resources:
 * the program set it from their outputs (the engine records an input's sources as property
 * dependencies), so it is declared and unknown. Without a dependency, an unknown output is the
 * provider's computed value of a property the program left unset (a security group's `ingress`,
 * a route table's `routes`), which tells nothing.
 */
export function declaredButUnknown(
    r: { props: unknown; propertyDependencies?: Record<string, unknown[]> },
    prop: string,
): boolean {
    return !peek(r.props, prop).known && (r.propertyDependencies?.[prop]?.length ?? 0) > 0;
}

/** A single value or a list, as IAM documents write them, as a list. */
export function asList<T>(value: T | T[] | undefined | null): T[] {
    if (value === undefined || value === null) {
        return [];
    }
    return Array.isArray(value) ? [...value] : [value];
}

/**
 * The entries of a list property, without the null or missing entries a list can hold (an
 * entry left out by a conditional, a null the provider drops): an absent entry sets nothing.
 * Anything that is not a list has no entries. Unknown entries still throw when read.
 */
export function entries<T>(value: readonly T[] | T[] | undefined | null): NonNullable<T>[] {
    if (!Array.isArray(value)) {
        return [];
    }
    const out: NonNullable<T>[] = [];
    for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (item !== undefined && item !== null) {
            out.push(item);
        }
    }
    return out;
}

/**
 * A port (or other whole number) at `path`: numbers as they are, and numeric text ("443", as a
 * program hands over a config value) as the number the provider makes of it. Unknown stays
 * unknown; anything else (unset, "") reads as undefined.
 */
export function peekNumber(obj: unknown, ...path: (string | number)[]): Peeked<number | undefined> {
    const v = peek<unknown>(obj, ...path);
    if (!v.known) {
        return v;
    }
    return { known: true, value: wholeNumber(v.value) };
}

/** A known value as a whole number: a number, or numeric text; anything else is undefined. */
export function wholeNumber(value: unknown): number | undefined {
    if (typeof value === "number") {
        return value;
    }
    if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) {
        return Number(value);
    }
    return undefined;
}

/** Text from a value that should be a string (anything else reads as ""). */
export function text(value: unknown): string {
    return typeof value === "string" ? value : "";
}

/**
 * Launch templates and launch configurations take several boolean-like settings as the
 * strings "true"/"false" (@pulumi/aws 7), Instances as booleans; programs pass either.
 */
export function isTrue(value: unknown): boolean {
    return value === true || (typeof value === "string" && value.trim().toLowerCase() === "true");
}

export function isFalse(value: unknown): boolean {
    return value === false || (typeof value === "string" && value.trim().toLowerCase() === "false");
}

export const ROLE_TAG = "webfleet:role";

/** The `webfleet:role` tag (from `tags`, or `tagsAll` when the provider merged default tags). */
export function roleOf(props: unknown): string | undefined {
    for (const key of ["tags", "tagsAll"]) {
        const role = peek<string>(props, key, ROLE_TAG);
        if (role.known && typeof role.value === "string") {
            return role.value;
        }
    }
    return undefined;
}

/**
 * The role for a check whose verdict depends on it (the bastion may have a public IP): `tags`, or
 * its role tag, unknown during preview is read directly, so the engine's UnknownValueError
 * surfaces and the rule says it cannot verify yet instead of judging an untagged resource.
 */
export function roleForVerdict(props: unknown): string | undefined {
    const tags = (props as Record<string, unknown>).tags;
    const own = tags === undefined || tags === null ? undefined : (tags as Record<string, unknown>)[ROLE_TAG];
    return typeof own === "string" ? own : roleOf(props);
}

/** User data as text: base64 decoded when it is base64, gunzipped when compressed. */
export function decodeUserData(raw: string, base64: boolean): string {
    let bytes: Buffer = Buffer.from(raw, "utf8");
    if (base64 || looksBase64(raw)) {
        const decoded = Buffer.from(raw.replace(/\s+/g, ""), "base64");
        if (base64 || isMostlyText(decoded) || isGzip(decoded)) {
            bytes = decoded;
        }
    }
    if (isGzip(bytes)) {
        try {
            bytes = zlib.gunzipSync(bytes);
        } catch {
            // Not really gzip: scan the bytes as they are.
        }
    }
    return bytes.toString("utf8");
}

function looksBase64(s: string): boolean {
    const compact = s.replace(/\s+/g, "");
    return compact.length >= 8 && compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact);
}

function isGzip(b: Buffer): boolean {
    return b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function isMostlyText(b: Buffer): boolean {
    if (b.length === 0) {
        return false;
    }
    let printable = 0;
    for (const byte of b) {
        if (byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte < 127)) {
            printable++;
        }
    }
    return printable / b.length > 0.95;
}

/** Set, or a reference still unknown at preview (which is set by definition). */
export function present(p: Peeked<unknown>): boolean {
    return !p.known || (p.value !== undefined && p.value !== null && p.value !== "");
}

/** A reference to a key AWS manages for a service (alias/aws/s3, alias/aws/rds, …). */
export function isAwsManagedKey(p: Peeked<unknown>): boolean {
    return p.known && typeof p.value === "string" && /(^|:)alias\/aws\//.test(p.value);
}

/**
 * A customer-managed key: set and not an AWS managed alias. A value unknown at preview is a
 * reference to a key of the stack, so it counts.
 */
export function isCustomerKey(p: Peeked<unknown>): boolean {
    return present(p) && !isAwsManagedKey(p);
}

/** An instance launched from a launch template takes the template's settings for what it leaves unset. */
export function fromTemplate(props: { launchTemplate?: unknown }): boolean {
    const lt = peek(props, "launchTemplate");
    return !lt.known || (lt.value !== undefined && lt.value !== null);
}
