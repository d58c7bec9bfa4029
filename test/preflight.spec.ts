/**
 * Issue 10, item 4: `npm run preflight` against an AWS account whose SDK clients are stubbed
 * (aws-sdk-client-mock), so every pass and fail path runs through the real adapter
 * (preflight/account.ts), the real checks and the real CLI, with the stacks' real config.
 * The capacity checks (Elastic IPs, vCPUs) are in preflightCapacity.spec.ts.
 */
import { expect } from "chai";
import {
    DescribeAvailabilityZonesCommand,
    DescribeInstanceTypeOfferingsCommand,
    DescribeVpcsCommand,
} from "@aws-sdk/client-ec2";
import { GetRoleCommand, IAMServiceException, NoSuchEntityException } from "@aws-sdk/client-iam";
import { DescribeOrderableDBInstanceOptionsCommand } from "@aws-sdk/client-rds";
import { GetHostedZoneCommand, NoSuchHostedZone } from "@aws-sdk/client-route-53";
import { GetServiceQuotaCommand } from "@aws-sdk/client-service-quotas";
import { GetParameterCommand, ParameterNotFound } from "@aws-sdk/client-ssm";
import { ExpiredTokenException, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { CheckResult } from "../preflight/checks";
import { main } from "../preflight/cli";
import { ACCOUNT_ID, DEPS, meta, mockAccount, only, preflight, stackFile } from "./support/awsAccount";

describe("preflight against a stubbed AWS account", function () {
    let aws: ReturnType<typeof mockAccount>;
    let prod: string;
    let dev: string;
    before(() => {
        aws = mockAccount();
        prod = stackFile("prod");
        dev = stackFile("dev");
    });
    beforeEach(() => aws.healthy());
    after(() => aws.restore());

    it("passes every check in a ready account and exits 0", async () => {
        const run = await preflight("--stack", "prod", "--config", prod);
        expect(run.code, run.out).to.equal(0);
        expect(run.checks.map((c) => [c.id, c.status])).to.deep.equal([
            ["identity", "pass"],
            ["autoscaling-role", "pass"],
            ["elastic-ips", "pass"],
            ["vpcs", "pass"],
            ["vcpus", "pass"],
            ["availability-zones", "pass"],
            ["instance-types", "pass"],
            ["instance-types", "pass"],
            ["ami", "pass"],
            ["database", "pass"],
            ["alarm-recipient", "pass"],
        ]);
        expect(only(run, "identity").message).to.equal(
            `account ${ACCOUNT_ID} as arn:aws:sts::${ACCOUNT_ID}:assumed-role/webfleet-deploy/ci`,
        );
        expect(only(run, "elastic-ips").message).to.equal(
            "4 Elastic IPs (3 NAT gateways, OnePerAz over 3 AZs; 1 bastion); 0 allocated in us-east-1, quota 5",
        );
        expect(only(run, "vcpus").message).to.equal(
            "the fleet needs 14 On-Demand Standard vCPUs at most (6 × t4g.medium (2 vCPUs, web) + 1 × t4g.nano (2 vCPUs, bastion)); 0 in use by other instances, quota 64",
        );
        expect(run.out).to.include(`Preflight of stack prod (webfleet) in us-east-1, account ${ACCOUNT_ID}`);
        expect(run.out).to.include("All checks passed.");
        // The checks asked the account about exactly the stack's own things.
        expect(aws.iam.commandCalls(GetRoleCommand)[0].args[0].input).to.deep.equal({
            RoleName: "AWSServiceRoleForAutoScaling",
        });
        expect(aws.ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input.Name)).to.deep.equal([
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        ]);
        expect(aws.quotas.commandCalls(GetServiceQuotaCommand).map((c) => c.args[0].input)).to.have.deep.members([
            { ServiceCode: "ec2", QuotaCode: "L-0263D0A3" },
            { ServiceCode: "vpc", QuotaCode: "L-F678F1CE" },
            { ServiceCode: "ec2", QuotaCode: "L-1216C47A" },
        ]);
    });

    it("fails without the Auto Scaling service-linked role, with the command that creates it", async () => {
        aws.iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: "The role cannot be found", ...meta }));
        const run = await preflight("--stack", "dev", "--config", dev);
        expect(run.code).to.equal(1);
        expect(only(run, "autoscaling-role")).to.deep.equal({
            id: "autoscaling-role",
            status: "fail",
            message:
                "AWSServiceRoleForAutoScaling does not exist (an account that never used Auto Scaling): the stack key's policy names it, so creating the key, the first resource, would fail with MalformedPolicyDocumentException",
            fix: "aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com (or: pulumi config set --path account.createAutoScalingServiceLinkedRole true)",
        });
    });

    it("prints one JSON document through the CLI and exits 1 when a check fails", async () => {
        aws.iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: "The role cannot be found", ...meta }));
        let out = "";
        const code = await main(
            ["--stack", "dev", "--config", dev, "--json"],
            (t) => (out += t),
            () => undefined,
            DEPS,
        );
        expect(code).to.equal(1);
        const doc = JSON.parse(out);
        expect(doc).to.deep.include({ stack: "dev", checked: true, account: ACCOUNT_ID });
        expect(doc.needs.elasticIps.total).to.equal(2);
        expect(doc.checks.filter((c: CheckResult) => c.status === "fail").map((c: CheckResult) => c.id)).to.deep.equal([
            "autoscaling-role",
        ]);
    });

    it("fails a check it may not read, naming the denied action, instead of passing it", async () => {
        aws.iam.on(GetRoleCommand).rejects(
            new IAMServiceException({
                name: "AccessDenied",
                $fault: "client",
                $metadata: { httpStatusCode: 403 },
                message: "not authorized to perform: iam:GetRole",
            }),
        );
        const run = await preflight("--stack", "dev", "--config", dev);
        expect(only(run, "autoscaling-role")).to.include({
            status: "fail",
            message: "could not check: iam:GetRole was denied (not authorized to perform: iam:GetRole)",
        });
        expect(only(run, "autoscaling-role").fix).to.include("docs/ci-iam.md");
        expect(run.code).to.equal(1);
    });

    describe("availability zones and instance types", () => {
        it("fails an AZ that does not exist or is not available, with the AZs that are", async () => {
            aws.ec2.on(DescribeAvailabilityZonesCommand).resolves({
                AvailabilityZones: [
                    {
                        ZoneName: "us-east-1a",
                        State: "available",
                        ZoneType: "availability-zone",
                        OptInStatus: "opt-in-not-required",
                    },
                    {
                        ZoneName: "us-east-1b",
                        State: "impaired",
                        ZoneType: "availability-zone",
                        OptInStatus: "opt-in-not-required",
                    },
                    {
                        ZoneName: "us-east-1d",
                        State: "available",
                        ZoneType: "availability-zone",
                        OptInStatus: "opt-in-not-required",
                    },
                    {
                        ZoneName: "us-east-1f",
                        State: "available",
                        ZoneType: "availability-zone",
                        OptInStatus: "opt-in-not-required",
                    },
                ],
            });
            const run = await preflight("--stack", "prod", "--config", prod);
            expect(only(run, "availability-zones")).to.deep.equal({
                id: "availability-zones",
                status: "fail",
                message:
                    "us-east-1b is impaired; us-east-1c does not exist in us-east-1; available: us-east-1a, us-east-1d, us-east-1f",
                fix: `pulumi config set --stack prod --path network.availabilityZones '["us-east-1a","us-east-1d","us-east-1f"]'`,
            });
            // Offerings are checked only in AZs the stack can use.
            expect(aws.ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)).to.have.length(0);
            expect(run.code).to.equal(1);
        });

        it("takes the region's first available AZs when none are configured, and fails when there are too few", async () => {
            const unpinned = stackFile("dev", { network: { availabilityZones: null, azCount: 3 } });
            const run = await preflight("--stack", "dev", "--config", unpinned);
            expect(only(run, "availability-zones")).to.include({
                status: "pass",
                message:
                    "network.availabilityZones is unset, so the stack takes us-east-1a, us-east-1b, us-east-1c; pinning them keeps subnets in place if the region gains an AZ",
            });
            aws.ec2.on(DescribeAvailabilityZonesCommand).resolves({
                AvailabilityZones: [
                    {
                        ZoneName: "us-east-1a",
                        State: "available",
                        ZoneType: "availability-zone",
                        OptInStatus: "opt-in-not-required",
                    },
                    {
                        ZoneName: "us-east-1b",
                        State: "available",
                        ZoneType: "availability-zone",
                        OptInStatus: "opt-in-not-required",
                    },
                    {
                        ZoneName: "us-east-1-bos-1a",
                        State: "available",
                        ZoneType: "local-zone",
                        OptInStatus: "opted-in",
                    },
                ],
            });
            const short = await preflight("--stack", "dev", "--config", unpinned);
            expect(only(short, "availability-zones")).to.include({
                status: "fail",
                message: "the stack needs 3 AZs and us-east-1 has 2 available (us-east-1a, us-east-1b)",
            });
        });

        it("fails an instance type that is not offered in one of the stack's AZs", async () => {
            aws.ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
                InstanceTypeOfferings: [
                    { InstanceType: "t4g.small", Location: "us-east-1a" },
                    { InstanceType: "t4g.nano", Location: "us-east-1a" },
                    { InstanceType: "t4g.nano", Location: "us-east-1b" },
                ],
            });
            const run = await preflight("--stack", "dev", "--config", dev);
            const types = run.checks.filter((c) => c.id === "instance-types");
            expect(types.map((c) => c.status)).to.deep.equal(["fail", "pass"]);
            expect(types[0].message).to.equal(
                "t4g.small (web.instanceType) is not offered in us-east-1b, so the group cannot keep a server there",
            );
            expect(types[0].fix).to.include(
                "aws ec2 describe-instance-type-offerings --location-type availability-zone --filters Name=location,Values=us-east-1b --region us-east-1",
            );
        });
    });

    it("fails when the region does not publish the AL2023 AMI parameter the launch templates resolve", async () => {
        aws.ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "not found", ...meta }));
        const run = await preflight("--stack", "dev", "--config", dev);
        expect(only(run, "ami")).to.include({
            status: "fail",
            message:
                "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 does not exist in us-east-1, so no server could launch (the launch templates resolve the AMI from it)",
        });
    });

    describe("hosted zone (with web.domain)", () => {
        const withDomain = (domain: string) =>
            stackFile("dev", { web: { domain, hostedZoneId: "Z0123456789ABCDEFGHIJ" } });

        it("passes a public zone that holds the domain", async () => {
            const run = await preflight("--stack", "dev", "--config", withDomain("www.acme-corp.io"));
            expect(only(run, "hosted-zone")).to.include({
                status: "pass",
                message: "www.acme-corp.io is in the public zone acme-corp.io (Z0123456789ABCDEFGHIJ)",
            });
            expect(aws.route53.commandCalls(GetHostedZoneCommand)[0].args[0].input).to.deep.equal({
                Id: "Z0123456789ABCDEFGHIJ",
            });
        });

        it("fails a zone that does not exist, is private, or does not hold the domain", async () => {
            const other = await preflight("--stack", "dev", "--config", withDomain("www.other.io"));
            expect(only(other, "hosted-zone").message).to.equal(
                "web.domain www.other.io is not in Z0123456789ABCDEFGHIJ, which holds acme-corp.io",
            );
            aws.route53.on(GetHostedZoneCommand).resolves({
                HostedZone: { Id: "Z1", Name: "acme-corp.io.", CallerReference: "x", Config: { PrivateZone: true } },
            });
            const privateZone = await preflight("--stack", "dev", "--config", withDomain("www.acme-corp.io"));
            expect(only(privateZone, "hosted-zone").message).to.include("is a private zone");
            aws.route53.on(GetHostedZoneCommand).rejects(new NoSuchHostedZone({ message: "No hosted zone", ...meta }));
            const missing = await preflight("--stack", "dev", "--config", withDomain("www.acme-corp.io"));
            expect(only(missing, "hosted-zone")).to.include({
                status: "fail",
                message: "web.hostedZoneId Z0123456789ABCDEFGHIJ does not exist (or is in another account)",
            });
            expect(only(missing, "hosted-zone").fix).to.include(
                "aws route53 list-hosted-zones-by-name --dns-name acme-corp.io",
            );
        });
    });

    it("fails a database class and version RDS does not offer (Multi-AZ in prod)", async () => {
        aws.rds.on(DescribeOrderableDBInstanceOptionsCommand).resolves({
            OrderableDBInstanceOptions: [
                { EngineVersion: "16.8", MultiAZCapable: true },
                { EngineVersion: "17.4", MultiAZCapable: false },
            ],
        });
        const prodRun = await preflight("--stack", "prod", "--config", prod);
        expect(only(prodRun, "database")).to.include({
            status: "fail",
            message:
                "PostgreSQL 17 on db.m7g.large (Multi-AZ) cannot be ordered in us-east-1 (major versions on db.m7g.large: 16, 17)",
        });
        const devRun = await preflight("--stack", "dev", "--config", dev);
        expect(only(devRun, "database")).to.include({
            status: "pass",
            message: "PostgreSQL 17 on db.t4g.micro can be ordered in us-east-1",
        });
        expect(aws.rds.commandCalls(DescribeOrderableDBInstanceOptionsCommand)[0].args[0].input).to.include({
            Engine: "postgres",
            DBInstanceClass: "db.m7g.large",
            Vpc: true,
        });
    });

    it("fails the shipped prod file's placeholder alarm address: alarms must reach someone", async () => {
        const run = await preflight("--stack", "prod");
        expect(only(run, "alarm-recipient")).to.deep.equal({
            id: "alarm-recipient",
            status: "fail",
            message:
                "monitoring.alarmEmail oncall@example.com is at a reserved example domain: no alarm would reach anyone",
            fix: "pulumi config set --stack prod --path monitoring.alarmEmail <your on-call address>",
        });
        expect(run.code).to.equal(1);
    });

    it("reports refused credentials alone, since every other check would fail the same way", async () => {
        aws.sts.on(GetCallerIdentityCommand).rejects(
            new ExpiredTokenException({
                message: "The security token included in the request is expired",
                ...meta,
            }),
        );
        const run = await preflight("--stack", "dev", "--config", dev);
        expect(run.code).to.equal(1);
        expect(run.checks).to.deep.equal([
            {
                id: "identity",
                status: "fail",
                message:
                    "the credentials were refused: ExpiredTokenException: The security token included in the request is expired",
                fix: "refresh them (e.g. `aws sso login`, or new keys) and check with `aws sts get-caller-identity`",
            },
        ]);
        expect(aws.ec2.commandCalls(DescribeVpcsCommand)).to.have.length(0);
    });
});
