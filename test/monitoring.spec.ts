/**
 * Issue 7, item 2: the alarm topic, every alarm (metric, dimensions, threshold per stack, action),
 * the rollout alarm on the instance refresh, and the dashboard.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig, defaultDbConnections, defaultsFor, validateStackConfig } from "../stackConfig";
import { errorRateQueries, minimumRequestsFor } from "../lib/alarmQueries";
import { dashboardBody } from "../lib/dashboard";
import { AlarmTopic, alarmPrefixFor } from "../components/alarmTopic";
import {
    CERTIFICATE_EXPIRY_ALARM_DAYS,
    Monitoring,
    MonitoringArgs,
    MonitoringThresholds,
} from "../components/monitoring";
import { MOCK_ACCOUNT_ID } from "../offline/mocks";
import { ProgramRun, rawConfigFrom, readStackConfig } from "../offline/program";
import { RecordedResource } from "../offline/types";
import { runComponent } from "./support/component";
import { named, ofType, runStack, sharedRun } from "./support/program";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const GIB = 1024 ** 3;

/** The thresholds a shipped stack file resolves to (defaults and derived values included). */
function thresholdsOf(stack: string): StackConfig["monitoring"] {
    return validateStackConfig(rawConfigFrom("webfleet", stack, readStackConfig(stack))).monitoring;
}

/** Thresholds for a component on its own: prod's defaults, connections derived for 6 servers. */
const SEAM_THRESHOLDS: MonitoringThresholds = {
    ...defaultsFor("prod").monitoring,
    dbConnections: defaultDbConnections(6),
};

/** The stack's alarms by key: Monitoring's, and the web tier's rollout alarm (not the synthetic checks'). */
function alarmsOf(run: ProgramRun | { resources: RecordedResource[] }): Record<string, RecordedResource> {
    return Object.fromEntries(
        run.resources
            .filter((r) => r.type === ALARM && /^(monitoring-|web-alb-5xx-rate$)/.test(r.name))
            .map((r) => [r.name.replace(/^(monitoring|web)-/, ""), r]),
    );
}

/** What identifies an alarm's metric and condition, in one comparable shape. */
function shapeOf(alarm: RecordedResource) {
    const i = alarm.inputs;
    return {
        name: i.name,
        metric: `${i.namespace}/${i.metricName}`,
        dimensions: i.dimensions,
        statistic: i.statistic ?? i.extendedStatistic,
        condition: `${i.comparisonOperator} ${i.threshold}`,
        window: `${i.datapointsToAlarm ?? i.evaluationPeriods} of ${i.evaluationPeriods} × ${i.period}s`,
        missing: i.treatMissingData ?? "missing",
    };
}

describe("monitoring (pure)", () => {
    it("derives alarm and dashboard names from any stack name", () => {
        expect(alarmPrefixFor("webfleet", "prod")).to.equal("webfleet-prod");
        expect(alarmPrefixFor("webfleet", "team.a:b")).to.equal("webfleet-team-a-b");
    });

    it("computes the 5xx rate from ALB and target 5xx over every request answered, with no division by zero", () => {
        const q = errorRateQueries({ arnSuffix: "app/web/1" }, 1);
        expect(q.filter((x) => x.returnData === true).map((x) => x.id)).to.deep.equal(["rate"]);
        expect(
            q.map((x) => (x.metric as { metricName: string } | undefined)?.metricName).filter(Boolean),
        ).to.deep.equal(["RequestCount", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count"]);
        // Requests the ALB refused before choosing a target are not in RequestCount.
        expect(q.find((x) => x.id === "volume")!.expression).to.equal("FILL(m_requests, 0) + FILL(m_elb5xx, 0)");
        expect(q.find((x) => x.id === "rate")!.expression).to.equal("IF(volume >= 100, 100 * errors / volume, 0)");
        expect(q.find((x) => x.id === "errors")!.expression).to.equal("FILL(m_elb5xx, 0) + FILL(m_target5xx, 0)");
        for (const m of q.filter((x) => x.metric !== undefined)) {
            expect(m.metric).to.deep.include({
                namespace: "AWS/ApplicationELB",
                stat: "Sum",
                period: 60,
                dimensions: { LoadBalancer: "app/web/1" },
            });
        }
    });

    it("counts a rate only over enough requests that one failed request alone cannot breach it", () => {
        expect(minimumRequestsFor(1)).to.equal(100);
        expect(minimumRequestsFor(5)).to.equal(20);
        expect(minimumRequestsFor(3)).to.equal(34);
        expect(minimumRequestsFor(50)).to.equal(10);
        expect(minimumRequestsFor(100)).to.equal(10);
        for (const threshold of [0.5, 1, 2.5, 3, 5, 7, 33, 50]) {
            const minimum = minimumRequestsFor(threshold);
            expect((100 * 1) / minimum, `one error in ${minimum} at ${threshold}%`).to.be.at.most(threshold);
            expect(minimum).to.be.at.least(10);
        }
        expect(() => minimumRequestsFor(0)).to.throw("is not a percentage above 0");
        const dev = errorRateQueries({ arnSuffix: "app/web/1" }, 5);
        expect(dev.find((x) => x.id === "rate")!.expression).to.equal("IF(volume >= 20, 100 * errors / volume, 0)");
    });

    it("lays the dashboard out as a status panel of every alarm, then one graph per alarm", () => {
        const arns = ["a", "b", "c", "d"].map((n) => `arn:aws:cloudwatch:us-east-1:1:alarm:${n}`);
        const body = JSON.parse(
            dashboardBody(
                "us-east-1",
                arns.map((arn, i) => ({ arn, title: `T${i}` })),
            ),
        );
        expect(body.widgets[0]).to.deep.include({ type: "alarm", x: 0, y: 0, width: 24 });
        expect(body.widgets[0].properties.alarms).to.deep.equal(arns);
        const graphs = body.widgets.slice(1);
        expect(graphs.map((g: any) => g.properties.annotations.alarms[0])).to.deep.equal(arns);
        expect(graphs.map((g: any) => [g.x, g.y - body.widgets[0].height])).to.deep.equal([
            [0, 0],
            [8, 0],
            [16, 0],
            [0, 6],
        ]);
        expect(graphs[3].properties).to.deep.include({ title: "T3", region: "us-east-1", view: "timeSeries" });
        expect(() => dashboardBody("us-east-1", [])).to.throw("no alarms");
    });
});

describe("monitoring (mocked program)", function () {
    let dev: ProgramRun;
    let prod: ProgramRun;
    let tuned: ProgramRun;
    before(async () => {
        dev = await sharedRun("dev");
        prod = await sharedRun("prod");
        tuned = await runStack("dev", {
            "webfleet:monitoring": {
                alarmEmail: "oncall@example.com",
                alarmTopicArn: "arn:aws:sns:us-east-1:210987654321:pager",
                alb5xxRatePercent: 2.5,
                dbConnections: 30,
            },
        });
    });

    const topicArn = (run: ProgramRun) => named(run, TOPIC, "alarms-topic").outputs.arn;

    it("notifies one SNS topic encrypted with the stack key, exported as alarmTopicArn", () => {
        for (const run of [dev, prod]) {
            const topic = named(run, TOPIC, "alarms-topic");
            expect(topic.inputs).to.include({
                name: `webfleet-${run.stack}-alarms`,
                kmsMasterKeyId: run.outputs.kmsKeyArn.value,
            });
            expect(run.outputs.alarmTopicArn.value).to.equal(topic.outputs.arn);
        }
        const key = JSON.parse(named(dev, "aws:kms/key:Key", "secrets-key").inputs.policy);
        expect(key.Statement.find((s: any) => s.Sid === "CloudWatchAlarmsPublishToEncryptedTopics")).to.deep.include({
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Condition: {
                ArnLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:us-east-1:${MOCK_ACCOUNT_ID}:*` },
            },
        });
    });

    it("lets only this account's alarms publish to the topic, over TLS", () => {
        const policy = named(dev, "aws:sns/topicPolicy:TopicPolicy", "alarms-policy");
        expect(policy.inputs.arn).to.equal(topicArn(dev));
        expect(JSON.parse(policy.inputs.policy).Statement).to.deep.equal([
            {
                Sid: "AlarmsOfThisAccountPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn(dev),
                Condition: {
                    ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${MOCK_ACCOUNT_ID}:alarm:*` },
                    StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID },
                },
            },
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: "sns:Publish",
                Resource: topicArn(dev),
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ]);
    });

    it("subscribes monitoring.alarmEmail by e-mail, and nobody when it is unset", () => {
        expect(ofType(dev, "aws:sns/topicSubscription:TopicSubscription")).to.deep.equal([]);
        const sub = named(tuned, "aws:sns/topicSubscription:TopicSubscription", "alarms-email");
        expect(sub.inputs).to.deep.equal({ topic: topicArn(tuned), protocol: "email", endpoint: "oncall@example.com" });
    });

    it("alarms on exactly the web and database signals, each notifying the topic on ALARM and OK", () => {
        for (const run of [dev, prod]) {
            const azs: string[] = run.outputs.availabilityZones.value as string[];
            expect(Object.keys(alarmsOf(run)).sort()).to.deep.equal(
                [
                    "alb-5xx-rate",
                    "target-5xx",
                    "unhealthy-hosts",
                    ...azs.map((_, i) => `healthy-hosts-az${i + 1}`),
                    "p99-response-time",
                    "asg-in-service",
                    "db-cpu",
                    "db-free-storage",
                    "db-connections",
                    "certificate-expiry",
                ].sort(),
            );
            for (const alarm of Object.values(alarmsOf(run))) {
                expect(alarm.inputs, alarm.name).to.deep.include({
                    alarmActions: [topicArn(run)],
                    okActions: [topicArn(run)],
                    actionsEnabled: true,
                });
                expect(alarm.inputs.name, alarm.name).to.match(new RegExp(`^webfleet-${run.stack}-`));
            }
        }
    });

    it("also notifies monitoring.alarmTopicArn from every alarm, on ALARM and OK", () => {
        const pager = "arn:aws:sns:us-east-1:210987654321:pager";
        const alarms = Object.values(alarmsOf(tuned));
        expect(alarms).to.have.length.greaterThan(8);
        for (const alarm of alarms) {
            expect(alarm.inputs.alarmActions, alarm.name).to.deep.equal([topicArn(tuned), pager]);
            expect(alarm.inputs.okActions, alarm.name).to.deep.equal([topicArn(tuned), pager]);
        }
    });

    it("alarms before the self-signed certificate expires, when a pulumi up would re-issue it", () => {
        for (const run of [dev, prod]) {
            const cert = named(run, "aws:acm/certificate:Certificate", "web-lb-cert-import");
            const alarm = alarmsOf(run)["certificate-expiry"];
            expect(shapeOf(alarm)).to.deep.equal({
                name: `webfleet-${run.stack}-certificate-expiry`,
                metric: "AWS/CertificateManager/DaysToExpiry",
                dimensions: { CertificateArn: cert.outputs.arn },
                statistic: "Minimum",
                condition: "LessThanThreshold 30",
                window: "1 of 1 × 86400s",
                missing: "ignore",
            });
            expect(alarm.inputs.alarmDescription).to.include("run `pulumi up` on this stack");
        }
        // The alarm opens the same window in which the tls provider re-issues the certificate.
        const selfSigned = named(dev, "tls:index/selfSignedCert:SelfSignedCert", "web-lb-cert-self-signed");
        expect(selfSigned.inputs.earlyRenewalHours / 24).to.equal(CERTIFICATE_EXPIRY_ALARM_DAYS);
    });

    it("watches the ALB and its target group with the stack's thresholds (dev / prod)", () => {
        for (const [run, d] of [
            [dev, thresholdsOf("dev")],
            [prod, thresholdsOf("prod")],
        ] as const) {
            const lb = named(run, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb").outputs.arnSuffix;
            const tg = named(run, "aws:lb/targetGroup:TargetGroup", "web-lb-tg").outputs.arnSuffix;
            const a = alarmsOf(run);
            const p = `webfleet-${run.stack}`;
            expect(shapeOf(a["target-5xx"])).to.deep.equal({
                name: `${p}-target-5xx`,
                metric: "AWS/ApplicationELB/HTTPCode_Target_5XX_Count",
                dimensions: { LoadBalancer: lb, TargetGroup: tg },
                statistic: "Sum",
                condition: `GreaterThanThreshold ${d.target5xxPerMinute}`,
                window: "3 of 5 × 60s",
                missing: "notBreaching",
            });
            expect(shapeOf(a["unhealthy-hosts"])).to.deep.equal({
                name: `${p}-unhealthy-hosts`,
                metric: "AWS/ApplicationELB/UnHealthyHostCount",
                dimensions: { LoadBalancer: lb, TargetGroup: tg },
                statistic: "Maximum",
                condition: "GreaterThanThreshold 0",
                window: "5 of 5 × 60s",
                missing: "notBreaching",
            });
            expect(shapeOf(a["p99-response-time"])).to.deep.equal({
                name: `${p}-p99-response-time`,
                metric: "AWS/ApplicationELB/TargetResponseTime",
                dimensions: { LoadBalancer: lb },
                statistic: "p99",
                condition: `GreaterThanThreshold ${d.p99ResponseTimeSeconds}`,
                window: "3 of 5 × 60s",
                missing: "notBreaching",
            });
            const rate = a["alb-5xx-rate"].inputs;
            expect(rate).to.deep.include({
                name: `${p}-alb-5xx-rate`,
                comparisonOperator: "GreaterThanThreshold",
                threshold: d.alb5xxRatePercent,
                evaluationPeriods: 5,
                datapointsToAlarm: 3,
                treatMissingData: "notBreaching",
            });
            expect(rate.metricName).to.equal(undefined);
            expect(rate.metricQueries).to.deep.equal(errorRateQueries({ arnSuffix: lb }, d.alb5xxRatePercent));
        }
        expect(alarmsOf(tuned)["alb-5xx-rate"].inputs.threshold).to.equal(2.5);
    });

    it("alarms when an AZ has no healthy target, one alarm per AZ with the AZ dimension", () => {
        for (const run of [dev, prod]) {
            const azs = run.outputs.availabilityZones.value as string[];
            expect(azs).to.have.length(run.stack === "prod" ? 3 : 2);
            const lb = named(run, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb").outputs.arnSuffix;
            const tg = named(run, "aws:lb/targetGroup:TargetGroup", "web-lb-tg").outputs.arnSuffix;
            azs.forEach((az, i) => {
                expect(shapeOf(alarmsOf(run)[`healthy-hosts-az${i + 1}`])).to.deep.equal({
                    name: `webfleet-${run.stack}-healthy-hosts-${az}`,
                    metric: "AWS/ApplicationELB/HealthyHostCount",
                    dimensions: { LoadBalancer: lb, TargetGroup: tg, AvailabilityZone: az },
                    statistic: "Minimum",
                    condition: "LessThanThreshold 1",
                    window: "3 of 3 × 60s",
                    missing: "breaching",
                });
            });
        }
    });

    it("alarms when fewer servers than the group's minimum are in service", () => {
        for (const [run, min] of [
            [dev, 2],
            [prod, 3],
        ] as const) {
            expect(shapeOf(alarmsOf(run)["asg-in-service"])).to.deep.equal({
                name: `webfleet-${run.stack}-asg-in-service`,
                metric: "AWS/AutoScaling/GroupInServiceInstances",
                dimensions: { AutoScalingGroupName: named(run, "aws:autoscaling/group:Group", "web-asg").outputs.name },
                statistic: "Minimum",
                condition: `LessThanThreshold ${min}`,
                window: "5 of 5 × 60s",
                missing: "breaching",
            });
            // The group publishes the metric only with group metrics on.
            expect(named(run, "aws:autoscaling/group:Group", "web-asg").inputs.enabledMetrics).to.include(
                "GroupInServiceInstances",
            );
        }
    });

    it("watches the database's CPU, free storage and connections with the stack's thresholds, and no replica lag (no replicas)", () => {
        for (const [run, d] of [
            [dev, thresholdsOf("dev")],
            [prod, thresholdsOf("prod")],
        ] as const) {
            const db = {
                DBInstanceIdentifier: named(run, "aws:rds/instance:Instance", "database-db").outputs.identifier,
            };
            const a = alarmsOf(run);
            const p = `webfleet-${run.stack}`;
            expect(shapeOf(a["db-cpu"])).to.deep.equal({
                name: `${p}-db-cpu`,
                metric: "AWS/RDS/CPUUtilization",
                dimensions: db,
                statistic: "Average",
                condition: `GreaterThanThreshold ${d.dbCpuPercent}`,
                window: "3 of 3 × 300s",
                missing: "missing",
            });
            expect(shapeOf(a["db-free-storage"])).to.deep.equal({
                name: `${p}-db-free-storage`,
                metric: "AWS/RDS/FreeStorageSpace",
                dimensions: db,
                statistic: "Minimum",
                condition: `LessThanThreshold ${d.dbFreeStorageGb * GIB}`,
                window: "1 of 1 × 300s",
                missing: "missing",
            });
            expect(shapeOf(a["db-connections"])).to.deep.equal({
                name: `${p}-db-connections`,
                metric: "AWS/RDS/DatabaseConnections",
                dimensions: db,
                statistic: "Maximum",
                condition: `GreaterThanThreshold ${d.dbConnections}`,
                window: "3 of 3 × 300s",
                missing: "missing",
            });
            expect(Object.keys(a).filter((k) => k.includes("replica"))).to.deep.equal([]);
        }
        expect(alarmsOf(tuned)["db-connections"].inputs.threshold).to.equal(30);
        // Derived from the pools: dev 4 servers × 10 + 1 = 41 at most, prod 6 × 10 + 1 = 61.
        expect(alarmsOf(dev)["db-connections"].inputs.threshold).to.equal(32);
        expect(alarmsOf(prod)["db-connections"].inputs.threshold).to.equal(48);
    });

    it("fails a running instance refresh on the ALB 5xx-rate alarm, created before the group", () => {
        for (const run of [dev, prod]) {
            const alarm = alarmsOf(run)["alb-5xx-rate"];
            const group = named(run, "aws:autoscaling/group:Group", "web-asg");
            const preferences = group.inputs.instanceRefresh.preferences;
            expect(preferences.alarmSpecification).to.deep.equal({ alarms: [`webfleet-${run.stack}-alb-5xx-rate`] });
            expect(group.dependencies).to.include(alarm.urn);
            // Auto rollback is not available with an SSM-parameter AMI (components/webTier/servers.ts).
            expect(preferences.autoRollback).to.equal(undefined);
        }
    });

    it("shows every alarm on one dashboard, exported as dashboardName", () => {
        for (const run of [dev, prod]) {
            const dashboard = named(run, "aws:cloudwatch/dashboard:Dashboard", "monitoring-dashboard");
            expect(dashboard.inputs.dashboardName).to.equal(`webfleet-${run.stack}`);
            expect(run.outputs.dashboardName.value).to.equal(`webfleet-${run.stack}`);
            const body = JSON.parse(dashboard.inputs.dashboardBody);
            // The stack's own alarms, in prod the synthetic checks' (components/syntheticChecks.ts), and
            // the restore test's (components/backup/restoreTest.ts).
            const arns = ofType(run, ALARM).map((a) => a.outputs.arn);
            expect(arns.length).to.equal(Object.keys(alarmsOf(run)).length + (run.stack === "prod" ? 2 : 0) + 1);
            expect(arns[0]).to.match(
                new RegExp(`^arn:aws:cloudwatch:us-east-1:${MOCK_ACCOUNT_ID}:alarm:webfleet-${run.stack}-`),
            );
            expect(body.widgets[0].properties.alarms).to.have.members(arns);
            expect(body.widgets.slice(1).map((w: any) => w.properties.annotations.alarms[0])).to.have.members(arns);
            expect(body.widgets.slice(1).every((w: any) => w.properties.region === "us-east-1")).to.equal(true);
        }
    });
});

describe("monitoring (component on its own)", () => {
    const args = (region: string): MonitoringArgs => ({
        prefix: "webfleet-seams",
        region,
        thresholds: SEAM_THRESHOLDS,
        alarmActions: ["arn:aws:sns:us-east-1:123456789012:alarms"],
        loadBalancer: {
            arnSuffix: pulumi.output("app/web/1"),
            targetGroupArnSuffix: pulumi.output("targetgroup/web/2"),
        },
        availabilityZones: [`${region}a`, `${region}b`],
        availabilityZoneCount: 2,
        autoScalingGroupName: "web-asg",
        minInService: 2,
        database: { identifier: "db-primary" },
    });

    it("is built in one step from plain values, and alarms on the lag of each read replica it is given", async () => {
        const run = await runComponent(
            () =>
                new Monitoring("monitoring", {
                    ...args("us-east-1"),
                    database: { identifier: "db-primary", readReplicaIdentifiers: ["db-replica-a", "db-replica-b"] },
                }),
        );
        expect(run.error).to.equal(undefined);
        const a = alarmsOf(run);
        expect(shapeOf(a["db-replica-lag-2"])).to.deep.equal({
            name: "webfleet-seams-db-replica-lag-2",
            metric: "AWS/RDS/ReplicaLag",
            dimensions: { DBInstanceIdentifier: "db-replica-b" },
            statistic: "Maximum",
            condition: "GreaterThanThreshold 30",
            window: "5 of 5 × 60s",
            missing: "breaching",
        });
        expect(a["db-replica-lag-1"].inputs.dimensions).to.deep.equal({ DBInstanceIdentifier: "db-replica-a" });
        expect(a["healthy-hosts-az2"].inputs.name).to.equal("webfleet-seams-healthy-hosts-us-east-1b");
        expect(a["db-cpu"].inputs.alarmActions).to.deep.equal(["arn:aws:sns:us-east-1:123456789012:alarms"]);
        // The rollout alarm is the web tier's: Monitoring makes none of its own.
        expect(a["alb-5xx-rate"]).to.equal(undefined);
    });

    it("puts the web tier's rollout alarm first on the dashboard and other components' alarms last", async () => {
        const rollout = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:webfleet-seams-alb-5xx-rate";
        const synthetic = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:webfleet-seams-synthetic-home";
        const run = await runComponent(
            () =>
                new Monitoring("monitoring", {
                    ...args("us-east-1"),
                    loadBalancer: { ...args("us-east-1").loadBalancer, rolloutAlarm: { arn: rollout, title: "5xx" } },
                    moreAlarms: [{ arn: synthetic, title: "home" }],
                }),
        );
        expect(run.error).to.equal(undefined);
        const body = JSON.parse(
            run.resources.find((r) => r.type === "aws:cloudwatch/dashboard:Dashboard")!.inputs.dashboardBody,
        );
        const shown: string[] = body.widgets[0].properties.alarms;
        expect(shown[0]).to.equal(rollout);
        expect(shown[shown.length - 1]).to.equal(synthetic);
        expect(shown).to.have.length(Object.keys(alarmsOf(run)).length + 2);
    });

    it("says what to do about an expiring certificate in each mode, and refuses CloudFront alarms outside us-east-1", async () => {
        const acm = "arn:aws:acm:us-east-1:123456789012:certificate/c";
        const run = await runComponent(
            () =>
                new Monitoring("monitoring", {
                    ...args("us-east-1"),
                    certificate: { arn: acm, mode: "dns-validated" },
                }),
        );
        expect(run.error).to.equal(undefined);
        const expiry = alarmsOf(run)["certificate-expiry"].inputs;
        expect(expiry.dimensions).to.deep.equal({ CertificateArn: acm });
        expect(expiry.alarmDescription).to.include("ACM has not renewed it; check that its DNS validation record");
        expect(Object.keys(alarmsOf(run)).filter((k) => k.startsWith("cdn-"))).to.deep.equal([]);

        const elsewhere = await runComponent(
            () => new Monitoring("monitoring", { ...args("eu-west-1"), cdn: { distributionId: "E2ABCDEF" } }),
        );
        expect(elsewhere.error?.message).to.include(
            "monitoring: CloudFront publishes its metrics in us-east-1 only, so its alarms cannot live in eu-west-1",
        );
    });

    it("refuses a prefix alarm names cannot hold", async () => {
        const run = await runComponent(
            () => new Monitoring("monitoring", { ...args("us-east-1"), prefix: "webfleet prod" }),
        );
        expect(run.error?.message).to.include(
            'monitoring: prefix "webfleet prod" may hold only letters, digits, - and _',
        );
        const topic = await runComponent(
            () => new AlarmTopic("alarms", { prefix: "webfleet prod", kmsKeyArn: "arn:aws:kms:us-east-1:1:key/k" }),
        );
        expect(topic.error?.message).to.include('alarm topic: prefix "webfleet prod" may hold only letters');
    });
});
