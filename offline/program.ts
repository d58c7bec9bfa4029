/**
 * Runs the Pulumi program (index.ts) under the mocks with one stack's own config file, and
 * returns everything it registered and exported. Used by the offline preview and the tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ProgramError, UsageError } from "./errors";
import { installMocks } from "./mocks";
import { Phase, RecordedResource, UNKNOWN } from "./types";

export const REPO_ROOT = path.resolve(__dirname, "..");

export { ProgramError, UsageError } from "./errors";

export interface StackOutput {
    /** The value; in the preview phase, the engine's unknown sentinel when not known yet. */
    value: unknown;
    secret: boolean;
}

export interface ProgramRun {
    project: string;
    stack: string;
    phase: Phase;
    region: string;
    resources: RecordedResource[];
    outputs: Record<string, StackOutput>;
    invokes: string[];
}

export interface RunOptions {
    stack: string;
    /** A stack config file to use instead of Pulumi.<stack>.yaml. */
    configFile?: string;
    /** Values merged over the file's, keyed like the file (`webfleet:web`); objects merge one level deep. */
    overrides?: Record<string, unknown>;
    /** "update" (default): the state after `pulumi up`; "preview": a first `pulumi preview`. */
    phase?: Phase;
    /** IAM roles the mocked account has (offline/mocks.ts); default: a used account's. */
    existingRoles?: string[];
}

export function projectName(): string {
    const doc = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
    return doc.name;
}

/** The stack file's `config:` map, as the Pulumi CLI would hand it to the program. */
export function readStackConfig(stack: string, configFile?: string): Record<string, unknown> {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
        throw new UsageError(`--stack: "${stack}" is not a stack name (letters, digits, _, . and - only)`);
    }
    const file = configFile ?? path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
    if (configFile !== undefined && !fs.existsSync(configFile)) {
        throw new UsageError(
            `--config ${configFile}: no such file (give the path of a stack file, like Pulumi.dev.yaml)`,
        );
    }
    if (!fs.existsSync(file)) {
        const known = fs
            .readdirSync(REPO_ROOT)
            .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
            .map((f) => f.split(".")[1]);
        throw new UsageError(
            `no stack config ${path.relative(process.cwd(), file) || file}; known stacks: ${known.join(", ")}. Create it with \`pulumi stack init ${stack}\` and \`pulumi config set\`.`,
        );
    }
    let doc: any;
    try {
        doc = YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new UsageError(`${file} is not valid YAML: ${(e as Error).message}`);
    }
    return (doc && typeof doc === "object" && doc.config) || {};
}

/** The raw config the program would read from these stack-file values (for tests of the validator). */
export function rawConfigFrom(project: string, stack: string, config: Record<string, unknown>) {
    const prefix = `${project}:`;
    const values = Object.fromEntries(
        Object.entries(config)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
    const region = config["aws:region"];
    return { project, stack, region: typeof region === "string" ? region : undefined, values };
}

function mergeOverrides(
    config: Record<string, unknown>,
    overrides: Record<string, unknown> = {},
): Record<string, unknown> {
    const merged = { ...config };
    for (const [key, value] of Object.entries(overrides)) {
        const base = merged[key];
        const isObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
        merged[key] = isObject(base) && isObject(value) ? { ...(base as object), ...(value as object) } : value;
    }
    return merged;
}

/** Pulumi passes every config value as text: objects and lists as JSON. */
function toConfigText(config: Record<string, unknown>): { values: Record<string, string>; secretKeys: string[] } {
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        if (value && typeof value === "object" && "secure" in value) {
            // Encrypted values can't be decrypted offline; the program sees a placeholder.
            values[key] = "[secret]";
            secretKeys.push(key);
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secretKeys };
}

/** Forget the program's own modules so the next run builds a fresh resource graph. */
function forgetProgramModules(): void {
    for (const id of Object.keys(require.cache)) {
        const rel = path.relative(REPO_ROOT, id);
        if (
            !rel.startsWith("..") &&
            !rel.split(path.sep).includes("node_modules") &&
            !rel.startsWith(`offline${path.sep}`)
        ) {
            delete require.cache[id];
        }
    }
}

export async function runProgram(opts: RunOptions): Promise<ProgramRun> {
    const project = projectName();
    const config = mergeOverrides(readStackConfig(opts.stack, opts.configFile), opts.overrides);
    const region = typeof config["aws:region"] === "string" ? config["aws:region"] : "us-east-1";
    const phase = opts.phase ?? "update";
    const recorder = await installMocks(project, opts.stack, { region, phase, existingRoles: opts.existingRoles });
    const { values, secretKeys } = toConfigText(config);
    pulumi.runtime.setAllConfig(values, secretKeys);
    forgetProgramModules();
    // Validate through config.ts first, exactly as the program will: an invalid stack file
    // then fails here with every problem listed, before any resource is registered.
    require(path.join(REPO_ROOT, "config")).loadConfig();

    let exported: Record<string, unknown> = {};
    const { runInPulumiStack } = require("@pulumi/pulumi/runtime/stack");
    // An error thrown inside an Output fails the registration waiting on it, which the runtime
    // reports as an unhandled rejection while the rest of the graph waits forever: end the run
    // with it, as the engine ends a preview with the program's error.
    let fail: (e: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    process.on("unhandledRejection", fail);
    try {
        await Promise.race([
            runInPulumiStack(() => {
                exported = require(path.join(REPO_ROOT, "index"));
                return Promise.resolve(exported);
            }),
            failed,
        ]);
        await Promise.race([require("@pulumi/pulumi/runtime/settings").waitForRPCs(), failed]);
        // The engine fails the preview on a registration it refuses, whether or not the program
        // ever waits on that resource (a component's URN often nobody awaits).
        if (recorder.refused.length > 0) {
            throw recorder.refused[0];
        }
    } catch (e) {
        // The one error fails every registration waiting on it; let those rejections arrive
        // (within a few turns) before the handler goes, or Node would crash the process on them.
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new ProgramError(e);
    } finally {
        process.off("unhandledRejection", fail);
    }

    const outputs: Record<string, StackOutput> = {};
    for (const [key, value] of Object.entries(exported)) {
        if (pulumi.Output.isInstance(value)) {
            const o = value as any;
            const known: boolean = await o.isKnown;
            outputs[key] = { value: known ? await o.promise() : UNKNOWN, secret: await o.isSecret };
        } else if (value !== undefined && typeof value !== "function") {
            outputs[key] = { value, secret: false };
        }
    }
    return {
        project,
        stack: opts.stack,
        phase,
        region,
        resources: recorder.resources,
        outputs,
        invokes: recorder.invokes,
    };
}
