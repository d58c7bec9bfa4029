/**
 * The WebTier component on its own, under the shared mocks: the seams other issues build on
 * (instancePolicyStatements, appEnvironment, rolloutDependsOn, kmsKeyArn, accessLogsBucket),
 * the artifact key, and the argument checks.
 */
import { expect } from "chai";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildAppBundle } from "../app/build";
import { errorRateQueries } from "../lib/alarmQueries";
import { defaultsFor } from "../stackConfig";
import { AppBundleLike, artifactContent, artifactKey } from "../components/artifact";
import { WebTier, WebTierArgs } from "../components/webTier";
import { installMocks } from "../offline/mocks";
import { RecordedResource } from "../offline/types";
import { ComponentRun, runComponent } from "./support/component";

type Run = ComponentRun;

function one(run: Run, type: string, name: string): RecordedResource {
    const found = run.resources.filter((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).to.have.length(1);
    return found[0];
}

const BUNDLE: AppBundleLike = {
    code: Buffer.from(
        "// webfleet app server, test bundle\nrequire('http').createServer().listen(process.env.PORT);\n",
    ),
};

function args(overrides: Partial<WebTierArgs> = {}): WebTierArgs {
    const d = defaultsFor("dev").web;
    return {
        ...d,
        minSize: 2,
        desiredCapacity: 2,
        maxSize: 4,
        vpcId: "vpc-0123456789abcdef0",
        publicSubnetIds: ["subnet-0a", "subnet-0b"],
        privateSubnetIds: ["subnet-1a", "subnet-1b"],
        availabilityZoneCount: 2,
        region: "us-east-1",
        appBundle: BUNDLE,
        ...overrides,
    };
}

function userData(run: Run): string {
    return Buffer.from(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "web-lt").inputs.userData, "base64").toString(
        "utf8",
    );
}

function statements(run: Run): any[] {
    return JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "web-role-policy").inputs.policy).Statement;
}

describe("web tier seams (component under the mocks)", function () {
    const connect = {
        Sid: "ConnectAsAppUser",
        Effect: "Allow" as const,
        Action: "rds-db:connect",
        Resource: "arn:aws:rds-db:us-east-1:123456789012:dbuser:db-ABC/webfleet_app",
    };
    const dbEnv = {
        DB_HOST: "db.cabc.us-east-1.rds.amazonaws.com",
        DB_PORT: "5432",
        DB_NAME: "webfleet",
        DB_USER: "webfleet_app",
        AWS_REGION: "us-east-1",
    };
    let plain: Run;
    let wired: Run;
    let migrationsUrn: string;
    before(async () => {
        plain = await runComponent(() => new WebTier("web", args()));
        wired = await runComponent(() => {
            const migrations = new aws.cloudwatch.LogGroup("migrations-marker", {});
            new WebTier(
                "web",
                args({
                    instancePolicyStatements: [pulumi.output(connect)],
                    appEnvironment: pulumi.output(dbEnv),
                    rolloutDependsOn: [migrations],
                    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555",
                    accessLogsBucket: "webfleet-alb-logs",
                    logGroups: { app: "/webfleet/seams/web/app", system: "/webfleet/seams/web/system" },
                    rolloutAlarm: {
                        name: "seams-alb-5xx",
                        errorRatePercent: 5,
                        actions: ["arn:aws:sns:us-east-1:123456789012:alarms"],
                    },
                }),
            );
        });
        expect(plain.error).to.equal(undefined);
        expect(wired.error).to.equal(undefined);
        migrationsUrn = one(wired, "aws:cloudwatch/logGroup:LogGroup", "migrations-marker").urn;
    });

    it("appends instancePolicyStatements after the tier's own statements", () => {
        expect(statements(plain).map((s) => s.Sid)).to.deep.equal(["ReadAppArtifact", "SessionManager"]);
        expect(statements(wired).map((s) => s.Sid)).to.deep.equal([
            "ReadAppArtifact",
            "SessionManager",
            "DecryptAppArtifact",
            "ConnectAsAppUser",
        ]);
        expect(statements(wired)[3]).to.deep.equal(connect);
    });

    it("writes appEnvironment into the EnvironmentFile and, with DB_HOST, fetches the RDS CA bundle", () => {
        const script = userData(wired);
        for (const [k, v] of Object.entries(dbEnv)) {
            expect(script, k).to.include(`\n${k}="${v}"\n`);
        }
        expect(script).to.include('\nDB_CA_BUNDLE="/etc/webfleet/rds-ca-bundle.pem"\n');
        expect(script).to.include("https://truststore.pki.rds.amazonaws.com/us-east-1/us-east-1-bundle.pem");
        expect(userData(plain)).not.to.include("DB_HOST");
        expect(userData(plain)).not.to.include("truststore");
    });

    it("makes the launch template and the group wait for rolloutDependsOn", () => {
        expect(one(wired, "aws:ec2/launchTemplate:LaunchTemplate", "web-lt").dependencies).to.include(migrationsUrn);
        expect(one(wired, "aws:autoscaling/group:Group", "web-asg").dependencies).to.include(migrationsUrn);
        expect(one(plain, "aws:autoscaling/group:Group", "web-asg").dependencies).not.to.include(migrationsUrn);
    });

    it("encrypts with the KMS key when given, and with SSE-S3 and the default EBS key otherwise", () => {
        const key = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555";
        const sse = (run: Run) =>
            one(
                run,
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "web-artifact-encryption",
            ).inputs.rules;
        expect(sse(wired)).to.deep.equal([
            {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key },
                bucketKeyEnabled: true,
            },
        ]);
        expect(sse(plain)).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        const ebs = (run: Run) =>
            one(run, "aws:ec2/launchTemplate:LaunchTemplate", "web-lt").inputs.blockDeviceMappings[0].ebs;
        expect(ebs(wired).kmsKeyId).to.equal(key);
        expect(ebs(plain).kmsKeyId).to.equal(undefined);
        expect(ebs(plain).encrypted).to.equal("true");
        expect(
            one(plain, "aws:s3/bucketObjectv2:BucketObjectv2", "web-artifact-bundle").inputs.serverSideEncryption,
        ).to.equal("AES256");
    });

    it("opens no SSH path and installs no key pair without a bastion", () => {
        const web = one(plain, "aws:ec2/securityGroup:SecurityGroup", "web-sg").outputs.id;
        const alb = one(plain, "aws:ec2/securityGroup:SecurityGroup", "web-lb-sg").outputs.id;
        const ingress = plain.resources.filter(
            (r) =>
                r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" &&
                r.inputs.securityGroupId === web,
        );
        expect(
            ingress.map((r) => [
                r.inputs.fromPort,
                r.inputs.toPort,
                r.inputs.referencedSecurityGroupId,
                r.inputs.cidrIpv4,
            ]),
        ).to.deep.equal([[8443, 8443, alb, undefined]]);
        expect(one(plain, "aws:ec2/launchTemplate:LaunchTemplate", "web-lt").inputs.keyName).to.equal(undefined);
    });

    it("sends access logs to the given bucket", () => {
        expect(one(wired, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb").inputs.accessLogs).to.deep.equal({
            bucket: "webfleet-alb-logs",
            enabled: true,
            prefix: "alb",
        });
        expect(one(plain, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb").inputs.accessLogs).to.equal(undefined);
    });

    it("ships logs to the given log groups with the CloudWatch agent, and not without them", () => {
        expect(userData(wired)).to.include('"log_group_name": "/webfleet/seams/web/app"');
        expect(userData(wired)).to.include("\nship_logs\n");
        expect(userData(plain)).not.to.include("amazon-cloudwatch-agent");
    });

    it("builds its rollout alarm on the load balancer's 5xx rate, pages with it, and fails an instance refresh on it", () => {
        const alarm = one(wired, "aws:cloudwatch/metricAlarm:MetricAlarm", "web-alb-5xx-rate");
        const lb = one(wired, "aws:lb/loadBalancer:LoadBalancer", "web-lb-alb").outputs.arnSuffix;
        expect(alarm.inputs).to.deep.include({
            name: "seams-alb-5xx",
            threshold: 5,
            metricQueries: errorRateQueries({ arnSuffix: lb }, 5),
            alarmActions: ["arn:aws:sns:us-east-1:123456789012:alarms"],
            okActions: ["arn:aws:sns:us-east-1:123456789012:alarms"],
        });
        const group = one(wired, "aws:autoscaling/group:Group", "web-asg");
        expect(group.inputs.instanceRefresh.preferences.alarmSpecification).to.deep.equal({
            alarms: ["seams-alb-5xx"],
        });
        expect(group.dependencies).to.include(alarm.urn);
        expect(
            one(plain, "aws:autoscaling/group:Group", "web-asg").inputs.instanceRefresh.preferences.alarmSpecification,
        ).to.equal(undefined);
    });

    describe("artifact key", () => {
        it("is the same for two builds of unchanged source and changes with the bundle's bytes", async () => {
            const [a, b] = await Promise.all([buildAppBundle(), buildAppBundle()]);
            expect(artifactKey(a.code)).to.equal(artifactKey(b.code));
            expect(artifactKey(a.code)).to.equal(`app/${a.sha256}.js`);
            const changed = Buffer.concat([a.code, Buffer.from("\n")]);
            expect(artifactKey(changed)).not.to.equal(artifactKey(a.code));
            expect(artifactKey(changed)).to.match(/^app\/[0-9a-f]{64}\.js$/);
        });

        it("refuses a bundle whose declared sha256 is not its own", () => {
            expect(() => artifactContent({ code: BUNDLE.code, sha256: "0".repeat(64) })).to.throw(
                `its sha256 field (${"0".repeat(64)}) is not the hash of its code`,
            );
            expect(() => artifactContent({ code: Buffer.alloc(0) })).to.throw("the bundle is empty");
            expect(() => artifactContent({ code: Buffer.from([0xff, 0xfe]) })).to.throw("not valid UTF-8");
        });

        it("keeps object, key and user data when the bundle is unchanged, and changes all three when it changes", async () => {
            const again = await runComponent(
                () => new WebTier("web", args({ appBundle: Promise.resolve({ code: Buffer.from(BUNDLE.code) }) })),
            );
            const changed = await runComponent(
                () =>
                    new WebTier(
                        "web",
                        args({ appBundle: { code: Buffer.concat([BUNDLE.code as Buffer, Buffer.from("// v2\n")]) } }),
                    ),
            );
            const key = (run: Run) =>
                one(run, "aws:s3/bucketObjectv2:BucketObjectv2", "web-artifact-bundle").inputs.key;
            expect(key(plain)).to.equal(artifactKey(BUNDLE.code));
            expect(key(again)).to.equal(key(plain));
            expect(userData(again)).to.equal(userData(plain));
            expect(key(changed)).not.to.equal(key(plain));
            expect(userData(changed)).to.include(key(changed));
            expect(userData(changed)).not.to.equal(userData(plain));
            // And the instances may read the new key and the old one: a half-applied deploy leaves
            // the group launching from the previous template version, whose user data names it.
            expect(statements(changed)[0].Resource).to.match(/\/app\/\*$/);
            expect(statements(plain)[0].Resource).to.equal(statements(changed)[0].Resource);
        });
    });

    describe("argument checks", () => {
        // A failed run leaves promises that never settle; fresh mocks forget them, so Pulumi's
        // exit-time leak report does not blame whatever runs last.
        after(() => installMocks("webfleet", "seams", { region: "us-east-1" }));

        it("refuses a minimum below the AZ count, naming the key and the fix", async () => {
            const run = await runComponent(
                () => new WebTier("web", args({ minSize: 1, desiredCapacity: 1, availabilityZoneCount: 2 })),
            );
            expect(run.error?.message).to.include(
                "minSize: 1 is below the AZ count (2), so an AZ could be left without a server; set it to 2 or more",
            );
            expect(run.resources.filter((r) => r.custom)).to.deep.equal([]);
        });

        it("refuses CloudFront in front of an ALB with a self-signed certificate", async () => {
            const edge = {
                headerName: "X-Origin-Verify",
                headerValue: "s",
                prefixListId: "pl-1",
                distribute: () => ({ name: "d.cloudfront.net", zoneId: "Z2FDTNDATAQYW2" }),
            };
            const run = await runComponent(() => new WebTier("web", args({ edge })));
            expect(run.error?.message).to.include(
                "cdn.enabled: CloudFront refuses the ALB's self-signed certificate; set web.domain and web.hostedZoneId",
            );
        });

        it("refuses an ALB idle timeout the app's keep-alive would undercut", async () => {
            const run = await runComponent(() => new WebTier("web", args({ idleTimeoutSeconds: 120 })));
            expect(run.error?.message).to.include(
                "web.idleTimeoutSeconds: 120 is not below the app's keep-alive timeout (65 s)",
            );
        });

        it("refuses a plain appEnvironment with a bad key before creating anything", async () => {
            const run = await runComponent(
                () => new WebTier("web", args({ appEnvironment: { DB_PASSWORD: "hunter22" } })),
            );
            expect(run.error?.message).to.include("appEnvironment.DB_PASSWORD: the name says it is a secret");
            expect(run.resources.filter((r) => r.custom)).to.deep.equal([]);
        });

        it("refuses a secret appEnvironment, so nothing secret reaches user data", async () => {
            const run = await runComponent(() => new WebTier("web", args({ appEnvironment: pulumi.secret(dbEnv) })));
            expect(run.error?.message).to.include("appEnvironment is a Pulumi secret");
            expect(run.resources.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")).to.deep.equal([]);
        });

        it("refuses wildcard actions, including appended ones", async () => {
            const run = await runComponent(
                () =>
                    new WebTier(
                        "web",
                        args({
                            instancePolicyStatements: [
                                { Sid: "TooMuch", Effect: "Allow", Action: ["s3:*"], Resource: "*" },
                            ],
                        }),
                    ),
            );
            expect(run.error?.message).to.include(
                "wildcard actions (TooMuch: s3:*) are not allowed on the web servers' role",
            );
            expect(run.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")).to.deep.equal([]);
        });

        it("refuses fewer private subnets than AZs", async () => {
            const run = await runComponent(() => new WebTier("web", args({ privateSubnetIds: ["subnet-1a"] })));
            expect(run.error?.message).to.include(
                "1 private subnet(s) for 2 AZs; the group needs one distinct private subnet per AZ",
            );
        });
    });
});
