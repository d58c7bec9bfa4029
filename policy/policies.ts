/**
 * Every rule of the webfleet-guard pack, one topic per file. `index.ts` hands this list to
 * `new PolicyPack`; the tests, the offline runner and the docs read it from here (importing
 * index.ts would start the pack's gRPC server).
 */
import { computePolicies } from "./compute";
import { databasePolicies } from "./database";
import { WebfleetPolicy } from "./lib/rule";
import { loadBalancingPolicies } from "./loadBalancing";
import { loggingPolicies } from "./logging";
import { networkPolicies } from "./network";
import { secretsAndIamPolicies } from "./secretsAndIam";
import { storagePolicies } from "./storage";

export const PACK_NAME = "webfleet-guard";

/** Enforcement level of a rule whose config says nothing (the engine's default for a pack). */
export const PACK_ENFORCEMENT_LEVEL = "advisory";

export const policies: WebfleetPolicy[] = [
    ...networkPolicies,
    ...computePolicies,
    ...loadBalancingPolicies,
    ...databasePolicies,
    ...storagePolicies,
    ...secretsAndIamPolicies,
    ...loggingPolicies,
];

/** Which topic file a rule lives in, for the docs. */
export const topics: { topic: string; policies: WebfleetPolicy[] }[] = [
    { topic: "Network", policies: networkPolicies },
    { topic: "Compute", policies: computePolicies },
    { topic: "Load balancing", policies: loadBalancingPolicies },
    { topic: "Database", policies: databasePolicies },
    { topic: "Storage", policies: storagePolicies },
    { topic: "Secrets and IAM", policies: secretsAndIamPolicies },
    { topic: "Logging", policies: loggingPolicies },
];
