/**
 * Cost at a glance: an approximate monthly bill for one stack, computed from the resources the
 * offline preview recorded and a small, dated price table. It is an estimate of the always-on
 * part of the bill (hours and provisioned storage), not a quote: usage-based charges are listed
 * as excluded, and a resource whose size the table does not know is reported as "price unknown",
 * never counted as zero.
 */
import { RecordedResource } from "./types";

/** When the prices below were taken. Update it together with any price. */
export const PRICES_AS_OF = "2025-06";
export const PRICE_REGION = "us-east-1";
/** AWS's own convention for a month of an always-on resource (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

/**
 * us-east-1 on-demand list prices in USD (Linux for EC2, PostgreSQL for RDS), as published on
 * the AWS pricing pages (EC2, RDS for PostgreSQL, VPC, Elastic Load Balancing, KMS, Secrets
 * Manager, WAF, CloudFront, CloudWatch) in mid-2025. The NAT gateway, public IPv4, db.t4g and
 * RDS gp3 figures were spot-checked against pricing write-ups from 2026 and had not changed.
 * No free tier, Savings Plans or Reserved Instances. Check https://calculator.aws before a
 * budget depends on them.
 */
export const PRICES = {
    /** EC2 on-demand, Linux, per instance-hour. */
    ec2PerHour: {
        "t4g.nano": 0.0042,
        "t4g.micro": 0.0084,
        "t4g.small": 0.0168,
        "t4g.medium": 0.0336,
        "t4g.large": 0.0672,
        "t4g.xlarge": 0.1344,
        "t4g.2xlarge": 0.2688,
        "t3.nano": 0.0052,
        "t3.micro": 0.0104,
        "t3.small": 0.0208,
        "t3.medium": 0.0416,
        "t3.large": 0.0832,
        "t3.xlarge": 0.1664,
        "t3a.nano": 0.0047,
        "t3a.micro": 0.0094,
        "t3a.small": 0.0188,
        "t3a.medium": 0.0376,
        "t3a.large": 0.0752,
        "m7g.medium": 0.0408,
        "m7g.large": 0.0816,
        "m7g.xlarge": 0.1632,
        "m7g.2xlarge": 0.3264,
        "m6g.medium": 0.0385,
        "m6g.large": 0.077,
        "m6g.xlarge": 0.154,
        "m7i.large": 0.1008,
        "m7i.xlarge": 0.2016,
        "m6i.large": 0.096,
        "m6i.xlarge": 0.192,
        "m5.large": 0.096,
        "c7g.medium": 0.0363,
        "c7g.large": 0.0725,
        "c7g.xlarge": 0.145,
        "c6g.large": 0.068,
        "c6g.xlarge": 0.136,
        "r7g.medium": 0.0536,
        "r7g.large": 0.1071,
        "r7g.xlarge": 0.2142,
    } as Record<string, number>,
    /** RDS for PostgreSQL on-demand, Single-AZ, per instance-hour; Multi-AZ (one standby) is twice this. */
    rdsPostgresPerHour: {
        "db.t4g.micro": 0.016,
        "db.t4g.small": 0.032,
        "db.t4g.medium": 0.065,
        "db.t4g.large": 0.129,
        "db.t4g.xlarge": 0.258,
        "db.t3.micro": 0.018,
        "db.t3.small": 0.036,
        "db.t3.medium": 0.072,
        "db.t3.large": 0.145,
        "db.m7g.large": 0.168,
        "db.m7g.xlarge": 0.336,
        "db.m7g.2xlarge": 0.672,
        "db.m6g.large": 0.159,
        "db.m6g.xlarge": 0.318,
        "db.m6i.large": 0.178,
        "db.m5.large": 0.178,
        "db.r7g.large": 0.239,
        "db.r7g.xlarge": 0.478,
        "db.r6g.large": 0.225,
        "db.r6g.xlarge": 0.45,
    } as Record<string, number>,
    /** RDS gp2 and gp3 storage, per GB-month, Single-AZ (Multi-AZ stores it twice). */
    rdsStoragePerGbMonth: { gp2: 0.115, gp3: 0.115 } as Record<string, number>,
    /** EBS gp3 volumes, per GB-month (baseline 3,000 IOPS and 125 MB/s included). */
    ebsGp3PerGbMonth: 0.08,
    natGatewayPerHour: 0.045,
    /** Application and Network Load Balancers: the hourly part (LCUs are usage). */
    loadBalancerPerHour: 0.0225,
    /** Every public IPv4 address, in use or not (since February 2024). */
    publicIpv4PerHour: 0.005,
    kmsKeyPerMonth: 1,
    secretPerMonth: 0.4,
    wafWebAclPerMonth: 5,
    wafRulePerMonth: 1,
    /** CloudFront has no base fee: requests and data transfer only. */
    cloudFrontDistributionPerMonth: 0,
    /** A standard-resolution metric alarm, per metric it evaluates (a metric-math alarm pays for each). */
    alarmPerMonth: 0.1,
    /** A CloudWatch dashboard (the first three of an account are free; not applied). */
    dashboardPerMonth: 3,
    /** EC2 detailed monitoring: 7 metrics at the custom-metric price of $0.30. */
    detailedMonitoringPerInstanceMonth: 2.1,
    /** A Route 53 health check of an AWS endpoint, and each optional feature it uses (HTTPS, string matching, fast interval, latency). */
    route53HealthCheckPerMonth: 0.5,
    route53HealthCheckFeaturePerMonth: 1,
};

/** Charges the estimate leaves out because they depend on traffic or usage. */
export const EXCLUDED = [
    "data transfer (internet egress, cross-AZ)",
    "NAT gateway data processing ($0.045/GB)",
    "load balancer capacity units",
    "requests (ALB, CloudFront, WAF, S3, KMS, Secrets Manager API calls)",
    "CloudWatch Logs ingestion and storage (VPC flow logs, app logs), custom metrics",
    "S3 storage, Lambda invocations, RDS backups beyond the free allowance, Performance Insights beyond its free tier",
    "AWS Backup snapshot storage ($0.095/GB-month), cross-region copies and their transfer, restore tests (the restored db.t4g.micro's hours, weekly)",
    "Systems Manager Automation steps beyond the free tier (patching: about ten per web server a week)",
    "taxes, free tier, Savings Plans and Reserved Instances",
];

export interface CostLine {
    /** What is charged, e.g. "NAT gateway (OnePerAz, 3 AZs)". */
    item: string;
    /** Logical name of the resource it comes from. */
    resource: string;
    quantity: number;
    /** The price per unit as shown, e.g. "$0.045/h"; "price unknown" when the table lacks it. */
    unitPrice: string;
    /** USD per month, rounded to cents; null when the price is unknown (never counted as zero). */
    monthly: number | null;
}

export interface CostEstimate {
    currency: "USD";
    region: string;
    priceRegion: string;
    pricesAsOf: string;
    hoursPerMonth: number;
    lines: CostLine[];
    /** Sum of the priced lines, rounded to cents. */
    totalMonthly: number;
    /** The lines with an unknown price, as text; the total leaves them out. */
    unpriced: string[];
    excluded: string[];
    notes: string[];
}

/** What the estimate needs to know about the stack besides its resources. */
export interface StackConfigLike {
    region: string;
}

function cents(value: number): number {
    // toPrecision first, so 16.425 (0.0225 × 730 in binary floating point) rounds to 16.43.
    return Math.round(Number((value * 100).toPrecision(12))) / 100;
}

/** Unit prices as AWS writes them: cents when whole cents, otherwise every digit ($0.0042). */
const dollars = (n: number) => (Number.isInteger(Number((n * 100).toPrecision(12))) ? `$${n.toFixed(2)}` : `$${n}`);

const is = (r: RecordedResource, ...types: string[]) => types.includes(r.type);

function hourly(item: string, resource: string, quantity: number, perHour: number | undefined): CostLine {
    return perHour === undefined
        ? { item, resource, quantity, unitPrice: "price unknown", monthly: null }
        : {
              item,
              resource,
              quantity,
              unitPrice: `${dollars(perHour)}/h`,
              monthly: cents(quantity * perHour * HOURS_PER_MONTH),
          };
}

function monthlyLine(item: string, resource: string, quantity: number, perMonth: number, unit = "/month"): CostLine {
    return { item, resource, quantity, unitPrice: `${dollars(perMonth)}${unit}`, monthly: cents(quantity * perMonth) };
}

function truthy(v: unknown): boolean {
    return v === true || v === "true";
}

/** Instances, their root volumes and detailed monitoring for one launch template × count. */
function computeLines(resource: string, count: number, template: Record<string, any> | undefined): CostLine[] {
    const type: string | undefined = template?.instanceType;
    const lines = [
        hourly(`EC2 ${type ?? "(instance type not set)"}`, resource, count, type ? PRICES.ec2PerHour[type] : undefined),
    ];
    for (const mapping of template?.blockDeviceMappings ?? []) {
        const ebs = mapping.ebs ?? {};
        if (typeof ebs.volumeSize !== "number") {
            continue; // size from the AMI: not known offline, so not counted (a few GB)
        }
        const volumeType = ebs.volumeType ?? "gp3";
        lines.push(
            volumeType === "gp3"
                ? monthlyLine(
                      `EBS gp3 ${ebs.volumeSize} GB (${mapping.deviceName ?? "volume"})`,
                      resource,
                      count,
                      cents(ebs.volumeSize * PRICES.ebsGp3PerGbMonth),
                  )
                : {
                      item: `EBS ${volumeType} ${ebs.volumeSize} GB (${mapping.deviceName ?? "volume"})`,
                      resource,
                      quantity: count,
                      unitPrice: "price unknown",
                      monthly: null,
                  },
        );
    }
    if (truthy(template?.monitoring?.enabled)) {
        lines.push(monthlyLine("EC2 detailed monitoring", resource, count, PRICES.detailedMonitoringPerInstanceMonth));
    }
    return lines;
}

/**
 * The approximate monthly cost of the recorded resources. Pure: the same records always give
 * the same figures, so the tests can assert exact amounts.
 */
export function estimateMonthlyCost(resources: RecordedResource[], stack: StackConfigLike): CostEstimate {
    const lines: CostLine[] = [];
    const templates = resources.filter((r) => is(r, "aws:ec2/launchTemplate:LaunchTemplate"));
    const templateFor = (spec: Record<string, any> | undefined) =>
        spec
            ? templates.find(
                  (t) =>
                      (spec.id !== undefined && t.outputs.id === spec.id) ||
                      (spec.name !== undefined && (t.outputs.name ?? t.inputs.name) === spec.name),
              )
            : undefined;

    // An awsx VPC is priced through the NAT gateways and Elastic IPs its provider registers
    // (offline/awsxVpc.ts records them), one line each per VPC; anything else one line each.
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const vpcOf = (r: RecordedResource): RecordedResource | undefined => {
        for (let p = r.parent ? byUrn.get(r.parent) : undefined; p; p = p.parent ? byUrn.get(p.parent) : undefined) {
            if (is(p, "awsx:ec2:Vpc")) return p;
        }
        return undefined;
    };
    const inVpc = (type: string) => {
        const counts = new Map<RecordedResource, number>();
        for (const r of resources.filter((x) => is(x, type))) {
            const vpc = vpcOf(r);
            if (vpc) counts.set(vpc, (counts.get(vpc) ?? 0) + 1);
        }
        return counts;
    };
    const natsPerVpc = inVpc("aws:ec2/natGateway:NatGateway");
    const eipsPerVpc = inVpc("aws:ec2/eip:Eip");

    for (const r of resources) {
        if (is(r, "awsx:ec2:Vpc")) {
            const nats = natsPerVpc.get(r) ?? 0;
            const azs = r.inputs.availabilityZoneNames?.length ?? r.inputs.numberOfAvailabilityZones ?? 3;
            const strategy: string = r.inputs.natGateways?.strategy ?? "OnePerAz";
            if (nats > 0) {
                lines.push(hourly(`NAT gateway (${strategy}, ${azs} AZs)`, r.name, nats, PRICES.natGatewayPerHour));
            }
            const eips = eipsPerVpc.get(r) ?? 0;
            if (eips > 0) {
                lines.push(hourly("NAT gateway public IPv4", r.name, eips, PRICES.publicIpv4PerHour));
            }
        } else if (is(r, "aws:ec2/natGateway:NatGateway") && !vpcOf(r)) {
            // Its Elastic IP is a separate record and counted as one.
            lines.push(hourly("NAT gateway", r.name, 1, PRICES.natGatewayPerHour));
        } else if (is(r, "aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")) {
            const kind = r.inputs.loadBalancerType ?? "application";
            const label =
                kind === "network"
                    ? "Network Load Balancer"
                    : kind === "application"
                      ? "Application Load Balancer"
                      : `${kind} load balancer`;
            lines.push(
                hourly(
                    label,
                    r.name,
                    1,
                    kind === "application" || kind === "network" ? PRICES.loadBalancerPerHour : undefined,
                ),
            );
            if (!truthy(r.inputs.internal)) {
                // An internet-facing load balancer holds one public IPv4 address per subnet (AZ).
                const azs = (r.inputs.subnets ?? r.inputs.subnetMappings ?? []).length;
                if (azs > 0) {
                    lines.push(hourly(`${label} public IPv4 (one per AZ)`, r.name, azs, PRICES.publicIpv4PerHour));
                }
            }
        } else if (is(r, "aws:autoscaling/group:Group")) {
            const count: number = r.inputs.desiredCapacity ?? r.inputs.minSize ?? 0;
            const spec = r.inputs.launchTemplate;
            if (!spec && r.inputs.mixedInstancesPolicy) {
                lines.push({
                    item: "EC2 (mixed instances policy)",
                    resource: r.name,
                    quantity: count,
                    unitPrice: "price unknown",
                    monthly: null,
                });
            } else {
                // Desired capacity: what runs after `pulumi up`; scaling moves it between min and max.
                lines.push(...computeLines(r.name, count, templateFor(spec)?.inputs));
            }
        } else if (is(r, "aws:ec2/instance:Instance")) {
            lines.push(
                ...computeLines(r.name, 1, {
                    ...r.inputs,
                    blockDeviceMappings: r.inputs.rootBlockDevice
                        ? [{ deviceName: "root", ebs: r.inputs.rootBlockDevice }]
                        : [],
                }),
            );
        } else if (is(r, "aws:ec2/eip:Eip") && !vpcOf(r)) {
            lines.push(hourly("Elastic IP (public IPv4)", r.name, 1, PRICES.publicIpv4PerHour));
        } else if (is(r, "aws:rds/instance:Instance")) {
            const multiAz = truthy(r.inputs.multiAz);
            const copies = multiAz ? 2 : 1;
            const az = multiAz ? "Multi-AZ: primary and standby" : "Single-AZ";
            const engine: string = r.inputs.engine ?? "postgres";
            const cls: string = r.inputs.instanceClass;
            lines.push(
                hourly(
                    `RDS ${engine} ${cls} (${az})`,
                    r.name,
                    copies,
                    engine === "postgres" ? PRICES.rdsPostgresPerHour[cls] : undefined,
                ),
            );
            const gb: number = r.inputs.allocatedStorage ?? 0;
            const storageType: string = r.inputs.storageType ?? "gp2";
            const perGb = PRICES.rdsStoragePerGbMonth[storageType];
            lines.push(
                perGb === undefined
                    ? {
                          item: `RDS ${storageType} storage ${gb} GB (${az})`,
                          resource: r.name,
                          quantity: copies,
                          unitPrice: "price unknown",
                          monthly: null,
                      }
                    : monthlyLine(`RDS ${storageType} storage ${gb} GB (${az})`, r.name, copies, cents(gb * perGb)),
            );
            if (truthy(r.inputs.manageMasterUserPassword)) {
                lines.push(
                    monthlyLine(
                        "Secrets Manager secret (RDS-managed master password)",
                        r.name,
                        1,
                        PRICES.secretPerMonth,
                    ),
                );
            }
        } else if (is(r, "aws:kms/key:Key")) {
            lines.push(monthlyLine("KMS customer-managed key", r.name, 1, PRICES.kmsKeyPerMonth));
        } else if (is(r, "aws:secretsmanager/secret:Secret")) {
            lines.push(monthlyLine("Secrets Manager secret", r.name, 1, PRICES.secretPerMonth));
        } else if (is(r, "aws:wafv2/webAcl:WebAcl")) {
            lines.push(monthlyLine("WAF web ACL", r.name, 1, PRICES.wafWebAclPerMonth));
            const rules = (r.inputs.rules ?? []).length;
            if (rules > 0) {
                lines.push(monthlyLine("WAF rules in the web ACL", r.name, rules, PRICES.wafRulePerMonth));
            }
        } else if (is(r, "aws:wafv2/ruleGroup:RuleGroup")) {
            lines.push(monthlyLine("WAF rule group", r.name, 1, PRICES.wafRulePerMonth));
        } else if (is(r, "aws:cloudfront/distribution:Distribution")) {
            lines.push(
                monthlyLine("CloudFront distribution (no base fee)", r.name, 1, PRICES.cloudFrontDistributionPerMonth),
            );
        } else if (is(r, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
            const metrics = ((r.inputs.metricQueries ?? []) as { metric?: unknown }[]).filter((q) => q.metric).length;
            lines.push(
                metrics > 0
                    ? monthlyLine(
                          `CloudWatch alarm (metric math, ${metrics} metrics)`,
                          r.name,
                          metrics,
                          PRICES.alarmPerMonth,
                      )
                    : monthlyLine("CloudWatch alarm", r.name, 1, PRICES.alarmPerMonth),
            );
        } else if (is(r, "aws:route53/healthCheck:HealthCheck")) {
            const type = String(r.inputs.type ?? "");
            const features = [
                type.startsWith("HTTPS") && "HTTPS",
                type.endsWith("STR_MATCH") && "string matching",
                r.inputs.requestInterval === 10 && "fast interval",
                truthy(r.inputs.measureLatency) && "latency",
            ].filter((f): f is string => typeof f === "string");
            lines.push(
                monthlyLine(
                    `Route 53 health check${features.length ? ` (${features.join(", ")})` : ""}`,
                    r.name,
                    1,
                    PRICES.route53HealthCheckPerMonth + features.length * PRICES.route53HealthCheckFeaturePerMonth,
                ),
            );
        } else if (is(r, "aws:cloudwatch/dashboard:Dashboard")) {
            lines.push(monthlyLine("CloudWatch dashboard", r.name, 1, PRICES.dashboardPerMonth));
        }
    }

    // Largest first, so the table reads at a glance; unknown prices last (stable otherwise).
    lines.sort((a, b) => (b.monthly ?? -1) - (a.monthly ?? -1));
    const priced = lines.filter((l) => l.monthly !== null);
    const notes: string[] = [];
    if (stack.region !== PRICE_REGION) {
        notes.push(`prices are ${PRICE_REGION} list prices; ${stack.region} prices differ (often by 5-30%)`);
    }
    return {
        currency: "USD",
        region: stack.region,
        priceRegion: PRICE_REGION,
        pricesAsOf: PRICES_AS_OF,
        hoursPerMonth: HOURS_PER_MONTH,
        lines,
        totalMonthly: cents(priced.reduce((sum, l) => sum + (l.monthly as number), 0)),
        unpriced: lines.filter((l) => l.monthly === null).map((l) => `${l.resource}: ${l.item} × ${l.quantity}`),
        excluded: EXCLUDED,
        notes,
    };
}

export function money(n: number): string {
    return `$${n.toFixed(2)}`;
}

/** The cost section at the end of the text plan. */
