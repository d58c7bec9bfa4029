/**
 * The offline preview's two phases, like the engine's (DESIGN.md, "Offline preview"):
 *
 * - "preview": a first `pulumi preview` of a stack that does not exist yet. Provider-computed
 *   outputs (IDs, ARNs, endpoints, generated values) are unknown, so are the inputs built from
 *   them; config, literal inputs and autonamed names are known. The pack runs as the engine runs
 *   it then: a rule that meets an unknown value decides what it means.
 * - "update": the state after `pulumi up`, every value known; the pack runs again, as `pulumi up`
 *   does before it creates each resource.
 *
 * A mandatory violation in either phase fails the plan: a deploy stops at whichever comes first.
 */
import { PolicyReport, runPolicyPack } from "./policyRunner";
import { ProgramRun, RunOptions, runProgram } from "./program";
import { PHASES, Phase } from "./types";

export { PHASES, PHASE_TITLES } from "./types";

export interface PhaseResult {
    phase: Phase;
    run: ProgramRun;
    policy: PolicyReport;
}

export interface PlanResult {
    /** In order: preview, then update. */
    phases: PhaseResult[];
    /** The update phase: the resources and outputs with every value known. */
    update: PhaseResult;
    preview: PhaseResult;
}

export type PlanOptions = Omit<RunOptions, "phase"> & {
    /** The policy config file; defaults to policy/config/<stack>.json. */
    policyConfigFile?: string;
};

/** Runs the program and the pack in one phase. */
export async function runPhase(opts: PlanOptions, phase: Phase): Promise<PhaseResult> {
    const run = await runProgram({ ...opts, phase });
    const policy = await runPolicyPack({
        project: run.project,
        stack: run.stack,
        resources: run.resources,
        configFile: opts.policyConfigFile,
    });
    return { phase, run, policy };
}

/** Runs the program and the pack in both phases (one after the other: the runtime is global). */
export async function runPlan(opts: PlanOptions): Promise<PlanResult> {
    const phases: PhaseResult[] = [];
    for (const phase of PHASES) {
        phases.push(await runPhase(opts, phase));
    }
    return { phases, preview: phases[0], update: phases[1] };
}

/** 1 when any phase has a mandatory violation, else 0. */
export function exitCodeFor(plan: Pick<PlanResult, "phases">): number {
    return plan.phases.some((p) => p.policy.violations.some((v) => v.enforcementLevel === "mandatory")) ? 1 : 0;
}
