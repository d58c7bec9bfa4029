/**
 * The restore validator against a real PostgreSQL behind a TLS proxy that behaves like RDS
 * (rds.force_ssl): the same bundle Lambda runs, its verify-full TLS, the master secret with a
 * rotation between snapshot and test, and each way a restore can be wrong.
 */
import { BackupClient, PutRestoreValidationResultCommand } from "@aws-sdk/client-backup";
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import type { ClientConfig } from "pg";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { migrate, migrations, type Migration } from "../app/db/migrations";
import { bundleRestoreValidator } from "../app/lambda/build";
import { MAX_MESSAGE_LENGTH, VALIDATION_FAILED_MSG, type RestoreJobEvent } from "../app/lambda/restoreValidation";
import { createHandler as createSourceHandler } from "../app/lambda/validateRestore";
import { silentLogger } from "../app/log";
import type {
    RestoredInstance,
    SecretStage,
    ValidationStatus,
    ValidatorDeps,
    createHandler as CreateHandler,
} from "../app/lambda/validateRestore";
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

const PLAN_ARN = "arn:aws:backup:us-east-1:123456789012:restore-testing-plan:webfleet_dev_restore_test-a1b2c3";
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0123-AbCdEf";
const RESTORE_SG = "sg-0e5707e000000001";
const TRUST_STORE = "https://truststore.pki.rds.amazonaws.com/us-east-1/us-east-1-bundle.pem";
const RESTORED = "awsbackup-restore-test-3f2a9c";

function completed(overrides: NonNullable<RestoreJobEvent["detail"]> = {}): RestoreJobEvent {
    return {
        source: "aws.backup",
        "detail-type": "Restore Job State Change",
        detail: {
            restoreJobId: "8D7A5C2E-0000-4000-8000-000000000001",
            status: "COMPLETED",
            resourceType: "RDS",
            createdResourceArn: `arn:aws:rds:us-east-1:123456789012:db:${RESTORED}`,
            restoreTestingPlanArn: PLAN_ARN,
            ...overrides,
        },
    };
}

describe("restore validator (real PostgreSQL over verified TLS)", function () {
    let adminUrl: string;
    let migrated: ScratchDatabase | undefined;
    let empty: ScratchDatabase | undefined;
    let certs: TestCertificates;
    let proxy: PgTlsProxy | undefined;
    let createHandler: typeof CreateHandler;
    let results: { id: string; status: ValidationStatus; message: string }[];
    let logs: { level: string; msg: string; [k: string]: unknown }[];
    let described: string[];

    before(async function () {
        adminUrl = requirePostgres(this);
        certs = makeCertificates(this);
        migrated = await createScratchDatabase(adminUrl, "webfleet_restored");
        empty = await createScratchDatabase(adminUrl, "webfleet_restored_empty");
        await withClient(migrated.url, (c) => migrate(c));
        proxy = await PgTlsProxy.start({ host: migrated.host, port: migrated.port }, certs);
        // The artifact Lambda runs, not the TypeScript source: bundle it and load it.
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-validator-")), "index.js");
        fs.writeFileSync(file, bundleRestoreValidator().code);
        createHandler = require(file).createHandler;
    });

    after(async () => {
        await proxy?.close();
        await dropScratchDatabase(adminUrl, migrated, []);
        await dropScratchDatabase(adminUrl, empty, []);
    });

    function secret(password: string): string {
        return JSON.stringify({ username: migrated!.superuser, password, engine: "postgres" });
    }

    function handler(
        opts: {
            db?: ScratchDatabase;
            env?: Record<string, string>;
            instance?: Partial<RestoredInstance>;
            secrets?: Partial<Record<SecretStage, string>>;
            migrations?: readonly Migration[];
        } = {},
    ) {
        results = [];
        logs = [];
        described = [];
        const log = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
            logs.push({ level, msg, ...fields });
        const deps: Partial<ValidatorDeps> = {
            env: {
                RESTORE_TESTING_PLAN_ARN: PLAN_ARN,
                RESTORE_SECURITY_GROUP_ID: RESTORE_SG,
                DB_NAME: (opts.db ?? migrated)!.name,
                DB_MASTER_SECRET_ARN: SECRET_ARN,
                DB_CA_BUNDLE_URL: TRUST_STORE,
                ...opts.env,
            },
            describeInstance: async (identifier) => {
                described.push(identifier);
                return {
                    address: "localhost",
                    port: proxy!.port,
                    status: "available",
                    securityGroupIds: [RESTORE_SG],
                    ...opts.instance,
                };
            },
            getSecretString: async (arn, stage) => {
                expect(arn).to.equal(SECRET_ARN);
                const all = opts.secrets ?? { AWSCURRENT: secret(migrated!.superuserPassword) };
                return all[stage];
            },
            putResult: async (id, status, message) => {
                results.push({ id, status, message });
            },
            fetchText: async (url) => {
                if (url !== TRUST_STORE) throw new Error("HTTP 404");
                return fs.readFileSync(certs.caFile, "utf8");
            },
            log: { info: log("info"), warn: log("warn"), error: log("error") },
        };
        if (opts.migrations) deps.migrations = opts.migrations;
        return createHandler(deps);
    }

    it("reports SUCCESSFUL for a restored copy of the app's database, after VALIDATING", async () => {
        const sessions = proxy!.tlsSessions.length;
        const outcome = await handler()(completed());
        expect(outcome.status).to.equal("SUCCESSFUL");
        expect(described).to.deep.equal([RESTORED]);
        expect(results.map((r) => [r.id, r.status])).to.deep.equal([
            ["8D7A5C2E-0000-4000-8000-000000000001", "VALIDATING"],
            ["8D7A5C2E-0000-4000-8000-000000000001", "SUCCESSFUL"],
        ]);
        expect(results[1].message).to.match(
            new RegExp(
                `^${RESTORED} answered over verified TLS in \\d+ ms and holds the app's schema at version 1 \\(0001_visits\\)$`,
            ),
        );
        expect(proxy!.tlsSessions.length).to.equal(sessions + 1);
        expect(logs.filter((l) => l.level === "error")).to.deep.equal([]);
        expect(JSON.stringify(logs)).to.not.include(migrated!.superuserPassword);
    });

    it("reports FAILED for a database that was never migrated", async () => {
        const outcome = await handler({ db: empty })(completed());
        expect(outcome.status).to.equal("FAILED");
        expect(results.map((r) => r.status)).to.deep.equal(["VALIDATING", "FAILED"]);
        expect(results[1].message).to.equal(
            `${RESTORED} answered, but the database has no schema_migrations table: it was never migrated, so it is not the app's database`,
        );
        expect(logs.filter((l) => l.msg === VALIDATION_FAILED_MSG)).to.have.length(1);
    });

    it("reports FAILED when the restored schema lacks a migration the deployed code has, or differs from it", async () => {
        const newer: Migration[] = [...migrations, { version: 2, name: "next", sql: "SELECT 1" }];
        await handler({ migrations: newer })(completed());
        expect(results[1]).to.deep.include({ status: "FAILED" });
        expect(results[1].message).to.equal(
            `${RESTORED} answered, but migration 0002_next is not applied (the schema is at version 1, the deployed code expects 2)`,
        );

        const edited: Migration[] = [{ ...migrations[0], sql: `${migrations[0].sql}-- edited\n` }];
        await handler({ migrations: edited })(completed());
        expect(results[1].status).to.equal("FAILED");
        expect(results[1].message).to.match(/migration 0001_visits differs from the code's/);
    });

    it("never writes to the restored database, not even where a migration is missing", async () => {
        await handler({ db: empty })(completed());
        await handler({ migrations: [...migrations, { version: 2, name: "next", sql: "CREATE TABLE next (id int)" }] })(
            completed(),
        );
        expect(results[1].status).to.equal("FAILED");
        await withClient(empty!.url, async (c) => {
            const { rows } = await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
            expect(rows[0].n).to.equal(0);
        });
        await withClient(migrated!.url, async (c) => {
            const { rows } = await c.query(
                "SELECT max(version) AS v, to_regclass('next') AS next FROM schema_migrations",
            );
            expect(rows[0]).to.deep.equal({ v: migrations.length, next: null });
        });
    });

    it("logs in with the previous master password when the secret rotated after the snapshot", async () => {
        const outcome = await handler({
            secrets: {
                AWSCURRENT: secret("rotated-since-the-snapshot"),
                AWSPREVIOUS: secret(migrated!.superuserPassword),
            },
        })(completed());
        expect(outcome.status).to.equal("SUCCESSFUL");
        expect(logs.find((l) => l.msg === "restore validated")).to.include({ secretStage: "AWSPREVIOUS" });
    });

    it("reports FAILED when neither password is the snapshot's", async () => {
        await handler({ secrets: { AWSCURRENT: secret("wrong") } })(completed());
        expect(results[1].status).to.equal("FAILED");
        expect(results[1].message).to.equal(
            `${RESTORED}: the restored database refused the master password, and the secret has no previous version: password authentication failed for user "${migrated!.superuser}"`,
        );
        expect(JSON.stringify([results, logs])).to.not.include(migrated!.superuserPassword);
    });

    it("refuses a database whose certificate the RDS CAs did not sign", async () => {
        await handler({ env: { DB_CA_BUNDLE: certs.otherCaFile } })(completed());
        expect(results[1].status).to.equal("FAILED");
        expect(results[1].message).to.match(
            /self[- ]signed certificate in certificate chain|unable to verify|unable to get local issuer/,
        );
    });

    it("never connects to an instance outside the restore-test security group", async () => {
        const sessions = proxy!.tlsSessions.length;
        await handler({ instance: { securityGroupIds: ["sg-0a1be00000000000"] } })(completed());
        expect(proxy!.tlsSessions.length).to.equal(sessions);
        expect(results[1]).to.deep.equal({
            id: "8D7A5C2E-0000-4000-8000-000000000001",
            status: "FAILED",
            message: `${RESTORED} is not in the restore-test security group ${RESTORE_SG} (it has sg-0a1be00000000000); not connecting`,
        });
    });

    it("logs a failed restore as a failure, with nothing to validate", async () => {
        const outcome = await handler()(completed({ status: "FAILED", statusMessage: "DBSubnetGroup not found" }));
        expect(outcome).to.deep.include({ status: "RESTORE_FAILED" });
        expect(results).to.deep.equal([]);
        expect(described).to.deep.equal([]);
        expect(logs).to.have.length(1);
        expect(logs[0]).to.deep.include({ level: "error", msg: VALIDATION_FAILED_MSG, stage: "restore" });
        expect(logs[0].reason).to.match(/ended FAILED: DBSubnetGroup not found/);
    });

    it("ignores other plans' restore jobs and anything that did not restore an RDS instance", async () => {
        expect((await handler()(completed({ restoreTestingPlanArn: `${PLAN_ARN}-other` }))).status).to.equal("IGNORED");
        expect(results).to.deep.equal([]);
        const notRds = await handler()(
            completed({ createdResourceArn: "arn:aws:ec2:us-east-1:123456789012:volume/vol-1" }),
        );
        expect(notRds.status).to.equal("FAILED");
        expect(results.map((r) => r.status)).to.deep.equal(["FAILED"]);
        expect(described).to.deep.equal([]);
    });

    it("names every missing or malformed setting at once", async () => {
        const error = await handler({ env: { RESTORE_SECURITY_GROUP_ID: "default", DB_NAME: "" } })(completed()).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(error?.message).to.equal(
            'restore validator misconfigured:\n  - RESTORE_SECURITY_GROUP_ID: "default" is not the restore-test security group\'s ID\n  - DB_NAME is not set; set it to the database name',
        );
    });
});

describe("restore validator's AWS calls (the SDK clients, stubbed)", () => {
    const env = {
        RESTORE_TESTING_PLAN_ARN: PLAN_ARN,
        RESTORE_SECURITY_GROUP_ID: RESTORE_SG,
        DB_NAME: "webfleet",
        DB_MASTER_SECRET_ARN: SECRET_ARN,
        DB_CA_BUNDLE_URL: TRUST_STORE,
    };
    // Made per test and restored after: other suites mock the same SDK clients (test/support/awsAccount.ts).
    const stubs = () => ({
        rds: mockClient(RDSClient),
        secrets: mockClient(SecretsManagerClient),
        backup: mockClient(BackupClient),
    });
    let m: ReturnType<typeof stubs>;
    beforeEach(() => {
        m = stubs();
    });
    afterEach(() => {
        m.rds.restore();
        m.secrets.restore();
        m.backup.restore();
    });

    it("describes the restored instance, reads both secret versions and reports through PutRestoreValidationResult", async () => {
        m.rds.on(DescribeDBInstancesCommand).resolves({
            DBInstances: [
                {
                    DBInstanceStatus: "available",
                    Endpoint: { Address: `${RESTORED}.c0ffee.us-east-1.rds.amazonaws.com`, Port: 5432 },
                    VpcSecurityGroups: [{ VpcSecurityGroupId: RESTORE_SG, Status: "active" }],
                },
            ],
        });
        m.secrets.on(GetSecretValueCommand, { VersionStage: "AWSCURRENT" }).resolves({
            SecretString: JSON.stringify({ username: "webfleet_admin", password: "now" }),
        });
        m.secrets
            .on(GetSecretValueCommand, { VersionStage: "AWSPREVIOUS" })
            .rejects(Object.assign(new Error("no such version"), { name: "ResourceNotFoundException" }));
        m.backup.on(PutRestoreValidationResultCommand).resolves({});
        const configs: ClientConfig[] = [];
        const outcome = await createSourceHandler({
            env,
            fetchText: async () => "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
            connect: async (config) => {
                configs.push(config);
                throw Object.assign(new Error("password authentication failed"), { code: "28P01" });
            },
            log: silentLogger,
        })(completed());

        expect(m.rds.commandCalls(DescribeDBInstancesCommand).map((c) => c.args[0].input)).to.deep.equal([
            { DBInstanceIdentifier: RESTORED },
        ]);
        expect(m.secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).to.deep.equal([
            { SecretId: SECRET_ARN, VersionStage: "AWSCURRENT" },
            { SecretId: SECRET_ARN, VersionStage: "AWSPREVIOUS" },
        ]);
        expect(configs.map((c) => [c.host, c.port, c.database, c.user, c.ssl])).to.deep.equal([
            [
                `${RESTORED}.c0ffee.us-east-1.rds.amazonaws.com`,
                5432,
                "webfleet",
                "webfleet_admin",
                {
                    ca: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
                    rejectUnauthorized: true,
                    servername: `${RESTORED}.c0ffee.us-east-1.rds.amazonaws.com`,
                },
            ],
        ]);
        const reported = m.backup.commandCalls(PutRestoreValidationResultCommand).map((c) => c.args[0].input);
        expect(reported.map((r) => [r.RestoreJobId, r.ValidationStatus])).to.deep.equal([
            ["8D7A5C2E-0000-4000-8000-000000000001", "VALIDATING"],
            ["8D7A5C2E-0000-4000-8000-000000000001", "FAILED"],
        ]);
        expect(outcome.status).to.equal("FAILED");
    });

    it("keeps the message it reports within what AWS Backup shows", async () => {
        m.backup.on(PutRestoreValidationResultCommand).resolves({});
        m.rds.on(DescribeDBInstancesCommand).resolves({
            DBInstances: [
                {
                    DBInstanceStatus: "available",
                    Endpoint: { Address: "db.example", Port: 5432 },
                    VpcSecurityGroups: Array.from({ length: 200 }, (_, i) => ({ VpcSecurityGroupId: `sg-${i}` })),
                },
            ],
        });
        await createSourceHandler({ env, log: silentLogger })(completed());
        const last = m.backup.commandCalls(PutRestoreValidationResultCommand).at(-1)!.args[0].input;
        expect(last.ValidationStatus).to.equal("FAILED");
        expect(last.ValidationStatusMessage).to.have.length(MAX_MESSAGE_LENGTH);
    });
});
