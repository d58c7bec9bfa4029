/**
 * What `awsx.ec2.Vpc` registers inside its provider, so the offline preview sees the VPC's own
 * resources the way a real `pulumi preview --policy-pack` does: the aws:ec2 VPC, the internet
 * gateway, a subnet per tier and AZ with its route table, association and default route, and the
 * NAT gateways with their Elastic IPs per strategy.
 *
 * It follows awsx 3.x's `awsx/ec2/vpc.ts` (pulumi/pulumi-awsx): the same type tokens, logical
 * names (`<vpc>-<spec name>-<AZ number>` for a subnet and the route table, association and route
 * under it, `<vpc>-<AZ number>` for a NAT gateway and its Elastic IP), parents (VPC under the
 * component; subnets and the gateway under the VPC; route tables, NAT gateways and Elastic IPs
 * under their subnet; associations and routes under their route table), tags and input values.
 * Only the explicit subnet layout (`subnetSpecs` with `cidrBlocks`, which the network component
 * uses) is expanded; any other layout is refused rather than guessed, so the picture is never
 * kinder than the real one. test/awsxVpc.spec.ts pins the expansion for Single and OnePerAz.
 */
import { hex } from "./fakeIds";
import { AwsxVpcInputs, Tier, VPC_PASSTHROUGH, planVpc } from "./awsxVpcPlan";
import { Phase, RecordedResource, UNKNOWN } from "./types";

export { mockAzNames, planVpc } from "./awsxVpcPlan";

export type { AwsxVpcInputs, PlannedSubnet, VpcPlan } from "./awsxVpcPlan";

export const AWSX_VPC = "awsx:ec2:Vpc";

/** IDs are stable per logical name, as the update-phase mocks give every resource. */
const idOf = {
    vpc: (vpcName: string) => `vpc-${hex(`aws:ec2/vpc:Vpc/${vpcName}`, 17)}`,
    subnet: (name: string) => `subnet-${hex(`aws:ec2/subnet:Subnet/${name}`, 17)}`,
    routeTable: (name: string) => `rtb-${hex(`aws:ec2/routeTable:RouteTable/${name}`, 17)}`,
    association: (name: string) => `rtbassoc-${hex(`aws:ec2/routeTableAssociation/${name}`, 17)}`,
    igw: (vpcName: string) => `igw-${hex(`aws:ec2/internetGateway/${vpcName}`, 17)}`,
    nat: (name: string) => `nat-${hex(`aws:ec2/natGateway/${name}`, 17)}`,
    eip: (name: string) => `eipalloc-${hex(`aws:ec2/eip/${name}`, 17)}`,
};

/** What the awsx component returns as its outputs (IDs unknown until the subnets exist). */
export function vpcOutputs(vpcName: string, inputs: AwsxVpcInputs, region: string, phase: Phase) {
    const plan = planVpc(vpcName, inputs, region);
    const ids = (tier: Tier) =>
        plan.subnets.filter((s) => s.tier === tier).map((s) => (phase === "preview" ? UNKNOWN : idOf.subnet(s.name)));
    return {
        vpcId: phase === "preview" ? UNKNOWN : idOf.vpc(vpcName),
        publicSubnetIds: ids("Public"),
        privateSubnetIds: ids("Private"),
        isolatedSubnetIds: ids("Isolated"),
    };
}

interface ChildSpec {
    type: string;
    name: string;
    parent: string;
    /** Known inputs. */
    inputs: Record<string, unknown>;
    /** Inputs that are references to other children: property → the child's URN and its ID. */
    refs: Record<string, { urn: string; id: string }>;
    /** Explicit dependsOn (awsx sets one on every child). */
    dependsOn: string[];
    id: string;
    /** Provider-computed outputs, known only after deploy. */
    computed: Record<string, unknown>;
}

/** The URN of a child: its parent's type chain, then its own type (how the engine builds URNs). */
export function childUrn(parentUrn: string, type: string, name: string): string {
    const parts = parentUrn.split("::");
    const qualifiedParentType = parts[2];
    return `${parts[0]}::${parts[1]}::${qualifiedParentType}$${type}::${name}`;
}

/**
 * The records of every resource awsx registers under the component `componentUrn`, in awsx's
 * order. In the preview phase IDs, references between the children and every provider-computed
 * output are unknown, as in a first real `pulumi preview`.
 */
export function vpcChildren(
    componentUrn: string,
    vpcName: string,
    inputs: AwsxVpcInputs,
    region: string,
    account: string,
    phase: Phase,
    /** The component's own `protect`, which its children inherit as every resource does. */
    protect = false,
): RecordedResource[] {
    const plan = planVpc(vpcName, inputs, region);
    const sharedTags = { Name: vpcName, ...inputs.tags };
    const specs: ChildSpec[] = [];
    const add = (spec: Omit<ChildSpec, "dependsOn"> & { dependsOn?: string[] }) => {
        const full = { dependsOn: [], ...spec };
        specs.push(full);
        return { urn: childUrn(spec.parent, spec.type, spec.name), id: spec.id };
    };

    const vpcInputs: Record<string, unknown> = { cidrBlock: inputs.cidrBlock ?? "10.0.0.0/16", tags: sharedTags };
    for (const key of VPC_PASSTHROUGH) {
        if (inputs[key] !== undefined) vpcInputs[key] = inputs[key];
    }
    const vpcId = idOf.vpc(vpcName);
    const vpc = add({
        type: "aws:ec2/vpc:Vpc",
        name: vpcName,
        parent: componentUrn,
        inputs: vpcInputs,
        refs: {},
        id: vpcId,
        computed: {
            arn: `arn:aws:ec2:${region}:${account}:vpc/${vpcId}`,
            defaultSecurityGroupId: `sg-${hex(`default/${vpcName}`, 17)}`,
            defaultRouteTableId: `rtb-${hex(`main/${vpcName}`, 17)}`,
            mainRouteTableId: `rtb-${hex(`main/${vpcName}`, 17)}`,
            defaultNetworkAclId: `acl-${hex(`acl/${vpcName}`, 17)}`,
            ownerId: account,
        },
    });
    const igw = add({
        type: "aws:ec2/internetGateway:InternetGateway",
        name: vpcName,
        parent: vpc.urn,
        inputs: { tags: sharedTags },
        refs: { vpcId: vpc },
        dependsOn: [vpc.urn],
        id: idOf.igw(vpcName),
        computed: { arn: `arn:aws:ec2:${region}:${account}:internet-gateway/${idOf.igw(vpcName)}`, ownerId: account },
    });

    const nats: { urn: string; id: string }[] = [];
    const allocationIds = inputs.natGateways?.elasticIpAllocationIds ?? [];
    for (const s of plan.subnets) {
        const subnetId = idOf.subnet(s.name);
        const subnet = add({
            type: "aws:ec2/subnet:Subnet",
            name: s.name,
            parent: vpc.urn,
            inputs: {
                availabilityZone: s.az,
                mapPublicIpOnLaunch: s.tier === "Public",
                cidrBlock: s.cidrBlock,
                tags: { ...sharedTags, ...s.tags, Name: s.name, SubnetType: s.tier },
            },
            refs: { vpcId: vpc },
            dependsOn: [vpc.urn],
            id: subnetId,
            computed: {
                arn: `arn:aws:ec2:${region}:${account}:subnet/${subnetId}`,
                availabilityZoneId: `${region.replace(/-/g, "").slice(0, 4)}-az${s.azIndex + 1}`,
                ownerId: account,
            },
        });
        const routeTable = add({
            type: "aws:ec2/routeTable:RouteTable",
            name: s.name,
            parent: subnet.urn,
            inputs: { tags: { ...sharedTags, Name: s.name, SubnetType: s.tier } },
            refs: { vpcId: vpc },
            dependsOn: [subnet.urn],
            id: idOf.routeTable(s.name),
            computed: {
                arn: `arn:aws:ec2:${region}:${account}:route-table/${idOf.routeTable(s.name)}`,
                ownerId: account,
            },
        });
        add({
            type: "aws:ec2/routeTableAssociation:RouteTableAssociation",
            name: s.name,
            parent: routeTable.urn,
            inputs: {},
            refs: { routeTableId: routeTable, subnetId: subnet },
            dependsOn: [routeTable.urn],
            id: idOf.association(s.name),
            computed: {},
        });
        const wantsNat =
            s.tier === "Public" &&
            (plan.strategy === "Single"
                ? nats.length < 1
                : plan.strategy === "OnePerAz" && nats.length < s.azIndex + 1);
        if (wantsNat) {
            const natName = `${vpcName}-${s.azIndex + 1}`;
            let allocation: { urn: string; id: string } | undefined;
            if (allocationIds.length === 0) {
                allocation = add({
                    type: "aws:ec2/eip:Eip",
                    name: natName,
                    parent: subnet.urn,
                    inputs: { tags: { ...inputs.tags, Name: natName } },
                    refs: {},
                    dependsOn: [subnet.urn],
                    id: idOf.eip(natName),
                    computed: {
                        allocationId: idOf.eip(natName),
                        publicIp: `198.51.100.${(parseInt(hex(natName, 2), 16) % 250) + 1}`,
                        domain: "vpc",
                        arn: `arn:aws:ec2:${region}:${account}:elastic-ip/${idOf.eip(natName)}`,
                    },
                });
            }
            const natId = idOf.nat(natName);
            const nat = add({
                type: "aws:ec2/natGateway:NatGateway",
                name: natName,
                parent: subnet.urn,
                inputs: {
                    tags: { ...inputs.tags, Name: natName },
                    ...(allocation ? {} : { allocationId: allocationIds[s.azIndex] }),
                },
                refs: { subnetId: subnet, ...(allocation ? { allocationId: allocation } : {}) },
                dependsOn: [subnet.urn],
                id: natId,
                computed: { connectivityType: "public", networkInterfaceId: `eni-${hex(natName, 17)}` },
            });
            nats.push(nat);
        }
        // The default route: public subnets to the internet gateway, private ones to their NAT
        // gateway (the one gateway with Single); isolated subnets have none.
        const target: Record<string, typeof igw> | undefined =
            s.tier === "Public"
                ? { gatewayId: igw }
                : s.tier === "Private" && plan.strategy !== "None"
                  ? { natGatewayId: plan.strategy === "Single" ? nats[0] : nats[s.azIndex] }
                  : undefined;
        if (target) {
            add({
                type: "aws:ec2/route:Route",
                name: s.name,
                parent: routeTable.urn,
                inputs: { destinationCidrBlock: "0.0.0.0/0" },
                refs: { routeTableId: routeTable, ...target },
                dependsOn: [routeTable.urn],
                id: `r-${routeTable.id}1080289494`,
                computed: { origin: "CreateRoute", state: "active" },
            });
        }
    }
    return specs.map((spec) => toRecord(spec, phase, protect));
}

function toRecord(spec: ChildSpec, phase: Phase, protect: boolean): RecordedResource {
    const preview = phase === "preview";
    const refInputs = Object.fromEntries(Object.entries(spec.refs).map(([k, ref]) => [k, preview ? UNKNOWN : ref.id]));
    const inputs = { ...spec.inputs, ...refInputs };
    const computed = Object.fromEntries(Object.entries(spec.computed).map(([k, v]) => [k, preview ? UNKNOWN : v]));
    const propertyDependencies = Object.fromEntries(Object.entries(spec.refs).map(([k, ref]) => [k, [ref.urn]]));
    const implied = Object.values(spec.refs).map((r) => r.urn);
    return {
        urn: childUrn(spec.parent, spec.type, spec.name),
        type: spec.type,
        name: spec.name,
        parent: spec.parent,
        custom: true,
        inputs,
        outputs: { id: preview ? UNKNOWN : spec.id, ...inputs, ...computed },
        dependencies: [...new Set([...spec.dependsOn, ...implied])],
        propertyDependencies,
        secretInputPaths: [],
        secretOutputNames: [],
        options: {
            protect,
            retainOnDelete: false,
            deleteBeforeReplace: false,
            ignoreChanges: [],
            replaceOnChanges: [],
            dependsOn: spec.dependsOn.filter((d) => !implied.includes(d)),
        },
        unknownInputPaths: preview ? Object.keys(spec.refs).sort() : [],
    };
}
