/**
 * The README's rule table, rendered from the code: each rule's metadata and its level in the
 * dev and prod policy config files. `renderPolicyTable()` is what a test compares the READMEs
 * against; the CLI rewrites the table in place:
 *
 *   ts-node --transpile-only policy/docs.ts --write README.md    # replace the table
 *   ts-node --transpile-only policy/docs.ts --check README.md    # exit 1 if it is stale
 *
 * The table sits between the lines `<!-- policy-table:start -->` and `<!-- policy-table:end -->`.
 */
import * as fs from "fs";
import * as path from "path";
import { EnforcementLevel } from "@pulumi/policy";
import { PolicyConfigEntry, ResolvedConfig, loadPolicyPackConfigFile, resolvePolicyConfig } from "./lib/packConfig";
import { UnknownHandling } from "./lib/rule";
import { PACK_ENFORCEMENT_LEVEL, policies, topics } from "./policies";

export const TABLE_START = "<!-- policy-table:start -->";
export const TABLE_END = "<!-- policy-table:end -->";

export const CONFIG_DIR = path.join(__dirname, "config");
export const STACKS = ["dev", "prod"] as const;

/** "aws:rds/instance:Instance" → "aws.rds.Instance"; "awsx:ec2:Vpc" → "awsx.ec2.Vpc". */
export function shortType(token: string): string {
    const [pkg, mod, name] = token.split(":");
    return `${pkg}.${(mod ?? "").split("/")[0]}.${name ?? ""}`;
}

const UNKNOWN_WORDS: Record<UnknownHandling, string> = {
    violation: "violation",
    advisory: "advisory note",
    reference: "reference to the stack: passes",
};

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The level of a rule in one stack's config, with the settings that differ from the rule's defaults. */
function levelCell(name: string, resolved: ResolvedConfig, defaults: ResolvedConfig): string {
    const level: EnforcementLevel = resolved[name].enforcementLevel;
    const changed = Object.entries(resolved[name].properties)
        .filter(([k, v]) => k !== "exemptions" && JSON.stringify(v) !== JSON.stringify(defaults[name].properties[k]))
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
    const exemptions = (resolved[name].properties.exemptions as unknown[] | undefined)?.length ?? 0;
    const extras = [...changed, ...(exemptions > 0 ? [`${exemptions} exemption(s)`] : [])];
    return extras.length > 0 ? `${level} (${extras.join(", ")})` : level;
}

/** Each stack's policy config file, parsed (the table and the tests read the same files). */
export function loadStackConfigs(
    dir: string = CONFIG_DIR,
): Record<(typeof STACKS)[number], Record<string, PolicyConfigEntry>> {
    return {
        dev: loadPolicyPackConfigFile(path.join(dir, "dev.json")),
        prod: loadPolicyPackConfigFile(path.join(dir, "prod.json")),
    };
}

export function renderPolicyTable(configs = loadStackConfigs()): string {
    const defaults = resolvePolicyConfig(policies, undefined, PACK_ENFORCEMENT_LEVEL);
    const dev = resolvePolicyConfig(policies, configs.dev, PACK_ENFORCEMENT_LEVEL, "dev.json");
    const prod = resolvePolicyConfig(policies, configs.prod, PACK_ENFORCEMENT_LEVEL, "prod.json");
    const rows = [
        "| Topic | Rule | Resources | What it checks | dev | prod | Unknown at preview | Severity | Equivalent IDs |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ];
    for (const { topic, policies: list } of topics) {
        for (const p of list) {
            const m = p.metadata;
            rows.push(
                "| " +
                    [
                        topic,
                        `\`${p.name}\``,
                        [...new Set(m.resources.map(shortType))].join(", "),
                        m.checks,
                        levelCell(p.name, dev, defaults),
                        levelCell(p.name, prod, defaults),
                        UNKNOWN_WORDS[m.unknown],
                        p.severity ?? "",
                        m.equivalents.length > 0 ? m.equivalents.join(", ") : "none",
                    ]
                        .map(cell)
                        .join(" | ") +
                    " |",
            );
        }
    }
    return rows.join("\n");
}

/** `text` with the table between the markers replaced by `table`. */
export function replaceTable(text: string, table: string): string {
    const start = text.indexOf(TABLE_START);
    const end = text.indexOf(TABLE_END);
    if (start < 0 || end < 0 || end < start) {
        throw new Error(`the file needs the lines ${TABLE_START} and ${TABLE_END} around the rule table`);
    }
    return `${text.slice(0, start + TABLE_START.length)}\n${table}\n${text.slice(end)}`;
}

/** The table currently between the markers. */
export function extractTable(text: string): string | undefined {
    const start = text.indexOf(TABLE_START);
    const end = text.indexOf(TABLE_END);
    if (start < 0 || end < 0 || end < start) {
        return undefined;
    }
    return text.slice(start + TABLE_START.length, end).trim();
}

/** The CLI; returns the exit code (0 ok, 1 stale on --check, 2 usage or file problems). */
export function main(argv: string[]): number {
    const [mode, file] = argv;
    if ((mode !== "--write" && mode !== "--check") || !file) {
        process.stderr.write("usage: ts-node --transpile-only policy/docs.ts --write FILE | --check FILE\n");
        return 2;
    }
    try {
        const text = fs.readFileSync(file, "utf8");
        const updated = replaceTable(text, renderPolicyTable());
        if (mode === "--check") {
            if (updated !== text) {
                process.stderr.write(
                    `${file}: the policy table is out of date; run ts-node --transpile-only policy/docs.ts --write ${file}\n`,
                );
                return 1;
            }
            return 0;
        }
        if (updated !== text) {
            fs.writeFileSync(file, updated);
        }
        process.stdout.write(
            `${file}: policy table of ${policies.length} rules ${updated !== text ? "written" : "already up to date"}\n`,
        );
        return 0;
    } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        return 2;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
