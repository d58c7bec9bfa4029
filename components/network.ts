/**
 * The VPC: public, private and isolated subnets in every AZ, NAT per stack, flow logs to
 * CloudWatch Logs, and the default security group adopted and emptied.
 */
import * as aws from "@pulumi/aws";
// The ec2 module alone: the package's index also loads awsx's classic and ECS modules and the
// AWS SDK's ECS client, which this program never uses (and every preview would pay for).
import * as awsxEc2 from "@pulumi/awsx/ec2";
import * as pulumi from "@pulumi/pulumi";
import { Statement, policyDocument, serviceTrustPolicy } from "../lib/iam";
import { childName } from "../lib/naming";
import type { SubnetPlan } from "../lib/cidr";

export interface NetworkArgs {
    /** The VPC's IPv4 range, e.g. "10.0.0.0/16". */
    cidr: string;
    /** The AZs, in order; undefined takes the region's first `azCount` available ones. */
    availabilityZones?: string[];
    /** How many AZs (the length of `availabilityZones` when that is given). */
    azCount: number;
    /** One CIDR per AZ and tier, in AZ order (lib/cidr.ts's `planSubnets`). */
    subnets: SubnetPlan;
    /** One NAT gateway for the VPC, or one per AZ (so losing an AZ cuts no other off). */
    natStrategy: "Single" | "OnePerAz";
    /** Retention of the flow log group, in days (a value CloudWatch Logs accepts). */
    flowLogRetentionDays: number;
    /** KMS key for the flow log group; undefined uses CloudWatch's own encryption. */
    logKmsKeyArn?: pulumi.Input<string>;
}

export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly vpcCidr: string;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    public readonly isolatedSubnetIds: pulumi.Output<string[]>;
    public readonly availabilityZones: pulumi.Output<string[]>;
    public readonly flowLogGroupName: pulumi.Output<string>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:network:Network", name, {}, opts);
        const azCount = args.availabilityZones?.length ?? args.azCount;
        for (const tier of ["public", "private", "isolated"] as const) {
            if (args.subnets[tier].length !== azCount) {
                throw new pulumi.ResourceError(
                    `subnets.${tier}: ${args.subnets[tier].length} CIDRs for ${azCount} AZs; give one per AZ (lib/cidr.ts's planSubnets does)`,
                    this,
                );
            }
        }

        // Explicit CIDRs per tier and AZ (planSubnets) so the layout is reviewable in the stack
        // file and adding an AZ never moves an existing subnet (moving one replaces it).
        const vpc = new awsxEc2.Vpc(
            childName(name, "vpc"),
            {
                cidrBlock: args.cidr,
                ...(args.availabilityZones
                    ? { availabilityZoneNames: args.availabilityZones }
                    : { numberOfAvailabilityZones: azCount }),
                subnetStrategy: "Auto",
                subnetSpecs: [
                    { type: "Public", name: "public", cidrBlocks: args.subnets.public },
                    { type: "Private", name: "private", cidrBlocks: args.subnets.private },
                    { type: "Isolated", name: "isolated", cidrBlocks: args.subnets.isolated },
                ],
                natGateways: { strategy: args.natStrategy },
                enableDnsHostnames: true,
                enableDnsSupport: true,
                tags: { Name: childName(name, "vpc") },
            },
            { parent: this },
        );
        this.vpcId = vpc.vpcId;
        this.vpcCidr = args.cidr;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateSubnetIds = vpc.privateSubnetIds;
        this.isolatedSubnetIds = vpc.isolatedSubnetIds;
        this.availabilityZones = args.availabilityZones
            ? pulumi.output(args.availabilityZones)
            : aws
                  .getAvailabilityZonesOutput(
                      { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
                      { parent: this },
                  )
                  .names.apply((names) => names.slice(0, azCount));

        // Adopting the default security group strips its rules; with none declared it stays
        // closed, so nothing launched without an explicit group gets the allow-all default.
        new aws.ec2.DefaultSecurityGroup(
            childName(name, "default-sg"),
            { vpcId: vpc.vpcId, ingress: [], egress: [], tags: { Name: childName(name, "default-closed") } },
            { parent: this },
        );

        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const logGroup = new aws.cloudwatch.LogGroup(
            childName(name, "flow-logs"),
            { retentionInDays: args.flowLogRetentionDays, kmsKeyId: args.logKmsKeyArn },
            { parent: this },
        );
        const role = new aws.iam.Role(
            childName(name, "flow-logs"),
            {
                assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", account),
                description: "VPC flow logs delivery to CloudWatch Logs",
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            childName(name, "flow-logs"),
            {
                role: role.id,
                policy: policyDocument([
                    logGroup.arn.apply((arn): Statement => ({
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resource: [arn, `${arn}:*`],
                    })),
                ]),
            },
            { parent: this },
        );
        new aws.ec2.FlowLog(
            childName(name, "flow-log"),
            {
                vpcId: vpc.vpcId,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 60,
            },
            { parent: this },
        );
        this.flowLogGroupName = logGroup.name;

        this.registerOutputs({
            vpcId: this.vpcId,
            vpcCidr: this.vpcCidr,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
            availabilityZones: this.availabilityZones,
            flowLogGroupName: this.flowLogGroupName,
        });
    }
}
