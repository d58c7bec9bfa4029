/**
 * The dated price table the cost estimate (offline/cost.ts) multiplies out, and what it leaves
 * out. Update PRICES_AS_OF with any price.
 */

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
