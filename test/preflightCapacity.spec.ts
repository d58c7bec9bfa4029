/**
 * Issue 10, item 4: the preflight's capacity checks (Elastic IPs, On-Demand vCPUs) against a
 * stubbed account: the issue's own case (dev holding 2 of the default 5 Elastic IPs when prod
 * needs 4), what this stack already holds, and quotas the credentials may not read.
 */
import { expect } from "chai";
import { DescribeAddressesCommand, DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import {
    AccessDeniedException,
    GetAWSDefaultServiceQuotaCommand,
    GetServiceQuotaCommand,
    NoSuchResourceException,
} from "@aws-sdk/client-service-quotas";
import { denied, meta, mockAccount, only, preflight, stackFile, tagged } from "./support/awsAccount";

describe("preflight capacity against a stubbed AWS account", function () {
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

    describe("Elastic IPs", () => {
        it("fails when the addresses already allocated leave too few, with the quota request that fixes it", async () => {
            aws.ec2.on(DescribeAddressesCommand).resolves({
                Addresses: ["a", "b", "c"].map((id) => ({ AllocationId: `eipalloc-${id}`, Tags: [] })),
            });
            const run = await preflight("--stack", "prod", "--config", prod);
            expect(run.code).to.equal(1);
            const eips = only(run, "elastic-ips");
            expect(eips.status).to.equal("fail");
            expect(eips.message).to.include("3 allocated in us-east-1, quota 5, so 3 + 4 > 5");
            expect(eips.message).to.include("AddressLimitExceeded");
            expect(eips.fix).to.match(
                /^aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 --desired-value 7 --region us-east-1 \(or release unused addresses: aws ec2 describe-addresses/,
            );
            expect(run.out).to.include("FAIL  elastic-ips");
            expect(run.out).to.include("fix: aws service-quotas request-service-quota-increase");
            expect(run.out).to.include("1 check failed: fix it before `pulumi up`.");
        });

        it("fails prod in an account where dev already holds 2 of the default 5", async () => {
            aws.ec2.on(DescribeAddressesCommand).resolves({
                Addresses: [
                    { AllocationId: "eipalloc-devnat", Tags: tagged("dev") },
                    { AllocationId: "eipalloc-devbastion", Tags: tagged("dev") },
                ],
            });
            const prodRun = await preflight("--stack", "prod", "--config", prod);
            expect(only(prodRun, "elastic-ips")).to.include({ status: "fail" });
            expect(only(prodRun, "elastic-ips").message).to.include("so 2 + 4 > 5");
            // dev itself still passes: its own addresses are not counted against it.
            const devRun = await preflight("--stack", "dev", "--config", dev);
            expect(only(devRun, "elastic-ips")).to.include({
                status: "pass",
                message:
                    "2 Elastic IPs (1 NAT gateway, Single over 2 AZs; 1 bastion); 2 allocated in us-east-1 (2 already this stack's), quota 5",
            });
        });

        it("assumes the default quota of 5, and says so, when Service Quotas is not allowed", async () => {
            aws.quotas.on(GetServiceQuotaCommand).rejects(new AccessDeniedException({ message: "no", ...meta }));
            aws.ec2.on(DescribeAddressesCommand).resolves({ Addresses: [{ AllocationId: "eipalloc-1" }] });
            const run = await preflight("--stack", "prod", "--config", prod);
            const eips = run.checks.filter((c) => c.id === "elastic-ips");
            expect(eips.map((c) => c.status)).to.deep.equal(["warn", "pass"]);
            expect(eips[0].message).to.equal(
                'the quota "EC2-VPC Elastic IPs" (L-0263D0A3) could not be read (servicequotas:GetServiceQuota denied); assuming the AWS default of 5',
            );
            expect(eips[1].message).to.include("1 allocated in us-east-1, quota 5");
            // The vCPU quota has no default to assume, so that check cannot pass.
            expect(run.checks.filter((c) => c.id === "vcpus").map((c) => c.status)).to.deep.equal(["warn", "fail"]);
            expect(run.code).to.equal(1);
        });

        it("reads a quota nobody changed from its AWS default", async () => {
            aws.quotas
                .on(GetServiceQuotaCommand, { QuotaCode: "L-0263D0A3" })
                .rejects(new NoSuchResourceException({ message: "none", ...meta }));
            aws.quotas.on(GetAWSDefaultServiceQuotaCommand).resolves({ Quota: { Value: 3 } });
            const run = await preflight("--stack", "prod", "--config", prod);
            expect(only(run, "elastic-ips")).to.include({ status: "fail" });
            expect(only(run, "elastic-ips").message).to.include("quota 3, so 0 + 4 > 3");
        });
    });

    describe("vCPUs", () => {
        it("fails when other instances and the fleet's maximum exceed the On-Demand Standard quota", async () => {
            aws.quotas.on(GetServiceQuotaCommand, { QuotaCode: "L-1216C47A" }).resolves({ Quota: { Value: 16 } });
            aws.ec2.on(DescribeInstancesCommand).resolves({
                Reservations: [
                    {
                        Instances: [
                            { InstanceType: "m5.xlarge" }, // 4, someone else's
                            { InstanceType: "m5.large" }, // 2
                            { InstanceType: "c6i.2xlarge", InstanceLifecycle: "spot" }, // Spot: another quota
                            { InstanceType: "g5.xlarge" }, // G family: another quota
                            { InstanceType: "t4g.medium", Tags: tagged("prod") }, // the stack's own
                        ],
                    },
                ],
            });
            const run = await preflight("--stack", "prod", "--config", prod);
            const vcpus = only(run, "vcpus");
            expect(vcpus.status).to.equal("fail");
            expect(vcpus.message).to.include("6 in use by other instances, quota 16: 6 + 14 > 16");
            expect(vcpus.fix).to.equal(
                "aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-1216C47A --desired-value 20 --region us-east-1",
            );
        });

        it("warns and compares with the whole quota when instances cannot be listed", async () => {
            aws.ec2.on(DescribeInstancesCommand).rejects(denied("UnauthorizedOperation", "You are not authorized"));
            const run = await preflight("--stack", "prod", "--config", prod);
            const vcpus = run.checks.filter((c) => c.id === "vcpus");
            expect(vcpus.map((c) => c.status)).to.deep.equal(["warn", "pass"]);
            expect(vcpus[1].message).to.include("usage unknown, quota 64");
            expect(run.code).to.equal(0);
        });

        it("names a web.instanceType EC2 does not know", async () => {
            const run = await preflight(
                "--stack",
                "dev",
                "--config",
                stackFile("dev", { web: { instanceType: "m9z.large" } }),
            );
            expect(run.checks.find((c) => c.id === "vcpus" && c.status === "fail")?.message).to.equal(
                "EC2 does not know the instance type m9z.large in us-east-1",
            );
        });
    });
});
