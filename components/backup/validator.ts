/**
 * The restore validator's function (app/lambda/validateRestore.ts, bundled by app/lambda/build.ts):
 * in the private subnets with a security group of its own, allowed to describe RDS instances,
 * read exactly the database's master secret, report to AWS Backup and write its own log group.
 * Its 5432 path to the restored instance is the restore-test component's to open.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { FunctionBundle } from "../../app/lambda/build";
import { rdsCaBundleUrl } from "../../app/lambda/constants";
import {
    MANAGE_VPC_NETWORK_INTERFACES,
    Statement,
    policyDocument,
    serviceTrustPolicy,
    writeOwnLogs,
} from "../../lib/iam";
import { secretReadStatements } from "../../lib/kmsPolicy";
import { childName } from "../../lib/naming";
import { roleTags } from "../../lib/tags";
import { MIGRATION_RUNTIME, MIGRATIONS_SG_DELETE_TIMEOUT } from "../migrations";

export interface ValidatorArgs {
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string[]>;
    bundle: FunctionBundle;
    /** The live database's name and master secret: the restored copy has both. */
    databaseName: pulumi.Input<string>;
    masterSecretArn: pulumi.Input<string>;
    /** Encrypts the log group; the master secret is under it too. */
    kmsKeyArn: pulumi.Input<string>;
    logRetentionDays: number;
    /** Only this plan's restore jobs are validated. */
    restoreTestingPlanArn: pulumi.Input<string>;
    /** The group the restored instance is put in; the function connects to nothing outside it. */
    restoreSecurityGroupId: pulumi.Input<string>;
}

export interface Validator {
    fn: aws.lambda.Function;
    securityGroup: aws.ec2.SecurityGroup;
    logGroup: aws.cloudwatch.LogGroup;
}

export function restoreValidator(parent: pulumi.Resource, name: string, args: ValidatorArgs): Validator {
    const securityGroup = new aws.ec2.SecurityGroup(
        childName(name, "sg"),
        {
            vpcId: args.vpcId,
            description:
                "webfleet restore validator: PostgreSQL to restored databases, HTTPS to the AWS APIs and the RDS trust store",
            tags: roleTags("restore-validator", childName(name, "sg")),
        },
        // Lambda releases its network interfaces long after the function is gone (components/migrations.ts).
        { parent, customTimeouts: { delete: MIGRATIONS_SG_DELETE_TIMEOUT } },
    );
    new aws.vpc.SecurityGroupEgressRule(
        childName(name, "https-out"),
        {
            securityGroupId: securityGroup.id,
            description: "HTTPS to RDS, Secrets Manager, AWS Backup and the RDS trust store (through NAT)",
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: "0.0.0.0/0",
        },
        { parent },
    );

    const logGroup = new aws.cloudwatch.LogGroup(
        childName(name, "logs"),
        { retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
        { parent },
    );
    const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const region = aws.getRegionOutput({}, { parent }).region;
    const role = new aws.iam.Role(
        childName(name, "role"),
        {
            assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com", account),
            description:
                "webfleet restore validator: describe restored instances, read the master secret, report results",
        },
        { parent },
    );
    const policy = new aws.iam.RolePolicy(
        childName(name, "role"),
        {
            role: role.id,
            policy: pulumi
                .all([args.masterSecretArn, args.kmsKeyArn, region, account, logGroup.arn])
                .apply(([secretArn, keyArn, r, acct, logArn]) =>
                    policyDocument([
                        writeOwnLogs(logArn),
                        // As the migration function: Lambda manages the function's interfaces.
                        MANAGE_VPC_NETWORK_INTERFACES,
                        // The restored instance's endpoint and security groups: its name is AWS
                        // Backup's to choose, so any instance of this account and region.
                        {
                            Sid: "DescribeRestoredInstances",
                            Effect: "Allow",
                            Action: "rds:DescribeDBInstances",
                            Resource: `arn:aws:rds:${r}:${acct}:db:*`,
                        },
                        // PutRestoreValidationResult names a restore job ID, not a resource ARN.
                        {
                            Sid: "ReportRestoreValidation",
                            Effect: "Allow",
                            Action: "backup:PutRestoreValidationResult",
                            Resource: "*",
                        },
                        ...secretReadStatements(secretArn, keyArn, r),
                    ] satisfies Statement[]),
                ),
        },
        { parent },
    );

    const fn = new aws.lambda.Function(
        childName(name, "fn"),
        {
            description:
                "webfleet restore validator: checks each restore test's database answers and holds the app's schema",
            runtime: MIGRATION_RUNTIME,
            architectures: ["arm64"],
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(args.bundle.code) }),
            role: role.arn,
            memorySize: 256,
            timeout: 120,
            vpcConfig: { subnetIds: args.privateSubnetIds, securityGroupIds: [securityGroup.id] },
            // Nothing secret: the function reads the password from Secrets Manager.
            environment: {
                variables: {
                    RESTORE_TESTING_PLAN_ARN: args.restoreTestingPlanArn,
                    RESTORE_SECURITY_GROUP_ID: args.restoreSecurityGroupId,
                    DB_NAME: args.databaseName,
                    DB_MASTER_SECRET_ARN: args.masterSecretArn,
                    DB_CA_BUNDLE_URL: region.apply(rdsCaBundleUrl),
                },
            },
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            tags: roleTags("restore-validator", childName(name, "fn")),
        },
        // Lambda checks the network-interface permissions when it creates the function.
        { parent, dependsOn: [policy] },
    );
    return { fn, securityGroup, logGroup };
}
