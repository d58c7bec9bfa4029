/**
 * Auto Scaling rules: groups launch from a launch template, use the load balancer's health
 * checks however they join it, and span at least two AZs.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { ofType, resolveRef } from "./lib/graph";
import { WebfleetPolicy, configOf, resourceRule, stackRule } from "./lib/rule";
import { T, subject } from "./lib/types";
import { entries, peek, present } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

const asgLaunchTemplate = resourceRule({
    name: "asg-launch-template",
    description:
        "Auto Scaling groups launch from a launch template, not a launch configuration, so IMDSv2, encryption and instance refresh are available.",
    severity: "medium",
    checks: "launchTemplate or mixedInstancesPolicy is set and launchConfiguration is not",
    equivalents: { checkov: ["CKV_AWS_315"] },
    unknown: "violation",
    unknownNote: "A launch configuration that is an unknown reference at preview is still a launch configuration.",
    requirement: "Auto Scaling groups launch from a launch template (set launchTemplate: { id, version })",
    validate: [
        validateResourceOfType(aws.autoscaling.Group, (asg, args, report) => {
            if (present(peek(asg, "launchConfiguration"))) {
                report(
                    `${who(args)} uses a launch configuration; launch configurations are deprecated by AWS and get no new EC2 features (set launchTemplate: { id, version } and remove launchConfiguration)`,
                );
            } else if (!present(peek(asg, "launchTemplate")) && !present(peek(asg, "mixedInstancesPolicy"))) {
                report(
                    `${who(args)} has no launch template; Auto Scaling groups launch from a launch template (set launchTemplate: { id, version })`,
                );
            }
        }),
    ],
});

const HEALTH_FIX = 'a group behind a load balancer must use its health checks (set healthCheckType: "ELB")';

/** The health check type a way of joining a load balancer needs. */
function neededCheck(sourceType: string | undefined): string {
    return (sourceType ?? "elbv2").toLowerCase() === "vpc-lattice" ? "VPC_LATTICE" : "ELB";
}

const asgElbHealthCheck = stackRule({
    name: "asg-elb-health-check",
    description:
        "Auto Scaling groups behind a load balancer use its health checks, however they join it, so an instance that stops serving is replaced.",
    severity: "medium",
    resources: [T.autoscalingGroup, T.asgAttachment, T.asgTrafficSourceAttachment],
    checks: 'healthCheckType is "ELB" (or VPC_LATTICE for a lattice source) when the group joins a load balancer through targetGroupArns, loadBalancers, trafficSources (checked before creation), or an aws.autoscaling.Attachment / TrafficSourceAttachment naming it',
    equivalents: {
        cdkNag: ["AwsSolutions-AS2", "NIST.800.53.R5-AutoScalingGroupELBHealthCheckRequired"],
        checkov: ["CKV2_AWS_15"],
    },
    unknown: "violation",
    unknownNote:
        "The group's own lists are checked before creation (unknown: advisory at preview); an attachment whose group cannot be traced by name or property dependency is a violation.",
    requirement: HEALTH_FIX,
    beforeCreate: [
        validateResourceOfType(aws.autoscaling.Group, (asg, args, report) => {
            const joins: [string, string][] = [];
            if (entries(asg.targetGroupArns).length > 0) {
                joins.push(["targetGroupArns", "ELB"]);
            }
            if (entries(asg.loadBalancers).length > 0) {
                joins.push(["loadBalancers", "ELB"]);
            }
            for (const source of entries(asg.trafficSources)) {
                joins.push([`trafficSources (${source.type ?? "elbv2"})`, neededCheck(source.type)]);
            }
            const wrong = joins.filter(([, needed]) => asg.healthCheckType !== needed);
            if (wrong.length > 0) {
                const needed = wrong[0][1];
                report(
                    `${who(args)} joins a load balancer through ${wrong.map(([w]) => w).join(", ")} but uses ${asg.healthCheckType ?? "EC2"} health checks, so an instance that stops serving stays in service; a group behind a load balancer must use its health checks (set healthCheckType: "${needed}")`,
                );
            }
        }),
    ],
    validate: (args, report: ReportViolation) => {
        const groups = ofType(args.resources, T.autoscalingGroup);
        for (const a of ofType(args.resources, T.asgAttachment, T.asgTrafficSourceAttachment)) {
            const sourceType = peek<string>(a.props, "trafficSource", "type");
            const needed = neededCheck(sourceType.known ? sourceType.value : undefined);
            const target = resolveRef(a, "autoscalingGroupName", groups, (value, g) => {
                const name = peek<string>(g.props, "name");
                const id = peek<string>(g.props, "id");
                return (name.known && name.value === value) || (id.known && id.value === value);
            });
            if (target.kind === "external" || target.kind === "absent") {
                continue;
            }
            if (target.kind === "unresolved") {
                report(
                    `${subject(a.type, a.name)} attaches a group unknown during preview that cannot be traced, so its health checks cannot be verified; ${HEALTH_FIX} (name the group by reference, e.g. autoscalingGroupName: group.name)`,
                    a.urn,
                );
                continue;
            }
            for (const g of target.targets) {
                const type = peek<string>(g.props, "healthCheckType");
                if (!type.known || type.value !== needed) {
                    const state = type.known ? (type.value ?? "EC2") : "unknown during preview";
                    report(
                        `${subject(g.type, g.name)} joins a load balancer through ${subject(a.type, a.name)} but its health check type is ${state}, so an instance that stops serving stays in service; a group behind a load balancer must use its health checks (set healthCheckType: "${needed}")`,
                        a.urn,
                    );
                }
            }
        }
    },
});

const asgMultiAz = resourceRule({
    name: "asg-multi-az",
    description: "Auto Scaling groups span at least two subnets (one per AZ), so an AZ outage leaves capacity running.",
    severity: "medium",
    checks: "vpcZoneIdentifiers (or availabilityZones) has at least minimumSubnets entries (default 2)",
    equivalents: {},
    unknown: "advisory",
    unknownNote:
        "Subnet lists from the VPC are unknown at a first preview: the engine notes it as advisory and the rule runs on the real list at `pulumi up`. Counts subnets, as a resource rule cannot see their AZs.",
    requirement: "groups must span at least two AZs",
    config: {
        minimumSubnets: {
            type: "integer",
            minimum: 1,
            maximum: 6,
            default: 2,
            description: "Fewest subnets (one per AZ) a group may span.",
        },
    },
    validate: [
        validateResourceOfType(aws.autoscaling.Group, (asg, args, report) => {
            const { minimumSubnets } = configOf(args, { minimumSubnets: 2 });
            const subnets = asg.vpcZoneIdentifiers?.length ?? 0;
            const zones = asg.availabilityZones?.length ?? 0;
            const spread = Math.max(subnets, zones);
            if (spread < minimumSubnets) {
                report(
                    `${who(args)} spans ${spread} subnet(s); groups must span at least ${minimumSubnets} AZs so an AZ outage leaves capacity running (set vpcZoneIdentifiers to one subnet in each of ${minimumSubnets} or more AZs)`,
                );
            }
        }),
    ],
});

export const autoscalingPolicies: WebfleetPolicy[] = [asgLaunchTemplate, asgElbHealthCheck, asgMultiAz];
