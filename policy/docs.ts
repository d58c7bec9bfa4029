/**
 * The pack's two generated tables, rendered from the code: the rule table (each rule's metadata
 * and its level in the dev and prod policy config files) and the coverage table (every
 * @pulumi/awsguard policy and cdk-nag AwsSolutions rule, with the pack rules that cover it or
 * the reason it does not apply). A test compares docs/policy-pack.md against them; the CLI
 * rewrites them in place:
 *
 *   ts-node --transpile-only policy/docs.ts --write docs/policy-pack.md    # replace the tables
 *   ts-node --transpile-only policy/docs.ts --check docs/policy-pack.md    # exit 1 if stale
 *
 * Each table sits between its marker lines (`<!-- policy-table:start -->` … `:end -->`,
 * `<!-- coverage-table:start -->` … `:end -->`); a file may hold either or both.
 */
import * as fs from "fs";
import * as path from "path";
import { EnforcementLevel } from "@pulumi/policy";
import { PolicyConfigEntry, ResolvedConfig, loadPolicyPackConfigFile, resolvePolicyConfig } from "./lib/packConfig";
import { AWSGUARD_RULES, AWS_SOLUTIONS_RULES, PeerRule } from "./coverage";
import { EVERY_TYPE, Equivalents, UnknownHandling, WebfleetPolicy } from "./lib/rule";
import { PACK_ENFORCEMENT_LEVEL, policies, topics } from "./policies";

export const TABLE_START = "<!-- policy-table:start -->";
export const TABLE_END = "<!-- policy-table:end -->";
export const COVERAGE_START = "<!-- coverage-table:start -->";
export const COVERAGE_END = "<!-- coverage-table:end -->";

export const CONFIG_DIR = path.join(__dirname, "config");
export const STACKS = ["dev", "prod"] as const;

/** "aws:rds/instance:Instance" → "aws.rds.Instance"; "awsx:ec2:Vpc" → "awsx.ec2.Vpc". */
export function shortType(token: string): string {
    if (token === EVERY_TYPE) {
        return "every resource";
    }
    const [pkg, mod, name] = token.split(":");
    return `${pkg}.${(mod ?? "").split("/")[0]}.${name ?? ""}`;
}

const UNKNOWN_WORDS: Record<UnknownHandling, string> = {
    violation: "violation",
    advisory: "advisory until known, checked before creation",
    reference: "reference to the stack: passes",
};

/** Every peer ID a rule names, prefixed as the peers spell them. */
export function equivalentIds(e: Equivalents): string[] {
    return [...(e.cdkNag ?? []), ...(e.checkov ?? []), ...(e.awsguard ?? []).map((a) => `awsguard ${a}`)];
}

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
        "| Topic | Rule | Severity | Resources | What it checks | dev | prod | Unknown at preview | Equivalent IDs |",
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
                        p.severity,
                        [...new Set(m.resources.map(shortType))].join(", "),
                        m.checks,
                        levelCell(p.name, dev, defaults),
                        levelCell(p.name, prod, defaults),
                        UNKNOWN_WORDS[m.unknown],
                        equivalentIds(m.equivalents).join(", ") || "none",
                    ]
                        .map(cell)
                        .join(" | ") +
                    " |",
            );
        }
    }
    return rows.join("\n");
}

/** The pack rules whose metadata names a peer ID (cdk-nag) or policy name (awsguard). */
export function coveringRules(
    peer: "awsguard" | "cdkNag",
    id: string,
    list: WebfleetPolicy[] = policies,
): WebfleetPolicy[] {
    return list.filter((p) => (p.metadata.equivalents[peer] ?? []).includes(id));
}

function coverageRows(source: string, peer: "awsguard" | "cdkNag", rules: PeerRule[]): string[] {
    return rules.map((r) => {
        const covering = coveringRules(peer, r.id);
        const by = covering.length > 0 ? covering.map((p) => `\`${p.name}\``).join(", ") : "";
        const why = r.reason ? `not covered: ${r.reason}` : (r.note ?? "");
        return "| " + [source, `\`${r.id}\``, r.about, by || "none", why].map(cell).join(" | ") + " |";
    });
}

export function renderCoverageTable(): string {
    return [
        "| Pack | Peer rule | What it checks | Covered by | Notes |",
        "| --- | --- | --- | --- | --- |",
        ...coverageRows("@pulumi/awsguard", "awsguard", AWSGUARD_RULES),
        ...coverageRows("cdk-nag AwsSolutions", "cdkNag", AWS_SOLUTIONS_RULES),
    ].join("\n");
}

const MARKERS: [string, string, () => string][] = [
    [TABLE_START, TABLE_END, () => renderPolicyTable()],
    [COVERAGE_START, COVERAGE_END, () => renderCoverageTable()],
];

/** `text` with the table between the markers replaced by `table`. */
export function replaceTable(text: string, table: string, start = TABLE_START, end = TABLE_END): string {
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < 0 || j < i) {
        throw new Error(`the file needs the lines ${start} and ${end} around the table`);
    }
    return `${text.slice(0, i + start.length)}\n${table}\n${text.slice(j)}`;
}

/** The table currently between the markers. */
export function extractTable(text: string, start = TABLE_START, end = TABLE_END): string | undefined {
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < 0 || j < i) {
        return undefined;
    }
    return text.slice(i + start.length, j).trim();
}

/** `text` with every table whose markers it holds regenerated; an error when it holds none. */
export function updateTables(text: string): string {
    const present = MARKERS.filter(([start, end]) => extractTable(text, start, end) !== undefined);
    if (present.length === 0) {
        throw new Error(
            `the file needs the lines ${TABLE_START} and ${TABLE_END} (or ${COVERAGE_START} and ${COVERAGE_END}) around a table`,
        );
    }
    return present.reduce((t, [start, end, render]) => replaceTable(t, render(), start, end), text);
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
        const updated = updateTables(text);
        if (mode === "--check") {
            if (updated !== text) {
                process.stderr.write(
                    `${file}: the generated tables are out of date; run ts-node --transpile-only policy/docs.ts --write ${file}\n`,
                );
                return 1;
            }
            return 0;
        }
        if (updated !== text) {
            fs.writeFileSync(file, updated);
        }
        process.stdout.write(
            `${file}: tables of ${policies.length} rules ${updated !== text ? "written" : "already up to date"}\n`,
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
