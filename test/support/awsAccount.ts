/**
 * A healthy AWS account in us-east-1 for the preflight's tests, through stubbed SDK v3 clients
 * (aws-sdk-client-mock): every client the preflight's adapter (preflight/account.ts) creates
 * answers from here, and a test overrides one command to make one check fail.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    DescribeAddressesCommand,
    DescribeAvailabilityZonesCommand,
    DescribeInstanceTypeOfferingsCommand,
    DescribeInstanceTypesCommand,
    DescribeInstancesCommand,
    DescribeVpcsCommand,
    EC2Client,
    EC2ServiceException,
} from "@aws-sdk/client-ec2";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { DescribeOrderableDBInstanceOptionsCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import {
    GetAWSDefaultServiceQuotaCommand,
    GetServiceQuotaCommand,
    ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import * as YAML from "yaml";
import { REPO_ROOT } from "../../offline/program";
import { awsAccount } from "../../preflight/account";
import { CheckResult } from "../../preflight/checks";
import { PreflightDeps, parseArgs, preflight as runPreflight } from "../../preflight/cli";
import { exitCodeOf, renderText } from "../../preflight/render";

export const ACCOUNT_ID = "210987654321";
export const CREDENTIALS = { accessKeyId: "AKIDPREFLIGHTTEST000", secretAccessKey: "not-a-real-secret" };

/** DefaultVCpus as EC2 reports them. */
export const VCPUS: Record<string, number> = {
    "t4g.nano": 2,
    "t4g.small": 2,
    "t4g.medium": 2,
    "m5.large": 2,
    "m5.xlarge": 4,
    "c6i.2xlarge": 8,
    "g5.xlarge": 4,
};

export const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"];

export function mockAccount() {
    const mocks = {
        sts: mockClient(STSClient),
        quotas: mockClient(ServiceQuotasClient),
        ec2: mockClient(EC2Client),
        iam: mockClient(IAMClient),
        ssm: mockClient(SSMClient),
        route53: mockClient(Route53Client),
        rds: mockClient(RDSClient),
    };
    const healthy = () => {
        Object.values(mocks).forEach((m) => m.reset());
        mocks.sts.on(GetCallerIdentityCommand).resolves({
            Account: ACCOUNT_ID,
            Arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/webfleet-deploy/ci`,
        });
        const quotas: Record<string, number> = { "L-0263D0A3": 5, "L-F678F1CE": 5, "L-1216C47A": 64 };
        mocks.quotas.on(GetServiceQuotaCommand).callsFake((input: { QuotaCode: string }) => ({
            Quota: { QuotaCode: input.QuotaCode, Value: quotas[input.QuotaCode] },
        }));
        mocks.ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
        mocks.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: "vpc-default", IsDefault: true }] });
        mocks.ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
        mocks.ec2.on(DescribeInstanceTypesCommand).callsFake((input: { Filters: { Values: string[] }[] }) => ({
            InstanceTypes: input.Filters[0].Values.filter((t) => VCPUS[t] !== undefined).map((t) => ({
                InstanceType: t,
                VCpuInfo: { DefaultVCpus: VCPUS[t] },
            })),
        }));
        mocks.ec2.on(DescribeAvailabilityZonesCommand).resolves({
            AvailabilityZones: [
                ...ZONES.map((ZoneName) => ({
                    ZoneName,
                    State: "available" as const,
                    ZoneType: "availability-zone",
                    OptInStatus: "opt-in-not-required" as const,
                })),
                {
                    ZoneName: "us-east-1-bos-1a",
                    State: "available" as const,
                    ZoneType: "local-zone",
                    OptInStatus: "not-opted-in" as const,
                },
            ],
        });
        mocks.ec2
            .on(DescribeInstanceTypeOfferingsCommand)
            .callsFake((input: { Filters: { Name: string; Values: string[] }[] }) => {
                const types = input.Filters.find((f) => f.Name === "instance-type")!.Values;
                const zones = input.Filters.find((f) => f.Name === "location")!.Values;
                return {
                    InstanceTypeOfferings: types.flatMap((InstanceType) =>
                        zones.map((Location) => ({ InstanceType, Location, LocationType: "availability-zone" })),
                    ),
                };
            });
        mocks.iam.on(GetRoleCommand).callsFake((input: { RoleName: string }) => ({
            Role: {
                RoleName: input.RoleName,
                Path: "/aws-service-role/autoscaling.amazonaws.com/",
                RoleId: "AROAEXAMPLE",
                Arn: `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/${input.RoleName}`,
                CreateDate: new Date(0),
            },
        }));
        mocks.ssm.on(GetParameterCommand).callsFake((input: { Name: string }) => ({
            Parameter: { Name: input.Name, Type: "String", Value: "ami-0123456789abcdef0" },
        }));
        mocks.route53.on(GetHostedZoneCommand).callsFake((input: { Id: string }) => ({
            HostedZone: { Id: `/hostedzone/${input.Id}`, Name: "acme-corp.io.", CallerReference: "x", Config: {} },
        }));
        mocks.rds.on(DescribeOrderableDBInstanceOptionsCommand).callsFake((input: { DBInstanceClass: string }) => ({
            OrderableDBInstanceOptions: ["16.8", "17.4", "17.5"].map((EngineVersion) => ({
                Engine: "postgres",
                EngineVersion,
                DBInstanceClass: input.DBInstanceClass,
                MultiAZCapable: true,
            })),
        }));
        // A quota nobody changed answers through its default (preflight/account.ts).
        mocks.quotas.on(GetAWSDefaultServiceQuotaCommand).resolves({ Quota: { Value: 5 } });
    };
    return {
        ...mocks,
        healthy,
        restore: () => Object.values(mocks).forEach((m) => m.restore()),
    };
}

/**
 * A stack file like the shipped one of `stack`, with `values` merged over its `webfleet:*`
 * sections (one level deep), written to a scratch file for `--config`. Prod's placeholder
 * alarm address is replaced unless the test sets monitoring itself.
 */
export function stackFile(stack: "dev" | "prod", values: Record<string, Record<string, unknown>> = {}): string {
    const doc = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    doc.config["webfleet:monitoring"] = { alarmEmail: "oncall@acme-corp.io" };
    // A stack its operators SSH to: the bastion then holds an Elastic IP too (dev 2, prod 4),
    // which is when dev and prod no longer fit the default quota together.
    doc.config["webfleet:bastion"] = { ...doc.config["webfleet:bastion"], allowedCidrs: ["203.0.113.0/24"] };
    for (const [key, value] of Object.entries(values)) {
        const full = `webfleet:${key}`;
        const merged: Record<string, unknown> = { ...(doc.config[full] ?? {}), ...value };
        // null removes a key the shipped file sets.
        doc.config[full] = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null));
    }
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-preflight-")), `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
}

/** The CLI's dependencies with static credentials: every SDK client is the stubbed one. */
export const DEPS: PreflightDeps = {
    findCredentials: () => Promise.resolve(CREDENTIALS),
    account: (region, credentials) => Promise.resolve(awsAccount(region, credentials)),
};

export interface Run {
    code: number;
    out: string;
    checks: CheckResult[];
}

/** One preflight, as the CLI runs it, with its text, its exit code and its checks. */
export async function preflight(...argv: string[]): Promise<Run> {
    const report = await runPreflight(parseArgs(argv), DEPS);
    return { code: exitCodeOf(report), out: renderText(report), checks: report.checks };
}

export function only(run: Run, id: string): CheckResult {
    const found = run.checks.filter((c) => c.id === id);
    expect(found, `${id} in ${JSON.stringify(run.checks, null, 1)}`).to.have.length(1);
    return found[0];
}

/** Metadata for modelled service errors, and an EC2 error (EC2 models none) with a name. */
export const meta = { $metadata: { httpStatusCode: 400 } };
export const denied = (name: string, message: string) =>
    new EC2ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 403 }, message });
export const tagged = (stack: string) => [
    { Key: "webfleet:project", Value: "webfleet" },
    { Key: "webfleet:stack", Value: stack },
];
