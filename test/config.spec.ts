import { expect } from "chai";
import { validateStackConfig } from "../configSchema";
import { rawConfigFrom, readStackConfig } from "../offline/program";
import { configProblems as problemsOf, rawConfig as raw } from "./support/config";

describe("stack config", () => {
    it("accepts the shipped dev stack file and fills the dev defaults", () => {
        const c = validateStackConfig(rawConfigFrom("webfleet", "dev", readStackConfig("dev")));
        expect(c.environment).to.equal("dev");
        expect(c.network).to.include({
            cidr: "10.10.0.0/16",
            azCount: 2,
            natStrategy: "Single",
            flowLogRetentionDays: 30,
        });
        expect(c.network.availabilityZones).to.deep.equal(["us-east-1a", "us-east-1b"]);
        expect(c.network.subnets.private).to.deep.equal(["10.10.0.0/19", "10.10.64.0/19"]);
        expect(c.bastion).to.deep.equal({ enabled: true, instanceType: "t4g.nano", allowedCidrs: [] });
        expect(c.web).to.include({ minSize: 2, desiredCapacity: 2, maxSize: 4, deletionProtection: false });
        expect(c.database).to.include({ multiAz: false, backupRetentionDays: 1, deletionProtection: false });
        expect(c.tags).to.deep.equal({ team: "platform" });
    });

    it("accepts the shipped prod stack file and fills the prod defaults", () => {
        const c = validateStackConfig(rawConfigFrom("webfleet", "prod", readStackConfig("prod")));
        expect(c.environment).to.equal("prod");
        expect(c.network).to.include({
            cidr: "10.20.0.0/16",
            azCount: 3,
            natStrategy: "OnePerAz",
            flowLogRetentionDays: 365,
        });
        expect(c.web).to.include({
            minSize: 3,
            desiredCapacity: 3,
            maxSize: 6,
            deletionProtection: true,
            detailedMonitoring: true,
        });
        expect(c.database).to.include({
            multiAz: true,
            backupRetentionDays: 14,
            deletionProtection: true,
            performanceInsights: true,
            monitoringIntervalSeconds: 60,
        });
    });

    it("fills the alarm thresholds per environment, prod stricter, and takes overrides", () => {
        expect(validateStackConfig(raw("dev", {})).monitoring).to.deep.equal({
            alb5xxRatePercent: 5,
            target5xxPerMinute: 10,
            p99ResponseTimeSeconds: 2,
            dbCpuPercent: 90,
            dbFreeStorageGb: 1,
            dbConnections: 60,
            dbReplicaLagSeconds: 60,
        });
        expect(validateStackConfig(raw("prod", {})).monitoring).to.deep.equal({
            alb5xxRatePercent: 1,
            target5xxPerMinute: 5,
            p99ResponseTimeSeconds: 1,
            dbCpuPercent: 80,
            dbFreeStorageGb: 2,
            dbConnections: 500,
            dbReplicaLagSeconds: 30,
        });
        const c = validateStackConfig(
            raw("prod", { monitoring: { alarmEmail: "oncall@example.com", p99ResponseTimeSeconds: 0.5 } }),
        );
        expect(c.monitoring).to.include({
            alarmEmail: "oncall@example.com",
            p99ResponseTimeSeconds: 0.5,
            alb5xxRatePercent: 1,
        });
    });

    it("defaults everything from the stack name alone", () => {
        const c = validateStackConfig(raw("prod", {}));
        expect(c.environment).to.equal("prod");
        expect(c.network.azCount).to.equal(3);
        expect(c.network.availabilityZones).to.equal(undefined);
    });

    const cases: [string, Record<string, unknown>, string][] = [
        [
            "a CIDR that does not parse",
            { network: { cidr: "10.0.0.0/33" } },
            `  - network.cidr: expected a canonical IPv4 CIDR block from /16 to /20; found "10.0.0.0/33".\n    Fix: pulumi config set --stack dev --path 'network.cidr' 10.0.0.0/16`,
        ],
        [
            "a CIDR with host bits set (the fix is its network address)",
            { network: { cidr: "10.1.2.3/16" } },
            `  - network.cidr: expected a canonical IPv4 CIDR block from /16 to /20; found "10.1.2.3/16".\n    Fix: pulumi config set --stack dev --path 'network.cidr' 10.1.0.0/16`,
        ],
        [
            "a VPC too small for the layout",
            { network: { cidr: "10.0.0.0/24" } },
            `  - network.cidr: expected a canonical IPv4 CIDR block from /16 to /20; found "10.0.0.0/24".`,
        ],
        [
            "one AZ",
            { network: { azCount: 1 } },
            `  - network.azCount: expected a whole number from 2 to 4 (an ALB needs two AZs); found 1.`,
        ],
        [
            "an unknown NAT strategy",
            { network: { natStrategy: "Double" } },
            `  - network.natStrategy: expected Single or OnePerAz; found "Double".`,
        ],
        [
            "NAT None with private subnets",
            { network: { natStrategy: "None" } },
            `  - network.natStrategy: expected Single or OnePerAz: the web servers in the private subnets need outbound access to install Node.js and fetch the app; found "None".\n    Fix: pulumi config set --stack dev --path 'network.natStrategy' Single`,
        ],
        [
            "a retention CloudWatch refuses",
            { network: { flowLogRetentionDays: 10 } },
            `  - network.flowLogRetentionDays: expected a CloudWatch Logs retention (1, 3, 5`,
        ],
        [
            "a bad allowed CIDR, by index",
            { bastion: { allowedCidrs: ["203.0.113.0/24", "198.51.100.7/33"] } },
            `  - bastion.allowedCidrs[1]: expected a canonical IPv4 CIDR block like 203.0.113.0/24; found "198.51.100.7/33".\n    Fix: pulumi config set --stack dev --path 'bastion.allowedCidrs[1]' 203.0.113.0/24`,
        ],
        [
            "SSH open to the world",
            { bastion: { allowedCidrs: ["0.0.0.0/0"] } },
            `  - bastion.allowedCidrs[0]: expected a CIDR narrower than the whole internet (SSH must never be open to 0.0.0.0/0; use SSM Session Manager instead); found "0.0.0.0/0".`,
        ],
        [
            "allowed CIDRs for a disabled bastion",
            { bastion: { enabled: false, allowedCidrs: ["203.0.113.0/24"] } },
            `  - bastion.allowedCidrs: expected empty while bastion.enabled is false (there is no bastion to reach); found ["203.0.113.0/24"].\n    Fix: pulumi config rm --stack dev --path bastion.allowedCidrs`,
        ],
        [
            "a malformed SSH key",
            { bastion: { sshPublicKey: "AAAAB3Nza" } },
            `  - bastion.sshPublicKey: expected an OpenSSH public key`,
        ],
        [
            "an instance type that is not one",
            { bastion: { instanceType: "large" } },
            `  - bastion.instanceType: expected an EC2 instance type like t4g.nano; found "large".`,
        ],
        [
            "fewer web servers than AZs",
            { web: { minSize: 1 } },
            `  - web.minSize: expected at least network.azCount (2), so every AZ keeps a healthy server; found 1.\n    Fix: pulumi config set --stack dev --path 'web.minSize' 2`,
        ],
        [
            "a domain without its zone",
            { web: { domain: "www.example.com" } },
            `  - web.hostedZoneId: expected to be set together with web.domain (a DNS-validated certificate needs both); found nothing.`,
        ],
        [
            "a TLS policy outside the allow-list",
            { web: { tlsPolicy: "ELBSecurityPolicy-2016-08" } },
            `  - web.tlsPolicy: expected a TLS 1.3 policy with TLS 1.2 or 1.3 as its minimum (ELBSecurityPolicy-TLS13-1-2-… or -1-3-…, e.g. ELBSecurityPolicy-TLS13-1-2-2021-06,`,
        ],
        [
            "a string where a number belongs",
            { web: { appPort: "8080" } },
            `  - web.appPort: expected a TCP port from 1024 to 65535; found "8080".`,
        ],
        [
            "an unknown key (a typo)",
            { network: { cidrr: "10.0.0.0/16" } },
            `  - network.cidrr: expected one of the keys cidr, azCount, availabilityZones, natStrategy, flowLogRetentionDays; found "10.0.0.0/16".\n    Fix: pulumi config rm --stack dev --path 'network.cidrr'`,
        ],
        [
            "a tag key AWS reserves",
            { tags: { "aws:owner": "me" } },
            `  - tags.aws:owner: expected a tag key of 1 to 128 letters`,
        ],
        [
            "AZs of another region",
            { network: { availabilityZones: ["eu-west-1a", "eu-west-1b"] } },
            `  - network.availabilityZones: expected AZs of the stack's region us-east-1; found ["eu-west-1a","eu-west-1b"].`,
        ],
        [
            "prod with a single NAT gateway",
            { environment: "prod", network: { natStrategy: "Single" } },
            `  - network.natStrategy: expected OnePerAz in prod, so losing one AZ does not cut the others off; found "Single".`,
        ],
        [
            "an alarm e-mail that is not an address",
            { monitoring: { alarmEmail: "oncall at example.com" } },
            `  - monitoring.alarmEmail: expected an e-mail address for alarm notifications; found "oncall at example.com".\n    Fix: pulumi config set --stack dev --path 'monitoring.alarmEmail' oncall@example.com`,
        ],
        [
            "a 5xx rate of 0 %",
            { monitoring: { alb5xxRatePercent: 0 } },
            `  - monitoring.alb5xxRatePercent: expected a percentage above 0, at most 100; found 0.`,
        ],
        [
            "a free-storage alarm at or above the allocated storage",
            { database: { allocatedStorageGb: 20 }, monitoring: { dbFreeStorageGb: 20 } },
            `  - monitoring.dbFreeStorageGb: expected below database.allocatedStorageGb (20), or the alarm fires on an empty database; found 20.\n    Fix: pulumi config set --stack dev --path 'monitoring.dbFreeStorageGb' 2`,
        ],
    ];
    for (const [title, values, expected] of cases) {
        it(`rejects ${title}, naming the key and the fix`, () => {
            expect(problemsOf(() => validateStackConfig(raw("dev", values)))).to.include(expected);
        });
    }

    it("rejects a stack that is neither dev nor prod without an explicit environment", () => {
        expect(problemsOf(() => validateStackConfig(raw("staging", {})))).to.include(
            `  - environment: expected one of dev, prod (the stack name is neither, so it must be set); found nothing.\n    Fix: pulumi config set --stack staging --path 'environment' prod`,
        );
    });

    it("rejects a stack without aws:region", () => {
        expect(problemsOf(() => validateStackConfig({ ...raw("dev", {}), region: undefined }))).to.include(
            `  - aws:region: expected an AWS region like us-east-1; found nothing.\n    Fix: pulumi config set --stack dev aws:region us-east-1`,
        );
    });

    it("reports several problems in one error", () => {
        const message = problemsOf(() =>
            validateStackConfig(
                raw("dev", {
                    network: { cidr: "nope", azCount: 9 },
                    bastion: { enabled: "yes" },
                    web: { appPort: 80 },
                }),
            ),
        );
        expect(message).to.match(/^Invalid stack config for stack "dev" \(4 problems\):/);
        for (const key of ["network.cidr", "network.azCount", "bastion.enabled", "web.appPort"]) {
            expect(message).to.include(`  - ${key}: expected`);
        }
    });
});
