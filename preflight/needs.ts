/**
 * What a stack needs from the AWS account it lands in, computed from its validated config
 * alone: no account, no mocks. `npm run preflight` prints this without credentials (or with
 * --offline), and checks it against the account with them (preflight/checks.ts).
 *
 * Decided and left out (docs/first-deploy.md says why): the RDS and Elastic Load Balancing
 * service-linked roles (each service creates its own on first use, given
 * iam:CreateServiceLinkedRole), KMS keys, CloudFront distributions, ACM certificates, alarms,
 * log groups, NAT gateways and internet gateways per AZ, whose default quotas are far above
 * one stack's use. The VPC count is checked: the default quota of 5 is easily used up.
 */
import { StackConfig } from "../stackConfig";
import { al2023Parameter, architectureOf } from "../lib/instanceTypes";

/** The service-linked role the stack key's policy names before any Auto Scaling group exists. */
export const AUTOSCALING_ROLE = {
    name: "AWSServiceRoleForAutoScaling",
    service: "autoscaling.amazonaws.com",
} as const;

/** Service Quotas codes (service "ec2" for all three) and the AWS defaults of the first two. */
export const QUOTAS = {
    elasticIps: { serviceCode: "ec2", quotaCode: "L-0263D0A3", name: "EC2-VPC Elastic IPs", awsDefault: 5 },
    vpcs: { serviceCode: "vpc", quotaCode: "L-F678F1CE", name: "VPCs per Region", awsDefault: 5 },
    standardVcpus: {
        serviceCode: "ec2",
        quotaCode: "L-1216C47A",
        name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
        // New accounts get less than the long-standing default, so there is no default to assume.
        awsDefault: undefined,
    },
} as const;

export interface InstanceNeed {
    role: "web" | "bastion";
    instanceType: string;
    /** How many can run at once: web.maxSize, one bastion. */
    count: number;
}

export interface StackNeeds {
    project: string;
    stack: string;
    region: string;
    elasticIps: { total: number; natGateways: number; bastion: number; natStrategy: string; azCount: number };
    vpcs: number;
    instances: InstanceNeed[];
    /** Distinct instance types; each must be offered in every AZ of the stack. */
    instanceTypes: string[];
    /** The configured AZs, or undefined: the region's first `count` available ones. */
    availabilityZones: { names?: string[]; count: number };
    /** The public SSM parameters the launch templates resolve the AMI from. */
    amiParameters: string[];
    serviceLinkedRoles: { name: string; service: string; createdBy: "you" | "the stack" | "the service" }[];
    database: { engine: "postgres"; engineVersion: string; instanceClass: string; multiAz: boolean };
    hostedZone?: { id: string; domain: string };
    alarmRecipients: { email?: string; topicArn?: string };
}

/** NAT gateways, each with its own Elastic IP, for a NAT strategy over `azCount` AZs. */
export function natGatewayCount(strategy: string, azCount: number): number {
    return strategy === "OnePerAz" ? azCount : strategy === "Single" ? 1 : 0;
}

export function stackNeeds(config: StackConfig): StackNeeds {
    const { network, bastion, web, database, monitoring } = config;
    const natGateways = natGatewayCount(network.natStrategy, network.azCount);
    // The bastion takes an Elastic IP only when SSH ingress is configured (components/bastion.ts).
    const bastionIps = bastion.enabled && bastion.allowedCidrs.length > 0 ? 1 : 0;
    const instances: InstanceNeed[] = [{ role: "web", instanceType: web.instanceType, count: web.maxSize }];
    if (bastion.enabled) {
        instances.push({ role: "bastion", instanceType: bastion.instanceType, count: 1 });
    }
    const instanceTypes = [...new Set(instances.map((i) => i.instanceType))];
    const architectures = [...new Set(instanceTypes.map(architectureOf))];
    return {
        project: config.project,
        stack: config.stack,
        region: config.region,
        elasticIps: {
            total: natGateways + bastionIps,
            natGateways,
            bastion: bastionIps,
            natStrategy: network.natStrategy,
            azCount: network.azCount,
        },
        vpcs: 1,
        instances,
        instanceTypes,
        availabilityZones: { names: network.availabilityZones, count: network.azCount },
        amiParameters: architectures.map(al2023Parameter),
        serviceLinkedRoles: [
            {
                ...AUTOSCALING_ROLE,
                createdBy: config.account.createAutoScalingServiceLinkedRole ? "the stack" : "you",
            },
            { name: "AWSServiceRoleForRDS", service: "rds.amazonaws.com", createdBy: "the service" },
            {
                name: "AWSServiceRoleForElasticLoadBalancing",
                service: "elasticloadbalancing.amazonaws.com",
                createdBy: "the service",
            },
        ],
        database: {
            engine: "postgres",
            engineVersion: database.engineVersion,
            instanceClass: database.instanceClass,
            multiAz: database.multiAz,
        },
        hostedZone: web.domain && web.hostedZoneId ? { id: web.hostedZoneId, domain: web.domain } : undefined,
        alarmRecipients: { email: monitoring.alarmEmail, topicArn: monitoring.alarmTopicArn },
    };
}

/**
 * The vCPUs the fleet can run at most, counted against the Standard On-Demand quota, given the
 * vCPUs of each type (`undefined`: not known). Types of other families count against quotas of
 * their own and are listed apart.
 */
export function vcpuNeed(
    instances: InstanceNeed[],
    vcpusOf: (instanceType: string) => number | undefined,
    isStandard: (instanceType: string) => boolean,
): { standard: number; unknown: string[]; otherFamilies: string[] } {
    let standard = 0;
    const unknown: string[] = [];
    const otherFamilies: string[] = [];
    for (const i of instances) {
        const vcpus = vcpusOf(i.instanceType);
        if (!isStandard(i.instanceType)) {
            otherFamilies.push(i.instanceType);
        } else if (vcpus === undefined) {
            unknown.push(i.instanceType);
        } else {
            standard += i.count * vcpus;
        }
    }
    return { standard, unknown: [...new Set(unknown)], otherFamilies: [...new Set(otherFamilies)] };
}

/**
 * Domains reserved for documentation and testing (RFC 2606, RFC 6761): mail to them reaches
 * nobody, so an alarm address there is a placeholder someone forgot to replace.
 */
export function isPlaceholderAddress(email: string): boolean {
    const domain = email.split("@").pop()!.toLowerCase();
    return /(^|\.)example\.(com|net|org)$/.test(domain) || /\.(example|test|invalid|localhost)$/.test(`.${domain}`);
}
