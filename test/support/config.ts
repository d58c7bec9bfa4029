import { expect } from "chai";
import { RawStackConfig, StackConfigError, isStackConfigError } from "../../stackConfig";

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
