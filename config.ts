/**
 * The only reader of pulumi.Config. Reads the project's keys and `aws:region` once and hands
 * them to the pure validator, which reports every problem at once.
 */
import * as pulumi from "@pulumi/pulumi";
import { RawStackConfig, StackConfig, validateStackConfig } from "./stackConfig";

export { StackConfigError } from "./stackConfig";
export type { StackConfig } from "./stackConfig";

/** Keys whose values are objects or lists; Pulumi hands them over as JSON text. */
const STRUCTURED_KEYS = new Set([
    "network",
    "bastion",
    "web",
    "database",
    "monitoring",
    "waf",
    "cdn",
    "backup",
    "patching",
    "account",
    "tags",
]);

export function readRawConfig(): RawStackConfig {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const values: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const key = fullKey.slice(prefix.length);
        values[key] = STRUCTURED_KEYS.has(key) ? parseStructured(text) : text;
    }
    return { project, stack: pulumi.getStack(), region: new pulumi.Config("aws").get("region"), values };
}

/** Structured values arrive as JSON; anything else is kept as text so the validator names it. */
function parseStructured(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

export function loadConfig(): StackConfig {
    return validateStackConfig(readRawConfig());
}
