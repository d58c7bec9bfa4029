/**
 * The layout awsx 3.x's `awsx.ec2.Vpc` computes from its inputs (offline/awsxVpc.ts registers
 * the resources of it): the AZs, the subnets per tier and AZ in awsx's order and names, and the
 * NAT strategy. Pure; anything but the explicit layout the network component uses is refused.
 */
import { availabilityZonesOf } from "./regions";

export type Tier = "Public" | "Private" | "Isolated";

interface SubnetSpecInput {
    type: string;
    name?: string;
    cidrBlocks?: string[];
    tags?: Record<string, string>;
}

export interface AwsxVpcInputs {
    cidrBlock?: string;
    availabilityZoneNames?: string[];
    numberOfAvailabilityZones?: number;
    subnetSpecs?: SubnetSpecInput[];
    natGateways?: { strategy?: string; elasticIpAllocationIds?: string[] };
    tags?: Record<string, string>;
    [key: string]: unknown;
}

/** The inputs awsx passes through to the inner aws.ec2.Vpc (`{ ...args, cidrBlock, tags }`). */
export const VPC_PASSTHROUGH = [
    "assignGeneratedIpv6CidrBlock",
    "enableDnsHostnames",
    "enableDnsSupport",
    "enableNetworkAddressUsageMetrics",
    "instanceTenancy",
    "ipv4IpamPoolId",
    "ipv4NetmaskLength",
    "ipv6CidrBlock",
    "ipv6CidrBlockNetworkBorderGroup",
    "ipv6IpamPoolId",
    "ipv6NetmaskLength",
];

/** The region's AZs as the mocked `aws.getAvailabilityZones` lists them (offline/regions.ts). */
export function mockAzNames(region: string): string[] {
    return availabilityZonesOf(region);
}

/** awsx's getDefaultAzs: the region's first N zones, or its error when it has fewer. */
function defaultAzs(region: string, count = 3): string[] {
    const names = mockAzNames(region);
    if (names.length < count) {
        throw new Error(
            `The configured region for this provider does not have at least ${count} Availability Zones. Either specify an explicit list of zones in availabilityZoneNames or choose a region with at least ${count} AZs.`,
        );
    }
    return names.slice(0, count);
}

/** One subnet awsx creates: its tier, AZ, CIDR and logical name. */
export interface PlannedSubnet {
    tier: Tier;
    az: string;
    azIndex: number;
    cidrBlock: string;
    name: string;
    tags?: Record<string, string>;
}

export interface VpcPlan {
    azs: string[];
    strategy: "None" | "Single" | "OnePerAz";
    subnets: PlannedSubnet[];
}

const TIER_ORDER: Record<Tier, number> = { Public: 0, Private: 1, Isolated: 2 };

function tierOf(type: string): Tier {
    const t = type.toLowerCase();
    if (t === "public") return "Public";
    if (t === "private") return "Private";
    if (t === "isolated") return "Isolated";
    throw new Error(`offline mocks: awsx subnet type "${type}" is not expanded (Public, Private, Isolated)`);
}

function strategyOf(raw: string | undefined): VpcPlan["strategy"] {
    // awsx's own default when natGateways is not given is one per AZ.
    const s = (raw ?? "OnePerAz").toLowerCase();
    if (s === "none") return "None";
    if (s === "single") return "Single";
    if (s === "oneperaz") return "OnePerAz";
    throw new Error(`offline mocks: unknown NAT gateway strategy "${raw}"`);
}

/** The subnets awsx lays out for these inputs, in its registration order (per AZ: public, private, isolated). */
export function planVpc(vpcName: string, inputs: AwsxVpcInputs, region: string): VpcPlan {
    const azs = inputs.availabilityZoneNames ?? defaultAzs(region, inputs.numberOfAvailabilityZones);
    const specs = inputs.subnetSpecs ?? [];
    if (specs.length === 0 || specs.some((s) => !Array.isArray(s.cidrBlocks))) {
        throw new Error(
            "offline mocks: awsx.ec2.Vpc is expanded only for an explicit layout (every subnetSpecs entry with cidrBlocks); " +
                "add the layout's allocator to offline/awsxVpc.ts rather than guess it",
        );
    }
    const subnets: PlannedSubnet[] = [];
    azs.forEach((az, azIndex) => {
        const inAz = specs.map((spec) => ({ spec, tier: tierOf(spec.type) }));
        // awsx sorts each AZ's specs so the public subnet (and its NAT gateway) comes first.
        inAz.sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier]);
        for (const { spec, tier } of inAz) {
            const cidrBlock = spec.cidrBlocks![azIndex];
            if (cidrBlock === undefined) {
                throw new Error(`offline mocks: subnetSpecs "${spec.name ?? spec.type}" has no CIDR for AZ ${az}`);
            }
            const specName = spec.name ?? spec.type.toLowerCase();
            subnets.push({
                tier,
                az,
                azIndex,
                cidrBlock,
                name: `${vpcName}-${specName}-${azIndex + 1}`,
                tags: spec.tags,
            });
        }
    });
    return { azs, strategy: strategyOf(inputs.natGateways?.strategy), subnets };
}
