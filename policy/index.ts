/**
 * The webfleet-guard policy pack: `pulumi preview --policy-pack policy`. Only constructs the
 * pack (which starts its gRPC server); the rules live in policies.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, { policies });
