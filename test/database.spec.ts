import { expect } from "chai";
import { databaseParameters, identifierBaseFor, majorVersion, rdsDbUserArn } from "../components/database";
import { ProgramRun } from "../offline/program";
import { RecordedResource } from "../offline/types";
import { named, ofType, parentOf, runStack } from "./support/program";

const INSTANCE = "aws:rds/instance:Instance";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

describe("database (mocked program)", function () {
    let dev: ProgramRun;
    let prod: ProgramRun;
    before(async () => {
        [dev, prod] = [await runStack("dev"), await runStack("prod")];
    });

    const db = (run: ProgramRun) => named(run, INSTANCE, "database-db");
    const keyArn = (run: ProgramRun) => named(run, "aws:kms/key:Key", "secrets-key").outputs.arn;

    it("is private PostgreSQL 17 in the isolated subnets, encrypted with the stack key", () => {
        for (const run of [dev, prod]) {
            const inputs = db(run).inputs;
            expect(inputs).to.include({
                engine: "postgres",
                engineVersion: "17",
                publiclyAccessible: false,
                storageEncrypted: true,
                kmsKeyId: keyArn(run),
                storageType: "gp3",
                dbName: "webfleet",
                port: 5432,
                autoMinorVersionUpgrade: true,
                copyTagsToSnapshot: true,
                backupWindow: "03:00-04:00",
                maintenanceWindow: "sun:04:30-sun:05:30",
                caCertIdentifier: "rds-ca-rsa2048-g1",
            });
            const subnets = named(run, "aws:rds/subnetGroup:SubnetGroup", "database-subnets");
            expect(inputs.dbSubnetGroupName).to.equal(subnets.outputs.name);
            expect(subnets.inputs.subnetIds).to.deep.equal(run.outputs.isolatedSubnetIds.value);
            expect(subnets.inputs.subnetIds).to.not.include.any.members(run.outputs.privateSubnetIds.value as string[]);
            expect(inputs.vpcSecurityGroupIds).to.deep.equal([named(run, SG, "database-sg").outputs.id]);
        }
    });

    it("has IAM authentication on and a master password only RDS knows, in Secrets Manager under the stack key", () => {
        for (const run of [dev, prod]) {
            const inputs = db(run).inputs;
            expect(inputs).to.include({
                iamDatabaseAuthenticationEnabled: true,
                manageMasterUserPassword: true,
                masterUserSecretKmsKeyId: keyArn(run),
                username: "webfleet_admin",
            });
            expect(inputs).to.not.have.any.keys("password", "passwordWo");
            expect(db(run).secretInputPaths).to.deep.equal([]);
        }
    });

    it("is single-AZ with 1-day backups and no final snapshot in dev", () => {
        expect(db(dev).inputs).to.include({
            instanceClass: "db.t4g.micro",
            allocatedStorage: 20,
            maxAllocatedStorage: 50,
            multiAz: false,
            backupRetentionPeriod: 1,
            deletionProtection: false,
            skipFinalSnapshot: true,
            deleteAutomatedBackups: true,
            applyImmediately: true,
            performanceInsightsEnabled: false,
            monitoringInterval: 0,
        });
        expect(db(dev).inputs).to.not.have.any.keys(
            "finalSnapshotIdentifier",
            "performanceInsightsKmsKeyId",
            "monitoringRoleArn",
        );
        expect(ofType(dev, "aws:iam/role:Role").filter((r) => r.name.startsWith("database"))).to.deep.equal([]);
    });

    it("is Multi-AZ, protected, with 14-day backups, a final snapshot, Performance Insights and enhanced monitoring in prod", () => {
        const inputs = db(prod).inputs;
        const role = named(prod, "aws:iam/role:Role", "database-monitoring");
        expect(inputs).to.include({
            instanceClass: "db.m7g.large",
            maxAllocatedStorage: 200,
            multiAz: true,
            backupRetentionPeriod: 14,
            deletionProtection: true,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: `${inputs.identifier}-final`,
            deleteAutomatedBackups: false,
            applyImmediately: false,
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: keyArn(prod),
            performanceInsightsRetentionPeriod: 7,
            monitoringInterval: 60,
            monitoringRoleArn: role.outputs.arn,
        });
        expect(
            named(prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "database-monitoring").inputs,
        ).to.deep.equal({
            role: role.outputs.name,
            policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        });
        expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
            {
                Effect: "Allow",
                Principal: { Service: "monitoring.rds.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                    ArnLike: { "aws:SourceArn": "arn:aws:rds:us-east-1:123456789012:db:*" },
                },
            },
        ]);
        expect(db(prod).dependencies).to.include(
            named(prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "database-monitoring").urn,
        );
    });

    it("uses a parameter group of its own that forces TLS and logs connections", () => {
        for (const run of [dev, prod]) {
            const group = named(run, "aws:rds/parameterGroup:ParameterGroup", "database-pg17");
            expect(group.inputs.family).to.equal("postgres17");
            expect(group.inputs.parameters).to.deep.equal([
                { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
                { name: "ssl_min_protocol_version", value: "TLSv1.2", applyMethod: "immediate" },
                { name: "log_connections", value: "1", applyMethod: "immediate" },
                { name: "log_disconnections", value: "1", applyMethod: "immediate" },
            ]);
            expect(db(run).inputs.parameterGroupName).to.equal(group.outputs.name);
        }
        expect(databaseParameters().find((p) => p.name === "rds.force_ssl")?.value).to.equal("1");
    });

    it("exports its logs to encrypted log groups with retention that exist before the instance", () => {
        for (const [run, days] of [
            [dev, 30],
            [prod, 365],
        ] as const) {
            const identifier = db(run).inputs.identifier;
            expect(identifier).to.match(/^webfleet-(dev|prod)-[0-9a-f]{8}$/);
            expect(db(run).inputs.enabledCloudwatchLogsExports).to.deep.equal(["postgresql", "upgrade"]);
            for (const type of ["postgresql", "upgrade"]) {
                const group = named(run, "aws:cloudwatch/logGroup:LogGroup", `database-log-${type}`);
                expect(group.inputs).to.deep.equal({
                    name: `/aws/rds/instance/${identifier}/${type}`,
                    retentionInDays: days,
                    kmsKeyId: keyArn(run),
                });
                expect(db(run).dependencies).to.include(group.urn);
            }
        }
    });

    it("admits 5432 only from the web and migration security groups, by reference, never from a CIDR", () => {
        for (const run of [dev, prod]) {
            const sg = named(run, SG, "database-sg");
            expect(sg.inputs).to.not.have.any.keys("ingress", "egress");
            expect(sg.inputs.tags).to.deep.equal({ Name: "database-sg", "webfleet:role": "database" });
            const ingress = ofType(run, INGRESS).filter((r) => r.inputs.securityGroupId === sg.outputs.id);
            expect(
                ingress.map((r) => [
                    r.inputs.ipProtocol,
                    r.inputs.fromPort,
                    r.inputs.toPort,
                    r.inputs.referencedSecurityGroupId,
                    r.inputs.cidrIpv4,
                    r.inputs.cidrIpv6,
                    r.inputs.prefixListId,
                ]),
            ).to.have.deep.members([
                ["tcp", 5432, 5432, named(run, SG, "web-sg").outputs.id, undefined, undefined, undefined],
                ["tcp", 5432, 5432, named(run, SG, "migrations-sg").outputs.id, undefined, undefined, undefined],
            ]);
            expect(ofType(run, EGRESS).filter((r) => r.inputs.securityGroupId === sg.outputs.id)).to.deep.equal([]);
            // Each client gets the matching egress to the database's group, and only that on 5432.
            for (const client of ["web-sg", "migrations-sg"]) {
                const clientId = named(run, SG, client).outputs.id;
                const toDb = ofType(run, EGRESS).filter(
                    (r) => r.inputs.securityGroupId === clientId && r.inputs.fromPort === 5432,
                );
                expect(
                    toDb.map((r) => [r.inputs.toPort, r.inputs.referencedSecurityGroupId]),
                    client,
                ).to.deep.equal([[5432, sg.outputs.id]]);
            }
        }
    });

    it("lets the web servers connect as exactly the app user, with nothing else on the database", () => {
        for (const run of [dev, prod]) {
            const policy = JSON.parse(named(run, "aws:iam/rolePolicy:RolePolicy", "web-role-policy").inputs.policy);
            const rds = policy.Statement.filter((s: { Action: string | string[] }) =>
                JSON.stringify(s.Action).includes("rds"),
            );
            expect(rds).to.deep.equal([
                {
                    Sid: "ConnectAsAppUser",
                    Effect: "Allow",
                    Action: "rds-db:connect",
                    Resource: `arn:aws:rds-db:us-east-1:123456789012:dbuser:${run.outputs.dbResourceId.value}/webfleet_app`,
                },
            ]);
        }
        expect(rdsDbUserArn("eu-west-1", "210987654321", "db-ABC", "app")).to.equal(
            "arn:aws:rds-db:eu-west-1:210987654321:dbuser:db-ABC/app",
        );
    });

    it("gives the web servers only non-secret connection settings", () => {
        const lt = named(prod, "aws:ec2/launchTemplate:LaunchTemplate", "web-lt");
        const script = Buffer.from(lt.inputs.userData, "base64").toString("utf8");
        const dbLines = script.split("\n").filter((l) => /^(DB_[A-Z_]+|AWS_REGION)=/.test(l));
        expect(dbLines.sort()).to.deep.equal(
            [
                `AWS_REGION="us-east-1"`,
                `DB_CA_BUNDLE="/etc/webfleet/rds-ca-bundle.pem"`,
                `DB_HOST="${prod.outputs.dbEndpoint.value}"`,
                `DB_NAME="webfleet"`,
                `DB_PORT="5432"`,
                `DB_USER="webfleet_app"`,
            ].sort(),
        );
        expect(script).to.not.include("webfleet_admin");
        expect(script).to.not.include(prod.outputs.dbMasterSecretArn.value);
    });

    it("runs the migrations before the web tier rolls out new servers", () => {
        for (const run of [dev, prod]) {
            const invocation = named(run, "aws:lambda/invocation:Invocation", "migrations-run");
            for (const [type, name] of [
                ["aws:ec2/launchTemplate:LaunchTemplate", "web-lt"],
                ["aws:autoscaling/group:Group", "web-asg"],
            ]) {
                expect(named(run, type, name).dependencies, name).to.include(invocation.urn);
            }
        }
    });

    it("exports where it is and which key protects it, none of it secret", () => {
        for (const run of [dev, prod]) {
            const instance = db(run);
            const outputs = Object.fromEntries(
                [
                    "dbEndpoint",
                    "dbPort",
                    "dbName",
                    "dbResourceId",
                    "dbMasterSecretArn",
                    "kmsKeyArn",
                    "dbMigrationFunctionName",
                ].map((k) => [k, run.outputs[k]]),
            );
            expect(outputs).to.deep.equal({
                dbEndpoint: { value: instance.outputs.address, secret: false },
                dbPort: { value: 5432, secret: false },
                dbName: { value: "webfleet", secret: false },
                dbResourceId: { value: instance.outputs.resourceId, secret: false },
                dbMasterSecretArn: { value: instance.outputs.masterUserSecrets[0].secretArn, secret: false },
                kmsKeyArn: { value: keyArn(run), secret: false },
                dbMigrationFunctionName: {
                    value: named(run, "aws:lambda/function:Function", "migrations-fn").outputs.name,
                    secret: false,
                },
            });
            expect(instance.outputs.address).to.not.include(":");
        }
    });

    it("keeps its resources under the Database and Migrations components", () => {
        const parentName = (r: RecordedResource) => parentOf(dev, r)?.name;
        expect(parentName(db(dev))).to.equal("database");
        expect(parentName(named(dev, INGRESS, "database-from-web"))).to.equal("database");
        expect(parentName(named(dev, "aws:lambda/function:Function", "migrations-fn"))).to.equal("migrations");
        expect(parentOf(dev, named(dev, "aws:kms/key:Key", "secrets-key"))?.type).to.equal("webfleet:secrets:Secrets");
    });

    it("derives an identifier RDS accepts from any stack name", () => {
        expect(identifierBaseFor("webfleet", "prod")).to.equal("webfleet-prod");
        expect(identifierBaseFor("webfleet", "Team_A.eu--1")).to.equal("webfleet-team-a-eu-1");
        expect(identifierBaseFor("9lives", "dev")).to.equal("db-9lives-dev");
        expect(identifierBaseFor("webfleet", "x".repeat(80))).to.have.length(50);
    });

    it("follows database.engineVersion, with the parameter group family of its major version", async () => {
        const run = await runStack("dev", { "webfleet:database": { engineVersion: "16.4" } });
        expect(db(run).inputs.engineVersion).to.equal("16.4");
        expect(named(run, "aws:rds/parameterGroup:ParameterGroup", "database-pg16").inputs.family).to.equal(
            "postgres16",
        );
        expect(majorVersion("17")).to.equal(17);
        expect(() => majorVersion("seventeen")).to.throw(
            'database.engineVersion: "seventeen" is not a PostgreSQL version like 17 or 17.4',
        );
    });
});
