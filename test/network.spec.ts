import { expect } from "chai";
import { ProgramRun } from "../offline/program";
import { named, ofType, parentOf, runStack } from "./support/program";

describe("network (mocked program)", function () {
    let dev: ProgramRun;
    let prod: ProgramRun;
    before(async () => {
        dev = await runStack("dev");
        prod = await runStack("prod");
    });

    it("builds public, private and isolated subnets in every configured AZ", () => {
        for (const [run, azs] of [
            [dev, ["us-east-1a", "us-east-1b"]],
            [prod, ["us-east-1a", "us-east-1b", "us-east-1c"]],
        ] as const) {
            const vpc = named(run, "awsx:ec2:Vpc", "network-vpc");
            expect(vpc.inputs.availabilityZoneNames).to.deep.equal(azs);
            expect(vpc.inputs.subnetSpecs.map((s: any) => [s.type, s.cidrBlocks.length])).to.deep.equal([
                ["Public", azs.length],
                ["Private", azs.length],
                ["Isolated", azs.length],
            ]);
            for (const tier of ["publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"]) {
                const ids = run.outputs[tier].value as string[];
                expect(ids, tier).to.have.length(azs.length);
                expect(new Set(ids).size).to.equal(azs.length);
            }
            expect(run.outputs.availabilityZones.value).to.deep.equal(azs);
        }
    });

    it("uses the subnet plan's CIDRs, inside the stack's VPC CIDR", () => {
        const vpc = named(prod, "awsx:ec2:Vpc", "network-vpc");
        expect(vpc.inputs.cidrBlock).to.equal("10.20.0.0/16");
        expect(vpc.inputs.subnetSpecs[1].cidrBlocks).to.deep.equal(["10.20.0.0/19", "10.20.64.0/19", "10.20.128.0/19"]);
    });

    it("uses one NAT gateway in dev and one per AZ in prod", () => {
        expect(named(dev, "awsx:ec2:Vpc", "network-vpc").inputs.natGateways).to.deep.equal({ strategy: "Single" });
        expect(named(prod, "awsx:ec2:Vpc", "network-vpc").inputs.natGateways).to.deep.equal({ strategy: "OnePerAz" });
    });

    it("sends all VPC traffic to flow logs in a log group with retention, through a scoped role", () => {
        const flowLog = named(dev, "aws:ec2/flowLog:FlowLog", "network-flow-log");
        const vpc = named(dev, "awsx:ec2:Vpc", "network-vpc");
        const group = named(dev, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs");
        expect(flowLog.inputs).to.include({
            vpcId: vpc.outputs.vpcId,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: group.outputs.arn,
        });
        expect(group.inputs.retentionInDays).to.equal(30);
        expect(named(prod, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs").inputs.retentionInDays).to.equal(
            365,
        );
        const policy = JSON.parse(named(dev, "aws:iam/rolePolicy:RolePolicy", "network-flow-logs").inputs.policy);
        expect(policy.Statement[0].Resource).to.deep.equal([group.outputs.arn, `${group.outputs.arn}:*`]);
        const trust = JSON.parse(named(dev, "aws:iam/role:Role", "network-flow-logs").inputs.assumeRolePolicy);
        expect(trust.Statement[0].Principal).to.deep.equal({ Service: "vpc-flow-logs.amazonaws.com" });
        expect(trust.Statement[0].Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": "123456789012" } });
    });

    it("adopts the default security group with no rules", () => {
        const sg = named(dev, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "network-default-sg");
        expect(sg.inputs.vpcId).to.equal(named(dev, "awsx:ec2:Vpc", "network-vpc").outputs.vpcId);
        expect(sg.inputs.ingress).to.deep.equal([]);
        expect(sg.inputs.egress).to.deep.equal([]);
    });

    it("keeps its resources under the webfleet:network:Network component", () => {
        for (const type of [
            "awsx:ec2:Vpc",
            "aws:ec2/flowLog:FlowLog",
            "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        ]) {
            const [r] = ofType(dev, type);
            expect(parentOf(dev, r)?.type, type).to.equal("webfleet:network:Network");
        }
    });

    it("takes the region's AZs from a data source when none are configured", async () => {
        const run = await runStack("dev", { "webfleet:network": { availabilityZones: undefined, azCount: 3 } });
        const vpc = named(run, "awsx:ec2:Vpc", "network-vpc");
        expect(vpc.inputs.numberOfAvailabilityZones).to.equal(3);
        expect(vpc.inputs.availabilityZoneNames).to.equal(undefined);
        expect(run.outputs.availabilityZones.value).to.deep.equal(["us-east-1a", "us-east-1b", "us-east-1c"]);
        expect(run.invokes).to.include("aws:index/getAvailabilityZones:getAvailabilityZones");
    });
});
