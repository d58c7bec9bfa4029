/**
 * webfleet: load the stack config, compose the components, export the outputs other teams
 * consume (README.md, "Stack outputs": renaming one is a breaking change).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { AccessLogBucket } from "./components/accessLogs";
import { AlarmTopic, alarmPrefixFor } from "./components/alarmTopic";
import { AutoScalingRole } from "./components/autoScalingRole";
import { Backup, BackupCopyVault, RestoreTest } from "./components/backup";
import { Bastion } from "./components/bastion";
import { Cdn } from "./components/cdn";
import { certificateMode } from "./components/certificate";
import { Database, identifierBaseFor } from "./components/database";
import { InstanceLogs, logGroupPrefixFor } from "./components/instanceLogs";
import { ACCESS_LOGS_PREFIX } from "./components/loadBalancer";
import { Monitoring } from "./components/monitoring";
import { Migrations } from "./components/migrations";
import { Network } from "./components/network";
import { Patching } from "./components/patching";
import { Secrets, aliasNameFor } from "./components/secrets";
import { SSH_ACCESS_TAG, SshAccess, SshAccessTarget, sshAccessTagValue } from "./components/sshAccess";
import { SyntheticChecks } from "./components/syntheticChecks";
import { movedFrom } from "./lib/moved";
import { PATCH_GROUP_TAG, patchAgentStatement } from "./lib/patching";
import { ROLE_TAG, stackTags } from "./lib/tags";
import { APP_UNIT } from "./lib/userData/web";
import { WebFirewall } from "./components/waf";
import { WebTier } from "./components/webTier";
import { buildAppBundle } from "./app/build";
import { bundleMigrationFunction, bundleRestoreValidator } from "./app/lambda/build";
import { errorPages } from "./app/static/pages";

const config = loadConfig();

// Every resource gets the stack's tags through the provider, so none can be forgotten.
const tags = stackTags(config.project, config.stack, config.environment, config.tags);
const provider = new aws.Provider("aws", {
    region: config.region as aws.Region,
    defaultTags: { tags },
});
const opts = { providers: { aws: provider } };
// What the instances carry (the provider's default tags do not reach instances launched by Auto
// Scaling): the stack's tags and, with patching on, the patch group that picks its patch baseline.
const patchGroup = alarmPrefixFor(config.project, config.stack);
const instanceTags = config.patching.enabled ? { ...tags, [PATCH_GROUP_TAG]: patchGroup } : tags;
// Where resources that have since moved used to live (lib/moved.ts).
const DATABASE = { name: "database", type: "webfleet:database:Database" };
const MONITORING = { name: "monitoring", type: "webfleet:ops:Monitoring" };

// Prod's stateful resources (the key, the database, the access logs, the load balancer) are
// protected: `pulumi destroy` of prod stops before it takes anything down instead of failing
// half-way, and a change that would replace one fails instead (docs/operations.md).
const prod = config.environment === "prod";

// The key policy names Auto Scaling's service-linked role, which must exist first.
const autoScalingRole = new AutoScalingRole(
    "autoscaling-role",
    { create: config.account.createAutoScalingServiceLinkedRole },
    opts,
);

// One customer-managed key per stack for everything encrypted at rest; prod's stays in the
// account if it ever leaves the stack, so its final snapshot and backups stay restorable.
const secrets = new Secrets(
    "secrets",
    {
        aliasName: aliasNameFor(config.project, config.stack),
        autoScalingRoleArn: autoScalingRole.arn,
        protect: prod,
        retainOnDelete: prod,
    },
    opts,
);

const network = new Network(
    "network",
    {
        cidr: config.network.cidr,
        availabilityZones: config.network.availabilityZones,
        azCount: config.network.azCount,
        subnets: config.network.subnets,
        natStrategy: config.network.natStrategy,
        flowLogRetentionDays: config.network.flowLogRetentionDays,
        logKmsKeyArn: secrets.kmsKeyArn,
    },
    opts,
);

// Who may SSH in (bastion.users): the SSM associations find each role's instances by this tag.
const sshTarget = (role: SshAccessTarget["role"]): SshAccessTarget => ({
    role,
    tagValue: sshAccessTagValue(config.project, config.stack, role),
});
const bastion = config.bastion.enabled
    ? new Bastion(
          "bastion",
          {
              vpcId: network.vpcId,
              vpcCidr: network.vpcCidr,
              publicSubnetIds: network.publicSubnetIds,
              instanceType: config.bastion.instanceType,
              allowedCidrs: config.bastion.allowedCidrs,
              sshPublicKey: config.bastion.sshPublicKey,
              ebsKmsKeyArn: secrets.kmsKeyArn,
              instanceTags: { ...instanceTags, [SSH_ACCESS_TAG]: sshTarget("bastion").tagValue },
          },
          opts,
      )
    : undefined;

// The people's accounts and sshd's AllowUsers, converged on the bastion and the web servers by
// SSM State Manager at every deploy that changes them, without replacing an instance
// (components/sshAccess.ts, docs/ssh-access.md). The web servers' association stays without a
// bastion too, so their sshd allows ec2-user alone.
const sshAccess = new SshAccess(
    "ssh-access",
    {
        prefix: alarmPrefixFor(config.project, config.stack),
        people: config.bastion.users,
        targets: [...(bastion ? [sshTarget("bastion")] : []), sshTarget("web")],
    },
    opts,
);

const database = new Database(
    "database",
    {
        ...config.database,
        vpcId: network.vpcId,
        isolatedSubnetIds: network.isolatedSubnetIds,
        kmsKeyArn: secrets.kmsKeyArn,
        identifierBase: identifierBaseFor(config.project, config.stack),
        // Prod keeps a final snapshot and applies changes in the maintenance window.
        finalSnapshot: prod,
        applyImmediately: !prod,
        protect: prod,
        // The same retention as the VPC's flow logs: one audit-log horizon per stack.
        logRetentionDays: config.network.flowLogRetentionDays,
    },
    opts,
);

// Runs the migrations (and converges the app's role) on every deploy whose migrations changed.
const migrations = new Migrations(
    "migrations",
    {
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        bundle: bundleMigrationFunction(),
        database: {
            securityGroupId: database.securityGroupId,
            address: database.address,
            port: database.port,
            name: database.dbName,
            resourceId: database.resourceId,
            masterSecretArn: database.masterSecretArn,
            appUser: database.appUser,
        },
        kmsKeyArn: secrets.kmsKeyArn,
        logRetentionDays: config.network.flowLogRetentionDays,
    },
    // The function's 5432 rules were the database's until the migrations owned them.
    {
        ...opts,
        transformations: [
            movedFrom({
                "migrations-db-in": { name: "database-from-migrations", parent: DATABASE },
                "migrations-db-out": { name: "database-to-db-from-migrations", parent: DATABASE },
            }),
        ],
    },
);

// Where the ALB's access logs and the servers' app and system logs go, kept for the stack's
// one audit-log horizon (the flow logs' retention). SSE-S3 for the ALB's bucket: the only
// encryption ALB log delivery can write into (components/accessLogs.ts).
const auditLogDays = config.network.flowLogRetentionDays;
const accessLogs = new AccessLogBucket(
    "access-logs",
    {
        region: config.region,
        prefix: ACCESS_LOGS_PREFIX,
        retentionDays: auditLogDays,
        forceDestroy: !prod,
        protect: prod,
    },
    opts,
);
const instanceLogs = new InstanceLogs(
    "instance-logs",
    {
        prefix: logGroupPrefixFor(config.project, config.stack),
        retentionDays: auditLogDays,
        kmsKeyArn: secrets.kmsKeyArn,
    },
    opts,
);

// Every alarm notifies one topic encrypted with the stack key (and monitoring.alarmTopicArn).
const prefix = alarmPrefixFor(config.project, config.stack);
const alarms = new AlarmTopic(
    "alarms",
    {
        prefix,
        email: config.monitoring.alarmEmail,
        extraTopicArn: config.monitoring.alarmTopicArn,
        kmsKeyArn: secrets.kmsKeyArn,
    },
    // The topic was Monitoring's until it became its own component.
    {
        ...opts,
        transformations: [
            movedFrom({
                "alarms-topic": { name: "monitoring-alarms", parent: MONITORING },
                "alarms-policy": { name: "monitoring-alarms-policy", parent: MONITORING },
                "alarms-email": { name: "monitoring-alarm-email", parent: MONITORING },
            }),
        ],
    },
);

// The database's daily snapshots in AWS Backup (copied to backup.copyRegion when set) and their
// weekly restore test, validated by a function that connects to the restored copy and pages
// through the alarm topic when it fails (docs/operations.md has the restore runbook). Prod's
// vaults are locked in governance mode and protected like its other stateful resources.
let restoreTest: RestoreTest | undefined;
if (config.backup.enabled) {
    const retentionDays = config.backup.retentionDays;
    const copyRegion = config.backup.copyRegion;
    const copy = copyRegion
        ? new BackupCopyVault(
              "backup-copy",
              { prefix, retentionDays, lock: prod, forceDestroy: !prod, protect: prod },
              // KMS keys and vaults are regional: the copy's live in its region, through its provider.
              {
                  providers: {
                      aws: new aws.Provider("aws-backup-copy", {
                          region: copyRegion as aws.Region,
                          defaultTags: { tags },
                      }),
                  },
              },
          )
        : undefined;
    const backup = new Backup(
        "backup",
        {
            prefix,
            kmsKeyArn: secrets.kmsKeyArn,
            databaseArn: database.arn,
            retentionDays,
            lock: prod,
            copy: copy ? { vaultArn: copy.vaultArn, kmsKeyArn: copy.kmsKeyArn } : undefined,
            forceDestroy: !prod,
            protect: prod,
        },
        opts,
    );
    restoreTest = new RestoreTest(
        "restore-test",
        {
            prefix,
            vaultArn: backup.vaultArn,
            databaseArn: database.arn,
            database: {
                subnetGroupName: database.subnetGroupName,
                name: database.dbName,
                masterSecretArn: database.masterSecretArn,
            },
            vpcId: network.vpcId,
            privateSubnetIds: network.privateSubnetIds,
            kmsKeyArn: secrets.kmsKeyArn,
            bundle: bundleRestoreValidator(),
            logRetentionDays: auditLogDays,
            alarmActions: alarms.actions,
        },
        opts,
    );
}

// The web application firewall: always in prod, in dev when waf.enabled. With CloudFront in
// front it guards the distribution (where it sees the viewers' addresses), otherwise the ALB.
// No stack outputs: optional outputs warn in every plan without them, and the names are fixed
// (web ACL webfleet-<stack>-web, log group aws-waf-logs-webfleet-<stack>).
const firewall = (scope: "REGIONAL" | "CLOUDFRONT", loadBalancerArn?: pulumi.Input<string>) =>
    new WebFirewall(
        "waf",
        {
            prefix,
            scope,
            loadBalancerArn,
            rateLimitPer5Min: config.waf.rateLimitPer5Min,
            retentionDays: auditLogDays,
            kmsKeyArn: secrets.kmsKeyArn,
        },
        opts,
    );
const edgeWaf = config.waf.enabled && config.cdn.enabled ? firewall("CLOUDFRONT") : undefined;

// CloudFront with the app's own error pages, even when no server is healthy (components/cdn.ts);
// config.ts allows it only with a domain in us-east-1.
const cdn = config.cdn.enabled
    ? new Cdn(
          "cdn",
          {
              prefix,
              domain: config.web.domain!,
              hostedZoneId: config.web.hostedZoneId!,
              errorPages,
              kmsKeyArn: secrets.kmsKeyArn,
              webAclArn: edgeWaf?.webAclArn,
              forceDestroy: !prod,
          },
          opts,
      )
    : undefined;

// The ALB, the app bundle in S3 and the Auto Scaling group of web servers (docs/web-tier.md).
const web = new WebTier(
    "web",
    {
        // The web section's keys are WebTierArgs' settings, one to one.
        ...config.web,
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        availabilityZoneCount: config.network.azCount,
        region: config.region,
        appBundle: buildAppBundle(),
        kmsKeyArn: secrets.kmsKeyArn,
        sshKeyName: bastion?.keyName,
        // IAM-token access to the database as the app's role, and where to find it (nothing
        // secret); writing to the instance log groups and nothing else in CloudWatch Logs;
        // running the SSH-access association (reading its document only); and, with patching
        // on, what Run Command and Patch Manager need (lib/patching.ts).
        instancePolicyStatements: [
            database.connectStatement(),
            instanceLogs.writeStatement(),
            ...sshAccess.agentStatements(),
            ...(config.patching.enabled ? [patchAgentStatement()] : []),
        ],
        appEnvironment: database.appEnvironment(),
        // New servers start only after the schema they expect is in place.
        rolloutDependsOn: [migrations.invocation],
        instanceTags: { ...instanceTags, [SSH_ACCESS_TAG]: sshTarget("web").tagValue },
        accessLogsBucket: accessLogs.bucketName,
        logGroups: { app: instanceLogs.appLogGroupName, system: instanceLogs.systemLogGroupName },
        // A rollout whose servers answer 5xx stops where it stands, and pages.
        rolloutAlarm: {
            name: `${prefix}-alb-5xx-rate`,
            errorRatePercent: config.monitoring.alb5xxRatePercent,
            actions: alarms.actions,
        },
        edge: cdn?.edge,
        protectLoadBalancer: prod,
    },
    // The rollout alarm was Monitoring's until the web tier owned it.
    {
        ...opts,
        transformations: [movedFrom({ "web-alb-5xx-rate": { name: "monitoring-alb-5xx-rate", parent: MONITORING } })],
    },
);
database.allowClient("web", web.webSecurityGroupId);
bastion?.allowSshTo("web", web.webSecurityGroupId);
// Security updates without a deploy: a weekly window patches the bastion, then the web servers one
// at a time, each replaced by a surge server while it is out (components/patching.ts).
if (config.patching.enabled) {
    new Patching(
        "patching",
        {
            prefix,
            patchGroup,
            schedule: config.patching.schedule,
            approveAfterDays: config.patching.approveAfterDays,
            stackTag: { key: "webfleet:stack", value: config.stack },
            roleTagKey: ROLE_TAG,
            web: {
                autoScalingGroupName: web.autoScalingGroupName,
                targetGroupArn: web.targetGroupArn,
                appUnit: APP_UNIT,
            },
            bastion: bastion !== undefined,
        },
        opts,
    );
}
// An outside view of the site: Route 53 health checks of / and /healthz from several regions,
// alarming to the same topic; on in prod, us-east-1 only (components/syntheticChecks.ts).
const synthetic = config.monitoring.syntheticChecks
    ? new SyntheticChecks(
          "synthetic",
          { prefix, url: web.url, region: config.region, alarmActions: alarms.actions },
          opts,
      )
    : undefined;
// Every other alarm and the dashboard of them all (components/monitoring.ts).
const monitoring = new Monitoring(
    "monitoring",
    {
        prefix,
        region: config.region,
        thresholds: config.monitoring,
        alarmActions: alarms.actions,
        loadBalancer: {
            arnSuffix: web.albArnSuffix,
            targetGroupArnSuffix: web.targetGroupArnSuffix,
            rolloutAlarm: web.rolloutAlarm,
        },
        availabilityZones: network.availabilityZones,
        availabilityZoneCount: config.network.azCount,
        autoScalingGroupName: web.autoScalingGroupName,
        minInService: config.web.minSize,
        // No read replicas in this stack, so no replica-lag alarm (components/monitoring.ts).
        database: { identifier: database.identifier },
        certificate: { arn: web.certificateArn, mode: certificateMode(config.web) },
        // CloudFront's own error rates: behind it, a broken origin shows in no ALB metric.
        cdn: cdn?.distributionId ? { distributionId: cdn.distributionId } : undefined,
        moreAlarms: [...(synthetic?.alarms ?? []), ...(restoreTest?.alarms ?? [])],
    },
    opts,
);
if (config.waf.enabled && !config.cdn.enabled) {
    firewall("REGIONAL", web.albArn);
}

export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const isolatedSubnetIds = network.isolatedSubnetIds;
export const availabilityZones = network.availabilityZones;
// null, not absent, when there is none: other teams read a key that is always there, and the
// engine does not warn about an undefined output on every deploy.
export const bastionSecurityGroupId = bastion?.securityGroupId ?? null;
// The Elastic IP to SSH to; null with no allowed CIDRs (no SSH ingress, no Elastic IP: use SSM).
export const bastionPublicIp = bastion?.publicIp ?? null;
export const dbEndpoint = database.address;
export const dbPort = database.port;
export const dbName = database.dbName;
export const dbResourceId = database.resourceId;
export const dbMasterSecretArn = database.masterSecretArn;
export const dbMigrationFunctionName = migrations.functionName;
export const kmsKeyArn = secrets.kmsKeyArn;
export const url = web.url;
export const albDnsName = web.albDnsName;
export const albZoneId = web.albZoneId;
export const albSecurityGroupId = web.albSecurityGroupId;
export const webSecurityGroupId = web.webSecurityGroupId;
export const artifactBucketName = web.artifactBucketName;
export const accessLogsBucketName = accessLogs.bucketName;
export const appLogGroupName = instanceLogs.appLogGroupName;
export const systemLogGroupName = instanceLogs.systemLogGroupName;
export const alarmTopicArn = alarms.arn;
export const dashboardName = monitoring.dashboardName;
