import { T } from "../../policy/lib/types";
import { awsxVpc, ingressRule } from "./builders";
import { StackCase, UNKNOWN, UNKNOWN_ARRAY, describeRule } from "./helpers";

describe("policy: VPC", () => {
    const CLOSED =
        "adopt it with no rules (new aws.ec2.DefaultSecurityGroup with vpcId set to this VPC, ingress: [] and egress: [])";
    const dsg = (props: Record<string, unknown>, deps?: Record<string, string[]>) => ({
        type: T.defaultSecurityGroup,
        name: "default-sg",
        props: { id: "sg-0def", ...props },
        deps,
    });
    describeRule<StackCase>("default-sg-closed", {
        compliant: [
            {
                title: "the awsx VPC's default group adopted with no rules",
                case: { resources: [awsxVpc(), dsg({ vpcId: "vpc-0a1", ingress: [], egress: [] })] },
            },
            {
                title: "real preview: the awsx component, its aws:ec2/vpc:Vpc child, and vpcId traced through dependencies",
                case: {
                    resources: [
                        awsxVpc("vpc", UNKNOWN),
                        { type: T.vpc, name: "vpc-child", parent: "vpc", props: { id: UNKNOWN } },
                        dsg(
                            { id: UNKNOWN, vpcId: UNKNOWN, ingress: UNKNOWN_ARRAY, egress: UNKNOWN_ARRAY },
                            { vpcId: ["vpc"] },
                        ),
                    ],
                },
            },
            {
                title: "a plain aws.ec2.Vpc matched by ID",
                case: {
                    resources: [
                        { type: T.vpc, name: "plain", props: { id: "vpc-0b2" } },
                        dsg({ vpcId: "vpc-0b2", ingress: [], egress: [] }),
                    ],
                },
            },
            {
                title: "an adopted default VPC whose default group is adopted empty (traced by dependency)",
                case: {
                    resources: [
                        { type: T.defaultVpc, name: "default-vpc", props: { id: UNKNOWN } },
                        dsg({ vpcId: UNKNOWN, ingress: [], egress: [] }, { vpcId: ["default-vpc"] }),
                    ],
                },
            },
        ],
        violations: [
            {
                title: "the default group keeps an ingress rule",
                case: {
                    resources: [
                        awsxVpc(),
                        dsg({
                            vpcId: "vpc-0a1",
                            ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }],
                            egress: [],
                        }),
                    ],
                },
                messages: [
                    "Default security group 'default-sg' has 1 ingress rule(s); the default security group must stay closed (set ingress: [] and give resources their own security groups)",
                ],
            },
            {
                title: "a standalone rule added to the default group",
                case: {
                    resources: [
                        awsxVpc(),
                        dsg({ vpcId: "vpc-0a1" }),
                        ingressRule("to-default", ["default-sg", "sg-0def"], 443, { cidrIpv4: "10.0.0.0/8" }),
                    ],
                },
                messages: [
                    "Security group ingress rule 'to-default' adds a rule to the default security group 'default-sg'; the default security group must stay closed (attach the rule to a purpose-made security group)",
                ],
            },
            {
                title: "an adopted default VPC (aws.ec2.DefaultVpc) whose default group is not adopted",
                case: { resources: [{ type: T.defaultVpc, name: "default-vpc", props: { id: "vpc-0def" } }] },
                messages: [
                    `Default VPC 'default-vpc' has no aws.ec2.DefaultSecurityGroup in the stack, so its default security group keeps AWS's allow-all rules; ${CLOSED}`,
                ],
            },
            {
                title: "a VPC whose default group is not adopted",
                case: { resources: [awsxVpc(), dsg({ vpcId: "vpc-0other", ingress: [], egress: [] })] },
                messages: [
                    `VPC 'vpc' has no aws.ec2.DefaultSecurityGroup in the stack, so its default security group keeps AWS's allow-all rules; ${CLOSED}`,
                ],
            },
        ],
        unknown: {
            title: "a default group whose vpcId cannot be traced covers nothing",
            case: { resources: [awsxVpc(), dsg({ vpcId: UNKNOWN, ingress: [], egress: [] })] },
            messages: [
                `VPC 'vpc' has no aws.ec2.DefaultSecurityGroup in the stack (default security group(s) 'default-sg' could not be traced to a VPC during preview), so its default security group keeps AWS's allow-all rules; ${CLOSED}`,
            ],
        },
    });

    const FLOW_FIX =
        'every VPC\'s traffic must be recorded for incident response (add an aws.ec2.FlowLog with vpcId set to this VPC and trafficType "ALL")';
    const flowLog = (props: Record<string, unknown>, deps?: Record<string, string[]>) => ({
        type: T.flowLog,
        name: "fl",
        props: { trafficType: "ALL", ...props },
        deps,
    });
    describeRule<StackCase>("vpc-flow-logs-enabled", {
        compliant: [
            {
                title: "the awsx VPC's flow log, matched by vpcId",
                case: { resources: [awsxVpc(), flowLog({ vpcId: "vpc-0a1" })] },
            },
            {
                title: "real preview: vpcId unknown, traced to the awsx component through dependencies",
                case: {
                    resources: [
                        awsxVpc("vpc", UNKNOWN),
                        { type: T.vpc, name: "vpc-child", parent: "vpc", props: { id: UNKNOWN } },
                        flowLog({ vpcId: UNKNOWN }, { vpcId: ["vpc"] }),
                    ],
                },
            },
            {
                title: "real preview: the dependency is the aws:ec2/vpc:Vpc child",
                case: {
                    resources: [
                        awsxVpc("vpc", UNKNOWN),
                        { type: T.vpc, name: "vpc-child", parent: "vpc", props: { id: UNKNOWN } },
                        flowLog({ vpcId: UNKNOWN }, { vpcId: ["vpc-child"] }),
                    ],
                },
            },
            {
                title: "an adopted default VPC with its flow log",
                case: {
                    resources: [
                        { type: T.defaultVpc, name: "default-vpc", props: { id: "vpc-0def" } },
                        flowLog({ vpcId: "vpc-0def" }),
                    ],
                },
            },
            {
                title: "REJECT accepted by config",
                case: {
                    resources: [
                        { type: T.vpc, name: "plain", props: { id: "vpc-0b2" } },
                        flowLog({ vpcId: "vpc-0b2", trafficType: "REJECT" }),
                    ],
                    config: { trafficTypes: ["ALL", "REJECT"] },
                },
            },
        ],
        violations: [
            {
                title: "no flow log at all",
                case: { resources: [awsxVpc()] },
                messages: [`VPC 'vpc' has no flow log; ${FLOW_FIX}`],
            },
            {
                title: "an adopted default VPC without flow logs",
                case: { resources: [{ type: T.defaultVpc, name: "default-vpc", props: { id: "vpc-0def" } }] },
                messages: [`Default VPC 'default-vpc' has no flow log; ${FLOW_FIX}`],
            },
            {
                title: "a flow log on a subnet only, not on the VPC",
                case: {
                    resources: [
                        awsxVpc(),
                        { type: T.subnet, name: "app-a", props: { id: "subnet-0a", vpcId: "vpc-0a1" } },
                        flowLog({ subnetId: "subnet-0a" }, { subnetId: ["app-a"] }),
                    ],
                },
                messages: [`VPC 'vpc' has no flow log; ${FLOW_FIX}`],
            },
            {
                title: "a flow log on another VPC",
                case: { resources: [awsxVpc(), flowLog({ vpcId: "vpc-0other" })] },
                messages: [`VPC 'vpc' has no flow log; ${FLOW_FIX}`],
            },
            {
                title: "only accepted traffic recorded",
                case: { resources: [awsxVpc(), flowLog({ vpcId: "vpc-0a1", trafficType: "ACCEPT" })] },
                messages: [
                    "VPC 'vpc' is covered only by flow log(s) 'fl' (ACCEPT); flow logs must record ALL traffic (set trafficType: \"ALL\")",
                ],
            },
        ],
        unknown: {
            title: "a flow log that cannot be traced covers nothing",
            case: { resources: [awsxVpc(), flowLog({ vpcId: UNKNOWN })] },
            messages: [
                `VPC 'vpc' has no flow log (flow log(s) 'fl' could not be traced to a VPC during preview); ${FLOW_FIX}`,
            ],
        },
    });
});
