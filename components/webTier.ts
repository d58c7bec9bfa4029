/**
 * The web tier: the load balancer (components/loadBalancer.ts), the app artifact
 * (components/artifact.ts), and a self-healing Auto Scaling group of hardened Amazon Linux 2023
 * servers in the private subnets of every AZ that run the app as a systemd service.
 *
 * How the group keeps a healthy server in every AZ: min size ≥ the AZ count and the group
 * balances across its subnets (one per AZ) on launch and, with AZRebalance never suspended,
 * afterwards; ELB health checks replace a server that stops answering /healthz. When an AZ
 * fails, its servers fail their health checks, the ALB stops routing to them, and the group
 * launches replacements in the AZs that still work; when the AZ returns, rebalancing moves
 * capacity back (launching before terminating). README.md, "Web tier", has the whole story.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ALLOWED_TLS_POLICIES } from "../lib/tlsPolicies";
import type { StackConfig } from "../stackConfig";
import { AppArtifact, AppBundleLike } from "./artifact";
import { Bastion } from "./bastion";
import { Statement, policyDocument, serviceTrustPolicy } from "../lib/iam";
import { al2023ImageId } from "../lib/instanceTypes";
import { EdgeSeam, LoadBalancer, LoadBalancerDimensions } from "./loadBalancer";
import { childName } from "../lib/naming";
import { roleTags } from "../lib/tags";
import { environmentProblems, renderWebUserData } from "../lib/userData/web";

export type WebSettings = StackConfig["web"];

export interface WebTierArgs extends WebSettings {
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<string[]>;
    /** One private subnet per AZ, in AZ order. */
    privateSubnetIds: pulumi.Input<string[]>;
    /** How many AZs the network spans; the group keeps at least one server in each. */
    availabilityZoneCount: number;
    region: string;
    /** The app bundle, e.g. `buildAppBundle()` from app/build.ts (injectable for tests). */
    appBundle: AppBundleLike | Promise<AppBundleLike>;
    /** Appended to the instance role's inline policy (the database adds rds-db:connect). */
    instancePolicyStatements?: pulumi.Input<Statement>[];
    /** Non-secret variables for the app's EnvironmentFile (DB_HOST, DB_PORT, DB_NAME, DB_USER, AWS_REGION…). */
    appEnvironment?: pulumi.Input<Record<string, string>>;
    /** The launch template and the group wait for these, so e.g. migrations run before a rollout. */
    rolloutDependsOn?: pulumi.Input<pulumi.Resource>[];
    /** KMS key for the artifact bucket and the EBS volumes; undefined: SSE-S3 and the default EBS key. */
    kmsKeyArn?: pulumi.Input<string>;
    /** When given: SSH from the bastion's security group, and its key pair on the servers. */
    bastion?: Bastion;
    /** S3 bucket for ALB access logs (components/accessLogs.ts); undefined leaves them off. */
    accessLogsBucket?: pulumi.Input<string>;
    /**
     * CloudWatch Logs groups the servers ship their logs to with the CloudWatch agent
     * (components/instanceLogs.ts); the role's write permission comes in through
     * instancePolicyStatements. Undefined: no agent, the app logs to the journal.
     */
    logGroups?: { app: pulumi.Input<string>; system: pulumi.Input<string> };
    /** Tags for the instances and their volumes (the provider's default tags do not reach them). */
    instanceTags?: Record<string, string>;
    /**
     * Alarms that fail a running instance refresh when they go to ALARM (e.g. the ALB 5xx rate,
     * components/monitoring.ts). Called once the load balancer exists, since they watch it, and
     * before the group, which names them.
     */
    rolloutAlarms?: (lb: LoadBalancerDimensions) => aws.cloudwatch.MetricAlarm[];
    /** CloudFront in front of the ALB (components/cdn.ts); needs web.domain and web.hostedZoneId. */
    edge?: EdgeSeam;
    /** Protect the load balancer (prod); see LoadBalancerArgs.protect. Default false. */
    protectLoadBalancer?: boolean;
}

/** A server boots (dnf, download, start) in about a minute; its metrics count after 2. */
export const INSTANCE_WARMUP_SECONDS = 120;
/** Servers are replaced after 30 days, so each runs a recent AL2023 AMI (resolved at launch). */
export const MAX_INSTANCE_LIFETIME_SECONDS = 30 * 24 * 3600;
export const ROOT_VOLUME_GB = 20;
/** Session Manager only (AWS's minimal instance policy for it): no Run Command, no parameters. */
export const SESSION_MANAGER_ACTIONS = [
    "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

export class WebTier extends pulumi.ComponentResource {
    public readonly webSecurityGroupId: pulumi.Output<string>;
    public readonly albSecurityGroupId: pulumi.Output<string>;
    public readonly instanceRoleName: pulumi.Output<string>;
    public readonly instanceRoleArn: pulumi.Output<string>;
    public readonly launchTemplateId: pulumi.Output<string>;
    public readonly autoScalingGroupName: pulumi.Output<string>;
    public readonly albArn: pulumi.Output<string>;
    public readonly albArnSuffix: pulumi.Output<string>;
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    public readonly url: pulumi.Output<string>;
    public readonly albDnsName: pulumi.Output<string>;
    public readonly albZoneId: pulumi.Output<string>;
    public readonly artifactBucketName: pulumi.Output<string>;
    public readonly artifactKey: pulumi.Output<string>;
    public readonly certificateArn: pulumi.Output<string>;

    constructor(name: string, args: WebTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:web:WebTier", name, {}, opts);
        this.validate(name, args);

        const webSg = new aws.ec2.SecurityGroup(
            childName(name, "sg"),
            {
                vpcId: args.vpcId,
                description: "webfleet web servers: the app port from the load balancer only",
                tags: roleTags("web", childName(name, "sg")),
            },
            { parent: this },
        );
        // Out: HTTPS only (dnf repositories, S3, SSM, the RDS CA bundle). DNS and NTP are
        // link-local, outside security groups. The database adds its own 5432 pair.
        new aws.vpc.SecurityGroupEgressRule(
            childName(name, "https-out"),
            {
                securityGroupId: webSg.id,
                description: "HTTPS for packages, the app artifact in S3 and SSM",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: "0.0.0.0/0",
            },
            { parent: this },
        );

        const lb = new LoadBalancer(
            childName(name, "lb"),
            {
                vpcId: args.vpcId,
                publicSubnetIds: args.publicSubnetIds,
                appPort: args.appPort,
                tlsPolicy: args.tlsPolicy,
                idleTimeoutSeconds: args.idleTimeoutSeconds,
                deletionProtection: args.deletionProtection,
                domain: args.domain,
                hostedZoneId: args.hostedZoneId,
                targetSecurityGroupId: webSg.id,
                accessLogsBucket: args.accessLogsBucket,
                edge: args.edge,
                protect: args.protectLoadBalancer,
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            childName(name, "app-from-alb"),
            {
                securityGroupId: webSg.id,
                description: "The app port from the load balancer only",
                ipProtocol: "tcp",
                fromPort: args.appPort,
                toPort: args.appPort,
                referencedSecurityGroupId: lb.securityGroupId,
            },
            { parent: this },
        );
        args.bastion?.allowSshTo("web", webSg.id);

        const artifact = new AppArtifact(
            childName(name, "artifact"),
            { bundle: args.appBundle, kmsKeyArn: args.kmsKeyArn },
            { parent: this },
        );

        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const role = new aws.iam.Role(
            childName(name, "role"),
            {
                assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com", account),
                description: "webfleet web servers: read the app artifact, SSM Session Manager",
            },
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            childName(name, "role-policy"),
            {
                role: role.id,
                policy: policyDocument([
                    ...this.baseStatements(args, artifact),
                    ...(args.instancePolicyStatements ?? []),
                ]).apply((doc) => this.refuseWildcardActions(doc)),
            },
            { parent: this },
        );
        const profile = new aws.iam.InstanceProfile(childName(name, "profile"), { role: role.name }, { parent: this });

        const userData = pulumi
            .all([
                artifact.bucketName,
                artifact.key,
                artifact.sha256,
                pulumi.output(args.appEnvironment ?? {}),
                isSecretOutput(args.appEnvironment),
                pulumi.output(args.logGroups),
            ])
            .apply(([bucket, key, sha256, environment, secret, logGroups]) => {
                if (secret) {
                    throw new pulumi.ResourceError(
                        "appEnvironment is a Pulumi secret, and user data is readable through the EC2 API and IMDS; pass only non-secret values (secrets are read at run time from Secrets Manager)",
                        this,
                    );
                }
                const logs = logGroups ? { appLogGroup: logGroups.app, systemLogGroup: logGroups.system } : undefined;
                return Buffer.from(
                    renderWebUserData({
                        region: args.region,
                        bucket,
                        key,
                        sha256,
                        appPort: args.appPort,
                        environment,
                        logs,
                    }),
                ).toString("base64");
            });

        const rolloutAlarms =
            args.rolloutAlarms?.({ arnSuffix: lb.arnSuffix, targetGroupArnSuffix: lb.targetGroupArnSuffix }) ?? [];
        const instanceTags = { ...args.instanceTags, ...roleTags("web", childName(name, "instance")) };
        const rollout = args.rolloutDependsOn ?? [];
        const template = new aws.ec2.LaunchTemplate(
            childName(name, "lt"),
            {
                description: "webfleet web server",
                imageId: al2023ImageId(args.instanceType),
                instanceType: args.instanceType,
                keyName: args.bastion?.keyName,
                iamInstanceProfile: { arn: profile.arn },
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: "required",
                    httpPutResponseHopLimit: 1,
                    instanceMetadataTags: "disabled",
                },
                networkInterfaces: [
                    {
                        deviceIndex: 0,
                        associatePublicIpAddress: "false",
                        deleteOnTermination: "true",
                        securityGroups: [webSg.id],
                    },
                ],
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/xvda",
                        ebs: {
                            volumeSize: ROOT_VOLUME_GB,
                            volumeType: "gp3",
                            encrypted: "true",
                            kmsKeyId: args.kmsKeyArn,
                            deleteOnTermination: "true",
                        },
                    },
                ],
                monitoring: { enabled: args.detailedMonitoring },
                userData,
                tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                    resourceType,
                    tags: instanceTags,
                })),
                updateDefaultVersion: true,
                tags: roleTags("web", childName(name, "lt")),
            },
            // The role's policy is in place before a server launched from this version asks S3.
            { parent: this, dependsOn: [rolePolicy, ...rollout] },
        );

        const group = new aws.autoscaling.Group(
            childName(name, "asg"),
            {
                vpcZoneIdentifiers: pulumi
                    .output(args.privateSubnetIds)
                    .apply((ids) => this.checkSubnets(ids, args.availabilityZoneCount)),
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
                        alarmSpecification:
                            rolloutAlarms.length > 0 ? { alarms: rolloutAlarms.map((a) => a.name) } : undefined,
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
            { parent: this, dependsOn: [...rollout, ...rolloutAlarms], ignoreChanges: ["desiredCapacity"] },
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
            { parent: this, dependsOn: [lb] },
        );

        this.webSecurityGroupId = webSg.id;
        this.albSecurityGroupId = lb.securityGroupId;
        this.instanceRoleName = role.name;
        this.instanceRoleArn = role.arn;
        this.launchTemplateId = template.id;
        this.autoScalingGroupName = group.name;
        this.albArn = lb.arn;
        this.albArnSuffix = lb.arnSuffix;
        this.targetGroupArnSuffix = lb.targetGroupArnSuffix;
        this.url = lb.url;
        this.albDnsName = lb.dnsName;
        this.albZoneId = lb.zoneId;
        this.artifactBucketName = artifact.bucketName;
        this.artifactKey = artifact.key;
        this.certificateArn = lb.certificateArn;
        this.registerOutputs({
            webSecurityGroupId: this.webSecurityGroupId,
            albSecurityGroupId: this.albSecurityGroupId,
            instanceRoleName: this.instanceRoleName,
            instanceRoleArn: this.instanceRoleArn,
            launchTemplateId: this.launchTemplateId,
            autoScalingGroupName: this.autoScalingGroupName,
            albArn: this.albArn,
            albArnSuffix: this.albArnSuffix,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            url: this.url,
            albDnsName: this.albDnsName,
            albZoneId: this.albZoneId,
            artifactBucketName: this.artifactBucketName,
            artifactKey: this.artifactKey,
            certificateArn: this.certificateArn,
        });
    }

    /** Every argument problem at once, each naming the key and the fix. */
    private validate(name: string, args: WebTierArgs): void {
        const problems: string[] = [];
        if (args.availabilityZoneCount < 2) {
            problems.push(
                `network.azCount: ${args.availabilityZoneCount}; an ALB and a multi-AZ group need at least 2 AZs`,
            );
        }
        if (args.minSize < args.availabilityZoneCount) {
            problems.push(
                `web.minSize: ${args.minSize} is below the AZ count (${args.availabilityZoneCount}), so an AZ could be left without a server; set it to ${args.availabilityZoneCount} or more`,
            );
        }
        if (args.maxSize < args.minSize || args.desiredCapacity < args.minSize || args.desiredCapacity > args.maxSize) {
            problems.push(
                `web.desiredCapacity: ${args.desiredCapacity} must lie between web.minSize (${args.minSize}) and web.maxSize (${args.maxSize}); adjust the three`,
            );
        }
        if (!(ALLOWED_TLS_POLICIES as readonly string[]).includes(args.tlsPolicy)) {
            problems.push(
                `web.tlsPolicy: "${args.tlsPolicy}" is not a TLS 1.3 policy; use one of ${ALLOWED_TLS_POLICIES.join(", ")}`,
            );
        }
        const env = args.appEnvironment;
        if (env !== undefined && !pulumi.Output.isInstance(env) && !(env instanceof Promise)) {
            problems.push(...environmentProblems(env));
        }
        if (problems.length > 0) {
            throw new pulumi.ResourceError(`web tier "${name}": ${problems.join("; ")}`, this);
        }
    }

    /** Only what the app needs: its own artifact object, Session Manager, and what is appended. */
    private baseStatements(args: WebTierArgs, artifact: AppArtifact): pulumi.Input<Statement>[] {
        const statements: pulumi.Input<Statement>[] = [
            // Every bundle, not only this deploy's: see AppArtifact.bundlesArn.
            artifact.bundlesArn.apply((arn): Statement => ({
                Sid: "ReadAppArtifact",
                Effect: "Allow",
                Action: "s3:GetObject",
                Resource: arn,
            })),
            { Sid: "SessionManager", Effect: "Allow", Action: SESSION_MANAGER_ACTIONS, Resource: "*" },
        ];
        if (args.kmsKeyArn) {
            statements.push(
                pulumi.output(args.kmsKeyArn).apply((keyArn): Statement => ({
                    Sid: "DecryptAppArtifact",
                    Effect: "Allow",
                    Action: "kms:Decrypt",
                    Resource: keyArn,
                    Condition: { StringEquals: { "kms:ViaService": `s3.${args.region}.amazonaws.com` } },
                })),
            );
        }
        return statements;
    }

    /** No statement may use a wildcard action, including those another component appends. */
    private refuseWildcardActions(document: string): string {
        const statements = (JSON.parse(document) as { Statement: Statement[] }).Statement;
        const wild = statements.flatMap((s) =>
            (Array.isArray(s.Action) ? s.Action : [s.Action])
                .filter((a) => a.includes("*"))
                .map((a) => `${s.Sid ?? "(no Sid)"}: ${a}`),
        );
        if (wild.length > 0) {
            throw new pulumi.ResourceError(
                `instancePolicyStatements: wildcard actions (${wild.join(", ")}) are not allowed on the web servers' role; list the exact actions`,
                this,
            );
        }
        return document;
    }

    private checkSubnets(ids: string[], azCount: number): string[] {
        if (ids.length < azCount || new Set(ids).size !== ids.length) {
            throw new pulumi.ResourceError(
                `web tier: ${ids.length} private subnet(s) for ${azCount} AZs; the group needs one distinct private subnet per AZ`,
                this,
            );
        }
        return ids;
    }
}

/** Whether an input is a Pulumi secret (false for plain values), as an Output. */
function isSecretOutput<T>(value: pulumi.Input<T> | undefined): pulumi.Output<boolean> {
    return pulumi.Output.isInstance(value)
        ? pulumi.output(pulumi.isSecret(value as pulumi.Output<T>))
        : pulumi.output(false);
}
