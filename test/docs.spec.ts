/**
 * The docs stay true to the code: the README is short and leads to every page; every relative
 * path a page, the README or a code comment mentions exists (and every #anchor a link names);
 * the outputs table is generated from lib/outputDocs.ts, which is exactly what index.ts exports,
 * with the declared types, in both stacks.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { OUTPUTS_TABLE_END, OUTPUTS_TABLE_START, OUTPUT_DOCS, renderOutputsTable } from "../lib/outputDocs";
import { ProgramRun, REPO_ROOT } from "../offline/program";
import { withTable } from "../stackConfig/docs";
import { sharedRun } from "./support/program";

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
const README = read("README.md");
const DOC_PAGES = fs
    .readdirSync(path.join(REPO_ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`);

/** Files whose text is scanned for path mentions: the docs and every source file we own. */
function sourceFiles(dir = ""): string[] {
    const skip = new Set(["node_modules", ".git", "dist", "bin", "corpus"]);
    return fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) return skip.has(e.name) ? [] : sourceFiles(rel);
        return /\.(ts|js|mjs|md|ya?ml)$/.test(e.name) || e.name === "run" ? [rel] : [];
    });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function anchorsOf(markdown: string): Set<string> {
    const seen = new Map<string, number>();
    const anchors = new Set<string>();
    let fenced = false;
    for (const line of markdown.split("\n")) {
        if (line.startsWith("```")) fenced = !fenced;
        const m = !fenced && /^#{1,6} (.*)$/.exec(line);
        if (!m) continue;
        const base = m[1]
            .trim()
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\s_-]/gu, "")
            .replace(/\s/g, "-");
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    return anchors;
}

/** Top-level folders a path mention must start with to be checked (prose mentions many other words with a slash). */
const ROOTS = [
    "components",
    "lib",
    "app",
    "offline",
    "policy",
    "stackConfig",
    "preflight",
    "e2e",
    "test",
    "docs",
    "scripts",
    "bench",
    "examples",
    ".github",
    ".ci",
];
const MENTION = new RegExp(
    `(?<![\\w./@:-])((?:${ROOTS.map((r) => r.replace(".", "\\.")).join("|")})/[\\w./*-]*[\\w/*])`,
    "g",
);

/** Mentions that name a pattern (a glob, a placeholder), not one file. */
function isPattern(p: string): boolean {
    return /[<>*{}]|\.\.\.|…/.test(p);
}

/** What of a file is prose: a source file's comments, a document's whole text. */
function proseOf(file: string): string {
    const text = read(file);
    return /\.(ts|js|mjs)$/.test(file) ? (text.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g) ?? []).join("\n") : text;
}

/** A mention exists relative to the repository, or to the package it is written in (policy/). */
function exists(mention: string, file: string): boolean {
    const bases = file.startsWith("policy/") || file.startsWith("test/policy/") ? ["", "policy"] : [""];
    return bases.some((base) =>
        ["", ".ts", ".md"].some((ext) => fs.existsSync(path.join(REPO_ROOT, base, mention + ext))),
    );
}

/** Files that describe another repository (the pack's example for a team's own), whose paths are its. */
const OTHER_REPOSITORIES = ["examples/policy-in-another-repo/"];

describe("docs stay true to the code", function () {
    this.timeout(120_000);

    it("keeps the README short, with the two quick-start commands and a link to every docs page", () => {
        expect(README.split("\n").length).to.be.at.most(250);
        expect(README).to.include("```sh\nnpm ci && npm test\nnpm run plan -- --stack dev\n```");
        for (const page of DOC_PAGES) {
            expect(README, `README links ${page}`).to.include(`](${page})`);
        }
    });

    it("runs in CI exactly the quick start", () => {
        const ci = read(".ci/run");
        for (const command of ["npm ci", "npm test", "npm run plan -- --stack dev", "npm run plan -- --stack prod"]) {
            expect(ci, command).to.match(new RegExp(`^${command.replace(/[-]/g, "\\-")}( |$)`, "m"));
        }
    });

    it("links only to files and headings that exist", () => {
        const broken: string[] = [];
        for (const file of ["README.md", ...DOC_PAGES, ...sourceFiles().filter((f) => f.endsWith(".md"))]) {
            const text = read(file);
            for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^(https?:|mailto:)/.test(target)) continue;
                const [file2, anchor] = target.split("#");
                const resolved = file2 ? path.normalize(path.join(path.dirname(file), file2)) : file;
                if (!fs.existsSync(path.join(REPO_ROOT, resolved))) {
                    broken.push(`${file}: ${target} (no ${resolved})`);
                } else if (anchor && resolved.endsWith(".md") && !anchorsOf(read(resolved)).has(anchor)) {
                    broken.push(`${file}: ${target} (no heading #${anchor} in ${resolved})`);
                }
            }
        }
        expect([...new Set(broken)]).to.deep.equal([]);
    });

    it("mentions, in docs, README and code comments, only paths that exist", () => {
        const missing: string[] = [];
        for (const file of sourceFiles().filter((f) => !OTHER_REPOSITORIES.some((o) => f.startsWith(o)))) {
            for (const [, mention] of proseOf(file).matchAll(MENTION)) {
                const p = mention.replace(/[.,:;]+$/, "");
                if (isPattern(p) || exists(p, file)) continue;
                missing.push(`${file}: ${p}`);
            }
        }
        expect([...new Set(missing)]).to.deep.equal([]);
    });

    describe("stack outputs", () => {
        let runs: ProgramRun[];
        before(async () => {
            runs = [await sharedRun("dev"), await sharedRun("prod")];
        });

        it("declares exactly the outputs index.ts exports, with their types, in both stacks", () => {
            for (const run of runs) {
                expect(Object.keys(run.outputs).sort(), run.stack).to.deep.equal(Object.keys(OUTPUT_DOCS).sort());
                for (const [name, { value, secret }] of Object.entries(run.outputs)) {
                    const declared = OUTPUT_DOCS[name].type;
                    const actual = Array.isArray(value)
                        ? value.every((v) => typeof v === "string") && "string[]"
                        : value === null
                          ? "null"
                          : typeof value;
                    const fits = declared === "string | null" ? ["string", "null"] : [declared];
                    expect(fits, `${run.stack} ${name}: ${JSON.stringify(value)}`).to.include(actual);
                    expect(secret, `${name} is not a secret`).to.equal(false);
                }
            }
        });

        it("has its table in docs/outputs.md as generated (npm run docs)", () => {
            const page = read("docs/outputs.md");
            expect(withTable(page, renderOutputsTable(), OUTPUTS_TABLE_START, OUTPUTS_TABLE_END)).to.equal(page);
        });
    });
});
