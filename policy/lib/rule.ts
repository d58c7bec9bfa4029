/**
 * How every rule of the pack is built: metadata for the docs table, the shared `exemptions`
 * config, and a decided treatment of values that are unknown during preview. The wrappers sit
 * between the engine (or the offline runner) and each rule's own validation, so both paths
 * behave the same.
 */
import {
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidation,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { nameFromUrn, subject } from "./types";
import { isUnknownValueError, unknownPath } from "./values";

/**
 * What a rule does with a value it cannot see during preview:
 * - "violation": it reports a violation at the rule's level saying it cannot verify the value,
 *   because a security setting that is only known later must not pass a PR unseen;
 * - "advisory": the engine's own behaviour, an advisory "can't run during preview" note. Used
 *   where the value is normally a reference computed at deploy time (user data, policy
 *   documents, subnet lists); `pulumi up` runs the rule again on the real values before it
 *   creates the resource, and a mandatory violation stops it there;
 * - "reference": the rule only needs to know a value is set (a key, an instance profile), and
 *   a value unknown at preview is a reference to a resource of the stack, so it counts as set.
 *   Anything else the rule reads is handled as "violation".
 */
export type UnknownHandling = "violation" | "advisory" | "reference";

export interface RuleMetadata {
    /** Type tokens the rule inspects. */
    resources: string[];
    /** One line for the README table: what the rule checks. */
    checks: string;
    /** Equivalent checks in cdk-nag, Checkov and pulumi-policy-aws (awsguard). */
    equivalents: string[];
    unknown: UnknownHandling;
    /** How unknown values are treated, in words, when it is more than the two cases above. */
    unknownNote?: string;
}

export interface WebfleetResourcePolicy extends ResourceValidationPolicy {
    metadata: RuleMetadata;
    validateResource: ResourceValidation[];
}

export interface WebfleetStackPolicy extends StackValidationPolicy {
    metadata: RuleMetadata;
}

export type WebfleetPolicy = WebfleetResourcePolicy | WebfleetStackPolicy;

export function isStackRule(p: WebfleetPolicy): p is WebfleetStackPolicy {
    return typeof (p as WebfleetStackPolicy).validateStack === "function";
}

export interface Exemption {
    /** Resource logical name, `*` and `?` as wildcards. */
    resource: string;
    reason: string;
}

/**
 * Every rule accepts `exemptions` in the policy pack config. The schema is enforced by the
 * engine (`pulumi preview --policy-pack-config`) and by the offline runner alike: a pattern
 * that names something (not a bare wildcard) and a reason of at least ten characters.
 */
export const EXEMPTIONS_SCHEMA: PolicyConfigJSONSchema = {
    type: "array",
    description: "Resources this rule does not block, each with the written reason; still reported, as advisory.",
    items: {
        type: "object",
        properties: {
            resource: {
                type: "string",
                minLength: 1,
                pattern: "[^*?]",
                description: "Resource logical name; * and ? are wildcards.",
            },
            reason: {
                type: "string",
                minLength: 10,
                pattern: "^(\\s*\\S){10}",
                description: "Why the exemption is safe (at least 10 characters).",
            },
        },
        required: ["resource", "reason"],
        additionalProperties: false,
    },
    default: [],
};

/** Marker on an exempted violation: the engine ignores it, the offline runner reads it. */
export const EXEMPTION_MARKER = "webfleetExemption";

export interface ExemptedReport {
    message: string;
    urn?: string;
    enforcementLevel: "advisory";
    [EXEMPTION_MARKER]: { resource: string; reason: string; message: string };
}

export function globToRegExp(pattern: string): RegExp {
    const escaped = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${escaped}$`);
}

function exemptionsOf(config: unknown): Exemption[] {
    const list = (config as { exemptions?: unknown })?.exemptions;
    return Array.isArray(list) ? (list as Exemption[]) : [];
}

/**
 * Wraps `report`: a violation on a resource an exemption names is still reported, as advisory
 * and marked as exempted with its reason (the engine accepts an object here, see
 * makeReportViolationFun in @pulumi/policy's server.js), never dropped.
 */
function exemptionAware(report: ReportViolation, exemptions: Exemption[], defaultName?: string): ReportViolation {
    if (exemptions.length === 0) {
        return report;
    }
    const matchers = exemptions.map((e) => ({ ...e, re: globToRegExp(e.resource) }));
    return (message: string | { message: string; urn?: string }, urnArg?: string) => {
        // Rules may report the object form (see report.ts); it carries its own URN.
        const text = typeof message === "string" ? message : message.message;
        const urn = typeof message === "string" ? urnArg : message.urn;
        const name = urn ? nameFromUrn(urn) : defaultName;
        const hit = name === undefined ? undefined : matchers.find((m) => m.re.test(name));
        if (!hit) {
            (report as (m: unknown, u?: string) => void)(message, urnArg);
            return;
        }
        const exempted: ExemptedReport = {
            message: `[exempted: ${hit.reason}] ${text}`,
            urn,
            enforcementLevel: "advisory",
            [EXEMPTION_MARKER]: { resource: hit.resource, reason: hit.reason, message: text },
        };
        (report as unknown as (r: ExemptedReport) => void)(exempted);
    };
}

interface RuleBase {
    name: string;
    /** A full sentence. */
    description: string;
    severity: Severity;
    /** The level without a config file; the stack config files decide per stack. */
    enforcementLevel: EnforcementLevel;
    checks: string;
    equivalents: string[];
    unknown: UnknownHandling;
    unknownNote?: string;
    /** Rule-specific config properties (each with a default); `exemptions` is added. */
    config?: Record<string, PolicyConfigJSONSchema>;
}

interface ResourceRuleDef extends RuleBase {
    /** The requirement and its fix, used when a value is unknown ("databases must … (set …)"). */
    requirement: string;
    validate: ResourceValidation[];
}

interface StackRuleDef extends RuleBase {
    resources: string[];
    validate: StackValidation;
}

function schemaOf(def: RuleBase): PolicyConfigSchema {
    return { properties: { ...(def.config ?? {}), exemptions: EXEMPTIONS_SCHEMA } };
}

function pulumiTypeOf(fn: unknown): string | undefined {
    const t = (fn as { __pulumiType?: unknown }).__pulumiType;
    return typeof t === "string" ? t : undefined;
}

export function resourceRule(def: ResourceRuleDef): WebfleetResourcePolicy {
    const wrapped = def.validate.map((validation) => {
        const fn: ResourceValidation = async (args: ResourceValidationArgs, report: ReportViolation) => {
            const reportOrExempt = exemptionAware(report, exemptionsOf(args.getConfig()), args.name);
            try {
                await validation(args, reportOrExempt);
            } catch (e) {
                if (isUnknownValueError(e) && def.unknown !== "advisory") {
                    reportOrExempt(
                        `${subject(args.type, args.name)} has a value unknown during preview at ${unknownPath(e)}, so it cannot be verified; ${def.requirement}`,
                    );
                    return;
                }
                throw e;
            }
        };
        // Keep the type tag that validateResourceOfType attached, so the engine's fast
        // "not applicable" check still works through the wrapper.
        const type = pulumiTypeOf(validation);
        if (type) {
            (fn as unknown as { __pulumiType: string }).__pulumiType = type;
        }
        return fn;
    });
    return {
        name: def.name,
        description: def.description,
        severity: def.severity,
        enforcementLevel: def.enforcementLevel,
        configSchema: schemaOf(def),
        validateResource: wrapped,
        metadata: {
            resources: def.validate.map(pulumiTypeOf).filter((t): t is string => t !== undefined),
            checks: def.checks,
            equivalents: def.equivalents,
            unknown: def.unknown,
            unknownNote: def.unknownNote,
        },
    };
}

export function stackRule(def: StackRuleDef): WebfleetStackPolicy {
    const validateStack: StackValidation = async (args: StackValidationArgs, report: ReportViolation) => {
        const reportOrExempt = exemptionAware(report, exemptionsOf(args.getConfig()));
        try {
            await def.validate(args, reportOrExempt);
        } catch (e) {
            if (isUnknownValueError(e) && def.unknown !== "advisory") {
                reportOrExempt(
                    `The stack has a value unknown during preview at ${unknownPath(e)}, so ${def.name} cannot be verified; make the value known at preview or check it after deploy`,
                );
                return;
            }
            throw e;
        }
    };
    return {
        name: def.name,
        description: def.description,
        severity: def.severity,
        enforcementLevel: def.enforcementLevel,
        configSchema: schemaOf(def),
        validateStack,
        metadata: {
            resources: def.resources,
            checks: def.checks,
            equivalents: def.equivalents,
            unknown: def.unknown,
            unknownNote: def.unknownNote,
        },
    };
}

/** The rule's config with code defaults filled in (the engine fills schema defaults too). */
export function configOf<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
    const given = args.getConfig<Partial<T>>() ?? {};
    const out = { ...defaults };
    for (const [k, v] of Object.entries(given)) {
        if (v !== undefined) {
            (out as Record<string, unknown>)[k] = v;
        }
    }
    return out;
}
