/**
 * Exemptions: every rule accepts `exemptions` in the policy pack config, each naming resources
 * (glob), the written reason and optionally the last day it holds. An exempted violation is
 * still reported, as advisory and marked with its reason, never dropped; an expired one counts
 * again, saying which exemption ran out.
 */
import { ReportViolation } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { nameFromUrn } from "./types";

export interface Exemption {
    /** Resource logical name, `*` and `?` as wildcards. */
    resource: string;
    reason: string;
    /** Last day (YYYY-MM-DD, UTC) the exemption holds; after it the violation counts again. */
    expires?: string;
}

const DATE = "^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$";

/**
 * Every rule accepts `exemptions` in the policy pack config. The schema is enforced by the
 * engine (`pulumi preview --policy-pack-config`) and by the offline runner alike: a pattern
 * that names something (not a bare wildcard), a reason of at least ten characters, and an
 * optional expiry date.
 */
export const EXEMPTIONS_SCHEMA: PolicyConfigJSONSchema = {
    type: "array",
    description:
        "Resources this rule does not block, each with the written reason and optionally the last day it holds; still reported, as advisory.",
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
            expires: {
                type: "string",
                pattern: DATE,
                description:
                    "Last day the exemption holds (YYYY-MM-DD, UTC); after it the violation is reported again.",
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

export function exemptionsOf(config: unknown): Exemption[] {
    const list = (config as { exemptions?: unknown })?.exemptions;
    return Array.isArray(list) ? (list as Exemption[]) : [];
}

/** Today's date in UTC as YYYY-MM-DD, the form of `expires`. */
export function today(): string {
    return new Date().toISOString().slice(0, 10);
}

/** Whether an exemption's last day has passed. */
export function isExpired(e: Exemption, on: string = today()): boolean {
    return typeof e.expires === "string" && e.expires < on;
}

type ReportFn = (message: unknown, urn?: string) => void;

/**
 * Wraps `report`: a violation on a resource an exemption names is still reported, as advisory
 * and marked as exempted with its reason (the engine accepts an object here, see
 * makeReportViolationFun in @pulumi/policy's server.js), never dropped. An expired exemption
 * no longer applies: the violation is reported at the rule's level, saying which exemption ran
 * out, so nobody mistakes it for a new finding.
 */
export function exemptionAware(
    report: ReportViolation,
    exemptions: Exemption[],
    defaultName?: string,
): ReportViolation {
    if (exemptions.length === 0) {
        return report;
    }
    const matchers = exemptions.map((e) => ({ ...e, re: globToRegExp(e.resource) }));
    const forward = report as unknown as ReportFn;
    return (message: string | { message: string; urn?: string; enforcementLevel?: string }, urnArg?: string) => {
        // Rules may report the object form (see report.ts); it carries its own URN.
        const text = typeof message === "string" ? message : message.message;
        const urn = typeof message === "string" ? urnArg : message.urn;
        const name = urn ? nameFromUrn(urn) : defaultName;
        const hits = name === undefined ? [] : matchers.filter((m) => m.re.test(name));
        const live = hits.find((m) => !isExpired(m));
        if (!live) {
            const expired = hits[0];
            if (!expired) {
                forward(message, urnArg);
                return;
            }
            const note = ` (the exemption for '${expired.resource}' expired on ${expired.expires}: ${expired.reason}; fix the resource, or renew the exemption with a new date and reason)`;
            if (typeof message === "string") {
                forward(`${text}${note}`, urnArg);
            } else {
                forward({ ...message, message: `${text}${note}` });
            }
            return;
        }
        const until = live.expires ? ` until ${live.expires}` : "";
        const exempted: ExemptedReport = {
            message: `[exempted${until}: ${live.reason}] ${text}`,
            urn,
            enforcementLevel: "advisory",
            [EXEMPTION_MARKER]: { resource: live.resource, reason: live.reason, message: text },
        };
        forward(exempted);
    };
}
