/**
 * The stack config: every key declared once (keys.ts), the rules between them (rules.ts), the
 * validator that checks a stack file against both and prints the fixes (validate.ts), and what
 * the docs and Pulumi.yaml are generated from (docs.ts). Pure: config.ts, the only reader of
 * pulumi.Config, hands it the raw values.
 */
export {
    CDN_REGION,
    ENVIRONMENTS,
    HEALTH_CHECK_METRICS_REGION,
    LOG_RETENTION_DAYS,
    MAX_STORAGE_GB,
    SECTIONS,
    allKeys,
    dbConnectionCeiling,
    defaultDbConnections,
    minimumMaxAllocatedStorageGb,
} from "./keys";
export type { Environment } from "./keys";
export { StackConfigError, defaultsFor, isStackConfigError, validateStackConfig } from "./validate";
export type { ConfigProblem, RawStackConfig, StackConfig } from "./validate";

import { allKeys } from "./keys";

/** Every documented key path (the docs table lists exactly these, plus aws:region). */
export const CONFIG_KEYS: readonly string[] = allKeys().map((k) => k.path);
