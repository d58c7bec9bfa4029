import { expect } from "chai";
import { dbConnectionCeiling, validateStackConfig } from "../stackConfig";
import { rawConfigFrom, readStackConfig } from "../offline/program";
import { expectFixesAccepted, configProblems as problemsOf, rawConfig as raw } from "./support/config";

/** Prod refuses to run without an alarm recipient; the tests of other keys give it one. */
const ONCALL = { alarmEmail: "oncall@example.com" };

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
        expect(c.bastion).to.deep.equal({ enabled: true, instanceType: "t4g.nano", allowedCidrs: [], users: [] });
        expect(c.web).to.not.have.property("domain");
        expect(c.web).to.include({ minSize: 2, desiredCapacity: 2, maxSize: 4, deletionProtection: false });
        expect(c.database).to.include({ multiAz: false, backupRetentionDays: 1, deletionProtection: false });
        expect(c.tags).to.deep.equal({ team: "platform" });
        expect(c.backup).to.deep.equal({ enabled: true, retentionDays: 7 });
        expect(c.patching).to.deep.equal({ enabled: true, approveAfterDays: 0, schedule: "cron(0 7 ? * TUE *)" });
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
        // Prod keeps its snapshots five weeks and takes security updates a week after dev.
        expect(c.backup).to.deep.equal({ enabled: true, retentionDays: 35, copyRegion: "us-west-2" });
        expect(c.patching).to.deep.equal({ enabled: true, approveAfterDays: 7, schedule: "cron(0 7 ? * WED *)" });
    });

    it("fills the alarm thresholds per environment, prod stricter, and takes overrides", () => {
        expect(validateStackConfig(raw("dev", {})).monitoring).to.deep.equal({
            alb5xxRatePercent: 5,
            target5xxPerMinute: 10,
            p99ResponseTimeSeconds: 2,
            dbCpuPercent: 90,
            dbFreeStorageGb: 1,
            dbConnections: 32,
            dbReplicaLagSeconds: 60,
            cdn5xxRatePercent: 5,
            cdn4xxRatePercent: 50,
            syntheticChecks: false,
        });
        expect(validateStackConfig(raw("prod", { monitoring: ONCALL })).monitoring).to.deep.equal({
            ...ONCALL,
            alb5xxRatePercent: 1,
            target5xxPerMinute: 5,
            p99ResponseTimeSeconds: 1,
            dbCpuPercent: 80,
            dbFreeStorageGb: 2,
            dbConnections: 48,
            dbReplicaLagSeconds: 30,
            cdn5xxRatePercent: 1,
            cdn4xxRatePercent: 50,
            syntheticChecks: true,
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

    it("defaults everything but prod's alarm recipient from the stack name alone", () => {
        const c = validateStackConfig(raw("prod", { monitoring: ONCALL }));
        expect(c.environment).to.equal("prod");
        expect(c.network.azCount).to.equal(3);
        expect(c.network.availabilityZones).to.equal(undefined);
    });

    /** Each case: what the stack file holds, and what the message must say (its fix included). */
    const cases: [string, Record<string, unknown>, string][] = [
        [
            "a CIDR that does not parse",
            { network: { cidr: "10.0.0.0/33" } },
            `  - network.cidr: expected a canonical IPv4 CIDR block from /16 to /20; found "10.0.0.0/33".\n    Fix: pulumi config set --stack dev --path network.cidr 10.0.0.0/16`,
        ],
        [
            "a CIDR with host bits set (the fix is its network address)",
            { network: { cidr: "10.1.2.3/16" } },
            `  - network.cidr: expected a canonical IPv4 CIDR block from /16 to /20; found "10.1.2.3/16".\n    Fix: pulumi config set --stack dev --path network.cidr 10.1.0.0/16`,
        ],
        [
            "one AZ (the fix is the nearest allowed count)",
            { network: { azCount: 1 } },
            `  - network.azCount: expected a whole number from 2 to 4; found 1.\n    Fix: pulumi config set --stack dev --path network.azCount 2`,
        ],
        [
            "a NAT strategy in the wrong case (the fix is the same word, corrected)",
            { network: { natStrategy: "oneperaz" } },
            `  - network.natStrategy: expected Single or OnePerAz (None is not offered: the web servers need egress); found "oneperaz".\n    Fix: pulumi config set --stack dev --path network.natStrategy OnePerAz`,
        ],
        [
            "NAT None (the fix is the environment's strategy, not another word)",
            { network: { natStrategy: "None" } },
            `found "None".\n    Fix: pulumi config set --stack dev --path network.natStrategy Single`,
        ],
        [
            "a retention CloudWatch refuses (the fix is the nearest it accepts)",
            { network: { flowLogRetentionDays: 10 } },
            `found 10.\n    Fix: pulumi config set --stack dev --path network.flowLogRetentionDays 7`,
        ],
        [
            "a bad allowed CIDR, by index",
            { bastion: { allowedCidrs: ["203.0.113.0/24", "198.51.100.7/33"] } },
            `  - bastion.allowedCidrs[1]: expected a canonical IPv4 CIDR block like 203.0.113.0/24; found "198.51.100.7/33".\n    Fix: pulumi config rm --stack dev --path 'bastion.allowedCidrs[1]'`,
        ],
        [
            "a list given as JSON text (the fix sets it element by element)",
            { bastion: { allowedCidrs: '["203.0.113.0/24","198.51.100.0/28"]' } },
            `Fix: pulumi config rm --stack dev --path bastion.allowedCidrs && pulumi config set --stack dev --path 'bastion.allowedCidrs[0]' 203.0.113.0/24 && pulumi config set --stack dev --path 'bastion.allowedCidrs[1]' 198.51.100.0/28`,
        ],
        [
            "SSH open to the world",
            { bastion: { allowedCidrs: ["203.0.113.0/24", "0.0.0.0/0"] } },
            `  - bastion.allowedCidrs: expected CIDRs narrower than the internet (none of 0.0.0.0/0 and nothing wider than a /8): SSH must never be open to everyone; use SSM Session Manager instead; found ["203.0.113.0/24","0.0.0.0/0"].\n    Fix: pulumi config rm --stack dev --path bastion.allowedCidrs && pulumi config set --stack dev --path 'bastion.allowedCidrs[0]' 203.0.113.0/24`,
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
            `  - bastion.instanceType: expected an EC2 instance type like t4g.nano; found "large".\n    Fix: pulumi config set --stack dev --path bastion.instanceType t4g.nano`,
        ],
        [
            "fewer web servers than AZs",
            { web: { minSize: 1 } },
            `  - web.minSize: expected at least network.azCount (2), so every AZ keeps a healthy server; found 1.\n    Fix: pulumi config set --stack dev --path web.minSize 2`,
        ],
        [
            "a size that is not a number (the fix is this stack's AZ count)",
            { web: { minSize: "two" }, network: { availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"] } },
            `  - web.minSize: expected a whole number from 1 to 100; found "two".\n    Fix: pulumi config set --stack dev --path web.minSize 3`,
        ],
        [
            "sizes that contradict each other (the fixes hold together)",
            { web: { minSize: 5, maxSize: 3, desiredCapacity: 9 } },
            `  - web.maxSize: expected at least web.minSize (5); found 3.\n    Fix: pulumi config set --stack dev --path web.maxSize 5\n  - web.desiredCapacity: expected between web.minSize (5) and web.maxSize (5); found 9.\n    Fix: pulumi config set --stack dev --path web.desiredCapacity 5`,
        ],
        [
            "a domain without its zone",
            { web: { domain: "www.example.com" } },
            `  - web.domain: expected to come with web.hostedZoneId (a DNS-validated certificate needs both: set web.hostedZoneId too, the ID \`aws route53 list-hosted-zones-by-name --dns-name www.example.com\` prints), or not at all; found "www.example.com".`,
        ],
        [
            "a TLS policy outside the allow-list",
            { web: { tlsPolicy: "ELBSecurityPolicy-2016-08" } },
            `  - web.tlsPolicy: expected an ELB TLS 1.3-family policy with TLS 1.2 or 1.3 as its minimum (ELBSecurityPolicy-TLS13-1-2-… or -1-3-…), e.g. ELBSecurityPolicy-TLS13-1-2-2021-06,`,
        ],
        [
            "a number written as text (the fix stores it as a number)",
            { web: { appPort: "8080" } },
            `  - web.appPort: expected a TCP port from 1024 to 65535; found "8080".\n    Fix: pulumi config set --stack dev --path web.appPort 8080`,
        ],
        [
            "a misspelt key (did you mean)",
            { web: { minsize: 3 } },
            `  - web.minsize: expected one of the keys of web: instanceType, minSize,`,
        ],
        [
            "a misspelt key, moved with its value",
            { network: { cidrr: "10.0.0.0/16" } },
            `did you mean network.cidr?; found "10.0.0.0/16".\n    Fix: pulumi config rm --stack dev --path network.cidrr && pulumi config set --stack dev --path network.cidr 10.0.0.0/16`,
        ],
        [
            "a misspelt section (the valid ones listed)",
            { netwrk: { cidr: "10.30.0.0/16" } },
            `  - netwrk: expected one of the keys and sections: environment, network, bastion, web, database, monitoring, waf, cdn, backup, patching, account, tags; did you mean network?; found {"cidr":"10.30.0.0/16"}.\n    Fix: pulumi config rm --stack dev netwrk && pulumi config set --stack dev --path network.cidr 10.30.0.0/16`,
        ],
        [
            "an unknown section",
            { frobnicate: { a: 1 } },
            `  - frobnicate: expected one of the keys and sections: environment, network, bastion, web, database, monitoring, waf, cdn, backup, patching, account, tags; found {"a":1}.\n    Fix: pulumi config rm --stack dev frobnicate`,
        ],
        [
            "a tag key AWS reserves",
            { tags: { "aws:owner": "me", team: "platform" } },
            `  - tags["aws:owner"]: expected a tag key of 1 to 128 letters, digits, spaces or _.:/=+-@, not starting with aws:; found "aws:owner".\n    Fix: pulumi config rm --stack dev --path 'tags["aws:owner"]'`,
        ],
        [
            "AZs of another region",
            { network: { availabilityZones: ["eu-west-1a", "eu-west-1b"] } },
            `  - network.availabilityZones: expected distinct AZ names of the stack's region us-east-1; found ["eu-west-1a","eu-west-1b"].\n    Fix: pulumi config rm --stack dev --path network.availabilityZones && pulumi config set --stack dev --path 'network.availabilityZones[0]' us-east-1a && pulumi config set --stack dev --path 'network.availabilityZones[1]' us-east-1b`,
        ],
        [
            "an AZ count the AZ list contradicts",
            { network: { availabilityZones: ["us-east-1a", "us-east-1b"], azCount: 3 } },
            `  - network.azCount: expected 2, the number of network.availabilityZones (or unset: it then follows the list); found 3.\n    Fix: pulumi config rm --stack dev --path network.azCount`,
        ],
        [
            "prod with a single NAT gateway",
            {
                environment: "prod",
                monitoring: { alarmEmail: "oncall@acme-corp.io" },
                network: { natStrategy: "Single" },
            },
            `  - network.natStrategy: expected OnePerAz in prod, so losing one AZ does not cut the others off; found "Single".\n    Fix: pulumi config set --stack dev --path network.natStrategy OnePerAz`,
        ],
        [
            "an alarm e-mail that is not an address",
            { monitoring: { alarmEmail: "oncall at example.com" } },
            `  - monitoring.alarmEmail: expected an e-mail address; found "oncall at example.com".\n    Fix: pulumi config rm --stack dev --path monitoring.alarmEmail`,
        ],
        [
            "a 5xx rate of 0 % (the fix is the environment's threshold)",
            { monitoring: { alb5xxRatePercent: 0 } },
            `  - monitoring.alb5xxRatePercent: expected a percentage above 0, at most 100; found 0.\n    Fix: pulumi config set --stack dev --path monitoring.alb5xxRatePercent 5`,
        ],
        [
            "a free-storage alarm at or above the allocated storage",
            { database: { allocatedStorageGb: 20 }, monitoring: { dbFreeStorageGb: 20 } },
            `  - monitoring.dbFreeStorageGb: expected below database.allocatedStorageGb (20), or the alarm fires on an empty database; found 20.\n    Fix: pulumi config set --stack dev --path monitoring.dbFreeStorageGb 2`,
        ],
        ["a section that is not a map", { web: "t4g.large" }, `  - web: expected a map of instanceType, minSize,`],
        [
            "a backup copy region that is the stack's own",
            { backup: { copyRegion: "us-east-1" } },
            `  - backup.copyRegion: expected a region other than the stack's own (us-east-1): a copy in the same region survives nothing the original would not (or unset: no copy); found "us-east-1".\n    Fix: pulumi config rm --stack dev --path backup.copyRegion`,
        ],
        [
            "a backup copy region in capitals (the fix is the same region)",
            { backup: { copyRegion: "US-West-2" } },
            `  - backup.copyRegion: expected an AWS region name like us-west-2; found "US-West-2".\n    Fix: pulumi config set --stack dev --path backup.copyRegion us-west-2`,
        ],
        [
            "a backup copy region in another partition (AWS Backup copies within one)",
            { backup: { copyRegion: "cn-north-1" } },
            `  - backup.copyRegion: expected a region of AWS's commercial partition, as the stack's: AWS Backup copies only within a partition (or unset: no copy); found "cn-north-1".\n    Fix: pulumi config rm --stack dev --path backup.copyRegion`,
        ],
        [
            "a backup copy region with backups off",
            { backup: { enabled: false, copyRegion: "us-west-2" } },
            `  - backup.copyRegion: expected unset while backup.enabled is false (there are no backups to copy); found "us-west-2".\n    Fix: pulumi config rm --stack dev --path backup.copyRegion`,
        ],
        [
            "a patch window schedule that is not a cron expression (the fix is the environment's)",
            { patching: { schedule: "rate(7 days)" } },
            `  - patching.schedule: expected an EventBridge cron expression with six fields, like cron(0 7 ? * WED *); found "rate(7 days)".\n    Fix: pulumi config set --stack dev --path patching.schedule 'cron(0 7 ? * TUE *)'`,
        ],
        [
            "a negative patch approval delay",
            { patching: { approveAfterDays: -1 } },
            `  - patching.approveAfterDays: expected days from 0 to 360; found -1.\n    Fix: pulumi config set --stack dev --path patching.approveAfterDays 0`,
        ],
    ];

    for (const [title, values, expected] of cases) {
        it(`rejects ${title}, naming the key and a fix that is accepted`, () => {
            expect(problemsOf(() => validateStackConfig(raw("dev", values)))).to.include(expected);
            expectFixesAccepted("dev", values);
        });
    }

    it("refuses a region outside AWS's commercial partition, whose ARNs the program does not write", () => {
        for (const region of ["us-gov-west-1", "cn-northwest-1", "us-isob-east-1"]) {
            expect(problemsOf(() => validateStackConfig(raw("dev", {}, region)))).to.include(
                `  - aws:region: expected a region of AWS's commercial partition: the program's ARNs and policies are written for arn:aws, so ${region}'s partition (GovCloud, China or an isolated one) is not supported; found "${region}".\n    Fix: pulumi config set --stack dev aws:region us-east-1`,
            );
        }
        for (const region of ["us-east-1", "eu-central-2", "ap-southeast-5", "il-central-1"]) {
            expect(() => validateStackConfig(raw("dev", {}, region)), region).not.to.throw();
        }
    });

    it("gives fixes that hold together however many problems a file has", () => {
        expectFixesAccepted("dev", {
            network: {
                cidr: "10.0.0.1/16",
                natStrategy: "single",
                availabilityZones: '["us-east-1a","us-east-1b","us-east-1c"]',
            },
            bastion: { enabled: "yes", allowedCidrs: ["0.0.0.0/0"] },
            web: {
                minSize: "one",
                maxSize: 2,
                desiredCapacity: 7,
                appPort: 80,
                tlsPolicy: "elbsecuritypolicy-tls13-1-2-2021-06",
            },
            database: { allocatedStorageGb: 100, maxAllocatedStorageGb: 100, instanceClass: "DB.T4G.MICRO" },
            monitoring: { dbFreeStorageGb: 500, dbConnections: 1000, alb5xxRatePercent: "five" },
            netwrok: { flowLogRetentionDays: 31 },
            tags: { "aws:team": "x" },
        });
        expectFixesAccepted(
            "prod",
            {
                network: { natStrategy: "Single" },
                waf: { enabled: false },
                monitoring: { alarmTopicArn: "arn:aws:sns:eu-west-1:210987654321:pager", syntheticChecks: true },
                web: {
                    domain: "shop.example.com",
                    hostedZoneId: "Z0123456789ABCDEFGHIJ",
                    tlsPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06",
                },
                cdn: { enabled: true },
                backup: { copyRegion: "eu-west-1", retentionDays: "35" },
            },
            "eu-west-1",
        );
        expectFixesAccepted("staging", { web: { minSize: 0 } });
    });

    it("refuses prod without anyone to receive its alarms, and accepts an e-mail address or an SNS topic", () => {
        expect(problemsOf(() => validateStackConfig(raw("prod", {})))).to.include(
            `  - monitoring.alarmEmail: expected your on-call address (or monitoring.alarmTopicArn, your pager's SNS topic) in prod: an alarm nobody receives is an outage nobody hears of; found nothing.\n    Fix: pulumi config set --stack prod --path monitoring.alarmEmail oncall@example.com`,
        );
        const topic = "arn:aws:sns:us-east-1:210987654321:pager";
        expect(validateStackConfig(raw("prod", { monitoring: { alarmTopicArn: topic } })).monitoring).to.include({
            alarmTopicArn: topic,
        });
        expect(validateStackConfig(raw("prod", { monitoring: ONCALL })).monitoring.alarmEmail).to.equal(
            ONCALL.alarmEmail,
        );
        // Dev may go without (a dashboard is enough there).
        expect(validateStackConfig(raw("dev", {})).monitoring.alarmEmail).to.equal(undefined);
    });

    it("refuses an alarm topic CloudWatch cannot notify: another region, a FIFO topic, not an SNS ARN", () => {
        expect(
            problemsOf(() =>
                validateStackConfig(
                    raw("prod", { monitoring: { alarmTopicArn: "arn:aws:sns:eu-west-1:210987654321:pager" } }),
                ),
            ),
        ).to.include(
            `  - monitoring.alarmTopicArn: expected a topic in the stack's region us-east-1: CloudWatch alarms notify topics in their own region only; found "arn:aws:sns:eu-west-1:210987654321:pager".\n    Fix: pulumi config set --stack prod --path monitoring.alarmTopicArn arn:aws:sns:us-east-1:210987654321:pager`,
        );
        for (const arn of ["arn:aws:sns:us-east-1:210987654321:pager.fifo", "arn:aws:sqs:us-east-1:210987654321:q"]) {
            expect(
                problemsOf(() => validateStackConfig(raw("dev", { monitoring: { alarmTopicArn: arn } }))),
            ).to.include(
                `  - monitoring.alarmTopicArn: expected the ARN of a standard (not FIFO) SNS topic in the stack's region; found "${arn}".`,
            );
        }
    });

    it("derives the database-connections alarm from what the pools can open, and refuses one that could never fire", () => {
        // 10 per server (app/db/poolConfig.ts) at web.maxSize, plus the migration function's one.
        expect(dbConnectionCeiling(4)).to.equal(41);
        expect(dbConnectionCeiling(6)).to.equal(61);
        expect(validateStackConfig(raw("dev", { web: { maxSize: 10 } })).monitoring.dbConnections).to.equal(80);
        expect(
            validateStackConfig(raw("dev", { monitoring: { dbConnections: 40 } })).monitoring.dbConnections,
        ).to.equal(40);
        expect(problemsOf(() => validateStackConfig(raw("dev", { monitoring: { dbConnections: 60 } })))).to.include(
            `  - monitoring.dbConnections: expected below 41, the most the stack's pools can open (web.maxSize 4 × 10 per server + 1 for the migration function), or the alarm can never fire; found 60.\n    Fix: pulumi config set --stack dev --path monitoring.dbConnections 32`,
        );
        // The old prod default (500) is refused for prod's 6 servers.
        expect(
            problemsOf(() => validateStackConfig(raw("prod", { monitoring: { ...ONCALL, dbConnections: 500 } }))),
        ).to.include("  - monitoring.dbConnections: expected below 61");
    });

    it("rejects a stack that is neither dev nor prod without an explicit environment", () => {
        expect(problemsOf(() => validateStackConfig(raw("staging", {})))).to.include(
            `  - environment: expected one of dev, prod (the stack name "staging" is neither, so it must be set); found nothing.\n    Fix: pulumi config set --stack staging environment dev`,
        );
    });

    it("rejects a stack without aws:region", () => {
        expect(problemsOf(() => validateStackConfig({ ...raw("dev", {}), region: undefined }))).to.include(
            `  - aws:region: expected the AWS region the stack deploys to, like us-east-1; found nothing.\n    Fix: pulumi config set --stack dev aws:region us-east-1`,
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

    it("keeps the storage-autoscaling ceiling at least 10% above the allocated storage, as RDS requires", () => {
        const message = problemsOf(() =>
            validateStackConfig(raw("dev", { database: { allocatedStorageGb: 100, maxAllocatedStorageGb: 105 } })),
        );
        expect(message).to.include(
            "database.maxAllocatedStorageGb: expected at least 110: 10% above database.allocatedStorageGb (100), the least RDS storage autoscaling accepts; found 105.",
        );
        // The fix it gives is accepted as it stands.
        const fix = /set --stack dev --path database.maxAllocatedStorageGb (\d+)/.exec(message)![1];
        const fixed = validateStackConfig(
            raw("dev", { database: { allocatedStorageGb: 100, maxAllocatedStorageGb: Number(fix) } }),
        );
        expect(fixed.database.maxAllocatedStorageGb).to.equal(Number(fix));
        // Exactly 10% is enough; a default ceiling below a large start is raised with it.
        expect(
            validateStackConfig(raw("dev", { database: { allocatedStorageGb: 100, maxAllocatedStorageGb: 110 } }))
                .database.maxAllocatedStorageGb,
        ).to.equal(110);
        expect(
            validateStackConfig(raw("dev", { database: { allocatedStorageGb: 300 } })).database.maxAllocatedStorageGb,
        ).to.equal(330);
        expect(
            validateStackConfig(raw("prod", { monitoring: { alarmEmail: "oncall@acme-corp.io" } })).database
                .maxAllocatedStorageGb,
        ).to.equal(200);
        // A start so large nothing can be 10% above it within RDS's limit is refused on its own key.
        expect(
            problemsOf(() => validateStackConfig(raw("dev", { database: { allocatedStorageGb: 65000 } }))),
        ).to.include("database.allocatedStorageGb: expected at most 59578");
    });

    it("creates the Auto Scaling service-linked role only when asked to", () => {
        expect(validateStackConfig(raw("dev", {})).account).to.deep.equal({
            createAutoScalingServiceLinkedRole: false,
        });
        expect(
            validateStackConfig(raw("dev", { account: { createAutoScalingServiceLinkedRole: true } })).account,
        ).to.deep.equal({ createAutoScalingServiceLinkedRole: true });
        expect(
            problemsOf(() =>
                validateStackConfig(raw("dev", { account: { createAutoScalingServiceLinkedRole: "yes" } })),
            ),
        ).to.include("account.createAutoScalingServiceLinkedRole: expected true or false");
    });
});
