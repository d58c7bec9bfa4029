import { expect } from "chai";
import {
    ConfigProblem,
    RawStackConfig,
    StackConfigError,
    isStackConfigError,
    validateStackConfig,
} from "../../stackConfig";
import { StackFile, applyFix } from "./pulumiConfig";

/** Raw config as config.ts would read it, for the pure validator. */
export function rawConfig(stack: string, values: Record<string, unknown>, region = "us-east-1"): RawStackConfig {
    return { project: "webfleet", stack, region, values };
}

/** The StackConfigError message `fn` throws; fails the test if it throws anything else or nothing. */
export function configProblems(fn: () => unknown): string {
    try {
        fn();
    } catch (e) {
        expect(isStackConfigError(e), `expected a StackConfigError, got ${e}`).to.equal(true);
        return (e as StackConfigError).message;
    }
    throw new Error("expected the config to be rejected");
}

/** The problems of a stack file (none: undefined). */
export function problemList(
    stack: string,
    values: Record<string, unknown>,
    region?: string,
): ConfigProblem[] | undefined {
    try {
        validateStackConfig(rawConfig(stack, values, region));
        return undefined;
    } catch (e) {
        expect(e).to.be.instanceOf(StackConfigError);
        return (e as StackConfigError).problems;
    }
}

/** Every fix, pasted as printed, is accepted: all together, and each on its own for its key. */
export function expectFixesAccepted(stack: string, values: Record<string, unknown>, region = "us-east-1"): void {
    const found = problemList(stack, values, region)!;
    expect(found, "the file has problems").to.not.equal(undefined);
    let file: StackFile = { region, values };
    for (const p of found) {
        file = applyFix(file, p.fix);
        const alone = applyFix({ region, values }, p.fix);
        const left = problemList(stack, alone.values, alone.region) ?? [];
        expect(
            left.map((q) => q.path),
            `after "${p.fix}" alone`,
        ).to.not.include(p.path);
    }
    expect(problemList(stack, file.values, file.region), `after every fix: ${JSON.stringify(file.values)}`).to.equal(
        undefined,
    );
}
