/**
 * `npm run plan -- --stack <name> [options]`: the offline preview (`--help` for the options).
 * Runs the program and the policy pack in both phases under the mocks with the stack's own
 * config, and prints the verdict first, then the violations, the tree, the outputs and the cost
 * (offline/text.ts); or one JSON document (offline/render.ts); or, with `--diff <git-ref>`, what
 * the working tree changes against the plan at that ref (offline/diff.ts). Exit codes: 0 no
 * mandatory violation, 1 mandatory violations, 2 bad usage or config, 3 the program failed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
// Types and light modules only at the top: the SDKs load when a plan runs, so `--help` and
// usage errors answer at once.
import type { PlanDocument } from "./diff";
import { ProgramError, UsageError, isConfigError, isPolicyConfigError } from "./errors";
import type { PlanResult } from "./plan";
import type { ProgramRun } from "./program";

export interface CliOptions {
    stack: string;
    json: boolean;
    /** Also write the JSON document here. */
    out?: string;
    details: boolean;
    /** Compare with the plan at this git ref. */
    diff?: string;
    configFile?: string;
    /** Where to write the architecture diagram. */
    diagram?: string;
    help: boolean;
}

export const USAGE = `usage: npm run plan -- --stack <name> [options]

  --stack, -s <name>   the stack: dev, prod, or any with a Pulumi.<name>.yaml
  --json               print the plan as one JSON document instead of text
  --out <file.json>    also write the JSON document (or, with --diff, the diff) to a file
  --details            text in the long form: full type tokens, no line shortened
  --diff <git-ref>     what this working tree changes against the plan at <git-ref>
                       (e.g. origin/main): resources, inputs, outputs, policy violations
  --config <file>      a stack config file to use instead of Pulumi.<name>.yaml
  --diagram <file>     write the architecture diagram (.svg or .png, by the extension)
  --help, -h           this help

Exit: 0 no mandatory policy violation (in either phase), 1 mandatory violations,
2 bad usage or an invalid config, 3 the program itself failed.
From scripts: \`npm run -s plan -- --stack prod --json\` (-s keeps npm's banner off stdout),
or \`--out plan.json\`, which is clean however the command is run.`;

export function parseArgs(argv: string[]): CliOptions {
    const opts: Partial<CliOptions> & { json: boolean; details: boolean; help: boolean } = {
        json: false,
        details: false,
        help: false,
    };
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].startsWith("--") && argv[i].includes("=") ? argv[i].split(/=(.*)/s) : [argv[i]];
        const value = () => {
            const v = inline ?? argv[++i];
            if (v === undefined || v === "" || (inline === undefined && v.startsWith("--"))) {
                throw new UsageError(`${flag} needs a value\n\n${USAGE}`);
            }
            return v;
        };
        switch (flag) {
            case "--stack":
            case "-s":
                opts.stack = value();
                break;
            case "--json":
                opts.json = true;
                break;
            case "--details":
                opts.details = true;
                break;
            case "--out":
                opts.out = value();
                break;
            case "--diff":
                opts.diff = value();
                break;
            case "--config":
                opts.configFile = value();
                break;
            case "--diagram":
                opts.diagram = value();
                break;
            case "--help":
            case "-h":
                opts.help = true;
                break;
            default:
                throw new UsageError(`unknown argument ${JSON.stringify(argv[i])}\n\n${USAGE}`);
        }
    }
    if (opts.help) {
        return { ...opts, stack: opts.stack ?? "" };
    }
    if (!opts.stack) {
        throw new UsageError(`--stack is required (dev or prod)\n\n${USAGE}`);
    }
    if (opts.out !== undefined) {
        checkWritable("--out", opts.out, [".json"]);
    }
    if (opts.diagram !== undefined) {
        if (opts.diff !== undefined) {
            throw new UsageError("--diagram draws one plan; run it without --diff");
        }
        // Refused before the plan runs, not after it.
        const { diagramTargetProblem } = require("./diagram") as typeof import("./diagram");
        const problem = diagramTargetProblem(opts.diagram);
        if (problem) {
            throw new UsageError(`--diagram ${opts.diagram}: ${problem}`);
        }
    }
    return { ...opts, stack: opts.stack };
}

/**
 * A file the CLI will write: its format must follow from its extension, and its directory must
 * exist (nothing is created behind the user's back). Checked before the plan runs.
 */
export function checkWritable(flag: string, file: string, extensions: string[]): void {
    const ext = path.extname(file).toLowerCase();
    if (!extensions.includes(ext)) {
        throw new UsageError(
            `${flag} ${file}: the format follows the extension, and ${ext || "no extension"} is not one this writes (${extensions.join(", ")})`,
        );
    }
    const dir = path.dirname(path.resolve(file));
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new UsageError(`${flag} ${file}: the directory ${dir} does not exist; create it first`);
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
        throw new UsageError(`${flag} ${file}: is a directory; give a file name`);
    }
}

export function plan(opts: Pick<CliOptions, "stack" | "configFile">): Promise<PlanResult> {
    const { runPlan } = require("./plan") as typeof import("./plan");
    return runPlan({ stack: opts.stack, configFile: opts.configFile });
}

/** The JSON document of DESIGN.md plus `costEstimate` (an extra key: consumers ignore what they don't read). */
export function jsonOutput(plan: PlanResult): PlanDocument {
    const { jsonDocument } = require("./render") as typeof import("./render");
    const { estimateMonthlyCost } = require("./cost") as typeof import("./cost");
    const { run } = plan.update;
    return { ...jsonDocument(plan), costEstimate: estimateMonthlyCost(run.resources, { region: run.region }) };
}

/** Writes the architecture diagram to `file` in the format its extension names (.svg, .png); a path or format it cannot write is bad usage (exit 2). */
export async function writeDiagram(run: ProgramRun, file: string): Promise<void> {
    const { DiagramTargetError, writeDiagramFile } = require("./diagram") as typeof import("./diagram");
    try {
        await writeDiagramFile(run.resources, file);
    } catch (e) {
        throw e instanceof DiagramTargetError ? new UsageError(`--diagram ${file}: ${e.message}`) : e;
    }
}

/** Columns for text: the terminal's, or 100 when piped. */
function textWidth(): number {
    return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 100;
}

function writeFile(flag: string, file: string, text: string): void {
    try {
        fs.writeFileSync(file, text);
    } catch (e) {
        throw new UsageError(`${flag} ${file}: cannot write it (${(e as Error).message})`);
    }
    process.stderr.write(`Wrote ${file}\n`);
}

async function run(opts: CliOptions): Promise<number> {
    const { exitCodeFor } = require("./plan") as typeof import("./plan");
    const { renderText } = require("./text") as typeof import("./text");
    const head = await plan(opts);
    const doc = jsonOutput(head);
    const o = { width: textWidth(), details: opts.details };
    if (opts.diff !== undefined) {
        const { diffPlans, planAtRef, renderDiff } = require("./diff") as typeof import("./diff");
        const base = planAtRef(opts.diff, { stack: opts.stack, configFile: opts.configFile });
        const diff = diffPlans(base.document, doc, base.ref);
        const json = JSON.stringify(diff, null, 2) + "\n";
        if (opts.out) writeFile("--out", opts.out, json);
        process.stdout.write(opts.json ? json : renderDiff(diff, o) + "\n");
        // A change the engine refuses fails `pulumi preview` as a mandatory violation fails the plan.
        return (diff.errors ?? []).length > 0 ? 1 : exitCodeFor(head);
    }
    if (opts.diagram) {
        // Before stdout, so a diagram that can't be written leaves no half-reported plan.
        await writeDiagram(head.update.run, opts.diagram);
        process.stderr.write(`Wrote the architecture diagram to ${opts.diagram}\n`);
    }
    const json = JSON.stringify(doc, null, 2) + "\n";
    if (opts.out) writeFile("--out", opts.out, json);
    if (
        opts.json &&
        !process.stdout.isTTY &&
        process.env.npm_lifecycle_event === "plan" &&
        process.env.npm_config_loglevel !== "silent"
    ) {
        process.stderr.write(
            "note: npm printed its banner on stdout before this JSON; for clean JSON use `npm run -s plan -- ...` or --out FILE\n",
        );
    }
    process.stdout.write(opts.json ? json : renderText(head, o) + "\n");
    return exitCodeFor(head);
}

async function main(): Promise<number> {
    // `npm run plan | head` closes the pipe early: end quietly, with the plan's own verdict.
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EPIPE") {
            process.exit(process.exitCode ?? 0);
        }
        throw e;
    });
    try {
        const opts = parseArgs(process.argv.slice(2));
        if (opts.help) {
            process.stdout.write(USAGE + "\n");
            return 0;
        }
        return await run(opts);
    } catch (e) {
        if (e instanceof UsageError || isPolicyConfigError(e) || isConfigError(e)) {
            process.stderr.write(`error: ${e.message}\n`);
            return 2;
        }
        if (e instanceof ProgramError) {
            process.stderr.write(`error: the program failed under the offline preview: ${e.message}\n`);
            return 3;
        }
        process.stderr.write(
            `error: the offline preview failed (a bug in webfleet, not your config):\n${(e as Error).stack ?? String(e)}\n`,
        );
        return 3;
    }
}

if (require.main === module) {
    void main().then((code) => {
        process.exitCode = code;
        // Done once stdout has taken everything: nothing the plan started is still needed, and
        // the runtime's leftovers (promises it tracks, its exit hooks) would only add time.
        process.stdout.write("", () => process.exit(code));
    });
}
