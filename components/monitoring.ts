/**
 * The stack's CloudWatch alarms and one dashboard of them, built in one step from plain values
 * (dimensions, names, thresholds) once the parts they watch exist. Every alarm notifies
 * `alarmActions` (components/alarmTopic.ts) on ALARM and on OK. The ALB 5xx-rate alarm is the
 * web tier's own (it stops a rollout, so the Auto Scaling group must name it before it exists);
 * it comes in as `loadBalancer.rolloutAlarm` and leads the dashboard.
 *
 * Two alarms watch what the ALB's own metrics cannot see: with CloudFront in front, its 5xx and
 * 4xx rates (an ALB CloudFront cannot reach, or one answering 403 to CloudFront itself, publishes
 * no ALB 5xx); and the days until the HTTPS certificate expires (a self-signed one is re-issued
 * only by a `pulumi up`, and an ACM one whose validation record is gone is not renewed).
 *
 * Replica lag is alarmed on only where it exists: RDS publishes ReplicaLag for read replicas,
 * and this stack has none (prod's Multi-AZ standby is not readable and publishes no lag), so
 * the shipped stacks have no replica-lag alarm; pass `readReplicaIdentifiers` when replicas
 * are added and each gets one.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudFrontRateQueries, minimumRequestsFor } from "../lib/alarmQueries";
import { CDN_REGION } from "../lib/awsFacts";
import { dashboardBody } from "../lib/dashboard";
import { childName } from "../lib/naming";
import { isAlarmPrefix } from "./alarmTopic";
import { CertificateMode, EARLY_RENEWAL_HOURS } from "./certificate";
import { LoadBalancerDimensions } from "./loadBalancer";

export { alarmPrefixFor } from "./alarmTopic";

/** Where each alarm fires. */
export interface MonitoringThresholds {
    /** The servers' 5xx answers per minute (3 of 5 minutes). */
    target5xxPerMinute: number;
    /** p99 target response time in seconds (3 of 5 minutes). */
    p99ResponseTimeSeconds: number;
    /** Database CPU percent (15 minutes). */
    dbCpuPercent: number;
    /** Free database storage in GiB. */
    dbFreeStorageGb: number;
    /** Database connections (15 minutes). */
    dbConnections: number;
    /** Seconds a read replica may lag (5 minutes). */
    dbReplicaLagSeconds: number;
    /** CloudFront's viewer 5xx and 4xx rates in percent (3 of 5 minutes). */
    cdn5xxRatePercent: number;
    cdn4xxRatePercent: number;
}

/** An alarm made elsewhere, for the dashboard. */
export interface AlarmRef {
    arn: pulumi.Input<string>;
    title: pulumi.Input<string>;
}

/**
 * The certificate alarm fires this many days before expiry: when a `pulumi up` first re-issues
 * the self-signed certificate (EARLY_RENEWAL_HOURS), and a month after ACM should have renewed
 * a DNS-validated one (it starts 60 days ahead).
 */
export const CERTIFICATE_EXPIRY_ALARM_DAYS = EARLY_RENEWAL_HOURS / 24;

export interface MonitoringArgs {
    /** Start of every alarm's and the dashboard's name, e.g. "webfleet-prod" (alarmPrefixFor). */
    prefix: string;
    region: string;
    thresholds: MonitoringThresholds;
    /** Notified on ALARM and on OK (components/alarmTopic.ts's `actions`). */
    alarmActions: pulumi.Input<string>[];
    /** The ALB and its target group; `rolloutAlarm` is the web tier's ALB 5xx-rate alarm. */
    loadBalancer: LoadBalancerDimensions & { rolloutAlarm?: AlarmRef };
    /** The AZs the target group spans, in order, and how many there are. */
    availabilityZones: pulumi.Input<string[]>;
    availabilityZoneCount: number;
    autoScalingGroupName: pulumi.Input<string>;
    /** The group's minimum size: fewer servers in service than this pages. */
    minInService: number;
    database: { identifier: pulumi.Input<string>; readReplicaIdentifiers?: pulumi.Input<string>[] };
    /** The HTTPS listener's certificate (ACM): alarmed on before it expires. */
    certificate?: { arn: pulumi.Input<string>; mode: CertificateMode };
    /** The CloudFront distribution in front of the ALB (components/cdn.ts); needs region us-east-1. */
    cdn?: { distributionId: pulumi.Input<string> };
    /** Alarms made elsewhere that belong on the dashboard too, after this component's (the synthetic checks'). */
    moreAlarms?: AlarmRef[];
}

const GIB = 1024 ** 3;
const DAY_SECONDS = 86400;
const ALB = "AWS/ApplicationELB";
const RDS = "AWS/RDS";

type AlarmSpec = Omit<aws.cloudwatch.MetricAlarmArgs, "name" | "alarmActions" | "okActions">;

export class Monitoring extends pulumi.ComponentResource {
    public readonly dashboardName: pulumi.Output<string>;
    public readonly alarmNames: pulumi.Output<string[]>;
    private readonly name: string;
    private readonly args: MonitoringArgs;
    private readonly alarms: { alarm: aws.cloudwatch.MetricAlarm; title: pulumi.Input<string> }[] = [];

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:ops:Monitoring", name, {}, opts);
        this.name = name;
        this.args = args;
        if (!isAlarmPrefix(args.prefix)) {
            throw new pulumi.ResourceError(
                `monitoring: prefix "${args.prefix}" may hold only letters, digits, - and _ (see alarmPrefixFor)`,
                this,
            );
        }
        const t = this.args.thresholds;
        const lb = { LoadBalancer: args.loadBalancer.arnSuffix };
        const tg = { ...lb, TargetGroup: args.loadBalancer.targetGroupArnSuffix };
        const minutes = (n: number, of = n) => ({ period: 60, evaluationPeriods: of, datapointsToAlarm: n });
        this.alarm("target-5xx", "Target 5xx per minute", {
            alarmDescription: `The servers answered more than ${t.target5xxPerMinute} 5xx per minute in 3 of 5 minutes`,
            namespace: ALB,
            metricName: "HTTPCode_Target_5XX_Count",
            dimensions: tg,
            statistic: "Sum",
            ...minutes(3, 5),
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.target5xxPerMinute,
            treatMissingData: "notBreaching",
        });
        this.alarm("unhealthy-hosts", "Unhealthy targets", {
            alarmDescription: "A target has failed its health checks for 5 minutes (longer than a replacement takes)",
            namespace: ALB,
            metricName: "UnHealthyHostCount",
            dimensions: tg,
            statistic: "Maximum",
            ...minutes(5),
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            treatMissingData: "notBreaching",
        });
        for (let i = 0; i < args.availabilityZoneCount; i++) {
            const az = pulumi.output(args.availabilityZones).apply((azs) => {
                if (!azs[i]) {
                    throw new pulumi.ResourceError(
                        `monitoring: ${azs.length} AZ name(s) for ${args.availabilityZoneCount} AZs`,
                        this,
                    );
                }
                return azs[i];
            });
            this.alarm(
                `healthy-hosts-az${i + 1}`,
                pulumi.interpolate`Healthy targets in ${az}`,
                {
                    alarmDescription: pulumi.interpolate`No healthy target in ${az} for 3 minutes: the AZ has lost its server`,
                    namespace: ALB,
                    metricName: "HealthyHostCount",
                    dimensions: { ...tg, AvailabilityZone: az },
                    statistic: "Minimum",
                    ...minutes(3),
                    // No data means no target there at all.
                    comparisonOperator: "LessThanThreshold",
                    threshold: 1,
                    treatMissingData: "breaching",
                },
                pulumi.interpolate`${this.args.prefix}-healthy-hosts-${az}`,
            );
        }
        this.alarm("p99-response-time", "p99 target response time (s)", {
            alarmDescription: `p99 target response time above ${t.p99ResponseTimeSeconds} s in 3 of 5 minutes`,
            namespace: ALB,
            metricName: "TargetResponseTime",
            dimensions: lb,
            extendedStatistic: "p99",
            ...minutes(3, 5),
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.p99ResponseTimeSeconds,
            treatMissingData: "notBreaching",
        });
        this.alarm("asg-in-service", "Servers in service", {
            alarmDescription: `Fewer than ${args.minInService} servers (the group's minimum) in service for 5 minutes`,
            namespace: "AWS/AutoScaling",
            metricName: "GroupInServiceInstances",
            dimensions: { AutoScalingGroupName: args.autoScalingGroupName },
            statistic: "Minimum",
            ...minutes(5),
            comparisonOperator: "LessThanThreshold",
            threshold: args.minInService,
            treatMissingData: "breaching",
        });
        const db = { DBInstanceIdentifier: args.database.identifier };
        const fiveMinutes = { period: 300, evaluationPeriods: 3, datapointsToAlarm: 3 };
        this.alarm("db-cpu", "Database CPU (%)", {
            alarmDescription: `Database CPU above ${t.dbCpuPercent}% for 15 minutes`,
            namespace: RDS,
            metricName: "CPUUtilization",
            dimensions: db,
            statistic: "Average",
            ...fiveMinutes,
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.dbCpuPercent,
        });
        this.alarm("db-free-storage", "Database free storage (bytes)", {
            alarmDescription: `Less than ${t.dbFreeStorageGb} GiB of database storage free: storage autoscaling is not keeping up or has reached database.maxAllocatedStorageGb`,
            namespace: RDS,
            metricName: "FreeStorageSpace",
            dimensions: db,
            statistic: "Minimum",
            period: 300,
            evaluationPeriods: 1,
            comparisonOperator: "LessThanThreshold",
            threshold: t.dbFreeStorageGb * GIB,
        });
        this.alarm("db-connections", "Database connections", {
            alarmDescription: `More than ${t.dbConnections} database connections for 15 minutes`,
            namespace: RDS,
            metricName: "DatabaseConnections",
            dimensions: db,
            statistic: "Maximum",
            ...fiveMinutes,
            comparisonOperator: "GreaterThanThreshold",
            threshold: t.dbConnections,
        });
        (args.database.readReplicaIdentifiers ?? []).forEach((replica, i) => {
            this.alarm(`db-replica-lag-${i + 1}`, pulumi.interpolate`Replica lag of ${replica} (s)`, {
                alarmDescription: pulumi.interpolate`Read replica ${replica} more than ${t.dbReplicaLagSeconds} s behind for 5 minutes`,
                namespace: RDS,
                metricName: "ReplicaLag",
                dimensions: { DBInstanceIdentifier: replica },
                statistic: "Maximum",
                ...minutes(5),
                comparisonOperator: "GreaterThanThreshold",
                threshold: t.dbReplicaLagSeconds,
                treatMissingData: "breaching",
            });
        });

        if (args.certificate) {
            this.certificateAlarm(args.certificate);
        }
        if (args.cdn) {
            this.cdnAlarms(args.region, args.cdn.distributionId);
        }

        const dashboard = new aws.cloudwatch.Dashboard(
            childName(name, "dashboard"),
            {
                dashboardName: args.prefix,
                dashboardBody: pulumi
                    .all(
                        [
                            ...(args.loadBalancer.rolloutAlarm ? [args.loadBalancer.rolloutAlarm] : []),
                            ...this.alarms.map(({ alarm, title }) => ({ arn: alarm.arn, title })),
                            ...(args.moreAlarms ?? []),
                        ].map(({ arn, title }) => pulumi.all([arn, title])),
                    )
                    .apply((entries) =>
                        dashboardBody(
                            args.region,
                            entries.map(([arn, title]) => ({ arn, title })),
                        ),
                    ),
            },
            { parent: this },
        );
        this.dashboardName = dashboard.dashboardName;
        this.alarmNames = pulumi.all(this.alarms.map((a) => a.alarm.name));
        this.registerOutputs({ dashboardName: this.dashboardName, alarmNames: this.alarmNames });
    }

    /** The days left on the HTTPS certificate (ACM publishes DaysToExpiry once a day). */
    private certificateAlarm(certificate: { arn: pulumi.Input<string>; mode: CertificateMode }): void {
        const days = CERTIFICATE_EXPIRY_ALARM_DAYS;
        this.alarm("certificate-expiry", "Days until the HTTPS certificate expires", {
            alarmDescription:
                certificate.mode === "self-signed"
                    ? `The self-signed HTTPS certificate expires in less than ${days} days; run \`pulumi up\` on this stack, which re-issues it under the same ARN`
                    : `The HTTPS certificate expires in less than ${days} days and ACM has not renewed it; check that its DNS validation record is still in the hosted zone`,
            namespace: "AWS/CertificateManager",
            metricName: "DaysToExpiry",
            dimensions: { CertificateArn: certificate.arn },
            statistic: "Minimum",
            period: DAY_SECONDS,
            evaluationPeriods: 1,
            comparisonOperator: "LessThanThreshold",
            threshold: days,
            // A day without a datapoint keeps the last state: the first day is not an alarm, and a
            // certificate that stops reporting once expired does not turn OK.
            treatMissingData: "ignore",
        });
    }

    /** CloudFront's own error rates; its metrics exist only in us-east-1, where the CDN stacks live. */
    private cdnAlarms(region: string, distributionId: pulumi.Input<string>): void {
        if (region !== CDN_REGION) {
            throw new pulumi.ResourceError(
                `monitoring: CloudFront publishes its metrics in ${CDN_REGION} only, so its alarms cannot live in ${region}; the config allows cdn.enabled only in ${CDN_REGION}`,
                this,
            );
        }
        const t = this.args.thresholds;
        for (const [key, metricName, threshold, what] of [
            ["cdn-5xx-rate", "5xxErrorRate", t.cdn5xxRatePercent, "5xx (the origin failed or could not be reached)"],
            ["cdn-4xx-rate", "4xxErrorRate", t.cdn4xxRatePercent, "4xx (e.g. the ALB refusing CloudFront with 403)"],
        ] as const) {
            this.alarm(key, `CloudFront ${metricName} (%)`, {
                alarmDescription: `More than ${threshold}% of viewer requests answered ${what} in 3 of 5 minutes with at least ${minimumRequestsFor(threshold)} requests`,
                metricQueries: cloudFrontRateQueries(distributionId, metricName, threshold),
                comparisonOperator: "GreaterThanThreshold",
                threshold,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
                treatMissingData: "notBreaching",
            });
        }
    }

    /** One alarm, named "<prefix>-<key>", notifying `alarmActions` on ALARM and on OK. */
    private alarm(
        key: string,
        title: pulumi.Input<string>,
        spec: AlarmSpec,
        name?: pulumi.Input<string>,
    ): aws.cloudwatch.MetricAlarm {
        const alarm = new aws.cloudwatch.MetricAlarm(
            childName(this.name, key),
            {
                ...spec,
                name: name ?? `${this.args.prefix}-${key}`,
                alarmActions: this.args.alarmActions,
                okActions: this.args.alarmActions,
                actionsEnabled: true,
            },
            { parent: this },
        );
        this.alarms.push({ alarm, title });
        return alarm;
    }
}
