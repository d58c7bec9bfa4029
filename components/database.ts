/**
 * The database: RDS PostgreSQL in the isolated subnets (no route to or from the internet), not
 * publicly accessible, encrypted with the stack key, TLS forced, the master password managed
 * by RDS in Secrets Manager (under the same key) and IAM database authentication on, so the
 * web servers connect with short-lived tokens and no password ever reaches them.
 *
 * Its security group has no rules of its own: `allowClient` opens 5432 from one client
 * security group at a time (the web servers, the migration function), never from a CIDR.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { minimumMaxAllocatedStorageGb } from "../lib/awsFacts";
import { databaseParameters, majorVersion, rdsDbUserArn } from "../lib/rds";
import { Statement, policyDocument } from "../lib/iam";
import { childName } from "../lib/naming";
import { roleTags } from "../lib/tags";
import { POSTGRES_PORT, PostgresRules, openPostgres } from "./postgresAccess";

export { POSTGRES_PORT } from "./postgresAccess";

/** The master user: used only by the migration function (and by an operator in an emergency). */
export const MASTER_USERNAME = "webfleet_admin";

/** RDS log types PostgreSQL can export to CloudWatch Logs. */
export const LOG_EXPORTS = ["postgresql", "upgrade"] as const;

export const ENHANCED_MONITORING_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole";

/** UTC; the maintenance window starts after the backup window so the two never overlap. */
export const BACKUP_WINDOW = "03:00-04:00";
export const MAINTENANCE_WINDOW = "sun:04:30-sun:05:30";

export { databaseParameters, identifierBaseFor, majorVersion, rdsDbUserArn } from "../lib/rds";

export interface DatabaseArgs {
    /** PostgreSQL major version ("17") or major.minor ("17.4"); minor upgrades are automatic. */
    engineVersion: string;
    /** RDS instance class, e.g. "db.t4g.micro". */
    instanceClass: string;
    /** Initial gp3 storage in GiB. */
    allocatedStorageGb: number;
    /** Storage autoscaling ceiling in GiB; RDS wants it at least 10% above `allocatedStorageGb`. */
    maxAllocatedStorageGb: number;
    /** The database to create. */
    name: string;
    /** The app's login role, which connects with IAM tokens (created by the migrations). */
    appUser: string;
    /** A standby in a second AZ. */
    multiAz: boolean;
    /** Days of automated backups (1 to 35). */
    backupRetentionDays: number;
    /** RDS refuses to delete the instance while this is on. */
    deletionProtection: boolean;
    /** Performance Insights, encrypted with `kmsKeyArn`. */
    performanceInsights: boolean;
    /** Enhanced monitoring interval in seconds; 0 turns it off. */
    monitoringIntervalSeconds: 0 | 1 | 5 | 10 | 15 | 30 | 60;
    vpcId: pulumi.Input<string>;
    isolatedSubnetIds: pulumi.Input<string[]>;
    /** The stack key: storage, the master secret, Performance Insights and the log groups. */
    kmsKeyArn: pulumi.Input<string>;
    /** Readable start of the RDS identifier (e.g. "webfleet-prod"); a random suffix keeps it unique. */
    identifierBase: string;
    /** Take a final snapshot when the instance is deleted (and keep the automated backups). */
    finalSnapshot: boolean;
    /** Apply modifications now rather than in the maintenance window. */
    applyImmediately: boolean;
    /** Retention of the exported PostgreSQL logs. */
    logRetentionDays: number;
    /**
     * Protect the instance (prod): `pulumi destroy` stops before it takes anything down, and a
     * change that would replace the database fails instead of deleting it. Default false.
     */
    protect?: boolean;
}

export class Database extends pulumi.ComponentResource {
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly identifier: pulumi.Output<string>;
    /** Host name of the instance (no port). */
    public readonly address: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    public readonly dbName: pulumi.Output<string>;
    public readonly resourceId: pulumi.Output<string>;
    public readonly masterSecretArn: pulumi.Output<string>;
    /** The instance's ARN (what AWS Backup selects and restores). */
    public readonly arn: pulumi.Output<string>;
    /** The DB subnet group of the isolated subnets (a restore test restores into it). */
    public readonly subnetGroupName: pulumi.Output<string>;
    public readonly appUser: string;
    /** The instance, for dependencies (`dependsOn`). */
    public readonly instance: aws.rds.Instance;
    private readonly name: string;
    private readonly region: pulumi.Output<string>;
    private readonly accountId: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:database:Database", name, {}, opts);
        this.name = name;
        this.appUser = args.appUser;
        let major: number;
        try {
            major = majorVersion(args.engineVersion);
        } catch (e) {
            throw new pulumi.ResourceError((e as Error).message, this);
        }
        if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(args.identifierBase) || args.identifierBase.length > 50) {
            throw new pulumi.ResourceError(
                `database identifierBase: "${args.identifierBase}" must be lower-case letters, digits and single hyphens, at most 50`,
                this,
            );
        }
        // RDS storage autoscaling refuses a ceiling less than 10% above the allocated storage.
        const minimumCeiling = minimumMaxAllocatedStorageGb(args.allocatedStorageGb);
        if (args.maxAllocatedStorageGb < minimumCeiling) {
            throw new pulumi.ResourceError(
                `database.maxAllocatedStorageGb: ${args.maxAllocatedStorageGb} is less than 10% above database.allocatedStorageGb (${args.allocatedStorageGb}); set it to ${minimumCeiling} or more`,
                this,
            );
        }
        this.region = aws.getRegionOutput({}, { parent: this }).region;
        this.accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        const sg = new aws.ec2.SecurityGroup(
            childName(name, "sg"),
            // No rules here: ingress only through allowClient, and the database needs no egress.
            {
                vpcId: args.vpcId,
                description: "webfleet database: PostgreSQL from client security groups only",
                tags: roleTags("database", childName(name, "sg")),
            },
            { parent: this },
        );
        this.securityGroupId = sg.id;

        const subnetGroup = new aws.rds.SubnetGroup(
            childName(name, "subnets"),
            {
                subnetIds: args.isolatedSubnetIds,
                description: "webfleet database: the isolated subnets, one per AZ",
                tags: roleTags("database", childName(name, "subnets")),
            },
            { parent: this },
        );
        const parameterGroup = new aws.rds.ParameterGroup(
            childName(name, `pg${major}`),
            {
                family: `postgres${major}`,
                description: `webfleet PostgreSQL ${major}: TLS forced, connections logged`,
                parameters: databaseParameters(),
                tags: roleTags("database", childName(name, `pg${major}`)),
            },
            // A major upgrade needs a new group (family postgres<major>) before the instance can
            // move to it. The old group is left in the account rather than deleted: with changes
            // applied in the maintenance window (prod), the instance still uses it when
            // `pulumi up` ends, and RDS refuses to delete a group in use, which would fail the
            // update. docs/database-and-secrets.md, "Major version upgrades", says when to delete it.
            { parent: this, retainOnDelete: true },
        );

        // The identifier is fixed at first deploy, so the log groups can exist (with retention
        // and the stack key) before RDS starts exporting; otherwise RDS creates them itself,
        // unencrypted and kept forever.
        const suffix = new random.RandomId(childName(name, "id"), { byteLength: 4 }, { parent: this });
        const identifier = pulumi.interpolate`${args.identifierBase}-${suffix.hex}`;
        const logGroups = LOG_EXPORTS.map(
            (type) =>
                new aws.cloudwatch.LogGroup(
                    childName(name, `log-${type}`),
                    {
                        name: pulumi.interpolate`/aws/rds/instance/${identifier}/${type}`,
                        retentionInDays: args.logRetentionDays,
                        kmsKeyId: args.kmsKeyArn,
                    },
                    { parent: this },
                ),
        );

        const monitoring = args.monitoringIntervalSeconds > 0 ? this.monitoringRole(name) : undefined;

        const instance = new aws.rds.Instance(
            childName(name, "db"),
            {
                identifier,
                engine: "postgres",
                engineVersion: args.engineVersion,
                // Changing database.engineVersion to a new major is how an upgrade is asked for.
                allowMajorVersionUpgrade: true,
                autoMinorVersionUpgrade: true,
                instanceClass: args.instanceClass,
                allocatedStorage: args.allocatedStorageGb,
                maxAllocatedStorage: args.maxAllocatedStorageGb,
                storageType: "gp3",
                storageEncrypted: true,
                kmsKeyId: args.kmsKeyArn,
                dbName: args.name,
                username: MASTER_USERNAME,
                manageMasterUserPassword: true,
                masterUserSecretKmsKeyId: args.kmsKeyArn,
                iamDatabaseAuthenticationEnabled: true,
                port: POSTGRES_PORT,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [sg.id],
                parameterGroupName: parameterGroup.name,
                publiclyAccessible: false,
                networkType: "IPV4",
                caCertIdentifier: "rds-ca-rsa2048-g1",
                multiAz: args.multiAz,
                backupRetentionPeriod: args.backupRetentionDays,
                backupWindow: BACKUP_WINDOW,
                maintenanceWindow: MAINTENANCE_WINDOW,
                copyTagsToSnapshot: true,
                deletionProtection: args.deletionProtection,
                skipFinalSnapshot: !args.finalSnapshot,
                finalSnapshotIdentifier: args.finalSnapshot ? pulumi.interpolate`${identifier}-final` : undefined,
                deleteAutomatedBackups: !args.finalSnapshot,
                applyImmediately: args.applyImmediately,
                enabledCloudwatchLogsExports: [...LOG_EXPORTS],
                performanceInsightsEnabled: args.performanceInsights,
                performanceInsightsKmsKeyId: args.performanceInsights ? args.kmsKeyArn : undefined,
                performanceInsightsRetentionPeriod: args.performanceInsights ? 7 : undefined,
                monitoringInterval: args.monitoringIntervalSeconds,
                monitoringRoleArn: monitoring?.role.arn,
                tags: roleTags("database", childName(name, "db")),
            },
            // RDS checks the monitoring role's policy when the instance is created.
            {
                parent: this,
                protect: args.protect,
                dependsOn: [...logGroups, ...(monitoring ? [monitoring.attachment] : [])],
            },
        );
        this.instance = instance;
        this.arn = instance.arn;
        this.subnetGroupName = subnetGroup.name;
        this.identifier = instance.identifier;
        this.address = instance.address;
        this.port = instance.port;
        this.dbName = instance.dbName;
        this.resourceId = instance.resourceId;
        this.masterSecretArn = instance.masterUserSecrets.apply((secrets) => {
            const arn = secrets?.[0]?.secretArn;
            if (!arn) {
                throw new Error("RDS returned no master user secret; manageMasterUserPassword must be on");
            }
            return arn;
        });

        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            identifier: this.identifier,
            address: this.address,
            port: this.port,
            dbName: this.dbName,
            resourceId: this.resourceId,
            masterSecretArn: this.masterSecretArn,
            arn: this.arn,
            subnetGroupName: this.subnetGroupName,
        });
    }

    private monitoringRole(name: string): { role: aws.iam.Role; attachment: aws.iam.RolePolicyAttachment } {
        const trust = policyDocument([
            pulumi.all([this.accountId, this.region]).apply(([account, region]): Statement => ({
                Effect: "Allow",
                Principal: { Service: "monitoring.rds.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": account },
                    ArnLike: { "aws:SourceArn": `arn:aws:rds:${region}:${account}:db:*` },
                },
            })),
        ]);
        const role = new aws.iam.Role(
            childName(name, "monitoring"),
            { assumeRolePolicy: trust, description: "RDS enhanced monitoring for the webfleet database" },
            { parent: this },
        );
        const attachment = new aws.iam.RolePolicyAttachment(
            childName(name, "monitoring"),
            { role: role.name, policyArn: ENHANCED_MONITORING_POLICY_ARN },
            { parent: this },
        );
        return { role, attachment };
    }

    /**
     * The `rds-db:connect` statement for exactly the app's login role on this instance, for the
     * web servers' instance role.
     */
    connectStatement(user: string = this.appUser): pulumi.Output<Statement> {
        return pulumi
            .all([this.region, this.accountId, this.resourceId])
            .apply(([region, account, resourceId]): Statement => ({
                Sid: "ConnectAsAppUser",
                Effect: "Allow",
                Action: "rds-db:connect",
                Resource: rdsDbUserArn(region, account, resourceId, user),
            }));
    }

    /**
     * What the app's systemd unit needs to connect with IAM tokens (app/db/poolConfig.ts): where
     * the database is, as whom, and the region to sign tokens for. Nothing secret; the web tier
     * adds DB_CA_BUNDLE itself.
     */
    appEnvironment(): pulumi.Output<Record<string, string>> {
        return pulumi
            .all([this.address, this.port, this.dbName, this.region])
            .apply(([host, port, dbName, region]): Record<string, string> => ({
                DB_HOST: host,
                DB_PORT: String(port),
                DB_NAME: dbName,
                DB_USER: this.appUser,
                AWS_REGION: region,
            }));
    }

    /**
     * The one way to reach the database: 5432 ingress on its security group from the client's
     * security group, and the matching 5432 egress on the client's, to this group only. Both
     * rules are children of the database.
     */
    allowClient(client: string, clientSecurityGroupId: pulumi.Input<string>): PostgresRules {
        return openPostgres(this, {
            client,
            ingressName: childName(this.name, `from-${client}`),
            egressName: childName(this.name, `to-db-from-${client}`),
            databaseSecurityGroupId: this.securityGroupId,
            clientSecurityGroupId,
        });
    }
}
