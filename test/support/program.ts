import { expect } from "chai";
import { ProgramRun, RunOptions, runProgram } from "../../offline/program";
import { RecordedResource } from "../../offline/types";

/** Runs the real program under the shared mocks with a stack's own file plus overrides. */
export function runStack(stack: string, overrides?: RunOptions["overrides"]): Promise<ProgramRun> {
    return runProgram({ stack, overrides });
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
