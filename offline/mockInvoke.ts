/**
 * The data sources the program may call, with what AWS would answer (offline/mocks.ts routes
 * every invoke here). An invoke it does not know is an error, so a new data source can never
 * silently return nothing.
 */
import * as crypto from "node:crypto";
import { MOCK_ACCOUNT_ID } from "./mockState";
import { availabilityZonesOf, zoneIdsOf } from "./regions";

/** What a used account already has: Auto Scaling created its service-linked role long ago. */
export const DEFAULT_EXISTING_ROLES = ["AWSServiceRoleForAutoScaling"];

/** Data sources the program may call, with what AWS would answer. */
export function mockInvoke(
    token: string,
    inputs: Record<string, any>,
    region: string,
    existingRoles: string[],
): Record<string, any> {
    switch (token) {
        case "aws:iam/getRole:getRole": {
            const name = String(inputs.name);
            if (!existingRoles.includes(name)) {
                // What IAM answers, as the provider reports it.
                throw new Error(`reading IAM Role (${name}): couldn't find resource (NoSuchEntity)`);
            }
            const path = name.startsWith("AWSServiceRoleFor") ? "/aws-service-role/autoscaling.amazonaws.com/" : "/";
            return {
                id: name,
                name,
                path,
                arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role${path}${name}`,
                uniqueId: `AROA${crypto.createHash("sha256").update(name).digest("hex").slice(0, 17).toUpperCase()}`,
                assumeRolePolicy: "{}",
                maxSessionDuration: 3600,
                tags: {},
            };
        }
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            // Without allAvailabilityZones, only the zones that need no opt-in; excludeNames
            // and excludeZoneIds drop theirs.
            const ids = zoneIdsOf(region);
            const kept = availabilityZonesOf(region)
                .map((name, i) => ({ name, id: ids[i] }))
                .filter((z) => !(inputs.excludeNames ?? []).includes(z.name))
                .filter((z) => !(inputs.excludeZoneIds ?? []).includes(z.id));
            return {
                names: kept.map((z) => z.name),
                zoneIds: kept.map((z) => z.id),
                state: inputs.state ?? "available",
                id: region,
                groupNames: [region],
            };
        }
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                accountId: MOCK_ACCOUNT_ID,
                arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline`,
                userId: "AIDAOFFLINE",
                id: MOCK_ACCOUNT_ID,
            };
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:ec2/getManagedPrefixList:getManagedPrefixList":
            if (inputs.name === "com.amazonaws.global.cloudfront.origin-facing") {
                // The AWS-managed list's ID differs per region; us-east-1's.
                return {
                    id: "pl-3b927c52",
                    name: inputs.name,
                    addressFamily: "IPv4",
                    maxEntries: 55,
                    ownerId: "AWS",
                    version: 1,
                    entries: [],
                    arn: `arn:aws:ec2:${region}:aws:prefix-list/pl-3b927c52`,
                    tags: {},
                };
            }
            break;
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
    }
    throw new Error(
        `offline mocks: no mock for the invoke ${token}; add one to offline/mocks.ts (what AWS would return), so a data source never silently returns nothing`,
    );
}
