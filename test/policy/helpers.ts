/**
 * Runs single rules the way the engine does, in the style of pulumi-policy-aws's
 * src/tests/util.ts: ResourceValidationArgs with props behind the real `unknownCheckingProxy`,
 * `notApplicable` (validateResourceOfType calls it for other types), `stackTags` and
 * `getConfig`; stack rules get PolicyResource objects built by the offline runner's
 * `policyResources` (the same code the offline preview uses).
 *
 * A rule's cases are data (`RuleCases`): compliant cases, one case per way to violate it with
 * the exact messages, and the unknown-value case. `describeRule` turns them into tests, and
 * the pack spec checks every rule of the pack has them.
 */
import { expect } from "chai";
import * as policyProxy from "@pulumi/policy/proxy";
import { ResourceValidationArgs, StackValidationArgs, UnknownValueError, unknownCheckingProxy } from "@pulumi/policy";
import { WebfleetPolicy, WebfleetResourcePolicy, WebfleetStackPolicy, isStackRule } from "../../policy/lib/rule";
import { policies } from "../../policy/policies";
import { policyResources } from "../../offline/policyRunner";
import { RecordedOptions, RecordedResource } from "../../offline/types";

/** The engine's sentinels for values unknown during preview (internal to @pulumi/policy). */
const sentinels = policyProxy as unknown as {
    unknownStringValue: string;
    unknownBooleanValue: string;
    unknownNumberValue: string;
    unknownArrayValue: string;
    unknownObjectValue: string;
};
export const UNKNOWN = sentinels.unknownStringValue;
export const UNKNOWN_BOOL = sentinels.unknownBooleanValue;
export const UNKNOWN_NUMBER = sentinels.unknownNumberValue;
export const UNKNOWN_ARRAY = sentinels.unknownArrayValue;
export const UNKNOWN_OBJECT = sentinels.unknownObjectValue;

export const STACK = "dev";
export const PROJECT = "webfleet";

export function urnOf(type: string, name: string, parentType?: string): string {
    const qualified = parentType ? `${parentType}$${type}` : type;
    return `urn:pulumi:${STACK}::${PROJECT}::${qualified}::${name}`;
}

export interface Finding {
    message: string;
    urn?: string;
    /** Set when the rule reported at advisory level itself (object form). */
    advisory?: true;
    /** The exemption's reason, when the violation was exempted. */
    exempted?: string;
    /** The validation threw UnknownValueError (the engine turns it into an advisory note). */
    unknown?: true;
}

class NotApplicable extends Error {}

const stackTags: ReadonlyMap<string, string> = new Map([
    ["pulumi:project", PROJECT],
    ["pulumi:runtime", "nodejs"],
]);

function collector(findings: Finding[], fixedUrn?: string) {
    return (message: unknown, urn?: string) => {
        if (message !== null && typeof message === "object") {
            const m = message as {
                message: string;
                urn?: string;
                enforcementLevel?: string;
                webfleetExemption?: { reason: string; message: string };
            };
            if (m.webfleetExemption) {
                findings.push({
                    message: m.webfleetExemption.message,
                    urn: fixedUrn ?? m.urn,
                    exempted: m.webfleetExemption.reason,
                });
            } else {
                findings.push({
                    message: m.message,
                    urn: fixedUrn ?? m.urn,
                    ...(m.enforcementLevel === "advisory" ? { advisory: true as const } : {}),
                });
            }
            return;
        }
        findings.push({ message: String(message), urn: fixedUrn ?? urn });
    };
}

/** Resource options a case sets (the rest are the engine's defaults). */
export interface CaseOptions {
    protect?: boolean;
    retainOnDelete?: boolean;
}

/** The options the offline preview records for a resource whose program set `o` (the rest default). */
export function recordedOptions(o: CaseOptions): RecordedOptions {
    return {
        protect: o.protect ?? false,
        retainOnDelete: o.retainOnDelete ?? false,
        deleteBeforeReplace: false,
        ignoreChanges: [],
        replaceOnChanges: [],
        dependsOn: [],
    };
}

export interface ResourceCase {
    type: string;
    name?: string;
    props: Record<string, unknown>;
    config?: Record<string, unknown>;
    options?: CaseOptions;
}

export async function runResourceRule(
    policy: Pick<WebfleetResourcePolicy, "validateResource">,
    c: ResourceCase,
): Promise<Finding[]> {
    const findings: Finding[] = [];
    const name = c.name ?? "subject";
    const urn = urnOf(c.type, name);
    for (const validation of policy.validateResource) {
        const props = unknownCheckingProxy(JSON.parse(JSON.stringify(c.props)));
        const args: ResourceValidationArgs = {
            type: c.type,
            props,
            urn,
            name,
            opts: {
                protect: c.options?.protect === true,
                ignoreChanges: [],
                aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                additionalSecretOutputs: [],
                ...(c.options?.retainOnDelete !== undefined ? { retainOnDelete: c.options.retainOnDelete } : {}),
            },
            stackTags,
            isType: (cls) => (cls as unknown as { __pulumiType?: string }).__pulumiType === c.type,
            asType: ((cls: unknown) =>
                (cls as { __pulumiType?: string }).__pulumiType === c.type
                    ? props
                    : undefined) as ResourceValidationArgs["asType"],
            getConfig: <T extends object>() => (c.config ?? {}) as T,
            notApplicable: (reason?: string): never => {
                throw new NotApplicable(reason);
            },
        };
        try {
            await validation(args, collector(findings, urn));
        } catch (e) {
            if (e instanceof NotApplicable) {
                continue;
            }
            if (e instanceof UnknownValueError) {
                findings.push({ message: (e as Error).message, urn, unknown: true });
                continue;
            }
            throw e;
        }
    }
    return findings;
}

/** A resource of a stack case: recorded like the offline preview records it. */
export interface StackResource {
    type: string;
    name: string;
    /** Outputs (what stack policies see); inputs are the same unless given. */
    props: Record<string, unknown>;
    /** Inputs (what resource validations see), when they differ from the outputs. */
    inputs?: Record<string, unknown>;
    parent?: string;
    /** Property name → names of resources of the same case it came from. */
    deps?: Record<string, string[]>;
    options?: CaseOptions;
}

export interface StackCase {
    resources: StackResource[];
    config?: Record<string, unknown>;
}

/**
 * Resources of a case as the offline preview records them. References (`deps`, `parent`) name a
 * resource of the case: by its name, or as "<type token>::<name>" where names repeat (awsx gives
 * a subnet, its route table, association and route one name).
 */
export function recorded(resources: StackResource[]): RecordedResource[] {
    const byName = new Map<string, StackResource[]>();
    for (const r of resources) {
        byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
    }
    const toUrn = (ref: string) => {
        const i = ref.lastIndexOf("::");
        const [type, name] = i >= 0 ? [ref.slice(0, i), ref.slice(i + 2)] : [undefined, ref];
        const found = (byName.get(name) ?? []).filter((r) => type === undefined || r.type === type);
        if (found.length !== 1) {
            throw new Error(`test case: ${found.length === 0 ? "no" : "more than one"} resource ${ref}`);
        }
        return urnOf(found[0].type, found[0].name);
    };
    return resources.map((r) => {
        const propertyDependencies: Record<string, string[]> = {};
        for (const [k, names] of Object.entries(r.deps ?? {})) {
            propertyDependencies[k] = names.map(toUrn);
        }
        return {
            urn: urnOf(r.type, r.name),
            type: r.type,
            name: r.name,
            parent: r.parent ? toUrn(r.parent) : null,
            custom: !r.type.startsWith("awsx:") && !r.type.startsWith("webfleet:"),
            inputs: r.inputs ?? r.props,
            outputs: r.props,
            dependencies: [...new Set(Object.values(propertyDependencies).flat())],
            propertyDependencies,
            secretInputPaths: [],
            ...(r.options ? { options: recordedOptions(r.options) } : {}),
        };
    });
}

/**
 * Runs a stack rule the way the engine does: its pre-creation part (if any) once per resource of
 * the case, on the resource's props as inputs, then the stack part once over all of them.
 */
export async function runStackRule(policy: WebfleetStackPolicy, c: StackCase): Promise<Finding[]> {
    const findings: Finding[] = [];
    if (policy.validateResource) {
        for (const r of c.resources) {
            findings.push(
                ...(await runResourceRule(
                    { validateResource: policy.validateResource },
                    { type: r.type, name: r.name, props: r.inputs ?? r.props, config: c.config, options: r.options },
                )),
            );
        }
    }
    const args: StackValidationArgs = {
        resources: policyResources(recorded(c.resources)),
        getConfig: <T extends object>() => (c.config ?? {}) as T,
        stackTags,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    try {
        await policy.validateStack(args, collector(findings));
    } catch (e) {
        if (e instanceof NotApplicable) {
            return findings;
        }
        if (e instanceof UnknownValueError) {
            findings.push({ message: (e as Error).message, unknown: true });
            return findings;
        }
        throw e;
    }
    return findings;
}

export function rule<P extends WebfleetPolicy = WebfleetPolicy>(name: string): P {
    const p = policies.find((x) => x.name === name);
    if (!p) {
        throw new Error(`no rule ${name} in the pack`);
    }
    return p as P;
}

type AnyCase = ResourceCase | StackCase;

export interface ViolationCase<C extends AnyCase> {
    title: string;
    case: C;
    /** Exact messages, in order. */
    messages: string[];
}

export interface RuleCases<C extends AnyCase> {
    compliant: { title: string; case: C }[];
    violations: ViolationCase<C>[];
    /**
     * The unknown-value case: exact violation messages (the rule reports it), or `advisory`:
     * the validation throws UnknownValueError (the engine's advisory note) or reports an
     * advisory-level finding itself; or `passes`: the value is a reference that counts as set
     * (rules with unknown "reference").
     */
    unknown: {
        title: string;
        case: C;
        messages?: string[];
        /** Advisory notes expected alongside `messages` (a stack rule's pre-creation part). */
        notes?: string[];
        advisory?: true;
        passes?: true;
    };
}

/** Rules whose cases were declared, for the pack spec's completeness check. */
export const declaredCases = new Map<string, RuleCases<AnyCase>>();

export async function run(policy: WebfleetPolicy, c: AnyCase): Promise<Finding[]> {
    return isStackRule(policy) ? runStackRule(policy, c as StackCase) : runResourceRule(policy, c as ResourceCase);
}

export function describeRule<C extends AnyCase>(name: string, cases: RuleCases<C>, extra?: () => void): void {
    declaredCases.set(name, cases);
    describe(name, () => {
        const policy = rule(name);
        for (const c of cases.compliant) {
            it(`passes: ${c.title}`, async () => {
                expect(await run(policy, c.case)).to.deep.equal([]);
            });
        }
        for (const v of cases.violations) {
            it(`reports: ${v.title}`, async () => {
                const found = await run(policy, v.case);
                expect(found.map((f) => f.message)).to.deep.equal(v.messages);
                expect(
                    found.every((f) => !f.advisory && !f.unknown && !f.exempted),
                    "reported at the rule's level",
                ).to.equal(true);
            });
        }
        const u = cases.unknown;
        it(`unknown at preview: ${u.title}`, async () => {
            const found = await run(policy, u.case);
            if (u.passes) {
                expect(found).to.deep.equal([]);
            } else if (u.advisory) {
                expect(found.length, "something is reported").to.be.greaterThan(0);
                expect(
                    found.every((f) => f.unknown || f.advisory),
                    JSON.stringify(found),
                ).to.equal(true);
            } else {
                const notes = found.filter((f) => f.unknown || f.advisory);
                expect(found.filter((f) => !f.unknown && !f.advisory).map((f) => f.message)).to.deep.equal(u.messages);
                expect(notes.map((f) => f.message)).to.deep.equal(u.notes ?? []);
            }
        });
        extra?.();
    });
}
