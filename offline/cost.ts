/**
 * Cost at a glance: an approximate monthly bill for one stack, computed from the resources the
 * offline preview recorded and a small, dated price table. It is an estimate of the always-on
 * part of the bill (hours and provisioned storage), not a quote: usage-based charges are listed
 * as excluded, and a resource whose size the table does not know is reported as "price unknown",
 * never counted as zero.
 */
import { RecordedResource } from "./types";

import { EXCLUDED, HOURS_PER_MONTH, PRICES, PRICES_AS_OF, PRICE_REGION } from "./prices";

export { EXCLUDED, HOURS_PER_MONTH, PRICES, PRICES_AS_OF, PRICE_REGION } from "./prices";

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
