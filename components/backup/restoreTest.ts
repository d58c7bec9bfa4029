/**
 * A tested recovery: every week AWS Backup restores the latest snapshot of the database from the
 * vault to a throwaway instance (the smallest class, one AZ, the database's isolated subnets, no
 * public address, a security group only the validator reaches), an EventBridge rule invokes the
 * validator when the restore job ends (components/backup/validator.ts), the validator reports to
 * AWS Backup, and AWS Backup deletes the instance. A failed restore or validation is logged as
 * such and raises an alarm on the stack's topic.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { FunctionBundle } from "../../app/lambda/build";
import { VALIDATION_FAILED_MSG } from "../../app/lambda/restoreValidation";
import {
    RESTORE_SELECTION_WINDOW_DAYS,
    RESTORE_SERVICE_ROLE_POLICY,
    RESTORE_TEST_SCHEDULE,
    RESTORE_TEST_START_WINDOW_HOURS,
    RESTORE_VALIDATION_WINDOW_HOURS,
    failureFilterPattern,
    restoreJobEventPattern,
    restoreMetadataOverrides,
    restoreTestingNameFor,
} from "../../lib/backup";
import { policyDocument, serviceTrustPolicy } from "../../lib/iam";
import { backupKeyStatements } from "../../lib/kmsPolicy";
import { childName } from "../../lib/naming";
import { roleTags } from "../../lib/tags";
import { openPostgres } from "../postgresAccess";
import { restoreValidator } from "./validator";

export interface RestoreTestArgs {
    /** Start of the names (e.g. "webfleet-prod"); restore testing names use it with underscores. */
    prefix: string;
    /** The vault whose latest snapshot is restored (components/backup's `vaultArn`). */
    vaultArn: pulumi.Input<string>;
    /** The backed-up RDS instance. */
    databaseArn: pulumi.Input<string>;
    database: {
        /** The DB subnet group of the isolated subnets: the restored instance goes there too. */
        subnetGroupName: pulumi.Input<string>;
        name: pulumi.Input<string>;
        /** The RDS-managed master secret; the restored copy holds its password. */
        masterSecretArn: pulumi.Input<string>;
    };
    vpcId: pulumi.Input<string>;
    /** Where the validator runs (it needs NAT for the AWS APIs). */
    privateSubnetIds: pulumi.Input<string[]>;
    /** The stack key: the snapshots, the master secret and the validator's logs are under it. */
    kmsKeyArn: pulumi.Input<string>;
    /** The validator's code: app/lambda/build.ts's `bundleRestoreValidator()`. */
    bundle: FunctionBundle;
    logRetentionDays: number;
    /** Notified when a restore test fails (components/alarmTopic.ts's `actions`). */
    alarmActions: pulumi.Input<string>[];
}

export class RestoreTest extends pulumi.ComponentResource {
    public readonly planArn: pulumi.Output<string>;
    public readonly planName: pulumi.Output<string>;
    public readonly validatorFunctionName: pulumi.Output<string>;
    public readonly restoreSecurityGroupId: pulumi.Output<string>;
    /** The restore-test-failed alarm, with its title, for the stack's dashboard. */
    public readonly alarms: { arn: pulumi.Output<string>; title: string }[];

    constructor(name: string, args: RestoreTestArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:backup:RestoreTest", name, {}, opts);
        let planName: string;
        let selectionName: string;
        try {
            planName = restoreTestingNameFor(args.prefix, "restore_test");
            selectionName = restoreTestingNameFor(args.prefix, "database");
        } catch (e) {
            throw new pulumi.ResourceError((e as Error).message, this);
        }

        // The restored instance's group: PostgreSQL from the validator, nothing else, no egress.
        const restoreSg = new aws.ec2.SecurityGroup(
            childName(name, "db-sg"),
            {
                vpcId: args.vpcId,
                description: "webfleet restore test: the restored database, PostgreSQL from the validator only",
                // Its own role, not "database": it guards a throwaway copy that only the validator
                // reaches, and the pack's database rules (web and migrations only) judge the live one.
                tags: roleTags("restore-test", childName(name, "db-sg")),
            },
            { parent: this },
        );
        const plan = new aws.backup.RestoreTestingPlan(
            childName(name, "plan"),
            {
                name: planName,
                scheduleExpression: RESTORE_TEST_SCHEDULE,
                startWindowHours: RESTORE_TEST_START_WINDOW_HOURS,
                recoveryPointSelection: {
                    algorithm: "LATEST_WITHIN_WINDOW",
                    includeVaults: [args.vaultArn],
                    recoveryPointTypes: ["SNAPSHOT"],
                    selectionWindowDays: RESTORE_SELECTION_WINDOW_DAYS,
                },
            },
            { parent: this },
        );

        const validator = restoreValidator(this, childName(name, "validator"), {
            vpcId: args.vpcId,
            privateSubnetIds: args.privateSubnetIds,
            bundle: args.bundle,
            databaseName: args.database.name,
            masterSecretArn: args.database.masterSecretArn,
            kmsKeyArn: args.kmsKeyArn,
            logRetentionDays: args.logRetentionDays,
            restoreTestingPlanArn: plan.arn,
            restoreSecurityGroupId: restoreSg.id,
        });
        const path = openPostgres(this, {
            client: "restore validator",
            ingressName: childName(name, "db-from-validator"),
            egressName: childName(name, "validator-to-db"),
            databaseSecurityGroupId: restoreSg.id,
            clientSecurityGroupId: validator.securityGroup.id,
        });

        const restore = this.restoreRole(name, args);
        new aws.backup.RestoreTestingSelection(
            childName(name, "database"),
            {
                name: selectionName,
                restoreTestingPlanName: plan.name,
                protectedResourceType: "RDS",
                protectedResourceArns: [args.databaseArn],
                iamRoleArn: restore.role.arn,
                validationWindowHours: RESTORE_VALIDATION_WINDOW_HOURS,
                restoreMetadataOverrides: pulumi
                    .all([args.database.subnetGroupName, restoreSg.id])
                    .apply(([subnetGroupName, securityGroupId]) =>
                        restoreMetadataOverrides({ subnetGroupName, securityGroupId }),
                    ),
            },
            // AWS Backup checks the role when the selection is created.
            { parent: this, dependsOn: restore.policies },
        );

        // The validator must be listening (and able to reach the instance) before the first restore.
        const rule = new aws.cloudwatch.EventRule(
            childName(name, "ended"),
            {
                description: `webfleet ${args.prefix}: a restore test's restore job ended; validate it`,
                eventPattern: plan.arn.apply((arn) => JSON.stringify(restoreJobEventPattern(arn))),
            },
            { parent: this },
        );
        const permission = new aws.lambda.Permission(
            childName(name, "invoke"),
            {
                action: "lambda:InvokeFunction",
                function: validator.fn.name,
                principal: "events.amazonaws.com",
                sourceArn: rule.arn,
            },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(
            childName(name, "validate"),
            { rule: rule.name, arn: validator.fn.arn },
            { parent: this, dependsOn: [permission, path.ingress, path.egress] },
        );
        this.alarms = [
            { arn: this.failureAlarm(name, args, validator.logGroup.name).arn, title: "Restore test failed" },
        ];

        this.planArn = plan.arn;
        this.planName = plan.name;
        this.validatorFunctionName = validator.fn.name;
        this.restoreSecurityGroupId = restoreSg.id;
        this.registerOutputs({
            planArn: this.planArn,
            planName: this.planName,
            validatorFunctionName: this.validatorFunctionName,
            restoreSecurityGroupId: this.restoreSecurityGroupId,
        });
    }

    /** The role AWS Backup restores with (and deletes the restored instance with): restores only. */
    private restoreRole(name: string, args: RestoreTestArgs): { role: aws.iam.Role; policies: pulumi.Resource[] } {
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const role = new aws.iam.Role(
            childName(name, "role"),
            {
                assumeRolePolicy: serviceTrustPolicy("backup.amazonaws.com", account),
                description: `webfleet ${args.prefix}: AWS Backup restores the database for restore tests`,
            },
            { parent: this },
        );
        const managed = new aws.iam.RolePolicyAttachment(
            childName(name, "role"),
            { role: role.name, policyArn: RESTORE_SERVICE_ROLE_POLICY },
            { parent: this },
        );
        const keys = new aws.iam.RolePolicy(
            childName(name, "role-keys"),
            {
                role: role.id,
                policy: pulumi.output(args.kmsKeyArn).apply((key) => policyDocument(backupKeyStatements([key]))),
            },
            { parent: this },
        );
        return { role, policies: [managed, keys] };
    }

    /** Counts the validator's failure lines (failed restores included) and pages on any. */
    private failureAlarm(
        name: string,
        args: RestoreTestArgs,
        logGroupName: pulumi.Output<string>,
    ): aws.cloudwatch.MetricAlarm {
        const metric = { namespace: args.prefix, name: "RestoreTestFailures" };
        new aws.cloudwatch.LogMetricFilter(
            childName(name, "failures"),
            {
                name: `${args.prefix}-restore-test-failures`,
                logGroupName,
                pattern: failureFilterPattern(VALIDATION_FAILED_MSG),
                metricTransformation: { namespace: metric.namespace, name: metric.name, value: "1", unit: "Count" },
            },
            { parent: this },
        );
        return new aws.cloudwatch.MetricAlarm(
            childName(name, "failed"),
            {
                name: `${args.prefix}-restore-test-failed`,
                alarmDescription:
                    "A restore test of the database failed: the restore itself, or its validation (docs/operations.md, restore runbook)",
                namespace: metric.namespace,
                metricName: metric.name,
                statistic: "Sum",
                period: 3600,
                evaluationPeriods: 1,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                // No line, no failure: the metric exists only when something failed.
                treatMissingData: "notBreaching",
                alarmActions: args.alarmActions,
                okActions: args.alarmActions,
                actionsEnabled: true,
            },
            { parent: this },
        );
    }
}
