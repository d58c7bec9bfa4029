/**
 * How every rule of the pack is built: metadata for the docs tables, a level derived from the
 * rule's severity, the shared `exemptions` config, and a decided treatment of values that are
 * unknown during preview. The wrappers sit between the engine (or the offline runner) and each
 * rule's own validation, so both paths behave the same.
 */
import {
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidation,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { EXEMPTIONS_SCHEMA, exemptionAware, exemptionsOf } from "./exemptions";
import { reportAdvisory } from "./report";
import { subject } from "./types";
import { isUnknownValueError, unknownPath } from "./values";

export type Severity = "critical" | "high" | "medium" | "low";
export const SEVERITIES: Severity[] = ["critical", "high", "medium", "low"];

/**
 * Which severities block, per kind of stack: a breach path always blocks, hygiene never does.
 * Prod blocks critical and high; dev blocks only critical. A rule's own level (what applies
 * without a config file, e.g. when another team enables the published pack) is prod's.
 */
export const MANDATORY_SEVERITIES: Record<"prod" | "dev", Severity[]> = {
    prod: ["critical", "high"],
    dev: ["critical"],
};

export function levelForSeverity(severity: Severity, stack: "prod" | "dev" = "prod"): "mandatory" | "advisory" {
    return MANDATORY_SEVERITIES[stack].includes(severity) ? "mandatory" : "advisory";
}

/**
 * What a rule does with a value it cannot see during preview:
 * - "advisory": it says it cannot verify the value yet, as an advisory. A resource rule runs again
 *   at `pulumi up` on the real inputs before the resource is created, where a mandatory violation
 *   stops the update; a stack rule's pre-creation part (`beforeCreate`) does the same for the
 *   values it reads;
 * - "reference": the rule only needs to know a value is set (a key, an instance profile), and a
 *   value unknown at preview is a reference to a resource of the stack, so it counts as set;
 *   anything else the rule reads is handled as "advisory";
 * - "violation": the unknown value is itself the problem. In a stack rule, a reference the rule
 *   cannot trace (by value or through property dependencies) could be anything, and no later
 *   check would see it before creation; in a resource rule, a value that is set at all is wrong
 *   whatever it turns out to be (a password in the program, a launch configuration).
 */
export type UnknownHandling = "advisory" | "reference" | "violation";

/** Equivalent checks in other packs, by their own IDs. */
export interface Equivalents {
    /** Checkov: CKV_AWS_*, CKV2_AWS_*. */
    checkov?: string[];
    /** cdk-nag: AwsSolutions-*, NIST.800.53.R5-*, HIPAA.Security-*, PCI.DSS.321-*. */
    cdkNag?: string[];
    /** @pulumi/awsguard policy names. */
    awsguard?: string[];
}

export interface RuleMetadata {
    /** Type tokens the rule inspects. */
    resources: string[];
    /** One line for the rule table: what the rule checks. */
    checks: string;
    equivalents: Equivalents;
    unknown: UnknownHandling;
    /** How unknown values are treated, in words, when it is more than the cases above. */
    unknownNote?: string;
    /** A prod-only rule (Multi-AZ, protection against deletion, …): dev disables it on purpose. */
    prodOnly: boolean;
    /** A stack rule that also validates resources before they are created. */
    beforeCreate: boolean;
}

export interface WebfleetResourcePolicy extends ResourceValidationPolicy {
    severity: Severity;
    metadata: RuleMetadata;
    validateResource: ResourceValidation[];
}

export interface WebfleetStackPolicy extends StackValidationPolicy {
    severity: Severity;
    metadata: RuleMetadata;
    /** The pre-creation part of a stack rule, run by the engine once per resource. */
    validateResource?: ResourceValidation[];
}

export type WebfleetPolicy = WebfleetResourcePolicy | WebfleetStackPolicy;

export function isStackRule(p: WebfleetPolicy): p is WebfleetStackPolicy {
    return typeof (p as WebfleetStackPolicy).validateStack === "function";
}

interface RuleBase {
    name: string;
    /** A full sentence. */
    description: string;
    severity: Severity;
    checks: string;
    equivalents: Equivalents;
    unknown: UnknownHandling;
    unknownNote?: string;
    /** Dev disables the rule on purpose (see policy/config/dev.json). */
    prodOnly?: boolean;
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
    /**
     * Checks of single resources run before each is created (the engine's resource analysis),
     * for what a stack rule must stop, not just report after the fact. Unknown values there are
     * advisory: the engine runs them again on the real inputs before creating the resource.
     */
    beforeCreate?: ResourceValidation[];
    /** The requirement and its fix, for unknown values in `beforeCreate`. */
    requirement?: string;
}

function schemaOf(def: RuleBase): PolicyConfigSchema {
    return { properties: { ...(def.config ?? {}), exemptions: EXEMPTIONS_SCHEMA } };
}

function pulumiTypeOf(fn: unknown): string | undefined {
    const t = (fn as { __pulumiType?: unknown }).__pulumiType;
    return typeof t === "string" ? t : undefined;
}

/**
 * A value whose shape a rule's code did not expect (a string where a list belongs, a number
 * where text does) makes it throw a TypeError or RangeError. That is neither a pass nor a finding
 * about the resource: the rule says, at its own level, that it could not check the value, so
 * the deploy neither stops on a crash nor goes ahead unchecked.
 */
function isShapeError(e: unknown): e is Error {
    return e instanceof TypeError || e instanceof RangeError;
}

function shapeMessage(rule: string, what: string, e: Error): string {
    return `${what} could not be checked by ${rule}: a value has a shape the rule does not handle (${e.message}), so the rule cannot vouch for it; give the value the type the provider's schema says, or report the shape to the pack's owners`;
}

/** Wraps resource validations with exemptions and the advisory treatment of unknown values. */
function wrapResourceValidations(
    validations: ResourceValidation[],
    requirement: string,
    rule: string,
): ResourceValidation[] {
    return validations.map((validation) => {
        const fn: ResourceValidation = async (args: ResourceValidationArgs, report: ReportViolation) => {
            const reportOrExempt = exemptionAware(report, exemptionsOf(args.getConfig()), args.name);
            try {
                await validation(args, reportOrExempt);
            } catch (e) {
                if (isUnknownValueError(e)) {
                    reportAdvisory(
                        reportOrExempt,
                        `${subject(args.type, args.name)} has a value unknown during preview at ${unknownPath(e)}, so it cannot be verified yet; it is checked on the real value before the resource is created (${requirement})`,
                        args.urn,
                    );
                    return;
                }
                if (isShapeError(e)) {
                    reportOrExempt(shapeMessage(rule, subject(args.type, args.name), e), args.urn);
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
}

/** The resources of a rule whose validation applies to every type (e.g. tags). */
export const EVERY_TYPE = "*";

function metadataOf(def: RuleBase, resources: string[], beforeCreate: boolean): RuleMetadata {
    return {
        resources: resources.length > 0 ? [...new Set(resources)] : [EVERY_TYPE],
        checks: def.checks,
        equivalents: def.equivalents,
        unknown: def.unknown,
        unknownNote: def.unknownNote,
        prodOnly: def.prodOnly ?? false,
        beforeCreate,
    };
}

export function resourceRule(def: ResourceRuleDef): WebfleetResourcePolicy {
    return {
        name: def.name,
        description: def.description,
        severity: def.severity,
        enforcementLevel: levelForSeverity(def.severity),
        configSchema: schemaOf(def),
        validateResource: wrapResourceValidations(def.validate, def.requirement, def.name),
        metadata: metadataOf(
            def,
            def.validate.map(pulumiTypeOf).filter((t): t is string => t !== undefined),
            false,
        ),
    };
}

export function stackRule(def: StackRuleDef): WebfleetStackPolicy {
    const validateStack: StackValidation = async (args: StackValidationArgs, report: ReportViolation) => {
        const reportOrExempt = exemptionAware(report, exemptionsOf(args.getConfig()));
        try {
            await def.validate(args, reportOrExempt);
        } catch (e) {
            if (isShapeError(e)) {
                reportOrExempt(shapeMessage(def.name, "The stack", e));
                return;
            }
            if (!isUnknownValueError(e)) {
                throw e;
            }
            const message = `The stack has a value unknown during preview at ${unknownPath(e)}, so ${def.name} cannot be verified yet`;
            if (def.unknown === "violation") {
                reportOrExempt(`${message}; make the value known at preview`);
            } else {
                reportAdvisory(reportOrExempt, `${message}; it is checked again on the real values`);
            }
        }
    };
    const policy: WebfleetStackPolicy = {
        name: def.name,
        description: def.description,
        severity: def.severity,
        enforcementLevel: levelForSeverity(def.severity),
        configSchema: schemaOf(def),
        validateStack,
        metadata: metadataOf(
            def,
            [...def.resources, ...(def.beforeCreate ?? []).map(pulumiTypeOf).filter((t): t is string => !!t)],
            (def.beforeCreate ?? []).length > 0,
        ),
    };
    if (def.beforeCreate && def.beforeCreate.length > 0) {
        policy.validateResource = wrapResourceValidations(
            def.beforeCreate,
            def.requirement ?? def.description,
            def.name,
        );
    }
    return policy;
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

/** The level a rule has without any config (its severity's level in prod). */
export function defaultLevel(p: WebfleetPolicy): EnforcementLevel {
    return p.enforcementLevel ?? levelForSeverity(p.severity);
}

export { EXEMPTIONS_SCHEMA, EXEMPTION_MARKER, globToRegExp, isExpired, today } from "./exemptions";
export type { ExemptedReport, Exemption } from "./exemptions";
