import { expect } from "chai";
import { vpcChildren } from "../offline/awsxVpc";
import { CostLine, PRICES_AS_OF, estimateMonthlyCost } from "../offline/cost";
import { renderCost } from "../offline/text";
import { RecordedResource } from "../offline/types";
import { sharedRun } from "./support/program";

function res(
    type: string,
    name: string,
    inputs: Record<string, any>,
    outputs: Record<string, any> = {},
): RecordedResource {
    return {
        urn: `urn:pulumi:test::webfleet::${type}::${name}`,
        type,
        name,
        parent: null,
        custom: !type.startsWith("awsx:"),
        inputs,
        outputs: { id: `${name}-id`, ...inputs, ...outputs },
        dependencies: [],
        propertyDependencies: {},
        secretInputPaths: [],
    };
}

/** An awsx VPC with the children its provider registers (NAT gateways and their Elastic IPs among them). */
function vpc(inputs: Record<string, any>): RecordedResource[] {
    const azs = inputs.availabilityZoneNames?.length ?? inputs.numberOfAvailabilityZones ?? 3;
    const full = {
        ...inputs,
        subnetSpecs: [
            { type: "Public", name: "public", cidrBlocks: Array.from({ length: azs }, (_, i) => `10.0.${i}.0/24`) },
            {
                type: "Private",
                name: "private",
                cidrBlocks: Array.from({ length: azs }, (_, i) => `10.0.${16 + i}.0/24`),
            },
        ],
    };
    const component = res("awsx:ec2:Vpc", "vpc", full);
    return [component, ...vpcChildren(component.urn, "vpc", full, "us-east-1", "123456789012", "update")];
}

/** One of everything the estimate prices, with round sizes so the figures can be checked by hand. */
const FIXTURE: RecordedResource[] = [
    ...vpc({
        availabilityZoneNames: ["us-east-1a", "us-east-1b", "us-east-1c"],
        natGateways: { strategy: "OnePerAz" },
    }),
    res("aws:lb/loadBalancer:LoadBalancer", "alb", {
        loadBalancerType: "application",
        internal: false,
        subnets: ["subnet-a", "subnet-b", "subnet-c"],
    }),
    res("aws:ec2/launchTemplate:LaunchTemplate", "web-lt", {
        instanceType: "t4g.small",
        monitoring: { enabled: true },
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 20, volumeType: "gp3" } }],
    }),
    res("aws:autoscaling/group:Group", "web-asg", {
        minSize: 3,
        maxSize: 6,
        desiredCapacity: 3,
        launchTemplate: { id: "web-lt-id", version: "1" },
    }),
    res("aws:ec2/launchTemplate:LaunchTemplate", "odd-lt", { instanceType: "x9.mega" }),
    res("aws:autoscaling/group:Group", "odd-asg", {
        minSize: 2,
        maxSize: 2,
        launchTemplate: { id: "odd-lt-id", version: "1" },
    }),
    res("aws:rds/instance:Instance", "db", {
        engine: "postgres",
        instanceClass: "db.m7g.large",
        multiAz: true,
        allocatedStorage: 100,
        storageType: "gp3",
        manageMasterUserPassword: true,
    }),
    res("aws:ec2/eip:Eip", "bastion-eip", { domain: "vpc" }),
    res("aws:kms/key:Key", "key", { enableKeyRotation: true }),
    res("aws:secretsmanager/secret:Secret", "secret", {}),
    res("aws:wafv2/webAcl:WebAcl", "waf", { rules: [{ name: "a" }, { name: "b" }, { name: "c" }] }),
    res("aws:cloudfront/distribution:Distribution", "cdn", {}),
    res("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm-1", {}),
    res("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm-2", {}),
    // Usage-based: not in the estimate at all.
    res("aws:cloudwatch/logGroup:LogGroup", "logs", { retentionInDays: 30 }),
    res("aws:s3/bucket:Bucket", "bucket", {}),
];

const row = (l: CostLine) => [l.resource, l.item, l.quantity, l.unitPrice, l.monthly];

describe("cost estimate (offline/cost.ts)", () => {
    it("prices a synthetic stack line by line, largest first, unknown prices last and out of the total", () => {
        const estimate = estimateMonthlyCost(FIXTURE, { region: "us-east-1" });
        expect(estimate.lines.map(row)).to.deep.equal([
            ["db", "RDS postgres db.m7g.large (Multi-AZ: primary and standby)", 2, "$0.168/h", 245.28], // 2 × 0.168 × 730
            ["vpc", "NAT gateway (OnePerAz, 3 AZs)", 3, "$0.045/h", 98.55],
            ["web-asg", "EC2 t4g.small", 3, "$0.0168/h", 36.79], // 36.792
            ["db", "RDS gp3 storage 100 GB (Multi-AZ: primary and standby)", 2, "$11.50/month", 23],
            ["alb", "Application Load Balancer", 1, "$0.0225/h", 16.43], // 16.425, rounded up
            ["vpc", "NAT gateway public IPv4", 3, "$0.005/h", 10.95],
            ["alb", "Application Load Balancer public IPv4 (one per AZ)", 3, "$0.005/h", 10.95],
            ["web-asg", "EC2 detailed monitoring", 3, "$2.10/month", 6.3],
            ["waf", "WAF web ACL", 1, "$5.00/month", 5],
            ["web-asg", "EBS gp3 20 GB (/dev/xvda)", 3, "$1.60/month", 4.8],
            ["bastion-eip", "Elastic IP (public IPv4)", 1, "$0.005/h", 3.65],
            ["waf", "WAF rules in the web ACL", 3, "$1.00/month", 3],
            ["key", "KMS customer-managed key", 1, "$1.00/month", 1],
            ["db", "Secrets Manager secret (RDS-managed master password)", 1, "$0.40/month", 0.4],
            ["secret", "Secrets Manager secret", 1, "$0.40/month", 0.4],
            ["alarm-1", "CloudWatch alarm", 1, "$0.10/month", 0.1],
            ["alarm-2", "CloudWatch alarm", 1, "$0.10/month", 0.1],
            ["cdn", "CloudFront distribution (no base fee)", 1, "$0.00/month", 0],
            ["odd-asg", "EC2 x9.mega", 2, "price unknown", null],
        ]);
        expect(estimate.totalMonthly).to.equal(466.7);
        expect(estimate.unpriced).to.deep.equal(["odd-asg: EC2 x9.mega × 2"]);
        expect(estimate).to.include({
            currency: "USD",
            region: "us-east-1",
            priceRegion: "us-east-1",
            pricesAsOf: PRICES_AS_OF,
            hoursPerMonth: 730,
        });
        expect(estimate.notes).to.deep.equal([]);
    });

    it("counts the NAT gateways awsx registers: one for Single, none for None, one per AZ by default", () => {
        const nat = (inputs: Record<string, any>) =>
            estimateMonthlyCost(vpc(inputs), { region: "us-east-1" }).lines.map(row);
        expect(nat({ numberOfAvailabilityZones: 2, natGateways: { strategy: "Single" } })).to.deep.equal([
            ["vpc", "NAT gateway (Single, 2 AZs)", 1, "$0.045/h", 32.85],
            ["vpc", "NAT gateway public IPv4", 1, "$0.005/h", 3.65],
        ]);
        expect(nat({ numberOfAvailabilityZones: 2, natGateways: { strategy: "None" } })).to.deep.equal([]);
        expect(nat({ numberOfAvailabilityZones: 4 })[0]).to.deep.equal([
            "vpc",
            "NAT gateway (OnePerAz, 4 AZs)",
            4,
            "$0.045/h",
            131.4,
        ]);
    });

    it("prices a Single-AZ database once and says so outside us-east-1; unknown classes are reported", () => {
        const estimate = estimateMonthlyCost(
            [
                res("aws:rds/instance:Instance", "db", {
                    engine: "postgres",
                    instanceClass: "db.t4g.micro",
                    multiAz: false,
                    allocatedStorage: 20,
                }),
                res("aws:rds/instance:Instance", "big", {
                    engine: "postgres",
                    instanceClass: "db.x2iedn.32xlarge",
                    allocatedStorage: 20,
                    storageType: "io2",
                }),
            ],
            { region: "eu-west-1" },
        );
        expect(estimate.lines.map(row)).to.deep.equal([
            ["db", "RDS postgres db.t4g.micro (Single-AZ)", 1, "$0.016/h", 11.68],
            ["db", "RDS gp2 storage 20 GB (Single-AZ)", 1, "$2.30/month", 2.3],
            ["big", "RDS postgres db.x2iedn.32xlarge (Single-AZ)", 1, "price unknown", null],
            ["big", "RDS io2 storage 20 GB (Single-AZ)", 1, "price unknown", null],
        ]);
        expect(estimate.totalMonthly).to.equal(13.98);
        expect(estimate.notes).to.deep.equal([
            "prices are us-east-1 list prices; eu-west-1 prices differ (often by 5-30%)",
        ]);
    });

    it("renders a table with the total, the date of the prices, what is unknown and what is excluded", () => {
        const text = renderCost(estimateMonthlyCost(FIXTURE, { region: "us-east-1" }), {
            width: 120,
            details: false,
        }).join("\n");
        const lines = text.split("\n");
        expect(lines[0]).to.equal("Estimated monthly cost: $466.70 USD (an estimate, not a quote)");
        expect(lines[1]).to.equal(
            `    us-east-1 on-demand list prices as of ${PRICES_AS_OF} (offline/cost.ts), 730 hours a month`,
        );
        expect(lines[2]).to.match(/^ {4}item +resource +qty +unit price +per month$/);
        expect(lines[3]).to.match(
            /^ {4}RDS postgres db\.m7g\.large \(Multi-AZ: primary and standby\) +db +2 +\$0\.168\/h +\$245\.28$/,
        );
        expect(text).to.match(/\n {4}EC2 x9\.mega +odd-asg +2 +price unknown +price unknown\n/);
        expect(text).to.include(
            "    price unknown, not in the total (add it to PRICES in offline/cost.ts): odd-asg: EC2 x9.mega × 2\n",
        );
        expect(text).to.include(
            "    excluded (usage-based): data transfer (internet egress, cross-AZ); NAT gateway data processing",
        );
    });

    it("keeps the table within the width it is given, shortening the item column first", () => {
        const estimate = estimateMonthlyCost(FIXTURE, { region: "us-east-1" });
        const narrow = renderCost(estimate, { width: 80, details: false });
        for (const l of narrow) {
            expect([...l].length, l).to.be.at.most(80);
        }
        // Shortened, not dropped: the resource and the figures stay whole.
        expect(narrow.join("\n")).to.match(/\n {4}RDS postgres db\.m7g[^\n]*… +db +2 +\$0\.168\/h +\$245\.28\n/);
        const long = renderCost(estimate, { width: 80, details: true }).join("\n");
        expect(long).to.include("RDS postgres db.m7g.large (Multi-AZ: primary and standby)");
    });

    it("charges a metric-math alarm for each metric it evaluates, and a dashboard", () => {
        const math = res("aws:cloudwatch/metricAlarm:MetricAlarm", "rate", {
            metricQueries: [
                { id: "a", metric: { metricName: "A" } },
                { id: "b", metric: { metricName: "B" } },
                { id: "e", expression: "a / b", returnData: true },
            ],
        });
        const estimate = estimateMonthlyCost(
            [math, res("aws:cloudwatch/dashboard:Dashboard", "dash", { dashboardName: "d" })],
            { region: "us-east-1" },
        );
        expect(estimate.lines.map(row)).to.deep.equal([
            ["dash", "CloudWatch dashboard", 1, "$3.00/month", 3],
            ["rate", "CloudWatch alarm (metric math, 2 metrics)", 2, "$0.10/month", 0.2],
        ]);
    });

    for (const [stack, nat, natMonthly] of [
        ["dev", 1, 32.85],
        ["prod", 3, 98.55],
    ] as const) {
        it(`estimates the real ${stack} stack: ${nat} NAT gateway(s), every resource priced`, async () => {
            const run = await sharedRun(stack);
            const estimate = estimateMonthlyCost(run.resources, { region: run.region });
            const natLine = estimate.lines.find((l) => l.item.startsWith("NAT gateway ("));
            expect(natLine, "NAT line").to.deep.include({
                resource: "network-vpc",
                quantity: nat,
                monthly: natMonthly,
            });
            expect(estimate.unpriced, "every shipped size is in the price table").to.deep.equal([]);
            expect(estimate.totalMonthly).to.be.greaterThan(natLine!.monthly!);
            expect(estimate.totalMonthly).to.equal(
                Math.round(estimate.lines.reduce((s, l) => s + l.monthly!, 0) * 100) / 100,
            );
        });
    }
});
