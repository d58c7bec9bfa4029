/**
 * The servers: a launch template of hardened Amazon Linux 2023 instances (IMDSv2 only, no
 * public address, encrypted gp3 root volume) and the Auto Scaling group that keeps them in
 * every AZ, replaces the unhealthy, rolls a new template out launch-before-terminate and stops
 * the rollout when the ALB 5xx-rate alarm fires; scaling follows requests per server.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { errorRateQueries, minimumRequestsFor } from "../../lib/alarmQueries";
import { al2023ImageId } from "../../lib/instanceTypes";
import { IMDSV2_ONLY, encryptedRootVolume } from "../../lib/launchTemplate";
import { childName } from "../../lib/naming";
import { roleTags } from "../../lib/tags";
import type { LoadBalancer } from "../loadBalancer";
import type { RolloutAlarmArgs, WebTierArgs } from "./args";

/** A server boots (dnf, download, start) in about a minute; its metrics count after 2. */
export const INSTANCE_WARMUP_SECONDS = 120;
/** Servers are replaced after 30 days, so each runs a recent AL2023 AMI (resolved at launch). */
export const MAX_INSTANCE_LIFETIME_SECONDS = 30 * 24 * 3600;
export const ROOT_VOLUME_GB = 20;

export interface ServerGroup {
    template: aws.ec2.LaunchTemplate;
    group: aws.autoscaling.Group;
    rolloutAlarm?: aws.cloudwatch.MetricAlarm;
}

export function serverGroup(
    parent: pulumi.Resource,
    name: string,
    args: WebTierArgs,
    parts: {
        securityGroupId: pulumi.Input<string>;
        instanceProfileArn: pulumi.Input<string>;
        /** The role's policy: in place before a server launched from a new version asks S3. */
        rolePolicy: pulumi.Resource;
        userData: pulumi.Input<string>;
        lb: LoadBalancer;
        subnetIds: pulumi.Input<string[]>;
    },
): ServerGroup {
    const { lb } = parts;
    const rolloutAlarm = args.rolloutAlarm ? errorRateAlarm(parent, name, lb, args.rolloutAlarm) : undefined;
    const instanceTags = { ...args.instanceTags, ...roleTags("web", childName(name, "instance")) };
    const rollout = args.rolloutDependsOn ?? [];
    const template = new aws.ec2.LaunchTemplate(
        childName(name, "lt"),
        {
            description: "webfleet web server",
            imageId: al2023ImageId(args.instanceType),
            instanceType: args.instanceType,
            keyName: args.sshKeyName,
            iamInstanceProfile: { arn: parts.instanceProfileArn },
            metadataOptions: IMDSV2_ONLY,
            networkInterfaces: [
                {
                    deviceIndex: 0,
                    associatePublicIpAddress: "false",
                    deleteOnTermination: "true",
                    securityGroups: [parts.securityGroupId],
                },
            ],
            blockDeviceMappings: [encryptedRootVolume(ROOT_VOLUME_GB, args.kmsKeyArn)],
            monitoring: { enabled: args.detailedMonitoring },
            userData: parts.userData,
            tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                resourceType,
                tags: instanceTags,
            })),
            updateDefaultVersion: true,
            tags: roleTags("web", childName(name, "lt")),
        },
        { parent, dependsOn: [parts.rolePolicy, ...rollout] },
    );

    const group = new aws.autoscaling.Group(
        childName(name, "asg"),
        {
            vpcZoneIdentifiers: parts.subnetIds,
            minSize: args.minSize,
            maxSize: args.maxSize,
            desiredCapacity: args.desiredCapacity,
            // A numbered version (not $Latest), so every template change is a visible diff
            // that starts an instance refresh.
            launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
            targetGroupArns: [lb.targetGroupArn],
            healthCheckType: "ELB",
            healthCheckGracePeriod: args.healthCheckGracePeriodSeconds,
            defaultInstanceWarmup: INSTANCE_WARMUP_SECONDS,
            // Launch before terminate, for health replacements and rebalancing alike: capacity
            // never drops below desired while a server is replaced.
            instanceMaintenancePolicy: { minHealthyPercentage: 100, maxHealthyPercentage: 150 },
            instanceRefresh: {
                strategy: "Rolling",
                preferences: {
                    // New servers must pass ELB health checks before old ones go, so a broken
                    // bundle stalls the refresh instead of taking the fleet down. (Auto
                    // rollback is not possible with an SSM-parameter AMI; checkpoints pause
                    // halfway for a look at the new servers.)
                    minHealthyPercentage: 100,
                    maxHealthyPercentage: 150,
                    instanceWarmup: String(INSTANCE_WARMUP_SECONDS),
                    checkpointPercentages: [50, 100],
                    checkpointDelay: "300",
                    // Servers that pass /healthz but answer 5xx fail the refresh where it
                    // stands (the rest of the fleet keeps the old version); without auto
                    // rollback, rolling back is a new deploy of the previous version.
                    alarmSpecification: rolloutAlarm ? { alarms: [rolloutAlarm.name] } : undefined,
                },
            },
            // Nothing suspended: AZRebalance keeps the servers spread across the AZs.
            suspendedProcesses: [],
            maxInstanceLifetime: MAX_INSTANCE_LIFETIME_SECONDS,
            // On first create, `pulumi up` waits until min-size servers are healthy behind the ALB.
            minElbCapacity: args.minSize,
            waitForCapacityTimeout: "15m",
            enabledMetrics: [
                "GroupMinSize",
                "GroupMaxSize",
                "GroupDesiredCapacity",
                "GroupInServiceInstances",
                "GroupPendingInstances",
                "GroupTerminatingInstances",
                "GroupTotalInstances",
            ],
            metricsGranularity: "1Minute",
            tags: Object.entries(instanceTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
        },
        // After creation the scaling policy owns desired capacity; re-applying the configured
        // value on every `pulumi up` would undo a scale-out in the middle of a traffic peak.
        {
            parent,
            dependsOn: [...rollout, ...(rolloutAlarm ? [rolloutAlarm] : [])],
            ignoreChanges: ["desiredCapacity"],
        },
    );

    new aws.autoscaling.Policy(
        childName(name, "requests-per-target"),
        {
            autoscalingGroupName: group.name,
            policyType: "TargetTrackingScaling",
            targetTrackingConfiguration: {
                predefinedMetricSpecification: {
                    predefinedMetricType: "ALBRequestCountPerTarget",
                    resourceLabel: pulumi.interpolate`${lb.arnSuffix}/${lb.targetGroupArnSuffix}`,
                },
                targetValue: args.targetRequestsPerInstance,
            },
        },
        // The metric exists only once the target group is behind a listener.
        { parent, dependsOn: [lb] },
    );
    return { template, group, rolloutAlarm };
}

/**
 * The ALB 5xx-rate alarm (metric math): 3 bad minutes out of 5 fail a refresh before its 50 %
 * checkpoint ends. Minutes with too few requests for a rate to mean anything count as good
 * (lib/alarmQueries.ts). It also pages, like every other alarm of the stack.
 */
function errorRateAlarm(
    parent: pulumi.Resource,
    name: string,
    lb: LoadBalancer,
    alarm: RolloutAlarmArgs,
): aws.cloudwatch.MetricAlarm {
    const threshold = alarm.errorRatePercent;
    return new aws.cloudwatch.MetricAlarm(
        childName(name, "alb-5xx-rate"),
        {
            name: alarm.name,
            alarmDescription: `More than ${threshold}% of requests answered 5xx (ALB or targets) in 3 of 5 minutes with at least ${minimumRequestsFor(threshold)} requests; fails a running instance refresh`,
            metricQueries: errorRateQueries(lb, threshold),
            comparisonOperator: "GreaterThanThreshold",
            threshold,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            treatMissingData: "notBreaching",
            alarmActions: alarm.actions,
            okActions: alarm.actions,
            actionsEnabled: true,
        },
        { parent },
    );
}
