/**
 * Runs the webfleet-guard policy pack over the resources the offline preview recorded, through
 * the same entry points the Pulumi engine calls (see @pulumi/policy's server.js):
 *
 * - every resource policy's `validateResource` functions, once per resource, with the args the
 *   analyzer builds (inputs behind `unknownCheckingProxy`, `isType`/`asType`, `getConfig`,
 *   `notApplicable`, `stackTags`, options), and the engine's fast type filter;
 * - every stack policy's `validateStack` once, with a PolicyResource per recorded resource
 *   (outputs as props, `parent`, `dependencies` and `propertyDependencies` resolved to
 *   PolicyResource objects from the recorded graph).
 *
 * Enforcement levels and per-policy properties come from the stack's policy config file
 * (policy/config/<stack>.json when it exists), resolved and validated as the engine does.
 * Exempted violations (see policy/lib/rule.ts) are returned separately, never dropped.
 */
import * as fs from "fs";
import * as path from "path";
import {
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
    unknownCheckingProxy,
} from "@pulumi/policy";
import { loadPolicyPackConfigFile, resolvePolicyConfig } from "../policy/lib/packConfig";
import { PACK_ENFORCEMENT_LEVEL, policies as packPolicies } from "../policy/policies";
import {
    Collector,
    Level,
    deserializer,
    frozenMap,
    handleError,
    isResourcePolicy,
    isStackPolicy,
    isTypeOf,
    levelFor,
    optionsOf,
    propertiesFor,
    pulumiTypeOf,
    reporter,
    throwNotApplicable,
} from "./policyEngine";
import { RecordedResource } from "./types";

export { PolicyConfigError } from "../policy/lib/packConfig";

export interface Violation {
    policy: string;
    enforcementLevel: "advisory" | "mandatory";
    urn?: string;
    message: string;
}

export interface ExemptedViolation extends Violation {
    /** The written reason from the config's exemption. */
    reason: string;
    /** The exemption's resource name pattern. */
    resourcePattern: string;
}

export interface PolicyReport {
    violations: Violation[];
    /** Violations an exemption covers: reported, never silent. */
    exempted: ExemptedViolation[];
    /** The policy config file applied, if any. */
    configFile?: string;
}

export interface RunPolicyPackArgs {
    project: string;
    stack: string;
    resources: RecordedResource[];
    /** Defaults to policy/config/<stack>.json when that file exists. */
    configFile?: string;
    /** Stack tags as the engine sends them; defaults to the tags the CLI sets for a project. */
    stackTags?: Record<string, string>;
    /** The rules to run; the whole pack unless a test narrows it. */
    policies?: Policy[];
    /** Fail when a stack policy changes the resources it is given (they are shared between policies). */
    checkIsolation?: boolean;
}

const POLICY_DIR = path.resolve(__dirname, "..", "policy");

/** The config file the offline preview applies for `stack`, if the repository has one. */
export function defaultConfigFile(stack: string): string | undefined {
    const file = path.join(POLICY_DIR, "config", `${stack}.json`);
    return fs.existsSync(file) ? file : undefined;
}

export async function runPolicyPack(args: RunPolicyPackArgs): Promise<PolicyReport> {
    const policies = args.policies ?? packPolicies;
    const configFile = args.configFile ?? defaultConfigFile(args.stack);
    const config = resolvePolicyConfig(
        policies,
        configFile ? loadPolicyPackConfigFile(configFile) : undefined,
        PACK_ENFORCEMENT_LEVEL,
        configFile,
    );
    const stackTags = frozenMap(args.stackTags ?? { "pulumi:project": args.project, "pulumi:runtime": "nodejs" });
    const out: Collector = { violations: [], exempted: [] };

    // Resource policies: the engine's Analyze call, once per registered resource.
    const resourcePolicies = policies.flatMap((p) => {
        const level = levelFor(config, p);
        if (level === "disabled" || !isResourcePolicy(p) || !p.validateResource) {
            return [];
        }
        const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
        const only = Array.isArray(p.validateResource) ? undefined : pulumiTypeOf(p.validateResource);
        const getConfig = propertiesFor(config, p);
        return [{ p, level: level === "remediate" ? "mandatory" : level, validations, only, getConfig }];
    });
    const outputTexts = new Map(args.resources.map((r) => [r, JSON.stringify(r.outputs ?? {})]));
    for (const r of args.resources) {
        const freshInputs = deserializer(r.inputs);
        const opts = optionsOf(r);
        const isType = (cls: unknown) => isTypeOf(r.type, cls);
        for (const { p, level, validations, only, getConfig } of resourcePolicies) {
            if (only && only !== r.type) {
                continue;
            }
            const report = reporter(p, level, out, r.urn);
            for (const validation of validations) {
                // server.js's fast path: a validation made for one type is not applicable to others.
                const validationType = pulumiTypeOf(validation);
                if (validationType && validationType !== r.type) {
                    continue;
                }
                try {
                    // Each validation gets its own copy of the inputs (and options), made when it
                    // first reads them: most rules look at the type and say "not applicable" first.
                    let copy: Record<string, unknown> | undefined;
                    const props = () => (copy ??= unknownCheckingProxy(freshInputs()) as Record<string, unknown>);
                    const vargs = {
                        type: r.type,
                        urn: r.urn,
                        name: r.name,
                        opts: { ...opts },
                        stackTags,
                        isType,
                        asType: ((cls: unknown) =>
                            isType(cls) ? props() : undefined) as ResourceValidationArgs["asType"],
                        getConfig,
                        notApplicable: throwNotApplicable,
                    } as Omit<ResourceValidationArgs, "props"> as ResourceValidationArgs;
                    Object.defineProperty(vargs, "props", { get: props, enumerable: true });
                    const result = validation(vargs, report) as unknown;
                    // Awaiting only what is a promise: tens of thousands of calls return nothing.
                    if (result instanceof Promise) {
                        await result;
                    }
                } catch (e) {
                    handleError(e, p, out, `resource ${r.urn}`, r.urn);
                }
            }
        }
    }

    // Stack policies: the engine's AnalyzeStack call, once, over every resource's outputs. The
    // engine builds the resources again for each policy; here they are built once and shared
    // (each policy gets its own array), since no rule of the pack changes what it reads, which
    // `checkIsolation` verifies in the tests, naming the rule that would.
    const stackPolicies = policies.filter(isStackPolicy).filter((p) => levelFor(config, p) !== "disabled");
    let shared: PolicyResource[] | undefined;
    let raw: Record<string, unknown>[] = [];
    const snapshot = () => JSON.stringify(raw);
    for (const p of stackPolicies) {
        let level = levelFor(config, p);
        if (level === "remediate") {
            level = "mandatory";
        }
        const only = pulumiTypeOf(p.validateStack);
        if (only && !args.resources.some((r) => r.type === only)) {
            continue;
        }
        const report = reporter(p, level as Level, out);
        if (!shared) {
            raw = args.resources.map((r) => JSON.parse(outputTexts.get(r)!) as Record<string, unknown>);
            shared = policyResources(args.resources, (_, i) => raw[i]);
        }
        const before = args.checkIsolation ? snapshot() : undefined;
        try {
            const sargs: StackValidationArgs = {
                resources: [...shared],
                getConfig: propertiesFor(config, p),
                stackTags,
                notApplicable: throwNotApplicable,
            };
            await Promise.resolve(p.validateStack(sargs, report as ReportViolation));
        } catch (e) {
            handleError(e, p, out, "the stack");
        }
        if (before !== undefined && snapshot() !== before) {
            throw new Error(`policy ${p.name} changed the resources it was given, which other policies read too`);
        }
    }

    return { violations: out.violations, exempted: out.exempted, ...(configFile ? { configFile } : {}) };
}

/** PolicyResource objects for the recorded graph, linked like server.js's analyzeStack. */
export function policyResources(
    recorded: RecordedResource[],
    /** Each resource's props as plain data; default: a fresh copy of its recorded outputs. */
    propsOf: (r: RecordedResource, i: number) => Record<string, unknown> = (r) => deserializer(r.outputs)(),
): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const list = recorded.map((r, i) => {
        const props = unknownCheckingProxy(propsOf(r, i));
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
        byUrn.set(r.urn, resource);
        return resource;
    });
    recorded.forEach((r, i) => {
        const resource = list[i];
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        if (parent) {
            resource.parent = parent;
        }
        resource.dependencies = r.dependencies
            .map((d) => byUrn.get(d))
            .filter((d): d is PolicyResource => d !== undefined);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
            resource.propertyDependencies[k] = urns
                .map((d) => byUrn.get(d))
                .filter((d): d is PolicyResource => d !== undefined);
        }
    });
    return list;
}
