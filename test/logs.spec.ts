/**
 * Issue 7, item 1: ALB access logs in S3 and the servers' app and system logs in CloudWatch Logs.
 */
import { expect } from "chai";
import {
    ELB_ACCOUNT_IDS,
    ELB_LOG_DELIVERY_SERVICE,
    elbLogDeliveryPrincipal,
    elbLogDeliveryStatement,
} from "../lib/elbLogDelivery";
import { LOG_WRITE_ACTIONS, logGroupPrefixFor } from "../components/instanceLogs";
import { CW_AGENT_CONFIG, SYSTEM_LOG_FILES } from "../lib/userData/web";
import { MOCK_ACCOUNT_ID } from "../offline/mocks";
import { runPolicyPack } from "../offline/policyRunner";
import { ProgramRun } from "../offline/program";
import { named, ofType, runStack, sharedRun } from "./support/program";

const BUCKET = "aws:s3/bucket:Bucket";
const ALB = "aws:lb/loadBalancer:LoadBalancer";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

function userDataOf(run: ProgramRun): string {
    return Buffer.from(
        named(run, "aws:ec2/launchTemplate:LaunchTemplate", "web-lt").inputs.userData,
        "base64",
    ).toString("utf8");
}

function agentConfigOf(run: ProgramRun): any {
    const script = userDataOf(run);
    const start = script.indexOf(`cat > '${CW_AGENT_CONFIG}' <<'CWAGENT'\n`);
    expect(start, "the agent's config heredoc").to.be.greaterThan(0);
    const body = script.slice(script.indexOf("\n", start) + 1);
    return JSON.parse(body.slice(0, body.indexOf("\nCWAGENT\n")));
}

describe("ELB log delivery principal (pure)", () => {
    it("names ELB's own account in regions available before August 2022", () => {
        expect(elbLogDeliveryPrincipal("us-east-1")).to.deep.equal({ AWS: "arn:aws:iam::127311923021:root" });
        expect(elbLogDeliveryPrincipal("eu-west-1")).to.deep.equal({ AWS: "arn:aws:iam::156460612806:root" });
        expect(Object.keys(ELB_ACCOUNT_IDS)).to.have.length(22);
        for (const id of Object.values(ELB_ACCOUNT_IDS)) {
            expect(id).to.match(/^\d{12}$/);
        }
    });

    it("names the log delivery service principal in newer regions", () => {
        for (const region of ["mx-central-1", "ap-southeast-7", "ca-west-1", "il-central-1"]) {
            expect(elbLogDeliveryPrincipal(region), region).to.deep.equal({ Service: ELB_LOG_DELIVERY_SERVICE });
        }
    });

    it("allows PutObject under <prefix>/AWSLogs/<account>/ only, and refuses prefixes ELB would not accept", () => {
        const args = { region: "us-east-1", bucketArn: "arn:aws:s3:::logs", prefix: "alb", accountId: "111122223333" };
        expect(elbLogDeliveryStatement(args)).to.deep.equal({
            Sid: "ElbWritesAccessLogs",
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::127311923021:root" },
            Action: "s3:PutObject",
            Resource: "arn:aws:s3:::logs/alb/AWSLogs/111122223333/*",
        });
        expect(() => elbLogDeliveryStatement({ ...args, prefix: "/alb/" })).to.throw(
            'prefix "/alb/" must be a plain S3 prefix',
        );
        expect(() => elbLogDeliveryStatement({ ...args, prefix: "x/AWSLogs" })).to.throw('without "AWSLogs"');
        expect(() => elbLogDeliveryStatement({ ...args, region: "us-east-1'" })).to.throw("is not an AWS region");
    });

    it("derives readable log group names from any stack name", () => {
        expect(logGroupPrefixFor("webfleet", "prod")).to.equal("/webfleet/prod/web");
        expect(logGroupPrefixFor("webfleet", "team:a b")).to.equal("/webfleet/team-a-b/web");
    });
});

describe("logs (mocked program)", function () {
    let dev: ProgramRun;
    let prod: ProgramRun;
    let newRegion: ProgramRun;
    before(async () => {
        dev = await sharedRun("dev");
        prod = await sharedRun("prod");
        newRegion = await runStack("dev", {
            "aws:region": "mx-central-1",
            "webfleet:network": { availabilityZones: ["mx-central-1a", "mx-central-1b"] },
        });
    });

    describe("ALB access logs", () => {
        it("go to a bucket of their own, under the alb/ prefix, exported as accessLogsBucketName", () => {
            const bucket = named(dev, BUCKET, "access-logs-bucket");
            expect(named(dev, ALB, "web-lb-alb").inputs.accessLogs).to.deep.equal({
                bucket: bucket.outputs.bucket,
                enabled: true,
                prefix: "alb",
            });
            expect(dev.outputs.accessLogsBucketName).to.deep.equal({ value: bucket.outputs.bucket, secret: false });
        });

        it("are private: public access blocked, ACLs disabled, TLS only", () => {
            const id = named(dev, BUCKET, "access-logs-bucket").outputs.id;
            expect(
                named(dev, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "access-logs-public-access")
                    .inputs,
            ).to.deep.include({
                bucket: id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            });
            expect(
                named(dev, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "access-logs-ownership").inputs
                    .rule,
            ).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
        });

        it("are encrypted with SSE-S3, the only encryption ALB log delivery supports, and versioned", () => {
            expect(
                named(
                    dev,
                    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                    "access-logs-encryption",
                ).inputs.rules,
            ).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
            expect(
                named(dev, "aws:s3/bucketVersioning:BucketVersioning", "access-logs-versioning").inputs
                    .versioningConfiguration,
            ).to.deep.equal({ status: "Enabled" });
        });

        it("expire after the stack's audit-log horizon (dev 30 days, prod 365), old versions a day later", () => {
            for (const [run, days] of [
                [dev, 30],
                [prod, 365],
            ] as const) {
                const rules = named(
                    run,
                    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                    "access-logs-lifecycle",
                ).inputs.rules;
                expect(rules).to.deep.equal([
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: { prefix: "alb/" },
                        expiration: { days },
                        noncurrentVersionExpiration: { noncurrentDays: 1 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                    {
                        id: "remove-expired-delete-markers",
                        status: "Enabled",
                        filter: { prefix: "alb/" },
                        expiration: { expiredObjectDeleteMarker: true },
                    },
                ]);
            }
            expect(named(dev, BUCKET, "access-logs-bucket").inputs.forceDestroy).to.equal(true);
            expect(named(prod, BUCKET, "access-logs-bucket").inputs.forceDestroy).to.equal(false);
        });

        it("are writable by the region's ELB log delivery only under alb/AWSLogs/<account>/, and the ALB waits for that policy", () => {
            for (const [run, principal] of [
                [dev, { AWS: "arn:aws:iam::127311923021:root" }],
                [newRegion, { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }],
            ] as const) {
                const bucket = named(run, BUCKET, "access-logs-bucket").outputs.bucket;
                const policy = named(run, "aws:s3/bucketPolicy:BucketPolicy", "access-logs-policy");
                expect(JSON.parse(policy.inputs.policy).Statement).to.deep.equal([
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: { AWS: "*" },
                        Action: "s3:*",
                        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                    {
                        Sid: "ElbWritesAccessLogs",
                        Effect: "Allow",
                        Principal: principal,
                        Action: "s3:PutObject",
                        Resource: `arn:aws:s3:::${bucket}/alb/AWSLogs/${MOCK_ACCOUNT_ID}/*`,
                    },
                ]);
                // ELB test-writes into the bucket when logging is turned on.
                expect(named(run, ALB, "web-lb-alb").propertyDependencies.accessLogs).to.include(policy.urn);
            }
        });

        it("make alb-access-logs mandatory in prod, and pass it and s3-encryption-kms there", async () => {
            const report = await runPolicyPack({ project: prod.project, stack: "prod", resources: prod.resources });
            // Less the advisory findings on actions that take no resource, pinned in test/patching.spec.ts.
            expect(report.violations.filter((v) => v.policy !== "iam-resource-wildcard")).to.deep.equal([]);
            const withoutLogs: typeof prod.resources = JSON.parse(JSON.stringify(prod.resources));
            for (const p of [
                withoutLogs.find((r) => r.name === "web-lb-alb")!.inputs,
                withoutLogs.find((r) => r.name === "web-lb-alb")!.outputs,
            ]) {
                delete p.accessLogs;
            }
            const broken = await runPolicyPack({ project: prod.project, stack: "prod", resources: withoutLogs });
            const found = broken.violations.filter((v) => v.policy !== "iam-resource-wildcard");
            expect(found.map((v) => `${v.enforcementLevel} ${v.policy}`).sort()).to.deep.equal([
                "mandatory alb-access-logs",
                "mandatory s3-encryption-kms",
            ]);
        });
    });

    describe("instance logs", () => {
        it("go to two log groups made by Pulumi, with retention and the stack's key", () => {
            for (const [run, days] of [
                [dev, 30],
                [prod, 365],
            ] as const) {
                for (const kind of ["app", "system"]) {
                    expect(named(run, LOG_GROUP, `instance-logs-${kind}`).inputs, kind).to.deep.equal({
                        name: `/webfleet/${run.stack}/web/${kind}`,
                        retentionInDays: days,
                        kmsKeyId: run.outputs.kmsKeyArn.value,
                    });
                }
            }
            expect(dev.outputs.appLogGroupName.value).to.equal("/webfleet/dev/web/app");
            expect(dev.outputs.systemLogGroupName.value).to.equal("/webfleet/dev/web/system");
        });

        it("are the only log groups the instance role may write to, with no managed policy", () => {
            const statements: any[] = JSON.parse(
                named(dev, "aws:iam/rolePolicy:RolePolicy", "web-role-policy").inputs.policy,
            ).Statement;
            const arns = ["app", "system"].map((kind) => named(dev, LOG_GROUP, `instance-logs-${kind}`).outputs.arn);
            expect(arns[0]).to.equal(`arn:aws:logs:us-east-1:${MOCK_ACCOUNT_ID}:log-group:/webfleet/dev/web/app`);
            expect(statements.find((s) => s.Sid === "WriteInstanceLogs")).to.deep.equal({
                Sid: "WriteInstanceLogs",
                Effect: "Allow",
                Action: LOG_WRITE_ACTIONS,
                Resource: arns.flatMap((arn) => [arn, `${arn}:log-stream:*`]),
            });
            expect(LOG_WRITE_ACTIONS).to.deep.equal([
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
            ]);
            const logStatements = statements.filter((s) =>
                [s.Action].flat().some((a: string) => a.startsWith("logs:") || a.startsWith("cloudwatch:")),
            );
            expect(logStatements.map((s) => s.Sid)).to.deep.equal(["WriteInstanceLogs"]);
            const role = named(dev, "aws:iam/role:Role", "web-role").outputs.name;
            expect(
                ofType(dev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === role),
            ).to.deep.equal([]);
            expect(named(dev, "aws:iam/role:Role", "web-role").inputs.managedPolicyArns ?? []).to.deep.equal([]);
        });

        it("are shipped by the CloudWatch agent, configured from user data with exactly those groups, before anything else runs", () => {
            const config = agentConfigOf(dev);
            expect(config.agent).to.deep.equal({
                region: "us-east-1",
                run_as_user: "root",
                logfile: "/opt/aws/amazon-cloudwatch-agent/logs/amazon-cloudwatch-agent.log",
            });
            expect(config).not.to.have.property("metrics");
            const list: any[] = config.logs.logs_collected.files.collect_list;
            expect(list.map((f) => [f.file_path, f.log_group_name, f.log_stream_name])).to.deep.equal([
                ["/var/log/webfleet/app.log", "/webfleet/dev/web/app", "{instance_id}"],
                ...SYSTEM_LOG_FILES.map((f) => [f.path, "/webfleet/dev/web/system", `{instance_id}/${f.stream}`]),
            ]);
            expect(list.map((f) => f.file_path)).to.include.members([
                "/var/log/messages",
                "/var/log/secure",
                "/var/log/cloud-init-output.log",
            ]);
            expect(agentConfigOf(prod).logs.logs_collected.files.collect_list[0].log_group_name).to.equal(
                "/webfleet/prod/web/app",
            );
            const script = userDataOf(dev);
            expect(script.slice(script.lastIndexOf("\nship_logs\n")).trim().split("\n")[0]).to.equal("ship_logs");
            expect(script).to.include("StandardOutput=append:/var/log/webfleet/app.log\n");
        });
    });
});
