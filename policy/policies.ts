/**
 * Every rule of the webfleet-guard pack, one topic per file. `index.ts` hands this list to
 * `new PolicyPack`; the tests, the offline runner and the docs read it from here (importing
 * index.ts would start the pack's gRPC server).
 */
import { autoscalingPolicies } from "./autoscaling";
import { cdnPolicies } from "./cdn";
import { containerPolicies } from "./containers";
import { dataStorePolicies } from "./dataStores";
import { databasePolicies } from "./database";
import { databaseEnginePolicies } from "./databaseEngine";
import { databaseNetworkPolicies } from "./databaseNetwork";
import { ebsPolicies } from "./ebs";
import { iamPolicies } from "./iam";
import { iamIdentityPolicies } from "./iamIdentities";
import { instancePolicies } from "./instances";
import { kmsPolicies } from "./kms";
import { WebfleetPolicy } from "./lib/rule";
import { lifecyclePolicies } from "./lifecycle";
import { listenerPolicies } from "./listeners";
import { loadBalancingPolicies } from "./loadBalancing";
import { loggingPolicies } from "./logging";
import { messagingPolicies } from "./messaging";
import { networkAclPolicies } from "./networkAcls";
import { publicExposurePolicies } from "./publicExposure";
import { secretsInTextPolicies } from "./secretsInText";
import { securityGroupPolicies } from "./securityGroups";
import { serverlessPolicies } from "./serverless";
import { storagePolicies } from "./storage";
import { storageLoggingPolicies } from "./storageLogging";
import { subnetPolicies } from "./subnets";
import { vpcPolicies } from "./vpc";
import { wafPolicies } from "./waf";

export const PACK_NAME = "webfleet-guard";

/**
 * Enforcement level of a rule whose config says nothing, when the rule sets none itself. Every
 * webfleet rule sets its own (prod's level for its severity, see lib/rule.ts), so this only
 * applies to rules a test hands the runner.
 */
export const PACK_ENFORCEMENT_LEVEL = "advisory";

/** Which topic each rule belongs to, in the order of the docs. */
export const topics: { topic: string; policies: WebfleetPolicy[] }[] = [
    { topic: "Network", policies: [...securityGroupPolicies, ...databaseNetworkPolicies] },
    { topic: "VPC", policies: [...vpcPolicies, ...subnetPolicies, ...networkAclPolicies] },
    { topic: "Compute", policies: [...instancePolicies, ...ebsPolicies, ...autoscalingPolicies, ...containerPolicies] },
    { topic: "Load balancing", policies: [...listenerPolicies, ...loadBalancingPolicies] },
    { topic: "CDN and WAF", policies: [...cdnPolicies, ...wafPolicies] },
    { topic: "Database", policies: [...databasePolicies, ...databaseEnginePolicies] },
    { topic: "Storage", policies: [...storagePolicies, ...storageLoggingPolicies, ...dataStorePolicies] },
    { topic: "Public exposure", policies: publicExposurePolicies },
    { topic: "IAM", policies: [...iamPolicies, ...iamIdentityPolicies] },
    { topic: "Keys and secrets", policies: kmsPolicies },
    { topic: "Secrets in plain text", policies: secretsInTextPolicies },
    { topic: "Serverless and messaging", policies: [...serverlessPolicies, ...messagingPolicies] },
    { topic: "Logging", policies: loggingPolicies },
    { topic: "Resource options", policies: lifecyclePolicies },
];

export const policies: WebfleetPolicy[] = topics.flatMap((t) => t.policies);
