/**
 * `npm run plan -- --stack <name> [--json] [--config FILE]`: the offline preview. Runs the
 * program under the mocks with the stack's own config, runs the policy pack over what it
 * registered, prints the tree, outputs and violations (or one JSON document), and exits
 * 0 (no mandatory violation), 1 (mandatory violations), 2 (bad usage or invalid stack config),
 * 3 (the program itself failed: a bug, printed with its stack trace).
 */
import { isStackConfigError } from "../configSchema";
import { runPolicyPack } from "./policyRunner";
import { ProgramRun, UsageError, runProgram } from "./program";
import { PolicyOutcome, jsonDocument, renderOutputs, renderPolicy, renderTree } from "./render";

export interface CliOptions {
    stack: string;
    json: boolean;
    configFile?: string;
}

const USAGE = "usage: npm run plan -- --stack <name> [--json] [--config <stack file>]";

export function parseArgs(argv: string[]): CliOptions {
    let stack: string | undefined;
    let json = false;
    let configFile: string | undefined;
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
        } else if (arg === "--help" || arg === "-h") {
            throw new UsageError(USAGE);
        } else {
            throw new UsageError(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
        }
    }
    if (!stack) {
        throw new UsageError(`--stack is required (dev or prod)\n${USAGE}`);
    }
    return { stack, json, configFile };
}

export interface PlanResult {
    run: ProgramRun;
    policy: PolicyOutcome;
}

export async function plan(opts: CliOptions): Promise<PlanResult> {
    const run = await runProgram({ stack: opts.stack, configFile: opts.configFile });
    const policy = await runPolicyPack({ project: run.project, stack: run.stack, resources: run.resources });
    return { run, policy };
}

export function exitCodeFor(policy: PolicyOutcome): number {
    return policy.violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}

export function renderText({ run, policy }: PlanResult): string {
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
        renderPolicy(policy, byUrn),
    ].join("\n");
}

async function main(): Promise<number> {
    let opts: CliOptions;
    try {
        opts = parseArgs(process.argv.slice(2));
        const result = await plan(opts);
        process.stdout.write(opts.json ? JSON.stringify(jsonDocument(result.run, result.policy), null, 2) + "\n" : renderText(result) + "\n");
        return exitCodeFor(result.policy);
    } catch (e) {
        if (e instanceof UsageError || isStackConfigError(e)) {
            process.stderr.write(`error: ${e.message}\n`);
            return 2;
        }
        process.stderr.write(`error: the program failed under the offline preview (a bug in webfleet, not your config):\n${(e as Error).stack ?? e}\n`);
        return 3;
    }
}

if (require.main === module) {
    main().then((code) => {
        process.exitCode = code;
    });
}
