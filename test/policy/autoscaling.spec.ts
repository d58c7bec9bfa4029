import { T } from "../../policy/lib/types";

import { ResourceCase, StackCase, StackResource, UNKNOWN, UNKNOWN_ARRAY, describeRule } from "./helpers";

describe("policy: autoscaling", () => {
    describeRule<ResourceCase>("asg-launch-template", {
        compliant: [
            {
                title: "a launch template",
                case: { type: T.autoscalingGroup, props: { launchTemplate: { id: "lt-1", version: "1" } } },
            },
            {
                title: "a mixed instances policy",
                case: {
                    type: T.autoscalingGroup,
                    props: {
                        mixedInstancesPolicy: {
                            launchTemplate: { launchTemplateSpecification: { launchTemplateId: "lt-1" } },
                        },
                    },
                },
            },
        ],
        violations: [
            {
                title: "a launch configuration",
                case: { type: T.autoscalingGroup, props: { launchConfiguration: "web-lc" } },
                messages: [
                    "Auto Scaling group 'subject' uses a launch configuration; launch configurations are deprecated by AWS and get no new EC2 features (set launchTemplate: { id, version } and remove launchConfiguration)",
                ],
            },
            {
                title: "nothing to launch from",
                case: { type: T.autoscalingGroup, props: { minSize: 1 } },
                messages: [
                    "Auto Scaling group 'subject' has no launch template; Auto Scaling groups launch from a launch template (set launchTemplate: { id, version })",
                ],
            },
        ],
        unknown: {
            title: "a launch configuration unknown at preview is still a launch configuration",
            case: { type: T.autoscalingGroup, props: { launchConfiguration: UNKNOWN } },
            messages: [
                "Auto Scaling group 'subject' uses a launch configuration; launch configurations are deprecated by AWS and get no new EC2 features (set launchTemplate: { id, version } and remove launchConfiguration)",
            ],
        },
    });

    const HEALTH =
        "so an instance that stops serving stays in service; a group behind a load balancer must use its health checks";
    const asg = (name: string, props: Record<string, unknown>): StackResource => ({
        type: T.autoscalingGroup,
        name,
        props: { name: `${name}-4cc0c2b`, ...props },
    });
    const attachment = (props: Record<string, unknown>, deps?: string[], type: string = T.asgAttachment) => ({
        type,
        name: "web-attach",
        props,
        deps: deps ? { autoscalingGroupName: deps } : undefined,
    });
    describeRule<StackCase>("asg-elb-health-check", {
        compliant: [
            {
                title: "ELB health checks behind a target group",
                case: { resources: [asg("web", { healthCheckType: "ELB", targetGroupArns: ["arn:tg"] })] },
            },
            {
                title: "EC2 health checks without a load balancer (the bastion)",
                case: { resources: [asg("bastion", { healthCheckType: "EC2" })] },
            },
            {
                title: "a lattice traffic source with VPC_LATTICE health checks",
                case: {
                    resources: [
                        asg("web", {
                            healthCheckType: "VPC_LATTICE",
                            trafficSources: [{ identifier: "arn:lattice-tg", type: "vpc-lattice" }],
                        }),
                    ],
                },
            },
            {
                title: "an attachment resource to a group with ELB checks, traced at preview through its dependency",
                case: {
                    resources: [
                        asg("web", { name: UNKNOWN, healthCheckType: "ELB" }),
                        attachment({ autoscalingGroupName: UNKNOWN, lbTargetGroupArn: UNKNOWN }, ["web"]),
                    ],
                },
            },
        ],
        violations: [
            {
                title: "EC2 health checks behind a target group (checked before creation)",
                case: { resources: [asg("web", { healthCheckType: "EC2", targetGroupArns: ["arn:tg"] })] },
                messages: [
                    `Auto Scaling group 'web' joins a load balancer through targetGroupArns but uses EC2 health checks, ${HEALTH} (set healthCheckType: "ELB")`,
                ],
            },
            {
                title: "the default health check behind a classic load balancer",
                case: { resources: [asg("web", { loadBalancers: ["web-clb"] })] },
                messages: [
                    `Auto Scaling group 'web' joins a load balancer through loadBalancers but uses EC2 health checks, ${HEALTH} (set healthCheckType: "ELB")`,
                ],
            },
            {
                title: "an elbv2 traffic source with EC2 health checks",
                case: {
                    resources: [
                        asg("web", {
                            healthCheckType: "EC2",
                            trafficSources: [{ identifier: "arn:tg", type: "elbv2" }],
                        }),
                    ],
                },
                messages: [
                    `Auto Scaling group 'web' joins a load balancer through trafficSources (elbv2) but uses EC2 health checks, ${HEALTH} (set healthCheckType: "ELB")`,
                ],
            },
            {
                title: "an aws.autoscaling.Attachment to a group with EC2 health checks, by name",
                case: {
                    resources: [
                        asg("web", { healthCheckType: "EC2" }),
                        attachment({ autoscalingGroupName: "web-4cc0c2b", lbTargetGroupArn: "arn:tg" }),
                    ],
                },
                messages: [
                    `Auto Scaling group 'web' joins a load balancer through Auto Scaling attachment 'web-attach' but its health check type is EC2, ${HEALTH} (set healthCheckType: "ELB")`,
                ],
            },
            {
                title: "a TrafficSourceAttachment to a group with the default health checks, traced by dependency",
                case: {
                    resources: [
                        asg("web", { name: UNKNOWN }),
                        attachment(
                            { autoscalingGroupName: UNKNOWN, trafficSource: { identifier: "arn:tg", type: "elbv2" } },
                            ["web"],
                            T.asgTrafficSourceAttachment,
                        ),
                    ],
                },
                messages: [
                    `Auto Scaling group 'web' joins a load balancer through Auto Scaling traffic source attachment 'web-attach' but its health check type is EC2, ${HEALTH} (set healthCheckType: "ELB")`,
                ],
            },
        ],
        unknown: {
            title: "an attachment whose group cannot be traced at preview is a violation; the group's own unknown list is checked before creation",
            case: {
                resources: [
                    asg("web", { healthCheckType: "EC2", targetGroupArns: UNKNOWN_ARRAY }),
                    attachment({ autoscalingGroupName: UNKNOWN, lbTargetGroupArn: "arn:tg" }),
                ],
            },
            messages: [
                `Auto Scaling attachment 'web-attach' attaches a group unknown during preview that cannot be traced, so its health checks cannot be verified; a group behind a load balancer must use its health checks (set healthCheckType: "ELB") (name the group by reference, e.g. autoscalingGroupName: group.name)`,
            ],
            notes: [
                `Auto Scaling group 'web' has a value unknown during preview at targetGroupArns, so it cannot be verified yet; it is checked on the real value before the resource is created (a group behind a load balancer must use its health checks (set healthCheckType: "ELB"))`,
            ],
        },
    });

    describeRule<ResourceCase>("asg-multi-az", {
        compliant: [
            {
                title: "two private subnets",
                case: { type: T.autoscalingGroup, props: { vpcZoneIdentifiers: ["subnet-1", "subnet-2"] } },
            },
            {
                title: "three subnets when config asks for three",
                case: {
                    type: T.autoscalingGroup,
                    props: { vpcZoneIdentifiers: ["subnet-1", "subnet-2", "subnet-3"] },
                    config: { minimumSubnets: 3 },
                },
            },
            {
                title: "two availability zones",
                case: { type: T.autoscalingGroup, props: { availabilityZones: ["us-east-1a", "us-east-1b"] } },
            },
            {
                title: "a known list of subnets whose IDs are unknown at preview",
                case: { type: T.autoscalingGroup, props: { vpcZoneIdentifiers: [UNKNOWN, UNKNOWN] } },
            },
        ],
        violations: [
            {
                title: "one subnet",
                case: { type: T.autoscalingGroup, props: { vpcZoneIdentifiers: ["subnet-1"] } },
                messages: [
                    "Auto Scaling group 'subject' spans 1 subnet(s); groups must span at least 2 AZs so an AZ outage leaves capacity running (set vpcZoneIdentifiers to one subnet in each of 2 or more AZs)",
                ],
            },
            {
                title: "two subnets when config asks for three",
                case: {
                    type: T.autoscalingGroup,
                    props: { vpcZoneIdentifiers: ["subnet-1", "subnet-2"] },
                    config: { minimumSubnets: 3 },
                },
                messages: [
                    "Auto Scaling group 'subject' spans 2 subnet(s); groups must span at least 3 AZs so an AZ outage leaves capacity running (set vpcZoneIdentifiers to one subnet in each of 3 or more AZs)",
                ],
            },
        ],
        unknown: {
            title: "a subnet list unknown at a first preview is the engine's advisory note",
            case: { type: T.autoscalingGroup, props: { vpcZoneIdentifiers: UNKNOWN_ARRAY } },
            advisory: true,
        },
    });
});
