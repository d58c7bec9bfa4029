/**
 * Migrations on deploy: a small Lambda function in the private subnets (app/lambda/migrate.ts,
 * bundled by app/lambda/build.ts when the program runs) that applies the versioned migrations and the
 * app's role, invoked by `aws.lambda.Invocation` whenever the migrations, the function's code
 * or the database instance change. The web tier's rollout depends on the invocation, so new
 * servers only start once the schema they expect is there; a failed migration fails the
 * deploy before any server is replaced.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { migrationsSha256 } from "../app/db/migrations";
import { MigrationResult, rdsCaBundleUrl } from "../app/lambda/constants";
import type { MigrationBundle } from "../app/lambda/build";
import { openPostgres } from "./postgresAccess";
import { MANAGE_VPC_NETWORK_INTERFACES, policyDocument, serviceTrustPolicy, writeOwnLogs } from "../lib/iam";
import { secretReadStatements } from "../lib/kmsPolicy";
import { childName } from "../lib/naming";
import { roleTags } from "../lib/tags";

export const MIGRATION_RUNTIME = "nodejs22.x";

/** How long deleting the function's security group may wait for Lambda's network interfaces. */
export const MIGRATIONS_SG_DELETE_TIMEOUT = "45m";

export interface MigrationsArgs {
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string[]>;
    /** The function's code: app/lambda/build.ts's `bundleMigrationFunction()` (injectable for tests). */
    bundle: MigrationBundle;
    /** The database to migrate (components/database.ts's outputs). */
    database: MigrationTarget;
    /** The key the master secret is encrypted with; also encrypts the function's log group. */
    kmsKeyArn: pulumi.Input<string>;
    /** Retention of the function's log group. */
    logRetentionDays: number;
}

export interface MigrationTarget {
    /** The database's security group: the function gets a 5432 pair with it. */
    securityGroupId: pulumi.Input<string>;
    address: pulumi.Input<string>;
    port: pulumi.Input<number>;
    name: pulumi.Input<string>;
    /** A new instance (a new resource ID) runs the migrations again. */
    resourceId: pulumi.Input<string>;
    /** The RDS-managed master secret in Secrets Manager, which the function alone may read. */
    masterSecretArn: pulumi.Input<string>;
    /** The app's login role the migrations create and grant. */
    appUser: string;
}

export class Migrations extends pulumi.ComponentResource {
    public readonly functionName: pulumi.Output<string>;
    public readonly functionArn: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    /** Depend on this to run after the migrations (the web tier's rollout does). */
    public readonly invocation: aws.lambda.Invocation;
    /** What the deploy's invocation applied. */
    public readonly result: pulumi.Output<MigrationResult>;
    public readonly migrationsHash: string;

    constructor(name: string, args: MigrationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:database:Migrations", name, {}, opts);
        const { database, bundle } = args;
        this.migrationsHash = migrationsSha256;

        const sg = new aws.ec2.SecurityGroup(
            childName(name, "sg"),
            {
                vpcId: args.vpcId,
                description:
                    "webfleet migration function: PostgreSQL to the database, HTTPS to Secrets Manager and the RDS trust store",
                tags: roleTags("migrations", childName(name, "sg")),
            },
            // Lambda releases the function's network interfaces in this group only some time after
            // the function is deleted (often 20 minutes or more); the provider waits for them and
            // deletes what lingers, so `pulumi destroy` gets through in one run if it waits long
            // enough (docs/operations.md, "Tearing a stack down").
            { parent: this, customTimeouts: { delete: MIGRATIONS_SG_DELETE_TIMEOUT } },
        );
        // Secrets Manager and the RDS trust store, through the private subnets' NAT gateways,
        // which every stack has (the config requires them). An interface endpoint would keep the
        // secret's traffic inside the VPC, but it costs per AZ-hour and changes DNS for the whole
        // VPC, so it belongs to the network; the trust store is public and needs NAT anyway.
        new aws.vpc.SecurityGroupEgressRule(
            childName(name, "https-out"),
            {
                securityGroupId: sg.id,
                description: "HTTPS to Secrets Manager and the RDS trust store (through NAT)",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: "0.0.0.0/0",
            },
            { parent: this },
        );
        const dbRules = openPostgres(this, {
            client: "migrations",
            ingressName: childName(name, "db-in"),
            egressName: childName(name, "db-out"),
            databaseSecurityGroupId: database.securityGroupId,
            clientSecurityGroupId: sg.id,
        });
        this.securityGroupId = sg.id;

        const logGroup = new aws.cloudwatch.LogGroup(
            childName(name, "logs"),
            { retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
            { parent: this },
        );
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const role = new aws.iam.Role(
            childName(name, "role"),
            {
                assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com", account),
                description: "webfleet migration function: read the database master secret, nothing else",
            },
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            childName(name, "role"),
            {
                role: role.id,
                policy: pulumi
                    .all([database.masterSecretArn, args.kmsKeyArn, region])
                    .apply(([secretArn, keyArn, r]) => secretReadStatements(secretArn, keyArn, r))
                    .apply((readSecret) =>
                        policyDocument([
                            logGroup.arn.apply(writeOwnLogs),
                            MANAGE_VPC_NETWORK_INTERFACES,
                            // The master secret, and the key only as Secrets Manager uses it for that.
                            ...readSecret,
                        ]),
                    ),
            },
            { parent: this },
        );

        const fn = new aws.lambda.Function(
            childName(name, "fn"),
            {
                description: `webfleet migrations (${migrationsSha256.slice(0, 12)}): schema and app role for ${database.appUser}`,
                runtime: MIGRATION_RUNTIME,
                architectures: ["arm64"],
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
                role: role.arn,
                memorySize: 256,
                timeout: 300,
                vpcConfig: { subnetIds: args.privateSubnetIds, securityGroupIds: [sg.id] },
                // Nothing secret here: the function reads the password from Secrets Manager.
                environment: {
                    variables: {
                        DB_HOST: database.address,
                        DB_PORT: pulumi.output(database.port).apply(String),
                        DB_NAME: database.name,
                        DB_APP_USER: database.appUser,
                        DB_MASTER_SECRET_ARN: database.masterSecretArn,
                        DB_CA_BUNDLE_URL: region.apply(rdsCaBundleUrl),
                    },
                },
                loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
                tags: roleTags("migrations", childName(name, "fn")),
            },
            // Lambda checks the network-interface permissions when it creates the function.
            { parent: this, dependsOn: [rolePolicy] },
        );
        this.functionName = fn.name;
        this.functionArn = fn.arn;

        this.invocation = new aws.lambda.Invocation(
            childName(name, "run"),
            {
                functionName: fn.name,
                input: JSON.stringify({ migrationsHash: migrationsSha256, appUser: database.appUser }),
                lifecycleScope: "CREATE_ONLY",
                // A change to any of these replaces the invocation, which invokes the function:
                // new migrations, new function code (grants), or a new database instance.
                triggers: {
                    migrationsSha256,
                    functionSha256: bundle.sha256,
                    dbResourceId: database.resourceId,
                    appUser: database.appUser,
                },
            },
            // The function must be able to reach the database before it runs.
            { parent: this, dependsOn: [fn, dbRules.ingress, dbRules.egress] },
        );
        this.result = this.invocation.result.apply((text) => JSON.parse(text) as MigrationResult);

        this.registerOutputs({
            functionName: this.functionName,
            functionArn: this.functionArn,
            securityGroupId: this.securityGroupId,
            result: this.result,
        });
    }
}
