/**
 * Issue 15, item 3: the database's backups (vault, lock, plan, copy to a second region, selection,
 * roles) and their restore test (plan, selection, the restored instance's network, the validator
 * and the rule that wakes it, the alarm), in both stacks, as the program registers them.
 */
import { expect } from "chai";
import { bundleRestoreValidator } from "../app/lambda/build";
import { VALIDATION_FAILED_MSG } from "../app/lambda/restoreValidation";
import { Backup } from "../components/backup";
import { MIGRATION_RUNTIME } from "../components/migrations";
import {
    BACKUP_SERVICE_ROLE_POLICY,
    RESTORE_SERVICE_ROLE_POLICY,
    restoreJobEventPattern,
    restoreMetadataOverrides,
    restoreTestingNameFor,
    vaultNameFor,
} from "../lib/backup";
import { backupKeyStatements, delegatingKeyPolicy } from "../lib/kmsPolicy";
import { estimateMonthlyCost } from "../offline/cost";
import { ProgramRun } from "../offline/program";
import { RecordedResource } from "../offline/types";
import { runComponent } from "./support/component";
import { named, ofType, parentOf, runStack, sharedRun } from "./support/program";

const VAULT = "aws:backup/vault:Vault";
const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
const RULE_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const RULE_OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

const policyOf = (r: RecordedResource) => JSON.parse(r.inputs.policy ?? r.inputs.assumeRolePolicy);
const rulesOf = (run: ProgramRun, type: string, sgId: string) =>
    ofType(run, type)
        .filter((r) => r.inputs.securityGroupId === sgId)
        .map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId]);

describe("backups (mocked program)", function () {
    let dev: ProgramRun;
    let prod: ProgramRun;
    before(async () => {
        dev = await sharedRun("dev");
        prod = await sharedRun("prod");
    });

    it("keeps the snapshots in a vault under the stack key: dev's deletable, prod's locked and protected", () => {
        const devVault = named(dev, VAULT, "backup-vault");
        expect(devVault.inputs).to.deep.equal({
            name: "webfleet-dev-backups",
            kmsKeyArn: dev.outputs.kmsKeyArn.value,
            forceDestroy: true,
        });
        expect(devVault.options).to.include({ protect: false, retainOnDelete: false });
        expect(ofType(dev, LOCK)).to.deep.equal([]);

        const prodVault = named(prod, VAULT, "backup-vault");
        expect(prodVault.inputs).to.include({ name: "webfleet-prod-backups", forceDestroy: false });
        expect(prodVault.options).to.include({ protect: true, retainOnDelete: true });
        // Governance mode: a changeableForDays would make the lock compliance mode, for good.
        expect(named(prod, LOCK, "backup-vault-lock").inputs).to.deep.equal({
            backupVaultName: "webfleet-prod-backups",
            minRetentionDays: 35,
        });
    });

    it("snapshots the database daily after RDS's own windows, keeping it 7 days in dev and 35 in prod", () => {
        for (const [run, days] of [
            [dev, 7],
            [prod, 35],
        ] as const) {
            const rule = named(run, "aws:backup/plan:Plan", "backup-plan").inputs.rules[0];
            expect(rule).to.deep.include({
                ruleName: "daily",
                schedule: "cron(0 6 * * ? *)",
                startWindow: 60,
                completionWindow: 240,
                enableContinuousBackup: false,
                lifecycle: { deleteAfter: days },
            });
            const selection = named(run, "aws:backup/selection:Selection", "backup-database");
            expect(selection.inputs).to.deep.include({
                resources: [named(run, "aws:rds/instance:Instance", "database-db").outputs.arn],
                iamRoleArn: named(run, "aws:iam/role:Role", "backup-role").outputs.arn,
                planId: named(run, "aws:backup/plan:Plan", "backup-plan").outputs.id,
            });
            expect(selection.dependencies).to.include.members([
                named(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "backup-role").urn,
                named(run, "aws:iam/rolePolicy:RolePolicy", "backup-role-keys").urn,
            ]);
        }
        expect(named(dev, "aws:backup/plan:Plan", "backup-plan").inputs.rules[0].copyActions).to.equal(undefined);
    });

    it("copies prod's snapshots to a locked vault in us-west-2, under a key of that region, through its own provider", () => {
        const provider = named(prod, "pulumi:providers:aws", "aws-backup-copy");
        expect(provider.inputs.region).to.equal("us-west-2");
        // The same default tags as the stack's own provider.
        expect(provider.inputs.defaultTags).to.equal(named(prod, "pulumi:providers:aws", "aws").inputs.defaultTags);
        const key = named(prod, "aws:kms/key:Key", "backup-copy-key");
        const vault = named(prod, VAULT, "backup-copy-vault");
        for (const r of [key, vault]) {
            expect(r.options).to.include({ protect: true, retainOnDelete: true });
        }
        expect(key.outputs.arn).to.match(/^arn:aws:kms:us-west-2:123456789012:key\//);
        expect(key.inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
        expect(policyOf(key)).to.deep.equal(delegatingKeyPolicy("123456789012"));
        expect(vault.inputs).to.deep.equal({
            name: "webfleet-prod-backup-copies",
            kmsKeyArn: key.outputs.arn,
            forceDestroy: false,
        });
        expect(vault.outputs.arn).to.equal(
            "arn:aws:backup:us-west-2:123456789012:backup-vault:webfleet-prod-backup-copies",
        );
        expect(named(prod, LOCK, "backup-copy-vault-lock").inputs.minRetentionDays).to.equal(35);
        expect(named(prod, "aws:backup/plan:Plan", "backup-plan").inputs.rules[0].copyActions).to.deep.equal([
            { destinationVaultArn: vault.outputs.arn, lifecycle: { deleteAfter: 35 } },
        ]);
        for (const r of [key, vault, named(prod, "aws:kms/alias:Alias", "backup-copy-alias")]) {
            expect(parentOf(prod, r)?.type).to.equal("webfleet:backup:BackupCopyVault");
        }
    });

    it("backs up with a role AWS Backup alone assumes, with AWS's backup policy and the keys it needs", () => {
        for (const run of [dev, prod]) {
            const role = named(run, "aws:iam/role:Role", "backup-role");
            expect(policyOf(role).Statement).to.deep.equal([
                {
                    Effect: "Allow",
                    Principal: { Service: "backup.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
                },
            ]);
            expect(
                named(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "backup-role").inputs.policyArn,
            ).to.equal(BACKUP_SERVICE_ROLE_POLICY);
        }
        const keys = (run: ProgramRun) =>
            policyOf(named(run, "aws:iam/rolePolicy:RolePolicy", "backup-role-keys")).Statement;
        expect(keys(dev)).to.deep.equal(backupKeyStatements([dev.outputs.kmsKeyArn.value as string]));
        expect(keys(prod)).to.deep.equal(
            backupKeyStatements([
                prod.outputs.kmsKeyArn.value as string,
                named(prod, "aws:kms/key:Key", "backup-copy-key").outputs.arn,
            ]),
        );
    });

    it("restores the latest snapshot weekly to the smallest class, in the isolated subnets, in a group of its own", () => {
        for (const [run, stack] of [
            [dev, "dev"],
            [prod, "prod"],
        ] as const) {
            const plan = named(run, "aws:backup/restoreTestingPlan:RestoreTestingPlan", "restore-test-plan");
            expect(plan.inputs).to.deep.equal({
                name: `webfleet_${stack}_restore_test`,
                scheduleExpression: "cron(0 9 ? * SAT *)",
                startWindowHours: 2,
                recoveryPointSelection: {
                    algorithm: "LATEST_WITHIN_WINDOW",
                    includeVaults: [named(run, VAULT, "backup-vault").outputs.arn],
                    recoveryPointTypes: ["SNAPSHOT"],
                    selectionWindowDays: 2,
                },
            });
            const restoreSg = named(run, "aws:ec2/securityGroup:SecurityGroup", "restore-test-db-sg");
            const selection = named(
                run,
                "aws:backup/restoreTestingSelection:RestoreTestingSelection",
                "restore-test-database",
            );
            expect(selection.inputs).to.deep.equal({
                name: `webfleet_${stack}_database`,
                restoreTestingPlanName: plan.outputs.name,
                protectedResourceType: "RDS",
                protectedResourceArns: [named(run, "aws:rds/instance:Instance", "database-db").outputs.arn],
                iamRoleArn: named(run, "aws:iam/role:Role", "restore-test-role").outputs.arn,
                validationWindowHours: 2,
                restoreMetadataOverrides: {
                    dbInstanceClass: "db.t4g.micro",
                    dbSubnetGroupName: named(run, "aws:rds/subnetGroup:SubnetGroup", "database-subnets").outputs.name,
                    vpcSecurityGroupIds: JSON.stringify([restoreSg.outputs.id]),
                    publiclyAccessible: "false",
                    multiAz: "false",
                },
            });
            expect(
                named(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "restore-test-role").inputs.policyArn,
            ).to.equal(RESTORE_SERVICE_ROLE_POLICY);
            expect(
                policyOf(named(run, "aws:iam/rolePolicy:RolePolicy", "restore-test-role-keys")).Statement,
            ).to.deep.equal(backupKeyStatements([run.outputs.kmsKeyArn.value as string]));
            // AWS Backup checks the role's permissions when the selection is created.
            expect(selection.dependencies).to.include.members([
                named(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "restore-test-role").urn,
                named(run, "aws:iam/rolePolicy:RolePolicy", "restore-test-role-keys").urn,
            ]);
        }
    });

    it("lets only the validator reach the restored instance, and the validator only it and HTTPS", () => {
        for (const run of [dev, prod]) {
            const restoreSg = named(run, "aws:ec2/securityGroup:SecurityGroup", "restore-test-db-sg");
            const validatorSg = named(run, "aws:ec2/securityGroup:SecurityGroup", "restore-test-validator-sg");
            expect(restoreSg.inputs.tags).to.deep.equal({
                Name: "restore-test-db-sg",
                "webfleet:role": "restore-test",
            });
            expect(rulesOf(run, RULE_IN, restoreSg.outputs.id)).to.deep.equal([[5432, 5432, validatorSg.outputs.id]]);
            expect(rulesOf(run, RULE_OUT, restoreSg.outputs.id)).to.deep.equal([]);
            expect(rulesOf(run, RULE_IN, validatorSg.outputs.id)).to.deep.equal([]);
            expect(rulesOf(run, RULE_OUT, validatorSg.outputs.id)).to.have.deep.members([
                [443, 443, "0.0.0.0/0"],
                [5432, 5432, restoreSg.outputs.id],
            ]);
            // And nothing reaches the restored copy from the live side, nor the live database from the validator.
            const liveDbSg = named(run, "aws:ec2/securityGroup:SecurityGroup", "database-sg").outputs.id;
            expect(rulesOf(run, RULE_IN, liveDbSg).map((r) => r[2])).to.not.include(validatorSg.outputs.id);
        }
    });

    it("runs the bundled validator in the private subnets with only non-secret settings", () => {
        const bundle = bundleRestoreValidator();
        for (const run of [dev, prod]) {
            const fn = named(run, "aws:lambda/function:Function", "restore-test-validator-fn");
            expect(fn.inputs).to.include({ runtime: MIGRATION_RUNTIME, handler: "index.handler", timeout: 120 });
            expect(fn.inputs.code).to.deep.equal({
                archive: { "index.js": { asset: { sha256: bundle.sha256, bytes: Buffer.byteLength(bundle.code) } } },
            });
            expect(fn.inputs.vpcConfig).to.deep.equal({
                subnetIds: run.outputs.privateSubnetIds.value,
                securityGroupIds: [
                    named(run, "aws:ec2/securityGroup:SecurityGroup", "restore-test-validator-sg").outputs.id,
                ],
            });
            expect(fn.inputs.environment.variables).to.deep.equal({
                RESTORE_TESTING_PLAN_ARN: named(
                    run,
                    "aws:backup/restoreTestingPlan:RestoreTestingPlan",
                    "restore-test-plan",
                ).outputs.arn,
                RESTORE_SECURITY_GROUP_ID: named(run, "aws:ec2/securityGroup:SecurityGroup", "restore-test-db-sg")
                    .outputs.id,
                DB_NAME: "webfleet",
                DB_MASTER_SECRET_ARN: run.outputs.dbMasterSecretArn.value,
                DB_CA_BUNDLE_URL: "https://truststore.pki.rds.amazonaws.com/us-east-1/us-east-1-bundle.pem",
            });
            expect(fn.secretInputPaths).to.deep.equal([]);
            const logs = named(run, "aws:cloudwatch/logGroup:LogGroup", "restore-test-validator-logs");
            expect(fn.inputs.loggingConfig).to.deep.equal({ logFormat: "JSON", logGroup: logs.outputs.name });
            expect(logs.inputs.kmsKeyId).to.equal(run.outputs.kmsKeyArn.value);
        }
    });

    it("gives the validator exactly: its logs, its interfaces, describing instances, reporting, the master secret", () => {
        const policy = policyOf(named(prod, "aws:iam/rolePolicy:RolePolicy", "restore-test-validator-role"));
        expect(
            policy.Statement.map((s: { Sid: string; Action: unknown; Resource: unknown }) => [
                s.Sid,
                s.Action,
                s.Resource,
            ]),
        ).to.deep.equal([
            [
                "WriteOwnLogs",
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                `${named(prod, "aws:cloudwatch/logGroup:LogGroup", "restore-test-validator-logs").outputs.arn}:*`,
            ],
            [
                "ManageVpcNetworkInterfaces",
                [
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:UnassignPrivateIpAddresses",
                ],
                "*",
            ],
            ["DescribeRestoredInstances", "rds:DescribeDBInstances", "arn:aws:rds:us-east-1:123456789012:db:*"],
            ["ReportRestoreValidation", "backup:PutRestoreValidationResult", "*"],
            ["ReadOneSecret", "secretsmanager:GetSecretValue", prod.outputs.dbMasterSecretArn.value],
            ["DecryptViasecretsmanager", ["kms:Decrypt"], prod.outputs.kmsKeyArn.value],
        ]);
    });

    it("wakes the validator when one of this plan's restore jobs ends, and pages when a test fails", () => {
        for (const [run, stack] of [
            [dev, "dev"],
            [prod, "prod"],
        ] as const) {
            const plan = named(run, "aws:backup/restoreTestingPlan:RestoreTestingPlan", "restore-test-plan");
            const rule = named(run, "aws:cloudwatch/eventRule:EventRule", "restore-test-ended");
            const fn = named(run, "aws:lambda/function:Function", "restore-test-validator-fn");
            expect(JSON.parse(rule.inputs.eventPattern)).to.deep.equal(restoreJobEventPattern(plan.outputs.arn));
            const permission = named(run, "aws:lambda/permission:Permission", "restore-test-invoke");
            expect(permission.inputs).to.deep.equal({
                action: "lambda:InvokeFunction",
                function: fn.outputs.name,
                principal: "events.amazonaws.com",
                sourceArn: rule.outputs.arn,
            });
            const target = named(run, "aws:cloudwatch/eventTarget:EventTarget", "restore-test-validate");
            expect(target.inputs).to.include({ rule: rule.outputs.name, arn: fn.outputs.arn });
            expect(target.dependencies).to.include.members([
                permission.urn,
                named(run, RULE_IN, "restore-test-db-from-validator").urn,
                named(run, RULE_OUT, "restore-test-validator-to-db").urn,
            ]);

            const filter = named(run, "aws:cloudwatch/logMetricFilter:LogMetricFilter", "restore-test-failures");
            expect(filter.inputs).to.deep.equal({
                name: `webfleet-${stack}-restore-test-failures`,
                logGroupName: named(run, "aws:cloudwatch/logGroup:LogGroup", "restore-test-validator-logs").outputs
                    .name,
                pattern: `{ $.msg = "${VALIDATION_FAILED_MSG}" }`,
                metricTransformation: {
                    namespace: `webfleet-${stack}`,
                    name: "RestoreTestFailures",
                    value: "1",
                    unit: "Count",
                },
            });
            const alarm = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "restore-test-failed");
            expect(alarm.inputs).to.deep.include({
                name: `webfleet-${stack}-restore-test-failed`,
                namespace: `webfleet-${stack}`,
                metricName: "RestoreTestFailures",
                threshold: 1,
                treatMissingData: "notBreaching",
                alarmActions: [run.outputs.alarmTopicArn.value],
            });
        }
    });

    it("costs the copy key and the alarm; snapshot storage and restore tests are listed as usage", () => {
        const estimate = estimateMonthlyCost(prod.resources, { region: prod.region });
        const line = (resource: string) => estimate.lines.find((l) => l.resource === resource);
        expect(line("backup-copy-key")).to.deep.include({ item: "KMS customer-managed key", monthly: 1 });
        expect(line("restore-test-failed")).to.deep.include({ item: "CloudWatch alarm", monthly: 0.1 });
        expect(estimate.excluded.join("; ")).to.match(/AWS Backup snapshot storage .*restore tests/);
        expect(estimate.unpriced).to.deep.equal([]);
    });

    it("copies dev's snapshots too when asked, unlocked and deletable; with backups off, none of it exists", async () => {
        const copied = await runStack("dev", { "webfleet:backup": { copyRegion: "eu-central-1" } });
        const vault = named(copied, VAULT, "backup-copy-vault");
        expect(vault.outputs.arn).to.equal(
            "arn:aws:backup:eu-central-1:123456789012:backup-vault:webfleet-dev-backup-copies",
        );
        expect(vault.inputs.forceDestroy).to.equal(true);
        expect(ofType(copied, LOCK)).to.deep.equal([]);

        const off = await runStack("dev", { "webfleet:backup": { enabled: false } });
        expect(off.resources.filter((r) => /^(aws:backup|webfleet:backup)/.test(r.type))).to.deep.equal([]);
        expect(
            off.resources.filter((r) => r.name.startsWith("restore-test") || r.name.startsWith("backup")),
        ).to.deep.equal([]);
    });

    it("refuses a retention of no days and names it", async () => {
        const { error } = await runComponent(() => {
            new Backup("backup", {
                prefix: "webfleet-seams",
                kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
                databaseArn: "arn:aws:rds:us-east-1:123456789012:db:d",
                retentionDays: 0,
                lock: false,
                forceDestroy: true,
            });
        });
        expect(error?.message).to.include("backup.retentionDays: 0 is not a whole number of days of at least 1");
    });
});

describe("backup names and metadata (pure)", () => {
    it("names vaults and restore testing resources as AWS Backup accepts, or says to shorten the names", () => {
        expect(vaultNameFor("webfleet-prod")).to.equal("webfleet-prod-backups");
        expect(vaultNameFor("web.fleet-prod", "backup-copies")).to.equal("web-fleet-prod-backup-copies");
        expect(() => vaultNameFor("x".repeat(45))).to.throw(
            /must be 2 to 50 characters; use a shorter project or stack name/,
        );
        expect(restoreTestingNameFor("webfleet-prod", "restore_test")).to.equal("webfleet_prod_restore_test");
        expect(() => restoreTestingNameFor("x".repeat(45), "database")).to.throw(/longer than 50 characters/);
    });

    it("overrides what would put a restored copy anywhere but the restore test's own group", () => {
        expect(restoreMetadataOverrides({ subnetGroupName: "db-subnets", securityGroupId: "sg-1" })).to.deep.equal({
            dbInstanceClass: "db.t4g.micro",
            dbSubnetGroupName: "db-subnets",
            vpcSecurityGroupIds: '["sg-1"]',
            publiclyAccessible: "false",
            multiAz: "false",
        });
    });
});
