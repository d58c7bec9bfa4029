/**
 * What the web tier takes (plain values: IDs, ARNs, names, numbers), and the checks a caller's
 * values must pass before anything is created.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Statement } from "../../lib/iam";
import { TLS_POLICY_EXPECTED, isTls13Policy } from "../../lib/tlsPolicies";
import { environmentProblems } from "../../lib/userData/web";
import type { AppBundleLike } from "../artifact";
import type { EdgeSeam } from "../loadBalancer";

export interface WebTierArgs {
    /** EC2 instance type of the servers (Graviton or x86; the AMI follows). */
    instanceType: string;
    /** At least `availabilityZoneCount`, so every AZ keeps a server. */
    minSize: number;
    maxSize: number;
    /** Where the group starts; the scaling policy owns it afterwards. */
    desiredCapacity: number;
    /**
     * The port the app serves HTTPS on (a certificate each server makes at boot); the ALB's
     * target group sends requests and health checks there over TLS. No plain-HTTP port is open.
     */
    appPort: number;
    /** The site's name; undefined serves the ALB's DNS name with a self-signed certificate. */
    domain?: string;
    /** The public Route 53 zone of `domain` (DNS validation and the alias record). */
    hostedZoneId?: string;
    /** The HTTPS listener's ELB security policy: a TLS 1.3 one (lib/tlsPolicies.ts). */
    tlsPolicy: string;
    /** The scaling policy keeps about this many ALB requests a minute per server. */
    targetRequestsPerInstance: number;
    /** Seconds a new server has before failed health checks replace it. */
    healthCheckGracePeriodSeconds: number;
    /** The ALB's idle timeout, below the app's keep-alive. */
    idleTimeoutSeconds: number;
    /** The ALB refuses deletion while this is on. */
    deletionProtection: boolean;
    /** 1-minute EC2 metrics. */
    detailedMonitoring: boolean;

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
    /**
     * The EC2 key pair installed on the servers (the bastion's); undefined: none. SSH also needs
     * an ingress rule on `webSecurityGroupId` (components/bastion.ts's `allowSshTo`).
     */
    sshKeyName?: pulumi.Input<string | undefined>;
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
     * The ALB 5xx-rate alarm that fails a running instance refresh where it stands (and pages);
     * undefined: a rollout stops only on failed health checks.
     */
    rolloutAlarm?: RolloutAlarmArgs;
    /** CloudFront in front of the ALB (components/cdn.ts); needs `domain` and `hostedZoneId`. */
    edge?: EdgeSeam;
    /** Protect the load balancer (prod); see LoadBalancerArgs.protect. Default false. */
    protectLoadBalancer?: boolean;
}

export interface RolloutAlarmArgs {
    /** The alarm's name, e.g. "webfleet-prod-alb-5xx-rate". */
    name: string;
    /** Percent of requests answered 5xx (ALB or servers) that counts a minute as bad. */
    errorRatePercent: number;
    /** Notified on ALARM and on OK (components/alarmTopic.ts's `actions`). */
    actions: pulumi.Input<string>[];
}

/** Every problem with the caller's values, each naming the argument and the fix. */
export function webTierProblems(args: WebTierArgs): string[] {
    const problems: string[] = [];
    const azs = args.availabilityZoneCount;
    if (azs < 2) {
        problems.push(`availabilityZoneCount: ${azs}; an ALB and a multi-AZ group need at least 2 AZs`);
    }
    if (args.minSize < azs) {
        problems.push(
            `minSize: ${args.minSize} is below the AZ count (${azs}), so an AZ could be left without a server; set it to ${azs} or more`,
        );
    }
    if (args.maxSize < args.minSize || args.desiredCapacity < args.minSize || args.desiredCapacity > args.maxSize) {
        problems.push(
            `desiredCapacity: ${args.desiredCapacity} must lie between minSize (${args.minSize}) and maxSize (${args.maxSize}); adjust the three`,
        );
    }
    if (!isTls13Policy(args.tlsPolicy)) {
        problems.push(`tlsPolicy: "${args.tlsPolicy}" is not ${TLS_POLICY_EXPECTED}`);
    }
    const env = args.appEnvironment;
    if (env !== undefined && !pulumi.Output.isInstance(env) && !(env instanceof Promise)) {
        problems.push(...environmentProblems(env));
    }
    return problems;
}
