/**
 * A first `pulumi preview`, simulated from the records of a run where every value is known:
 * what the provider computes for a resource not yet created (its ID, its ARN, every output the
 * program did not set) is unknown, and so is every input built from such a value (a reference,
 * or a string interpolating one, such as a policy document or user data). Names Pulumi gives
 * itself (autonamed `name`, `bucket`) stay known, as they do in the engine. Property
 * dependencies are kept: at a real preview they are all that says where a value came from.
 *
 * The test-side counterpart of the lead's two-phase preview (issue 10), so the pack is held to
 * the preview phase on the real programs in this branch too.
 */
import * as policyProxy from "@pulumi/policy/proxy";
import { RecordedResource } from "../../offline/types";

const sentinels = policyProxy as unknown as {
    unknownStringValue: string;
    unknownBooleanValue: string;
    unknownNumberValue: string;
    unknownArrayValue: string;
    unknownObjectValue: string;
};

/** Outputs Pulumi knows before the provider runs: names it generates itself. */
const KNOWN_OUTPUTS = new Set(["name", "bucket", "namePrefix", "bucketPrefix", "identifier"]);

function unknownLike(value: unknown): unknown {
    if (Array.isArray(value)) {
        return sentinels.unknownArrayValue;
    }
    switch (typeof value) {
        case "boolean":
            return sentinels.unknownBooleanValue;
        case "number":
            return sentinels.unknownNumberValue;
        case "object":
            return value === null ? value : sentinels.unknownObjectValue;
        default:
            return sentinels.unknownStringValue;
    }
}

/** Replaces every string that is, or contains, a computed value with the unknown sentinel. */
function blank(value: unknown, computed: string[]): unknown {
    if (typeof value === "string") {
        return computed.some((c) => value === c || value.includes(c)) ? sentinels.unknownStringValue : value;
    }
    if (Array.isArray(value)) {
        return value.map((v) => blank(v, computed));
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, blank(v, computed)]));
    }
    return value;
}

function isComputedOutput(r: RecordedResource, key: string): boolean {
    if (key === "id" || key === "arn") {
        return true;
    }
    return !(key in r.inputs) && !KNOWN_OUTPUTS.has(key);
}

export function firstPreview(known: RecordedResource[]): RecordedResource[] {
    const resources: RecordedResource[] = JSON.parse(JSON.stringify(known));
    const computed = new Set<string>();
    for (const r of resources) {
        if (r.type === "pulumi:pulumi:Stack" || r.type.startsWith("pulumi:providers:")) {
            continue;
        }
        for (const [k, v] of Object.entries(r.outputs)) {
            if (isComputedOutput(r, k)) {
                if (typeof v === "string" && v.length >= 6) {
                    computed.add(v);
                }
                if (Array.isArray(v)) {
                    v.filter((x): x is string => typeof x === "string" && x.length >= 6).forEach((x) =>
                        computed.add(x),
                    );
                }
                r.outputs[k] = unknownLike(v);
            }
        }
    }
    const list = [...computed];
    for (const r of resources) {
        r.inputs = blank(r.inputs, list) as Record<string, unknown>;
        r.outputs = blank(r.outputs, list) as Record<string, unknown>;
    }
    return resources;
}

/** Whether a value anywhere in the records is unknown (so a test can show the simulation bites). */
export function isUnknown(value: unknown): boolean {
    return Object.values(sentinels).includes(value as string);
}
