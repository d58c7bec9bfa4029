/**
 * The kinds of value a config key can hold. A kind knows what it accepts (`parse`), how to say
 * so (`expected`, and the short `docType` of the docs table), what Pulumi.yaml can declare of it
 * (`pulumiType`), and how to turn a rejected value into the nearest accepted one (`suggest`):
 * the case-corrected enum value, the CIDR's own network address, the number a numeric string
 * holds, a list's elements from the JSON text Pulumi stored as a string. The fix hints are built
 * from those suggestions, never from fixed text.
 */
import { formatIpv4Cidr, isCanonical, networkOf, parseIpv4Cidr } from "../lib/cidr";

export type PulumiType = "string" | "integer" | "boolean" | "array" | "object";

export interface Kind<T> {
    /** A list's element kind and length bounds, so problems are reported per element. */
    readonly item?: Kind<unknown>;
    /** A record's fields, so problems are reported per field (`bastion.users[1].publicKey`). */
    readonly fields?: Record<string, Field>;
    readonly minItems?: number;
    readonly maxItems?: number;
    /** What it accepts, in words: "a whole number from 2 to 6". */
    readonly expected: string;
    /** The docs table's type column: "2–6", "boolean", "CIDR". */
    readonly docType: string;
    readonly pulumiType: PulumiType;
    /** The value when accepted; undefined when not. */
    accept(value: unknown): T | undefined;
    /** The nearest accepted value to a rejected one, if there is an obvious one. */
    suggest(value: unknown): T | undefined;
    /** What is wrong with this rejected value in particular ("an RSA key of 2048 bits…"), when `expected` alone would not say. */
    why?(value: unknown): string | undefined;
}

/** One field of a record: its kind, and whether an entry without it is refused. */
export interface Field {
    kind: Kind<unknown>;
    required?: boolean;
}

const ok = <T>(accept: (v: unknown) => T | undefined) => accept;

export function boolean(): Kind<boolean> {
    return {
        expected: "true or false",
        docType: "boolean",
        pulumiType: "boolean",
        accept: ok((v) => (typeof v === "boolean" ? v : undefined)),
        suggest: (v) => {
            const s = String(v).trim().toLowerCase();
            return ["true", "yes", "on", "1"].includes(s)
                ? true
                : ["false", "no", "off", "0"].includes(s)
                  ? false
                  : undefined;
        },
    };
}

function numeric(v: unknown): number | undefined {
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
    return undefined;
}

/** A whole number from `min` to `max`; `what` names the unit ("seconds", "gigabytes"). */
export function int(min: number, max: number, what = "a whole number"): Kind<number> {
    return {
        expected: `${what} from ${min} to ${max}`,
        docType: `${min}–${max}`,
        pulumiType: "integer",
        accept: ok((v) => (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? v : undefined)),
        suggest: (v) => {
            const n = numeric(v);
            return n === undefined ? undefined : Math.min(max, Math.max(min, Math.round(n)));
        },
    };
}

/** A number in (gt, max] or [min, max]. */
export function number(range: { gt?: number; min?: number; max: number }, what = "a number"): Kind<number> {
    const low = range.gt !== undefined ? `above ${range.gt}` : `from ${range.min}`;
    const fits = (n: number) => (range.gt !== undefined ? n > range.gt : n >= range.min!) && n <= range.max;
    return {
        expected: `${what} ${low}, at most ${range.max}`,
        docType: `${range.gt !== undefined ? `>${range.gt}` : range.min}–${range.max}`,
        pulumiType: "string",
        // `pulumi config set --path k 0.5` stores the text "0.5" (only integers become numbers,
        // unless --type float), so a number written as text is the number it says.
        accept: ok((v) => {
            const n = numeric(v);
            return n !== undefined && fits(n) ? n : undefined;
        }),
        // Out of range has no obvious nearest value (0 % is not "almost 0.1 %"): the default is.
        suggest: () => undefined,
    };
}

/** One of `values`, matched exactly; a value differing only in case is suggested corrected. */
export function oneOf<const V extends string | number>(
    values: readonly V[],
    expected?: string,
    docType?: string,
): Kind<V> {
    return {
        expected: expected ?? `one of ${values.join(", ")}`,
        docType: docType ?? values.join(", "),
        pulumiType: typeof values[0] === "number" ? "integer" : "string",
        accept: ok((v) => ((values as readonly unknown[]).includes(v) ? (v as V) : undefined)),
        suggest: (v) => {
            const n = numeric(v);
            if (n !== undefined && typeof values[0] === "number") {
                // The nearest allowed number (ties go up: more retention, a longer interval).
                return [...values].sort(
                    (a, b) => Math.abs(Number(a) - n) - Math.abs(Number(b) - n) || Number(b) - Number(a),
                )[0];
            }
            const s = String(v).trim().toLowerCase();
            return values.find((x) => String(x).toLowerCase() === s) ?? closest(String(v), values);
        },
    };
}

/** A string matching `pattern`; `normalize` (e.g. lower-casing a DNS name) gives the suggestion. */
export function pattern(
    re: RegExp | ((s: string) => boolean),
    expected: string,
    docType: string,
    normalize: (s: string) => string = (s) => s.trim(),
    maxLength = 1024,
    /** Take a number as its text (`--path k 17` stores the number 17, not "17"). */
    numbersAsText = false,
): Kind<string> {
    const matches = typeof re === "function" ? re : (s: string) => re.test(s);
    const fits = (s: string) => s.length <= maxLength && matches(s);
    return {
        expected,
        docType,
        pulumiType: "string",
        accept: ok((v) =>
            typeof v === "string" && fits(v)
                ? v
                : numbersAsText && typeof v === "number" && fits(String(v))
                  ? String(v)
                  : undefined,
        ),
        suggest: (v) => {
            if (typeof v !== "string" && typeof v !== "number") return undefined;
            const s = normalize(String(v));
            return fits(s) ? s : undefined;
        },
    };
}

/**
 * A string `problem` finds nothing wrong with; its words for what is wrong with a value go into
 * the message, so one kind can say "too short" of one key and "DSA" of another.
 */
export function judged(
    problem: (s: string) => string | undefined,
    expected: string,
    docType: string,
    normalize: (s: string) => string = (s) => s.trim(),
    maxLength = 1024,
): Kind<string> {
    const fits = (s: string) => s.length <= maxLength && problem(s) === undefined;
    return {
        expected,
        docType,
        pulumiType: "string",
        accept: ok((v) => (typeof v === "string" && fits(v) ? v : undefined)),
        suggest: (v) => {
            if (typeof v !== "string") return undefined;
            const s = normalize(v);
            return fits(s) ? s : undefined;
        },
        why: (v) =>
            typeof v !== "string"
                ? undefined
                : v.length > maxLength
                  ? `it is longer than ${maxLength} characters`
                  : problem(v.trim()),
    };
}

/** A canonical IPv4 CIDR block with a prefix in [minPrefix, maxPrefix]; host bits suggest the network address. */
export function cidr(minPrefix = 0, maxPrefix = 32, example = "203.0.113.0/24"): Kind<string> {
    const fits = (s: string) => {
        const c = parseIpv4Cidr(s);
        return c !== undefined && isCanonical(c) && c.prefix >= minPrefix && c.prefix <= maxPrefix;
    };
    return {
        expected:
            minPrefix === 0 && maxPrefix === 32
                ? `a canonical IPv4 CIDR block like ${example}`
                : `a canonical IPv4 CIDR block from /${minPrefix} to /${maxPrefix}`,
        docType: minPrefix === 0 && maxPrefix === 32 ? "IPv4 CIDR" : `IPv4 CIDR /${minPrefix}–/${maxPrefix}`,
        pulumiType: "string",
        accept: ok((v) => (typeof v === "string" && fits(v) ? v : undefined)),
        suggest: (v) => {
            const c = typeof v === "string" ? parseIpv4Cidr(v.trim()) : undefined;
            if (!c) return undefined;
            const canonical = formatIpv4Cidr(networkOf(c));
            return fits(canonical) ? canonical : undefined;
        },
    };
}

/** Pulumi keeps `--path 'key' '["a","b"]'` as a string: read such text as what was meant. */
function fromJsonText(v: unknown): unknown {
    if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return v;
    try {
        return JSON.parse(v) as unknown;
    } catch {
        return v;
    }
}

/** A list of `item`s, `min` to `max` long. */
export function list<T>(item: Kind<T>, min: number, max: number, what: string): Kind<T[]> {
    return {
        item: item,
        minItems: min,
        maxItems: max,
        expected: what,
        docType: `list of ${item.docType}`,
        pulumiType: "array",
        accept: ok((v) => {
            if (!Array.isArray(v) || v.length < min || v.length > max) return undefined;
            const out = v.map((x) => item.accept(x));
            return out.every((x) => x !== undefined) ? out : undefined;
        }),
        suggest: (v) => {
            const raw = fromJsonText(v);
            const items = Array.isArray(raw) ? raw : typeof raw === "string" && raw.trim() ? [raw] : undefined;
            if (!items) return undefined;
            const out = items.map((x) => item.accept(x) ?? item.suggest(x));
            return out.every((x) => x !== undefined) && out.length >= min && out.length <= max ? out : undefined;
        },
    };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * A map with named fields (a list entry like `{name, publicKey, expires}`): accepted when every
 * field it has is known and accepted and every required one is there.
 */
export function record<T>(fields: Record<string, Field>, expected: string, docType: string): Kind<T> {
    const each = (v: unknown, value: (f: Field, x: unknown) => unknown): T | undefined => {
        if (!isRecord(v) || Object.keys(v).some((k) => !(k in fields))) return undefined;
        const out: Record<string, unknown> = {};
        for (const [name, f] of Object.entries(fields)) {
            if (v[name] === undefined) {
                if (f.required) return undefined;
                continue;
            }
            const x = value(f, v[name]);
            if (x === undefined) return undefined;
            out[name] = x;
        }
        return out as T;
    };
    return {
        fields,
        expected,
        docType,
        pulumiType: "object",
        accept: ok((v) => each(v, (f, x) => f.kind.accept(x))),
        suggest: (v) => each(fromJsonText(v), (f, x) => f.kind.accept(x) ?? f.kind.suggest(x)),
    };
}

/** A map of free-form keys to `item`s (tags). */
export function map<T>(item: Kind<T>, what: string): Kind<Record<string, T>> {
    const accept = (v: unknown) => {
        if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
        const entries = Object.entries(v).map(([k, x]) => [k, item.accept(x)] as const);
        return entries.every(([, x]) => x !== undefined)
            ? (Object.fromEntries(entries) as Record<string, T>)
            : undefined;
    };
    return {
        expected: what,
        docType: `map of ${item.docType}`,
        pulumiType: "object",
        accept,
        suggest: (v) => {
            const raw = fromJsonText(v);
            if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return undefined;
            const entries = Object.entries(raw).map(([k, x]) => [k, item.accept(x) ?? item.suggest(x)] as const);
            return entries.every(([, x]) => x !== undefined)
                ? (Object.fromEntries(entries) as Record<string, T>)
                : undefined;
        },
    };
}

/** Edit distance, for "did you mean". */
export function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}

/** The candidate nearest to `text` (case-insensitive), if it is near enough to be a typo of it. */
export function closest<V>(text: string, candidates: readonly V[]): V | undefined {
    const t = text.toLowerCase();
    let best: { v: V; d: number } | undefined;
    for (const v of candidates) {
        const d = distance(t, String(v).toLowerCase());
        if (!best || d < best.d) best = { v, d };
    }
    return best && best.d <= Math.max(2, Math.floor(String(best.v).length / 4)) ? best.v : undefined;
}
