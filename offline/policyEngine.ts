/**
 * What @pulumi/policy's server.js does around each call the engine makes, mirrored for the
 * offline runner (offline/policyRunner.ts): the args a validation gets, how its reports become
 * violations (and exempted ones), and what an error thrown by a validation means.
 */
import * as fs from "fs";
import * as path from "path";
import {
    EnforcementLevel,
    Policy,
    PolicyResourceOptions,
    ResourceValidationPolicy,
    StackValidationPolicy,
    UnknownValueError,
} from "@pulumi/policy";
import { ResolvedConfig } from "../policy/lib/packConfig";
import { EXEMPTION_MARKER, ExemptedReport } from "../policy/lib/rule";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "../policy/policies";
import type { ExemptedViolation, Violation } from "./policyRunner";
import { RecordedResource } from "./types";

const POLICY_DIR = path.resolve(__dirname, "..", "policy");

let version: string | undefined;
function packVersion(): string {
    if (version === undefined) {
        try {
            version = (JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")).version ??
                "0.0.0") as string;
        } catch {
            version = "0.0.0";
        }
    }
    return version;
}

/**
 * What `args.notApplicable()` throws. Not an Error: every resource meets every rule of another
 * type this way, and capturing a stack trace thousands of times was a tenth of a plan's time.
 */
class NotApplicableError {
    constructor(readonly reason?: string) {}
}

export function throwNotApplicable(reason?: string): never {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- deliberately no Error (see above)
    throw new NotApplicableError(reason);
}

export function pulumiTypeOf(x: unknown): string | undefined {
    const t = (x as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof t === "string" ? t : undefined;
}

/** server.js isTypeOf: the class's Pulumi type, else its isInstance. */
export function isTypeOf(type: string, resourceClass: unknown): boolean {
    const pulumiType = pulumiTypeOf(resourceClass);
    if (pulumiType) {
        return type === pulumiType;
    }
    const isInstance = (resourceClass as { isInstance?: unknown }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

export function isResourcePolicy(p: Policy): p is ResourceValidationPolicy {
    return (
        typeof (p as ResourceValidationPolicy).validateResource === "function" ||
        Array.isArray((p as ResourceValidationPolicy).validateResource)
    );
}

export function isStackPolicy(p: Policy): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

/** A read-only Map, like server.js's freezeMap. */
export function frozenMap(entries: Record<string, string>): ReadonlyMap<string, string> {
    const map = new Map(Object.entries(entries));
    return Object.freeze({
        entries: map.entries.bind(map),
        forEach: map.forEach.bind(map),
        get: map.get.bind(map),
        has: map.has.bind(map),
        keys: map.keys.bind(map),
        size: map.size,
        values: map.values.bind(map),
        [Symbol.iterator]: map[Symbol.iterator].bind(map),
    });
}

/**
 * Properties as the analyzer deserializes them: plain data, undefined top-level values dropped.
 * Returns a factory: like the engine, every validation gets its own copy (a rule that changes
 * its props cannot change what the next one sees), parsed from one serialization.
 */
export function deserializer(props: Record<string, unknown> | undefined): () => Record<string, unknown> {
    const text = JSON.stringify(props ?? {});
    return () => JSON.parse(text) as Record<string, unknown>;
}

/**
 * The options server.js hands a policy (those the program set, as the engine received them).
 * The engine sends no retainOnDelete (not in @pulumi/policy 1.21's protocol); the offline runner
 * passes it when the program's options were recorded, so rules that need it can check it here.
 */
export function optionsOf(r: RecordedResource): PolicyResourceOptions & { retainOnDelete?: boolean } {
    const opts: PolicyResourceOptions & { retainOnDelete?: boolean } = {
        protect: r.options?.protect ?? false,
        ignoreChanges: r.options?.ignoreChanges ?? [],
        aliases: r.options?.aliases ?? [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: r.secretOutputNames ?? [],
    };
    if (r.options?.deleteBeforeReplace) {
        opts.deleteBeforeReplace = true;
    }
    if (r.options) {
        opts.retainOnDelete = r.options.retainOnDelete;
    }
    if (r.parent) {
        opts.parent = r.parent;
    }
    return opts;
}

export type Level = "advisory" | "mandatory";

export interface Collector {
    violations: Violation[];
    exempted: ExemptedViolation[];
}

/**
 * server.js makeReportViolationFun: a string message at the policy's level, or an object that
 * may set its own level; plus the exemption marker the pack's rules attach.
 */
export function reporter(policy: Policy, level: Level, out: Collector, fixedUrn?: string) {
    return (message: unknown, urn?: string) => {
        if (message !== null && typeof message === "object") {
            const info = message as Partial<ExemptedReport> & {
                name?: string;
                description?: string;
                enforcementLevel?: EnforcementLevel;
            };
            const reportedLevel: Level =
                info.enforcementLevel === "advisory"
                    ? "advisory"
                    : info.enforcementLevel === undefined
                      ? level
                      : "mandatory";
            const exemption = info[EXEMPTION_MARKER];
            const where = fixedUrn ?? info.urn;
            if (exemption) {
                out.exempted.push({
                    policy: info.name || policy.name,
                    enforcementLevel: level,
                    ...(where ? { urn: where } : {}),
                    message: exemption.message,
                    reason: exemption.reason,
                    resourcePattern: exemption.resource,
                });
                return;
            }
            out.violations.push({
                policy: info.name || policy.name,
                enforcementLevel: reportedLevel,
                ...(where ? { urn: where } : {}),
                message: info.message || info.description || policy.description,
            });
            return;
        }
        const where = fixedUrn ?? urn;
        out.violations.push({
            policy: policy.name,
            enforcementLevel: level,
            ...(where ? { urn: where } : {}),
            message: typeof message === "string" && message !== "" ? message : policy.description,
        });
    };
}

export function levelFor(config: ResolvedConfig, p: Policy): EnforcementLevel {
    return config[p.name]?.enforcementLevel ?? p.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL;
}

export function propertiesFor(config: ResolvedConfig, p: Policy) {
    return <T extends object>(): T => JSON.parse(JSON.stringify(config[p.name]?.properties ?? {})) as T;
}

/** What the engine does with an error thrown by a validation. */
export function handleError(e: unknown, p: Policy, out: Collector, where: string, urn?: string): void {
    const policyFrom = `policy '${p.name}' from policy pack '${PACK_NAME}@v${packVersion()}'`;
    if (e instanceof UnknownValueError) {
        out.violations.push({
            policy: p.name,
            enforcementLevel: "advisory",
            ...(urn ? { urn } : {}),
            message: `can't run ${policyFrom} during preview: ${(e as Error).message}`,
        });
        return;
    }
    if (e instanceof NotApplicableError) {
        return;
    }
    const err = new Error(`Error validating ${where} with ${policyFrom}: ${(e as Error)?.stack ?? String(e)}`);
    throw err;
}
