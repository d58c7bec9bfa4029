import { expect } from "chai";
import { AwsxVpcInputs, childUrn, planVpc, vpcChildren, vpcOutputs } from "../offline/awsxVpc";
import { RecordedResource, UNKNOWN } from "../offline/types";
import { named, sharedRun } from "./support/program";

const COMPONENT = "urn:pulumi:dev::webfleet::webfleet:network:Network$awsx:ec2:Vpc::network-vpc";
const VPC = `urn:pulumi:dev::webfleet::webfleet:network:Network$awsx:ec2:Vpc$aws:ec2/vpc:Vpc::network-vpc`;

function inputs(strategy: string, azs = ["us-east-1a", "us-east-1b"]): AwsxVpcInputs {
    const blocks = (base: number) => azs.map((_, i) => `10.10.${base + i}.0/24`);
    return {
        cidrBlock: "10.10.0.0/16",
        availabilityZoneNames: azs,
        subnetStrategy: "Auto",
        subnetSpecs: [
            { type: "Public", name: "public", cidrBlocks: blocks(0) },
            { type: "Private", name: "private", cidrBlocks: blocks(16) },
            { type: "Isolated", name: "isolated", cidrBlocks: blocks(32) },
        ],
        natGateways: { strategy },
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { Name: "network-vpc" },
    };
}

const summary = (rs: RecordedResource[]) => rs.map((r) => `${r.type.split("/")[1]} ${r.name}`);
const byName = (rs: RecordedResource[], type: string, name: string) => {
    const hit = rs.filter((r) => r.type === type && r.name === name);
    expect(hit, `${type} ${name}`).to.have.length(1);
    return hit[0];
};

describe("awsx.ec2.Vpc expansion (offline/awsxVpc.ts, after awsx 3.x ec2/vpc.ts)", () => {
    it("registers, for Single, the VPC, the gateway, per AZ public/private/isolated with one NAT in the first AZ", () => {
        const children = vpcChildren(COMPONENT, "network-vpc", inputs("Single"), "us-east-1", "123456789012", "update");
        expect(summary(children)).to.deep.equal([
            "vpc:Vpc network-vpc",
            "internetGateway:InternetGateway network-vpc",
            "subnet:Subnet network-vpc-public-1",
            "routeTable:RouteTable network-vpc-public-1",
            "routeTableAssociation:RouteTableAssociation network-vpc-public-1",
            "eip:Eip network-vpc-1",
            "natGateway:NatGateway network-vpc-1",
            "route:Route network-vpc-public-1",
            "subnet:Subnet network-vpc-private-1",
            "routeTable:RouteTable network-vpc-private-1",
            "routeTableAssociation:RouteTableAssociation network-vpc-private-1",
            "route:Route network-vpc-private-1",
            "subnet:Subnet network-vpc-isolated-1",
            "routeTable:RouteTable network-vpc-isolated-1",
            "routeTableAssociation:RouteTableAssociation network-vpc-isolated-1",
            "subnet:Subnet network-vpc-public-2",
            "routeTable:RouteTable network-vpc-public-2",
            "routeTableAssociation:RouteTableAssociation network-vpc-public-2",
            "route:Route network-vpc-public-2",
            "subnet:Subnet network-vpc-private-2",
            "routeTable:RouteTable network-vpc-private-2",
            "routeTableAssociation:RouteTableAssociation network-vpc-private-2",
            "route:Route network-vpc-private-2",
            "subnet:Subnet network-vpc-isolated-2",
            "routeTable:RouteTable network-vpc-isolated-2",
            "routeTableAssociation:RouteTableAssociation network-vpc-isolated-2",
        ]);
        // Both private subnets leave through the one NAT gateway, in the first AZ.
        const nat = byName(children, "aws:ec2/natGateway:NatGateway", "network-vpc-1");
        for (const az of [1, 2]) {
            const route = byName(children, "aws:ec2/route:Route", `network-vpc-private-${az}`);
            expect(route.propertyDependencies.natGatewayId).to.deep.equal([nat.urn]);
            expect(route.inputs).to.deep.include({ destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.outputs.id });
        }
    });

    it("registers, for OnePerAz, a NAT gateway and Elastic IP in each AZ's public subnet, each AZ routed to its own", () => {
        const children = vpcChildren(
            COMPONENT,
            "network-vpc",
            inputs("OnePerAz", ["us-east-1a", "us-east-1b", "us-east-1c"]),
            "us-east-1",
            "123456789012",
            "update",
        );
        const nats = children.filter((r) => r.type === "aws:ec2/natGateway:NatGateway");
        const eips = children.filter((r) => r.type === "aws:ec2/eip:Eip");
        expect(nats.map((n) => n.name)).to.deep.equal(["network-vpc-1", "network-vpc-2", "network-vpc-3"]);
        expect(eips.map((n) => n.name)).to.deep.equal(["network-vpc-1", "network-vpc-2", "network-vpc-3"]);
        for (const az of [1, 2, 3]) {
            const publicSubnet = byName(children, "aws:ec2/subnet:Subnet", `network-vpc-public-${az}`);
            const nat = byName(children, "aws:ec2/natGateway:NatGateway", `network-vpc-${az}`);
            const eip = byName(children, "aws:ec2/eip:Eip", `network-vpc-${az}`);
            expect(nat.parent).to.equal(publicSubnet.urn);
            expect(eip.parent).to.equal(publicSubnet.urn);
            expect(nat.propertyDependencies).to.deep.equal({ subnetId: [publicSubnet.urn], allocationId: [eip.urn] });
            const route = byName(children, "aws:ec2/route:Route", `network-vpc-private-${az}`);
            expect(route.propertyDependencies.natGatewayId).to.deep.equal([nat.urn]);
        }
        // Isolated subnets get a route table and no route at all.
        const isolatedRoutes = children.filter((r) => r.type === "aws:ec2/route:Route" && r.name.includes("isolated"));
        expect(isolatedRoutes).to.deep.equal([]);
    });

    it("gives each child awsx's parent, tags and inputs", () => {
        const children = vpcChildren(COMPONENT, "network-vpc", inputs("Single"), "us-east-1", "123456789012", "update");
        const vpc = byName(children, "aws:ec2/vpc:Vpc", "network-vpc");
        expect(vpc.urn).to.equal(VPC);
        expect(vpc.parent).to.equal(COMPONENT);
        expect(vpc.inputs).to.deep.equal({
            cidrBlock: "10.10.0.0/16",
            enableDnsHostnames: true,
            enableDnsSupport: true,
            tags: { Name: "network-vpc" },
        });
        const subnet = byName(children, "aws:ec2/subnet:Subnet", "network-vpc-public-2");
        expect(subnet.parent).to.equal(VPC);
        expect(subnet.inputs).to.deep.equal({
            availabilityZone: "us-east-1b",
            mapPublicIpOnLaunch: true,
            cidrBlock: "10.10.1.0/24",
            tags: { Name: "network-vpc-public-2", SubnetType: "Public" },
            vpcId: vpc.outputs.id,
        });
        expect(byName(children, "aws:ec2/subnet:Subnet", "network-vpc-private-2").inputs.mapPublicIpOnLaunch).to.equal(
            false,
        );
        const table = byName(children, "aws:ec2/routeTable:RouteTable", "network-vpc-public-2");
        expect(table.parent).to.equal(subnet.urn);
        const route = byName(children, "aws:ec2/route:Route", "network-vpc-public-2");
        expect(route.parent).to.equal(table.urn);
        const igw = byName(children, "aws:ec2/internetGateway:InternetGateway", "network-vpc");
        expect(route.inputs.gatewayId).to.equal(igw.outputs.id);
        expect(route.options?.dependsOn).to.deep.equal([]); // its dependsOn on the table is implied by routeTableId
        expect(childUrn(table.urn, "aws:ec2/route:Route", "x")).to.equal(
            `urn:pulumi:dev::webfleet::webfleet:network:Network$awsx:ec2:Vpc$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet$aws:ec2/routeTable:RouteTable$aws:ec2/route:Route::x`,
        );
    });

    it("in a first preview, leaves every ID and every reference between the children unknown", () => {
        const preview = vpcChildren(COMPONENT, "network-vpc", inputs("Single"), "us-east-1", "123456789012", "preview");
        const route = byName(preview, "aws:ec2/route:Route", "network-vpc-private-1");
        expect(route.outputs.id).to.equal(UNKNOWN);
        expect(route.inputs).to.deep.equal({
            destinationCidrBlock: "0.0.0.0/0",
            natGatewayId: UNKNOWN,
            routeTableId: UNKNOWN,
        });
        expect(route.unknownInputPaths).to.deep.equal(["natGatewayId", "routeTableId"]);
        // What the program wrote is known: CIDRs, AZs, whether a subnet maps public IPs.
        const subnet = byName(preview, "aws:ec2/subnet:Subnet", "network-vpc-isolated-1");
        expect(subnet.inputs).to.deep.include({
            cidrBlock: "10.10.32.0/24",
            mapPublicIpOnLaunch: false,
            vpcId: UNKNOWN,
        });
        expect(subnet.propertyDependencies.vpcId).to.deep.equal([VPC]);
        expect(vpcOutputs("network-vpc", inputs("Single"), "us-east-1", "preview")).to.deep.equal({
            vpcId: UNKNOWN,
            publicSubnetIds: [UNKNOWN, UNKNOWN],
            privateSubnetIds: [UNKNOWN, UNKNOWN],
            isolatedSubnetIds: [UNKNOWN, UNKNOWN],
        });
    });

    it("refuses a layout it would have to guess, instead of drawing a kinder VPC", () => {
        expect(() => planVpc("v", { subnetSpecs: [{ type: "Public", cidrMask: 24 } as never] }, "us-east-1")).to.throw(
            /only for an explicit layout/,
        );
        expect(() => planVpc("v", { ...inputs("Sometimes") }, "us-east-1")).to.throw(/unknown NAT gateway strategy/);
    });

    it("the program's dev and prod runs record the VPC's children, and the component's outputs are their IDs", async () => {
        for (const [stack, azs, nats] of [
            ["dev", 2, 1],
            ["prod", 3, 3],
        ] as const) {
            const run = await sharedRun(stack);
            const component = named(run, "awsx:ec2:Vpc", "network-vpc");
            const children = run.resources.filter((r) => r.urn.includes("$awsx:ec2:Vpc$"));
            const subnets = children.filter((r) => r.type === "aws:ec2/subnet:Subnet");
            expect(subnets, stack).to.have.length(azs * 3);
            expect(
                children.filter((r) => r.type === "aws:ec2/natGateway:NatGateway"),
                stack,
            ).to.have.length(nats);
            const ids = (tier: string) =>
                subnets.filter((s) => s.inputs.tags.SubnetType === tier).map((s) => s.outputs.id as string);
            expect(component.outputs.publicSubnetIds).to.deep.equal(ids("Public"));
            expect(component.outputs.privateSubnetIds).to.deep.equal(ids("Private"));
            expect(component.outputs.isolatedSubnetIds).to.deep.equal(ids("Isolated"));
            expect(component.outputs.vpcId).to.equal(named(run, "aws:ec2/vpc:Vpc", "network-vpc").outputs.id);
        }
    });
});
