import { expect } from "chai";
import { ProgramRun, RunOptions, runProgram } from "../../offline/program";
import { RecordedResource } from "../../offline/types";

/** Runs the real program under the shared mocks with a stack's own file plus overrides. */
export function runStack(stack: string, overrides?: RunOptions["overrides"]): Promise<ProgramRun> {
    return runProgram({ stack, overrides });
}

/**
 * The stack's plain run (its own file, no overrides), shared by every spec file that only reads
 * it: a program run takes seconds. Runs happen one at a time, so sharing is safe.
 */
export function sharedRun(stack: "dev" | "prod"): Promise<ProgramRun> {
    const slot = globalThis as unknown as Record<symbol, Promise<ProgramRun> | undefined>;
    const key = Symbol.for(`webfleet.test.webTier.${stack}`);
    return (slot[key] ??= runStack(stack));
}

export function ofType(run: ProgramRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function named(run: ProgramRun, type: string, name: string): RecordedResource {
    const found = run.resources.filter((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).to.have.length(1);
    return found[0];
}

/** The resource's logical parent (component) name, for asserting where a resource lives. */
export function parentOf(run: ProgramRun, r: RecordedResource): RecordedResource | undefined {
    return run.resources.find((p) => p.urn === r.parent);
}
