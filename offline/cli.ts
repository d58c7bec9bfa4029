/**
 * `npm run plan -- --stack <name> [--json] [--config FILE] [--diagram FILE.svg]`: the offline
 * preview. Runs the program under the mocks with the stack's own config, runs the policy pack
 * over what it registered, prints the tree, outputs, violations and a cost estimate (or one JSON
 * document, the estimate as `costEstimate`), optionally writes the architecture diagram as SVG
 * (saying where on stderr), and exits
 * 0 (no mandatory violation), 1 (mandatory violations), 2 (bad usage, invalid stack config or
 * invalid policy config),
 * 3 (the program itself failed: a bug, printed with its stack trace).
 */
import { isStackConfigError } from "../configSchema";
import { estimateMonthlyCost, renderCost } from "./cost";
import { DiagramTargetError, diagramTargetProblem, writeDiagramFile } from "./diagram";
import { PlanResult, exitCodeFor, runPlan } from "./plan";
import { PolicyConfigError } from "./policyRunner";
import { ProgramError, ProgramRun, UsageError } from "./program";
import { jsonDocument, renderOutputs, renderPolicy, renderTree } from "./render";

export interface CliOptions {
    stack: string;
    json: boolean;
    configFile?: string;
    /** Where to write the architecture diagram (SVG). */
    diagram?: string;
}

const USAGE = "usage: npm run plan -- --stack <name> [--json] [--config <stack file>] [--diagram <file.svg>]";

export function parseArgs(argv: string[]): CliOptions {
    let stack: string | undefined;
    let json = false;
    let configFile: string | undefined;
    let diagram: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) {
                throw new UsageError(`${arg} needs a value\n${USAGE}`);
            }
            return v;
        };
        if (arg === "--stack" || arg === "-s") {
            stack = value();
        } else if (arg.startsWith("--stack=")) {
            stack = arg.slice("--stack=".length);
        } else if (arg === "--json") {
            json = true;
        } else if (arg === "--config") {
            configFile = value();
        } else if (arg === "--diagram") {
            diagram = value();
            // Refused before the plan runs, not after it.
            const problem = diagramTargetProblem(diagram);
            if (problem) {
                throw new UsageError(`--diagram ${diagram}: ${problem}`);
            }
        } else if (arg === "--help" || arg === "-h") {
            throw new UsageError(USAGE);
        } else {
            throw new UsageError(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
        }
    }
    if (!stack) {
        throw new UsageError(`--stack is required (dev or prod)\n${USAGE}`);
    }
    return { stack, json, configFile, diagram };
}

export function plan(opts: CliOptions): Promise<PlanResult> {
    return runPlan({ stack: opts.stack, configFile: opts.configFile });
}

export { exitCodeFor };

export function renderText(plan: PlanResult): string {
    const { run } = plan.update;
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    return [
        `Previewing update (${run.stack}) offline: mocked AWS (account 123456789012, ${run.region}), no credentials or Pulumi CLI used`,
        "",
        renderTree(run.resources),
        "",
        renderOutputs(run),
        "",
        `Resources:\n    + ${run.resources.length} to create`,
        "",
        ...plan.phases.flatMap((p) => [renderPolicy(p.policy, byUrn, p.phase), ""]),
        renderCost(estimateMonthlyCost(run.resources, { region: run.region })),
    ].join("\n");
}

/** The JSON document of DESIGN.md plus `costEstimate` (an extra key: consumers ignore what they don't read). */
export function jsonOutput(plan: PlanResult) {
    const { run } = plan.update;
    return { ...jsonDocument(plan), costEstimate: estimateMonthlyCost(run.resources, { region: run.region }) };
}

/**
 * Renders the architecture diagram to `file`, SVG or PNG by its extension; another extension, a
 * folder that does not exist or a file that can't be written is bad usage (exit 2).
 */
export async function writeDiagram(run: ProgramRun, file: string): Promise<void> {
    try {
        await writeDiagramFile(run.resources, file);
    } catch (e) {
        throw e instanceof DiagramTargetError ? new UsageError(`--diagram ${file}: ${e.message}`) : e;
    }
}

async function main(): Promise<number> {
    let opts: CliOptions;
    try {
        opts = parseArgs(process.argv.slice(2));
        const result = await plan(opts);
        if (opts.diagram) {
            // Before stdout, so a diagram that can't be written leaves no half-reported plan.
            await writeDiagram(result.update.run, opts.diagram);
            process.stderr.write(`Wrote the architecture diagram to ${opts.diagram}\n`);
        }
        process.stdout.write(
            opts.json ? JSON.stringify(jsonOutput(result), null, 2) + "\n" : renderText(result) + "\n",
        );
        return exitCodeFor(result);
    } catch (e) {
        if (e instanceof UsageError || e instanceof PolicyConfigError || isStackConfigError(e)) {
            process.stderr.write(`error: ${e.message}\n`);
            return 2;
        }
        if (e instanceof ProgramError) {
            process.stderr.write(`error: the program failed under the offline preview: ${e.message}\n`);
            return 3;
        }
        process.stderr.write(
            `error: the program failed under the offline preview (a bug in webfleet, not your config):\n${(e as Error).stack ?? String(e)}\n`,
        );
        return 3;
    }
}

if (require.main === module) {
    void main().then((code) => {
        process.exitCode = code;
    });
}
