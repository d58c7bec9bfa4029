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
 * capacity back (launching before terminating). docs/web-tier.md has the whole story.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../../lib/naming";
import { roleTags } from "../../lib/tags";
import { renderWebUserData } from "../../lib/userData/web";
import { AppArtifact } from "../artifact";
import { LoadBalancer } from "../loadBalancer";
import { WebTierArgs, webTierProblems } from "./args";
import { instanceRole } from "./role";
import { serverGroup } from "./servers";

export type { RolloutAlarmArgs, WebTierArgs } from "./args";
export { SESSION_MANAGER_ACTIONS } from "./role";
export { INSTANCE_WARMUP_SECONDS, MAX_INSTANCE_LIFETIME_SECONDS, ROOT_VOLUME_GB } from "./servers";

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
    /** The servers' target group (patching checks a server is healthy in it before and after). */
    public readonly targetGroupArn: pulumi.Output<string>;
    public readonly url: pulumi.Output<string>;
    public readonly albDnsName: pulumi.Output<string>;
    public readonly albZoneId: pulumi.Output<string>;
    public readonly artifactBucketName: pulumi.Output<string>;
    public readonly artifactKey: pulumi.Output<string>;
    public readonly certificateArn: pulumi.Output<string>;
    /** The ALB 5xx-rate alarm that stops a rollout (with `rolloutAlarm`), for the stack's dashboard. */
    public readonly rolloutAlarm?: { arn: pulumi.Output<string>; title: string };

    constructor(name: string, args: WebTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:web:WebTier", name, {}, opts);
        const problems = webTierProblems(args);
        if (problems.length > 0) {
            throw new pulumi.ResourceError(`web tier "${name}": ${problems.join("; ")}`, this);
        }

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
                description: "The app HTTPS port from the load balancer only",
                ipProtocol: "tcp",
                fromPort: args.appPort,
                toPort: args.appPort,
                referencedSecurityGroupId: lb.securityGroupId,
            },
            { parent: this },
        );

        const artifact = new AppArtifact(
            childName(name, "artifact"),
            { bundle: args.appBundle, kmsKeyArn: args.kmsKeyArn },
            { parent: this },
        );

        const role = instanceRole(this, name, {
            region: args.region,
            kmsKeyArn: args.kmsKeyArn,
            artifact,
            statements: args.instancePolicyStatements,
        });

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

        const servers = serverGroup(this, name, args, {
            securityGroupId: webSg.id,
            instanceProfileArn: role.profile.arn,
            rolePolicy: role.policy,
            userData,
            lb,
            subnetIds: pulumi
                .output(args.privateSubnetIds)
                .apply((ids) => this.checkSubnets(ids, args.availabilityZoneCount)),
        });

        this.webSecurityGroupId = webSg.id;
        this.albSecurityGroupId = lb.securityGroupId;
        this.instanceRoleName = role.role.name;
        this.instanceRoleArn = role.role.arn;
        this.launchTemplateId = servers.template.id;
        this.autoScalingGroupName = servers.group.name;
        this.albArn = lb.arn;
        this.albArnSuffix = lb.arnSuffix;
        this.targetGroupArnSuffix = lb.targetGroupArnSuffix;
        this.targetGroupArn = lb.targetGroupArn;
        this.url = lb.url;
        this.albDnsName = lb.dnsName;
        this.albZoneId = lb.zoneId;
        this.artifactBucketName = artifact.bucketName;
        this.artifactKey = artifact.key;
        this.certificateArn = lb.certificateArn;
        if (servers.rolloutAlarm) {
            this.rolloutAlarm = { arn: servers.rolloutAlarm.arn, title: "ALB 5xx rate (%)" };
        }
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
            targetGroupArn: this.targetGroupArn,
            url: this.url,
            albDnsName: this.albDnsName,
            albZoneId: this.albZoneId,
            artifactBucketName: this.artifactBucketName,
            artifactKey: this.artifactKey,
            certificateArn: this.certificateArn,
        });
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
