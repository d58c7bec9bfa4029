/** `--stack NAME`: the deployment's url and AZ count from its outputs, through the Pulumi CLI. */
import { execFile } from "node:child_process";
import { UsageError } from "./args";

export interface StackTarget {
    url: string;
    /** How many AZs the stack spans (its availabilityZones output), when it has that output. */
    azCount?: number;
}

/** Reads `pulumi stack output --json` text: the url output (required) and availabilityZones. */
export function parseStackOutputs(stack: string, text: string): StackTarget {
    let outputs: Record<string, unknown>;
    try {
        outputs = JSON.parse(text) as Record<string, unknown>;
    } catch {
        throw new UsageError(`--stack ${stack}: pulumi stack output --json did not print JSON`, false);
    }
    const url = outputs?.url;
    if (typeof url !== "string" || !url) {
        throw new UsageError(
            `--stack ${stack}: the stack has no url output (has it been deployed? pulumi up --stack ${stack}); or pass --url`,
            false,
        );
    }
    const azs = outputs.availabilityZones;
    return { url, azCount: Array.isArray(azs) && azs.length > 0 ? azs.length : undefined };
}

/** Runs the Pulumi CLI in the current directory (the project), with the caller's login and credentials. */
export function readStack(stack: string, pulumi = "pulumi"): Promise<StackTarget> {
    return new Promise((resolve, reject) => {
        execFile(
            pulumi,
            ["stack", "output", "--json", "--stack", stack],
            { timeout: 120_000, maxBuffer: 8 * 1024 * 1024 },
            (err, stdout, stderr) => {
                if (err) {
                    const e = err as NodeJS.ErrnoException;
                    reject(
                        new UsageError(
                            e.code === "ENOENT"
                                ? `--stack ${stack} needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/); or pass --url`
                                : `--stack ${stack}: pulumi stack output failed: ${(stderr || e.message).trim()}`,
                            false,
                        ),
                    );
                    return;
                }
                try {
                    resolve(parseStackOutputs(stack, stdout));
                } catch (parseError) {
                    reject(parseError instanceof Error ? parseError : new Error(String(parseError)));
                }
            },
        );
    });
}
