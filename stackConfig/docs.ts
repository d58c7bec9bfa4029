/**
 * What the declarations (keys.ts) give the docs and the project file: the configuration table
 * (docs/configuration.md, between markers) and Pulumi.yaml's `config:` block. Both are generated
 * by `npm run docs` and checked current by test/configDocs.spec.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { KeyDef, allKeys } from "./keys";

const ROOT = path.resolve(__dirname, "..");

function text(value: unknown): string {
    if (Array.isArray(value)) return value.length ? value.join(", ") : "[]";
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value);
        return entries.length ? entries.map(([k, v]) => `${k}: ${String(v)}`).join(", ") : "{}";
    }
    return String(value);
}

function defaultText(def: KeyDef<unknown>): string {
    const d = def.default;
    if (!d) return "none";
    if (d.kind === "value") return text(d.value);
    if (d.kind === "perEnv") return text(d.dev) === text(d.prod) ? text(d.dev) : `${text(d.dev)} / ${text(d.prod)}`;
    return d.doc;
}

/** A stack file's value at `key` ("network.cidr"), as the table shows it. */
function shipped(stack: string, keyPath: string): string | undefined {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
        config?: Record<string, unknown>;
    };
    const [section, key] = keyPath.split(".");
    const top = doc.config?.[`webfleet:${section}`];
    const value = key === undefined ? top : (top as Record<string, unknown> | undefined)?.[key];
    return value === undefined ? undefined : text(value);
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The table of every key: type, default per environment, what the shipped stacks set, meaning. */
export function renderConfigTable(): string {
    const rows = [
        "| key | type | default (dev / prod) | shipped dev / prod | meaning |",
        "|---|---|---|---|---|",
        "| `aws:region` | AWS region | required | us-east-1 / us-east-1 | the stack's region, in AWS's commercial partition (GovCloud, China and the isolated regions are refused: the program writes arn:aws ARNs) |",
    ];
    for (const { path: keyPath, def } of allKeys()) {
        const dev = shipped("dev", keyPath);
        const prod = shipped("prod", keyPath);
        const set = dev === undefined && prod === undefined ? "defaults" : `${dev ?? "default"} / ${prod ?? "default"}`;
        rows.push(
            `| \`${keyPath}\` | ${cell(def.kind.docType)} | ${cell(defaultText(def))} | ${cell(set)} | ${cell(def.description)} |`,
        );
    }
    return rows.join("\n");
}

/**
 * Pulumi.yaml's `config:` block. The project file can declare only string, integer, boolean and
 * array keys; the sections are maps, so they are listed in a comment, each key with its type,
 * and `environment`, a plain string, is declared for `pulumi config` to show.
 */
export function renderPulumiYamlConfig(): string {
    const keys = allKeys();
    const sections = new Map<string, string[]>();
    for (const k of keys) {
        if (k.section)
            sections.set(k.section, [...(sections.get(k.section) ?? []), `${k.name} (${k.def.kind.docType})`]);
    }
    const comment = [
        "# Project config, generated from stackConfig/keys.ts by `npm run docs` (do not edit by hand).",
        "# Pulumi.yaml can declare only string, integer, boolean and array keys, and the sections below",
        "# are maps, set with `pulumi config set --path '<section>.<key>' <value>`; docs/configuration.md",
        "# has every key with its default and meaning. The validator (stackConfig/) checks them all.",
        ...[...sections].flatMap(([section, names]) => {
            const lines: string[] = [];
            let line = `#   ${section}:`.padEnd(16);
            for (const name of names) {
                if (line.length + name.length + 2 > 100) {
                    lines.push(line.trimEnd());
                    line = "#".padEnd(16);
                }
                line += `${name}, `;
            }
            lines.push(line.replace(/, $/, ""));
            return lines;
        }),
        "#   tags:         extra tags for every resource (a map of strings)",
    ];
    const environment = keys.find((k) => k.path === "environment")!;
    const block = YAML.stringify({
        config: { environment: { type: "string", description: `dev or prod: ${environment.def.description}.` } },
    });
    return `${comment.join("\n")}\n${block}`;
}

export const TABLE_START = "<!-- config-table:start -->";
export const TABLE_END = "<!-- config-table:end -->";
export const YAML_MARKER = "# Project config, generated from stackConfig/keys.ts";

/** `page` with the text between the markers replaced by `table`. */
export function withTable(page: string, table: string, start = TABLE_START, end = TABLE_END): string {
    const a = page.indexOf(start);
    const b = page.indexOf(end);
    if (a < 0 || b < a) throw new Error(`the page has no ${start} … ${end} markers`);
    return `${page.slice(0, a + start.length)}\n${table}\n${page.slice(b)}`;
}

/** Pulumi.yaml with its config block (from the marker to the end) regenerated. */
export function withPulumiYamlConfig(file: string): string {
    const i = file.indexOf(YAML_MARKER);
    const head = i >= 0 ? file.slice(0, i) : file.replace(/\n?#[^\n]*\n(#[^\n]*\n)*config:[\s\S]*$/, "\n");
    return `${head.trimEnd()}\n${renderPulumiYamlConfig()}`;
}
