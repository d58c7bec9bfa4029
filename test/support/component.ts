import * as pulumi from "@pulumi/pulumi";
import { installMocks } from "../../offline/mocks";
import { RecordedResource } from "../../offline/types";

export interface ComponentRun {
    resources: RecordedResource[];
    error?: Error;
}

/**
 * Runs `build` as a Pulumi program under the shared mocks and returns what it registered, for
 * testing one component on its own. An error thrown inside an apply surfaces (as under the real
 * engine) as an unhandled rejection, and the resources waiting on it never register, so the
 * first one ends the run.
 */
export async function runComponent(build: () => void, stack = "seams"): Promise<ComponentRun> {
    const recorder = await installMocks("webfleet", stack, { region: "us-east-1" });
    pulumi.runtime.setAllConfig({}, []);
    let error: Error | undefined;
    let fail: (e: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    process.on("unhandledRejection", fail);
    const { runInPulumiStack } = require("@pulumi/pulumi/runtime/stack");
    try {
        await runInPulumiStack(async () => {
            build();
            return {};
        });
        await Promise.race([require("@pulumi/pulumi/runtime/settings").waitForRPCs(), failed]);
    } catch (e) {
        error = e as Error;
    } finally {
        process.off("unhandledRejection", fail);
    }
    return { resources: recorder.resources, error };
}
