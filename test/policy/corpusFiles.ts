/**
 * Reading the corpora (test/policy/corpus/), shared by the corpus spec and the robustness spec:
 * the files, their cases, and the YAML shorthands turned into what the engine hands a rule.
 *
 * Values: "(unknown)" is a value unknown during preview; { $json: … } is the JSON text of a
 * value (container definitions); { $b64: "…" } is base64 text (launch template user data).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { UNKNOWN } from "./helpers";

const DIR = path.join(__dirname, "corpus");

export const HARDENED_FILE = path.join(DIR, "hardened.yaml");

/** The adversarial files, in name order. */
export function adversarialFiles(): string[] {
    return fs
        .readdirSync(path.join(DIR, "adversarial"))
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => path.join(DIR, "adversarial", f));
}

/** A corpus file's cases (an empty file holds none). */
export function loadCases<T>(file: string): T[] {
    return (YAML.parse(fs.readFileSync(file, "utf8")) as T[] | null) ?? [];
}

/** "(unknown)" → the engine's unknown sentinel; { $json } → JSON text; { $b64 } → base64. */
export function materialize(value: unknown): unknown {
    if (value === "(unknown)") {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        return value.map(materialize);
    }
    if (value !== null && typeof value === "object") {
        const o = value as Record<string, unknown>;
        if ("$json" in o) {
            return JSON.stringify(materialize(o.$json));
        }
        if ("$b64" in o) {
            return Buffer.from(String(o.$b64), "utf8").toString("base64");
        }
        return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, materialize(v)]));
    }
    return value;
}
