/**
 * Issue 10, item 4: what each stack needs from the account, from its config alone (no account,
 * no mocks), and the offline and no-credentials CLI as a user runs it.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { validateStackConfig } from "../stackConfig";
import { estimatedVcpus, isStandardFamily } from "../lib/instanceTypes";
import { REPO_ROOT, rawConfigFrom, readStackConfig } from "../offline/program";
import { main } from "../preflight/cli";
import { isPlaceholderAddress, natGatewayCount, stackNeeds, vcpuNeed } from "../preflight/needs";
import { rawConfig } from "./support/config";

const shipped = (stack: string) =>
    stackNeeds(validateStackConfig(rawConfigFrom("webfleet", stack, readStackConfig(stack))));

/** The CLI as `npm run preflight` runs it, in a process of its own with only `env`. */
function cli(args: string[], env: Record<string, string>) {
    return spawnSync(process.execPath, ["-r", "./scripts/register.js", "preflight/cli.ts", ...args], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", ...env },
        timeout: 60_000,
    });
}

/** An environment in which the SDK's default chain finds nothing: no variables, no files, no IMDS. */
function noCredentials(): Record<string, string> {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-nocreds-"));
    return {
        HOME: home,
        AWS_CONFIG_FILE: path.join(home, "no-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, "no-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
    };
}

describe("preflight needs (pure)", () => {
    it("counts one Elastic IP per NAT gateway (Single: 1, OnePerAz: one per AZ), plus the bastion's when SSH is open", () => {
        expect(natGatewayCount("Single", 3)).to.equal(1);
        expect(natGatewayCount("OnePerAz", 3)).to.equal(3);
        expect(shipped("dev").elasticIps).to.deep.equal({
            total: 1,
            natGateways: 1,
            bastion: 0,
            natStrategy: "Single",
            azCount: 2,
        });
        expect(shipped("prod").elasticIps).to.deep.include({ total: 3, natGateways: 3, bastion: 0 });
        // Both shipped stacks fit one account with the default quota of 5.
        expect(shipped("dev").elasticIps.total + shipped("prod").elasticIps.total).to.equal(4);
        // SSH ingress gives the bastion its address: one more.
        const ssh = stackNeeds(
            validateStackConfig(rawConfig("dev", { bastion: { allowedCidrs: ["203.0.113.0/24"] } })),
        );
        expect(ssh.elasticIps).to.deep.include({ total: 2, bastion: 1 });
        const noBastion = stackNeeds(validateStackConfig(rawConfig("dev", { bastion: { enabled: false } })));
        expect(noBastion.elasticIps.total).to.equal(1);
        expect(noBastion.instances.map((i) => i.role)).to.deep.equal(["web"]);
    });

    it("lists the fleet at its maximum, the AZs, the AMI parameters, the roles and the database", () => {
        const prod = shipped("prod");
        expect(prod.instances).to.deep.equal([
            { role: "web", instanceType: "t4g.medium", count: 6 },
            { role: "bastion", instanceType: "t4g.nano", count: 1 },
        ]);
        expect(vcpuNeed(prod.instances, estimatedVcpus, isStandardFamily)).to.deep.equal({
            standard: 14,
            unknown: [],
            otherFamilies: [],
        });
        expect(prod.availabilityZones).to.deep.equal({ names: ["us-east-1a", "us-east-1b", "us-east-1c"], count: 3 });
        expect(prod.amiParameters).to.deep.equal([
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        ]);
        expect(prod.serviceLinkedRoles.filter((r) => r.createdBy === "you").map((r) => r.name)).to.deep.equal([
            "AWSServiceRoleForAutoScaling",
        ]);
        expect(prod.database).to.deep.equal({
            engine: "postgres",
            engineVersion: "17",
            instanceClass: "db.m7g.large",
            multiAz: true,
        });
        expect(prod.hostedZone).to.equal(undefined);
        const mixed = stackNeeds(
            validateStackConfig(
                rawConfig("dev", {
                    web: {
                        instanceType: "m5.large",
                        domain: "www.acme-corp.io",
                        hostedZoneId: "Z0123456789ABCDEFGHIJ",
                    },
                }),
            ),
        );
        expect(mixed.amiParameters).to.deep.equal([
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        ]);
        expect(mixed.hostedZone).to.deep.equal({ id: "Z0123456789ABCDEFGHIJ", domain: "www.acme-corp.io" });
    });

    it("estimates vCPUs from the type name and keeps other families' quotas apart", () => {
        const cases: [string, number | undefined][] = [
            ["t4g.nano", 2],
            ["t2.micro", 1],
            ["t2.medium", 2],
            ["m7g.medium", 1],
            ["m7g.large", 2],
            ["c6i.xlarge", 4],
            ["r6gd.16xlarge", 64],
            ["m5.metal", undefined],
        ];
        for (const [type, vcpus] of cases) {
            expect(estimatedVcpus(type), type).to.equal(vcpus);
        }
        for (const type of ["t4g.nano", "m7i-flex.large", "c7gn.xlarge", "i4i.large", "z1d.large", "a1.large"]) {
            expect(isStandardFamily(type), type).to.equal(true);
        }
        for (const type of [
            "g5.xlarge",
            "inf2.xlarge",
            "dl1.24xlarge",
            "hpc6a.48xlarge",
            "trn1.2xlarge",
            "x2gd.large",
        ]) {
            expect(isStandardFamily(type), type).to.equal(false);
        }
        expect(
            vcpuNeed(
                [
                    { role: "web", instanceType: "g5.xlarge", count: 4 },
                    { role: "bastion", instanceType: "m5.metal", count: 1 },
                ],
                estimatedVcpus,
                isStandardFamily,
            ),
        ).to.deep.equal({ standard: 0, unknown: ["m5.metal"], otherFamilies: ["g5.xlarge"] });
    });

    it("knows a placeholder address at a reserved example domain", () => {
        for (const email of [
            "oncall@example.com",
            "a@mail.example.org",
            "x@example.net",
            "y@corp.example",
            "z@a.test",
        ]) {
            expect(isPlaceholderAddress(email), email).to.equal(true);
        }
        for (const email of ["oncall@acme-corp.io", "ops@example-corp.com", "pager@notexample.com"]) {
            expect(isPlaceholderAddress(email), email).to.equal(false);
        }
    });
});

describe("first-deploy docs", () => {
    it("state each stack's Elastic IP need as the preflight computes it, and README links them where deploys begin", () => {
        const page = fs.readFileSync(path.join(REPO_ROOT, "docs", "first-deploy.md"), "utf8");
        for (const stack of ["dev", "prod"]) {
            const e = shipped(stack).elasticIps;
            expect(page).to.match(
                new RegExp(
                    `\\| ${stack} \\| \`${e.natStrategy}\`[^|]*\\| ${e.natGateways} \\| ${e.bastion} \\| \\*\\*${e.total}\\*\\* \\|`,
                ),
            );
        }
        expect(page).to.include("aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com");
        expect(page).to.include("npm run preflight -- --stack prod --offline");
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        const deploying = readme.slice(readme.indexOf("## Deploying for real"), readme.indexOf("## Documentation"));
        expect(deploying).to.include("[docs/first-deploy.md](docs/first-deploy.md)");
        expect(readme).to.include("[docs/ci-iam.md](docs/ci-iam.md)");
    });
});

describe("preflight CLI without an account", function () {
    this.timeout(60_000);

    it("--offline prints what prod needs and exits 0", () => {
        const r = cli(["--stack", "prod", "--offline"], {});
        expect(r.status, r.stderr).to.equal(0);
        for (const line of [
            "Preflight of stack prod (webfleet) in us-east-1",
            "Elastic IPs               3: 3 NAT gateways (OnePerAz over 3 AZs) (the bastion takes none without bastion.allowedCidrs); the region's default quota is 5",
            "On-Demand Standard vCPUs  14 at most: 6 × t4g.medium (2 vCPUs each, web.maxSize) + 1 × t4g.nano (2 vCPUs each, bastion)",
            "Availability Zones        us-east-1a, us-east-1b, us-east-1c",
            "AWSServiceRoleForAutoScaling (create it once: aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com)",
            "oncall@example.com (a placeholder at a reserved example domain: set your on-call address before the first deploy)",
            "Not checked against an account: --offline.",
        ]) {
            expect(r.stdout).to.include(line);
        }
    });

    it("prints the needs and exits 0 when the SDK's credential chain finds no credentials", () => {
        const r = cli(["--stack", "dev"], noCredentials());
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.include(
            "Elastic IPs               1: 1 NAT gateway (Single over 2 AZs) (the bastion takes none",
        );
        expect(r.stdout).to.include(
            "Not checked against an account: no AWS credentials found (environment, shared config and credentials files, SSO, container and instance roles).",
        );
        expect(r.stderr).to.not.include("NodeVersionSupportWarning");
    });

    it("exits 2 when a profile asked for by name yields no credentials, instead of skipping the checks", () => {
        const r = cli(["--stack", "dev"], { ...noCredentials(), AWS_PROFILE: "webfleet-prod" });
        expect(r.status).to.equal(2);
        expect(r.stderr).to.include("AWS credentials could not be loaded for AWS_PROFILE=webfleet-prod");
        expect(r.stdout).to.equal("");
    });

    it("--json prints one document with the needs and checked: false", async () => {
        let out = "";
        const code = await main(
            ["--stack", "prod", "--offline", "--json"],
            (t) => (out += t),
            () => undefined,
        );
        expect(code).to.equal(0);
        const doc = JSON.parse(out);
        expect(doc).to.deep.include({ project: "webfleet", stack: "prod", region: "us-east-1", checked: false });
        expect(doc.notChecked).to.equal("--offline");
        expect(doc.needs.elasticIps.total).to.equal(3);
        expect(doc.checks).to.deep.equal([]);
    });

    it("exits 2 on bad usage and on an invalid stack config, naming the key and the fix", async () => {
        const run = async (...argv: string[]) => {
            let err = "";
            const code = await main(
                argv,
                () => undefined,
                (t) => (err += t),
            );
            return { code, err };
        };
        expect(await run("--offline")).to.deep.include({ code: 2 });
        expect((await run("--offline")).err).to.include("--stack is required");
        expect((await run("--stack", "prod", "--offline", "--force")).err).to.include('unknown argument "--force"');
        expect((await run("--stack", "staging", "--offline")).err).to.include("no stack config");
        const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-bad-")), "Pulumi.prod.yaml");
        fs.writeFileSync(bad, "config:\n  aws:region: us-east-1\n  webfleet:environment: prod\n");
        const invalid = await run("--stack", "prod", "--offline", "--config", bad);
        expect(invalid.code).to.equal(2);
        expect(invalid.err).to.include('Invalid stack config for stack "prod"');
        expect(invalid.err).to.include(
            "monitoring.alarmEmail: expected your on-call address (or monitoring.alarmTopicArn, your pager's SNS topic) in prod",
        );
    });
});
