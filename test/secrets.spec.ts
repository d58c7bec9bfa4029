import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import {
    autoScalingServiceLinkedRoleArn,
    keyUseStatement,
    secretReadStatements,
    stackKeyPolicy,
} from "../lib/kmsPolicy";
import { Secrets, aliasNameFor } from "../components/secrets";
import { installMocks } from "../offline/mocks";
import { ProgramRun } from "../offline/program";
import { RecordedResource } from "../offline/types";
import { named, ofType, runStack } from "./support/program";

const KEY = "aws:kms/key:Key";

/** Every principal a policy statement names, flattened ("*" as itself). */
function principals(statement: { Principal?: unknown }): string[] {
    const p = statement.Principal;
    if (p === undefined) {
        return [];
    }
    if (typeof p === "string") {
        return [p];
    }
    return Object.values(p as Record<string, string | string[]>).flatMap((v) => (Array.isArray(v) ? v : [v]));
}

describe("secrets: the stack key (mocked program)", function () {
    let dev: ProgramRun;
    let prod: ProgramRun;
    before(async () => {
        [dev, prod] = [await runStack("dev"), await runStack("prod")];
    });

    it("is one customer-managed symmetric key per stack, rotated yearly, with a 30-day deletion window", () => {
        for (const run of [dev, prod]) {
            // Prod's other key encrypts the backup copies in their region (test/backup.spec.ts).
            const keys = ofType(run, KEY).filter((k) => k.name !== "backup-copy-key");
            expect(keys.map((k) => k.name)).to.deep.equal(["secrets-key"]);
            expect(keys[0].inputs).to.include({
                enableKeyRotation: true,
                rotationPeriodInDays: 365,
                deletionWindowInDays: 30,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
            });
        }
    });

    it("has an alias named after the project and stack", () => {
        for (const [run, stack] of [
            [dev, "dev"],
            [prod, "prod"],
        ] as const) {
            const alias = named(run, "aws:kms/alias:Alias", "secrets-alias");
            expect(alias.inputs).to.deep.equal({
                name: `alias/webfleet-${stack}`,
                targetKeyId: named(run, KEY, "secrets-key").outputs.keyId,
            });
        }
    });

    it("derives an alias KMS accepts from any stack name", () => {
        expect(aliasNameFor("webfleet", "prod")).to.equal("webfleet-prod");
        expect(aliasNameFor("webfleet", "team.eu_1")).to.equal("webfleet-team-eu_1");
    });

    it("has a key policy that delegates to IAM and names no '*' principal", () => {
        const policy = JSON.parse(named(dev, KEY, "secrets-key").inputs.policy);
        expect(policy).to.deep.equal(stackKeyPolicy({ accountId: "123456789012", region: "us-east-1" }));
        const all = policy.Statement.flatMap(principals);
        expect(all).to.have.members([
            "arn:aws:iam::123456789012:root",
            "logs.us-east-1.amazonaws.com",
            "cloudwatch.amazonaws.com",
            "cloudfront.amazonaws.com",
            autoScalingServiceLinkedRoleArn("123456789012"),
            autoScalingServiceLinkedRoleArn("123456789012"),
        ]);
        expect(all.filter((p: string) => p.includes("*"))).to.deep.equal([]);
        expect(policy.Statement.every((s: { Effect: string }) => s.Effect === "Allow")).to.equal(true);
    });

    it("encrypts the stack's log groups, the database and the instances' volumes", () => {
        for (const run of [dev, prod]) {
            const key = named(run, KEY, "secrets-key").outputs.arn;
            const groups = ofType(run, "aws:cloudwatch/logGroup:LogGroup");
            expect(groups.filter((g) => g.inputs.kmsKeyId !== key).map((g) => g.name)).to.deep.equal([]);
            expect(groups.map((g) => g.name)).to.include.members([
                "network-flow-logs",
                "database-log-postgresql",
                "migrations-logs",
            ]);
            for (const lt of ofType(run, "aws:ec2/launchTemplate:LaunchTemplate")) {
                expect(lt.inputs.blockDeviceMappings[0].ebs, lt.name).to.include({ encrypted: "true", kmsKeyId: key });
            }
            expect(ofType(run, "aws:ec2/launchTemplate:LaunchTemplate").map((lt) => lt.name)).to.have.members([
                "bastion-lt",
                "web-lt",
            ]);
        }
    });

    it("exports the key's ARN, not secret", () => {
        expect(dev.outputs.kmsKeyArn).to.deep.equal({
            value: named(dev, KEY, "secrets-key").outputs.arn,
            secret: false,
        });
    });
});

describe("secrets: key policy and grants (pure)", () => {
    const policy = stackKeyPolicy({ accountId: "210987654321", region: "eu-west-1" });

    it("lets the account administer the key and IAM decide the rest", () => {
        expect(policy.Statement[0]).to.deep.equal({
            Sid: "AccountAdministersKeyAndDelegatesToIam",
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::210987654321:root" },
            Action: "kms:*",
            Resource: "*",
        });
    });

    it("lets CloudWatch Logs use the key only for this account's log groups in this region", () => {
        expect(policy.Statement[1]).to.deep.equal({
            Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
            Effect: "Allow",
            Principal: { Service: "logs.eu-west-1.amazonaws.com" },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: {
                ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:210987654321:log-group:*" },
            },
        });
    });

    it("lets CloudWatch alarms publish to this account's encrypted SNS topics in this region, and nothing else", () => {
        expect(policy.Statement[2]).to.deep.equal({
            Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: {
                ArnLike: { "kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:eu-west-1:210987654321:*" },
            },
        });
    });

    it("lets CloudFront decrypt only for this account's distributions (error pages through origin access control)", () => {
        expect(policy.Statement[3]).to.deep.equal({
            Sid: "CloudFrontReadsThisAccountsOrigins",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: { ArnLike: { "aws:SourceArn": "arn:aws:cloudfront::210987654321:distribution/*" } },
        });
    });

    it("lets Auto Scaling launch instances with volumes under the key, and grant only for AWS resources", () => {
        const slr =
            "arn:aws:iam::210987654321:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
        expect(policy.Statement.slice(4)).to.deep.equal([
            {
                Sid: "AutoScalingUsesKeyForEbsVolumes",
                Effect: "Allow",
                Principal: { AWS: slr },
                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                Resource: "*",
            },
            {
                Sid: "AutoScalingAttachesEncryptedVolumes",
                Effect: "Allow",
                Principal: { AWS: slr },
                Action: "kms:CreateGrant",
                Resource: "*",
                Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
            },
        ]);
    });

    it("grants one role one secret, decryptable through Secrets Manager only", () => {
        const key = "arn:aws:kms:eu-west-1:210987654321:key/k";
        expect(
            secretReadStatements("arn:aws:secretsmanager:eu-west-1:210987654321:secret:s-AbCdEf", key, "eu-west-1"),
        ).to.deep.equal([
            {
                Sid: "ReadOneSecret",
                Effect: "Allow",
                Action: "secretsmanager:GetSecretValue",
                Resource: "arn:aws:secretsmanager:eu-west-1:210987654321:secret:s-AbCdEf",
            },
            {
                Sid: "DecryptViasecretsmanager",
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: key,
                Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
            },
        ]);
        expect(keyUseStatement(key)).to.deep.equal({
            Sid: "UseStackKey",
            Effect: "Allow",
            Action: ["kms:Decrypt"],
            Resource: key,
        });
    });
});

describe("secrets: generated secrets (mocked component)", () => {
    let resources: RecordedResource[];
    let value: { value: unknown; secret: boolean };
    let statements: unknown;

    before(async () => {
        const recorder = await installMocks("webfleet", "dev", { region: "us-east-1" });
        const { runInPulumiStack } = require("@pulumi/pulumi/runtime/stack");
        let out: Record<string, pulumi.Output<unknown>> = {};
        await runInPulumiStack(async () => {
            const secrets = new Secrets("secrets", { aliasName: "webfleet-dev" });
            const generated = secrets.createGeneratedSecret("api-token", { description: "token for the example API" });
            out = { value: generated.value, statements: secrets.secretReadStatements(generated.secretArn) };
            return out;
        });
        await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
        resources = recorder.resources;
        const v = out.value as any;
        value = { value: await v.promise(), secret: await v.isSecret };
        statements = await (out.statements as any).promise();
    });

    it("comes from @pulumi/random, is stored under the stack key, and stays a Pulumi secret", () => {
        const password = resources.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
        const secret = resources.find((r) => r.type === "aws:secretsmanager/secret:Secret")!;
        const version = resources.find((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion")!;
        const key = resources.find((r) => r.type === KEY)!;
        expect(password.name).to.equal("secrets-api-token-value");
        expect(password.inputs).to.include({ length: 32, special: true, overrideSpecial: "!#$%&*()-_=+[]{}<>:?" });
        expect(secret.inputs).to.deep.equal({
            description: "token for the example API",
            kmsKeyId: key.outputs.arn,
            recoveryWindowInDays: 30,
        });
        expect(version.inputs).to.deep.equal({ secretId: secret.outputs.id, secretString: password.outputs.result });
        expect(version.secretInputPaths).to.deep.equal(["secretString"]);
        expect(value).to.deep.equal({ value: password.outputs.result, secret: true });
    });

    it("can be read by exactly the role given its statements", () => {
        const secret = resources.find((r) => r.type === "aws:secretsmanager/secret:Secret")!;
        expect((statements as { Resource: string }[]).map((s) => s.Resource)).to.deep.equal([
            secret.outputs.arn,
            resources.find((r) => r.type === KEY)!.outputs.arn,
        ]);
    });

    it("refuses an alias AWS reserves", async () => {
        await installMocks("webfleet", "dev", { region: "us-east-1" });
        expect(() => new Secrets("bad", { aliasName: "aws/rds" })).to.throw(
            'secrets.aliasName: "aws/rds" is not a KMS alias name',
        );
        expect(() => new Secrets("bad2", { aliasName: "webfleet-dev", deletionWindowInDays: 3 })).to.throw(
            "secrets.deletionWindowInDays: 3 is outside 7 to 30",
        );
    });
});
