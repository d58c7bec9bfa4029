/**
 * The VPCs, their subnets by availability zone and tier, and where each private subnet's default
 * route goes, read from the records of the VPC's own resources (the offline preview expands
 * awsx's VPC into them: offline/awsxVpc.ts). Matching is by the IDs in the inputs, never by
 * names, so any program that writes its VPC by hand is drawn the same way.
 */
import { RecordedResource, UNKNOWN } from "../types";

export type Tier = "public" | "private" | "isolated";
export const TIERS: readonly Tier[] = ["public", "private", "isolated"];

export interface VpcView {
    id: string;
    name: string;
    cidr: string;
    /** The AZs its subnets are in, sorted: the diagram's columns. */
    azs: string[];
}

export interface SubnetView {
    id: string;
    name: string;
    vpc: string;
    az: string;
    tier: Tier;
    cidr: string;
}

/** A default route (0.0.0.0/0) from a subnet through a NAT gateway. */
export interface NatRoute {
    subnet: string;
    /** The NAT gateway's resource ID. */
    nat: string;
}

export interface Network {
    vpcs: VpcView[];
    subnets: SubnetView[];
    natRoutes: NatRoute[];
}

/** A known, non-empty string (a preview's unknown ID matches nothing). */
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" && v !== UNKNOWN ? v : undefined);

/**
 * A subnet's tier: awsx's SubnetType tag; otherwise public when it routes to an internet
 * gateway, private when it routes to a NAT gateway, isolated when it has no default route.
 */
function tierOf(subnet: RecordedResource, defaultRoute: Map<string, "igw" | "nat">): Tier {
    const tag = str(subnet.inputs.tags?.SubnetType)?.toLowerCase();
    if (tag === "public" || tag === "private" || tag === "isolated") {
        return tag;
    }
    const route = defaultRoute.get(subnet.outputs.id);
    return route === "igw" ? "public" : route === "nat" ? "private" : "isolated";
}

export function readNetwork(resources: RecordedResource[]): Network {
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    // Route table → subnets, through the associations.
    const subnetsOfTable = new Map<string, string[]>();
    for (const a of ofType("aws:ec2/routeTableAssociation:RouteTableAssociation")) {
        const table = str(a.inputs.routeTableId);
        const subnet = str(a.inputs.subnetId);
        if (table && subnet) {
            subnetsOfTable.set(table, [...(subnetsOfTable.get(table) ?? []), subnet]);
        }
    }
    const defaultRoute = new Map<string, "igw" | "nat">();
    const natRoutes: NatRoute[] = [];
    for (const route of ofType("aws:ec2/route:Route")) {
        const i = route.inputs;
        if (i.destinationCidrBlock !== "0.0.0.0/0") {
            continue;
        }
        for (const subnet of subnetsOfTable.get(str(i.routeTableId) ?? "") ?? []) {
            if (str(i.natGatewayId)) {
                defaultRoute.set(subnet, "nat");
                natRoutes.push({ subnet, nat: i.natGatewayId });
            } else if (str(i.gatewayId)?.startsWith("igw-")) {
                defaultRoute.set(subnet, "igw");
            }
        }
    }

    const subnets: SubnetView[] = ofType("aws:ec2/subnet:Subnet")
        .filter((s) => str(s.outputs.id) && str(s.inputs.vpcId))
        .map((s) => ({
            id: s.outputs.id,
            name: s.name,
            vpc: s.inputs.vpcId,
            az: str(s.inputs.availabilityZone) ?? str(s.outputs.availabilityZone) ?? "AZ unknown",
            tier: tierOf(s, defaultRoute),
            cidr: str(s.inputs.cidrBlock) ?? "",
        }))
        .sort((a, b) => a.az.localeCompare(b.az) || TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier));
    const vpcs: VpcView[] = ofType("aws:ec2/vpc:Vpc")
        .filter((v) => str(v.outputs.id))
        .map((v) => ({
            id: v.outputs.id,
            name: v.name,
            cidr: str(v.inputs.cidrBlock) ?? "",
            azs: [...new Set(subnets.filter((s) => s.vpc === v.outputs.id).map((s) => s.az))].sort(),
        }));
    return { vpcs, subnets, natRoutes };
}
