import { expect } from "chai";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { migrations, migrationId, migrationsSha256 } from "../app/db/migrations";
import { MigrationResult, rdsCaBundleUrl } from "../app/lambda/constants";
import type { createHandler as CreateHandler } from "../app/lambda/migrate";
import { masterClientConfig, parseMasterSecret, settingsFromEnv } from "../app/lambda/migrate";
import { bundleMigrationFunction } from "../app/lambda/build";
import { MIGRATION_RUNTIME } from "../components/migrations";
import { ProgramRun } from "../offline/program";
import { named, ofType, runStack } from "./support/program";
import {
    PgTlsProxy,
    ScratchDatabase,
    TestCertificates,
    createScratchDatabase,
    dropScratchDatabase,
    makeCertificates,
    requirePostgres,
    withClient,
} from "./support/postgres";

const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0123-AbCdEf";

/** The error a promise rejects with; a promise that resolves fails the test. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
    const outcome = await promise.then(
        (value) => ({ value }),
        (error: Error) => ({ error }),
    );
    if (!("error" in outcome)) {
        throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
    }
    return outcome.error;
}

describe("migration function (mocked program)", function () {
    let dev: ProgramRun;
    before(async () => {
        dev = await runStack("dev");
    });

    it("runs the bundled handler on Node.js 22 in the private subnets with its own security group", () => {
        const fn = named(dev, "aws:lambda/function:Function", "migrations-fn");
        const sg = named(dev, "aws:ec2/securityGroup:SecurityGroup", "migrations-sg");
        expect(fn.inputs).to.include({
            runtime: MIGRATION_RUNTIME,
            handler: "index.handler",
            timeout: 300,
            memorySize: 256,
        });
        expect(MIGRATION_RUNTIME).to.equal("nodejs22.x");
        expect(fn.inputs.vpcConfig.subnetIds).to.deep.equal(dev.outputs.privateSubnetIds.value);
        expect(fn.inputs.vpcConfig.securityGroupIds).to.deep.equal([sg.outputs.id]);
        expect(sg.inputs.tags).to.deep.equal({ Name: "migrations-sg", "webfleet:role": "migrations" });
        expect(fn.inputs.role).to.equal(named(dev, "aws:iam/role:Role", "migrations-role").outputs.arn);
    });

    it("gets only non-secret settings: where the database is and which secret to read", () => {
        const fn = named(dev, "aws:lambda/function:Function", "migrations-fn");
        const db = named(dev, "aws:rds/instance:Instance", "database-db");
        expect(fn.inputs.environment.variables).to.deep.equal({
            DB_HOST: db.outputs.address,
            DB_PORT: "5432",
            DB_NAME: "webfleet",
            DB_APP_USER: "webfleet_app",
            DB_MASTER_SECRET_ARN: db.outputs.masterUserSecrets[0].secretArn,
            DB_CA_BUNDLE_URL: "https://truststore.pki.rds.amazonaws.com/us-east-1/us-east-1-bundle.pem",
        });
        expect(fn.secretInputPaths).to.deep.equal([]);
    });

    it("logs to its own encrypted log group with retention", () => {
        const fn = named(dev, "aws:lambda/function:Function", "migrations-fn");
        const group = named(dev, "aws:cloudwatch/logGroup:LogGroup", "migrations-logs");
        expect(fn.inputs.loggingConfig).to.deep.equal({ logFormat: "JSON", logGroup: group.outputs.name });
        expect(group.inputs).to.include({ retentionInDays: 30, kmsKeyId: dev.outputs.kmsKeyArn.value });
    });

    it("may read exactly the master secret, decrypt only through Secrets Manager, and write only its own logs", () => {
        const policy = JSON.parse(named(dev, "aws:iam/rolePolicy:RolePolicy", "migrations-role").inputs.policy);
        const group = named(dev, "aws:cloudwatch/logGroup:LogGroup", "migrations-logs");
        expect(policy.Statement).to.deep.equal([
            {
                Sid: "WriteOwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${group.outputs.arn}:*`,
            },
            {
                Sid: "ManageVpcNetworkInterfaces",
                Effect: "Allow",
                Action: [
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:UnassignPrivateIpAddresses",
                ],
                Resource: "*",
            },
            {
                Sid: "ReadOneSecret",
                Effect: "Allow",
                Action: "secretsmanager:GetSecretValue",
                Resource: dev.outputs.dbMasterSecretArn.value,
            },
            {
                Sid: "DecryptViasecretsmanager",
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: dev.outputs.kmsKeyArn.value,
                Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
            },
        ]);
        expect(
            ofType(dev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) =>
                a.name.startsWith("migrations"),
            ),
        ).to.deep.equal([]);
        const trust = JSON.parse(named(dev, "aws:iam/role:Role", "migrations-role").inputs.assumeRolePolicy);
        expect(trust.Statement).to.deep.equal([
            {
                Effect: "Allow",
                Principal: { Service: "lambda.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
            },
        ]);
    });

    it("reaches the database on 5432 and Secrets Manager on 443, nothing else", () => {
        const sgId = named(dev, "aws:ec2/securityGroup:SecurityGroup", "migrations-sg").outputs.id;
        const dbSgId = named(dev, "aws:ec2/securityGroup:SecurityGroup", "database-sg").outputs.id;
        const egress = ofType(dev, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
            .filter((r) => r.inputs.securityGroupId === sgId)
            .map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId]);
        expect(egress).to.have.deep.members([
            [443, 443, "0.0.0.0/0"],
            [5432, 5432, dbSgId],
        ]);
        const ingress = ofType(dev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
            (r) => r.inputs.securityGroupId === sgId,
        );
        expect(ingress).to.deep.equal([]);
    });

    it("is invoked on deploy, again whenever the migrations, the function's code or the database change", () => {
        const run = named(dev, "aws:lambda/invocation:Invocation", "migrations-run");
        const fn = named(dev, "aws:lambda/function:Function", "migrations-fn");
        const bundle = bundleMigrationFunction();
        expect(run.inputs.functionName).to.equal(fn.outputs.name);
        expect(run.inputs.lifecycleScope).to.equal("CREATE_ONLY");
        expect(JSON.parse(run.inputs.input)).to.deep.equal({
            migrationsHash: migrationsSha256,
            appUser: "webfleet_app",
        });
        expect(run.inputs.triggers).to.deep.equal({
            migrationsSha256,
            functionSha256: bundle.sha256,
            dbResourceId: dev.outputs.dbResourceId.value,
            appUser: "webfleet_app",
        });
        // It runs only once the function and both halves of its path to the database exist.
        const needs = [
            fn.urn,
            named(dev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "migrations-db-in").urn,
            named(dev, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "migrations-db-out").urn,
        ];
        expect(run.dependencies).to.include.members(needs);
    });

    it("ships the handler as index.js, the same bytes on every build", () => {
        const fn = named(dev, "aws:lambda/function:Function", "migrations-fn");
        const a = bundleMigrationFunction();
        const b = bundleMigrationFunction();
        expect(a.code).to.equal(b.code);
        expect(a.code).to.not.include(path.resolve(__dirname, ".."));
        expect(a.code).to.include("webfleet migration function");
        // The archive holds exactly the bundle, as index.js (the handler is index.handler); the
        // recorder keeps assets as digest and size.
        expect(fn.inputs.code).to.deep.equal({
            archive: { "index.js": { asset: { sha256: a.sha256, bytes: Buffer.byteLength(a.code) } } },
        });
        expect(fn.inputs.description).to.equal(
            `webfleet migrations (${migrationsSha256.slice(0, 12)}): schema and app role for webfleet_app`,
        );
    });
});

describe("migration handler settings", () => {
    const CA_URL = "https://truststore.pki.rds.amazonaws.com/eu-west-1/eu-west-1-bundle.pem";
    const env = {
        DB_HOST: "db.example.internal",
        DB_PORT: "5432",
        DB_NAME: "webfleet",
        DB_APP_USER: "webfleet_app",
        DB_MASTER_SECRET_ARN: SECRET_ARN,
        DB_CA_BUNDLE_URL: CA_URL,
    };

    it("reads its settings from the environment, the CAs from the regional RDS trust store", () => {
        expect(settingsFromEnv(env)).to.deep.equal({
            host: "db.example.internal",
            port: 5432,
            database: "webfleet",
            appUser: "webfleet_app",
            masterSecretArn: SECRET_ARN,
            caBundle: { url: CA_URL },
        });
        expect(settingsFromEnv({ ...env, DB_CA_BUNDLE: "/etc/ca.pem" }).caBundle).to.deep.equal({
            path: "/etc/ca.pem",
        });
        expect(rdsCaBundleUrl("eu-west-1")).to.equal(CA_URL);
        expect(() => rdsCaBundleUrl("eu-west-1/../x")).to.throw("is not an AWS region name");
    });

    it("takes its CAs only over https", () => {
        expect(() =>
            settingsFromEnv({ ...env, DB_CA_BUNDLE_URL: "http://truststore.pki.rds.amazonaws.com/x.pem" }),
        ).to.throw('DB_CA_BUNDLE_URL: "http://truststore.pki.rds.amazonaws.com/x.pem" is not an https:// URL');
    });

    it("names every missing or malformed setting at once", () => {
        expect(() => settingsFromEnv({ DB_PORT: "70000", DB_MASTER_SECRET_ARN: "not-an-arn" })).to.throw(
            'migration function misconfigured:\n  - DB_HOST is not set; set it to the RDS endpoint address\n  - DB_PORT: "70000" is not a TCP port\n  - DB_NAME is not set; set it to the database name\n  - DB_APP_USER is not set; set it to the app\'s login role\n  - DB_MASTER_SECRET_ARN: "not-an-arn" is not a Secrets Manager secret ARN\n  - DB_CA_BUNDLE_URL is not set; set it to the regional RDS CA bundle (https://truststore.pki.rds.amazonaws.com/<region>/<region>-bundle.pem), or DB_CA_BUNDLE to a PEM file',
        );
    });

    it("connects with TLS verified against the CA bundle and the host name checked", () => {
        const config = masterClientConfig(settingsFromEnv(env), { username: "webfleet_admin", password: "pw" }, "CA");
        expect(config).to.deep.include({
            host: "db.example.internal",
            port: 5432,
            database: "webfleet",
            user: "webfleet_admin",
            ssl: { ca: "CA", rejectUnauthorized: true, servername: "db.example.internal" },
        });
    });

    it("never echoes the secret when it cannot be parsed", () => {
        const secret = "hunter2-not-json";
        expect(() => parseMasterSecret(secret)).to.throw("the master secret is not JSON (value not shown)");
        try {
            parseMasterSecret(secret);
        } catch (e) {
            expect((e as Error).message).to.not.include("hunter2");
        }
        expect(() => parseMasterSecret(JSON.stringify({ username: "u" }))).to.throw("no username or password");
        expect(parseMasterSecret(JSON.stringify({ username: "u", password: "p", engine: "postgres" }))).to.deep.equal({
            username: "u",
            password: "p",
        });
    });
});

describe("migration handler (real PostgreSQL over verified TLS)", function () {
    const appUser = `webfleet_app_${randomBytes(3).toString("hex")}`;
    let adminUrl: string;
    let db: ScratchDatabase | undefined;
    let certs: TestCertificates;
    let proxy: PgTlsProxy | undefined;
    let createHandler: typeof CreateHandler;
    let logs: string[];
    const fetched: string[] = [];
    const TRUST_STORE = "https://truststore.pki.rds.amazonaws.com/us-east-1/us-east-1-bundle.pem";

    before(async function () {
        adminUrl = requirePostgres(this);
        certs = makeCertificates(this);
        db = await createScratchDatabase(adminUrl, "webfleet_migrations_test");
        proxy = await PgTlsProxy.start({ host: db.host, port: db.port }, certs);
        // The artifact Lambda runs, not the TypeScript source: bundle it and load it.
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-fn-")), "index.js");
        fs.writeFileSync(file, bundleMigrationFunction().code);
        createHandler = require(file).createHandler;
    });

    after(async () => {
        await proxy?.close();
        await dropScratchDatabase(adminUrl, db, [appUser]);
    });

    function handler(env: Record<string, string> = {}) {
        logs = [];
        const secret = JSON.stringify({
            username: db!.superuser,
            password: db!.superuserPassword,
            engine: "postgres",
            port: db!.port,
        });
        return createHandler({
            env: {
                DB_HOST: "localhost",
                DB_PORT: String(proxy!.port),
                DB_NAME: db!.name,
                DB_APP_USER: appUser,
                DB_MASTER_SECRET_ARN: SECRET_ARN,
                DB_CA_BUNDLE_URL: TRUST_STORE,
                ...env,
            },
            // The trust store serves the test CA (the one that signed the proxy's certificate).
            fetchText: async (url) => {
                fetched.push(url);
                if (url !== TRUST_STORE) {
                    throw new Error("HTTP 404");
                }
                return fs.readFileSync(certs.caFile, "utf8");
            },
            getSecretString: async (arn) => {
                expect(arn).to.equal(SECRET_ARN);
                return secret;
            },
            log: {
                info: (msg, fields) => logs.push(JSON.stringify({ msg, ...fields })),
                warn: (msg, fields) => logs.push(JSON.stringify({ msg, ...fields })),
                error: (msg, fields) => logs.push(JSON.stringify({ msg, ...fields })),
            },
        });
    }

    it("applies the migrations and creates the app role, then is a no-op the second time", async () => {
        const first: MigrationResult = await handler()({ migrationsHash: migrationsSha256, appUser });
        expect(first).to.deep.equal({
            applied: migrations.map(migrationId),
            version: migrations.length,
            role: appUser,
            roleCreated: true,
            iamAuth: false,
            migrationsHash: migrationsSha256,
        });
        const sessions = proxy!.tlsSessions.length;
        expect(sessions).to.be.greaterThan(0);

        const second: MigrationResult = await handler()({});
        expect(second).to.deep.equal({
            applied: [],
            version: migrations.length,
            role: appUser,
            roleCreated: false,
            iamAuth: false,
            migrationsHash: migrationsSha256,
        });
        expect(proxy!.tlsSessions.length).to.equal(sessions + 1);
        // The bundle is downloaded once per execution environment.
        expect(fetched).to.deep.equal([TRUST_STORE]);

        await withClient(db!.url, async (c) => {
            const { rows } = await c.query("SELECT version, name FROM schema_migrations ORDER BY version");
            expect(rows).to.deep.equal(migrations.map((m) => ({ version: m.version, name: m.name })));
            const roles = await c.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1", [appUser]);
            expect(roles.rows[0].n).to.equal(1);
        });
    });

    it("never logs the master password", async () => {
        await handler()({});
        expect(logs.map((l) => JSON.parse(l).msg)).to.deep.equal(["migrating", "migrated"]);
        expect(logs.join("\n")).to.not.include(db!.superuserPassword);
        expect(JSON.parse(logs[1])).to.include({ applied: "none", role: appUser, roleCreated: false });
    });

    it("stops before connecting when the CA bundle cannot be downloaded", async () => {
        const sessions = proxy!.tlsSessions.length;
        const url = "https://truststore.pki.rds.amazonaws.com/xx-nowhere-1/xx-nowhere-1-bundle.pem";
        const error = await rejection(handler({ DB_CA_BUNDLE_URL: url })({}));
        expect(error.message).to.equal(
            `cannot load the RDS CA bundle from ${url} (HTTP 404); TLS to the database is always verified, so the migration stops here`,
        );
        expect(proxy!.tlsSessions.length).to.equal(sessions);
    });

    it("refuses a CA that did not sign the database's certificate", async () => {
        const error = await rejection(handler({ DB_CA_BUNDLE: certs.otherCaFile })({}));
        expect(error.message).to.match(
            /self[- ]signed certificate in certificate chain|unable to verify|unable to get local issuer/,
        );
        expect(JSON.parse(logs[logs.length - 1])).to.include({ msg: "migration failed" });
    });

    it("refuses to run for other migrations or another role than the deploy expects", async () => {
        expect((await rejection(handler()({ migrationsHash: "0".repeat(64) }))).message).to.equal(
            `this function was built from other migrations (${migrationsSha256}) than the deploy expects (${"0".repeat(64)}); run \`pulumi up\` again so the function's code is updated before it is invoked`,
        );
        expect((await rejection(handler()({ appUser: "someone_else" }))).message).to.equal(
            `the deploy expects app role "someone_else" but the function is configured for "${appUser}"`,
        );
    });

    it("returns the same JSON shape the offline mocks give the Invocation", async () => {
        const run = named(await runStack("dev"), "aws:lambda/invocation:Invocation", "migrations-run");
        const mocked = JSON.parse(run.outputs.result);
        const real = await handler()({});
        expect(Object.keys(mocked).sort()).to.deep.equal(Object.keys(real).sort());
        expect(mocked.migrationsHash).to.equal(real.migrationsHash);
    });
});
