import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { Client, Pool } from "pg";
import { migrate } from "../app/db/migrations";
import { IamAuthTarget, poolConfigFromEnv } from "../app/db/poolConfig";
import { ensureAppRole, grantStatements, quoteIdent, validateAppRoleOptions } from "../app/db/roles";
import { refreshSql } from "../app/db/visits";
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

/** SQLSTATE of an error a query rejects with; a query that succeeds fails the test. */
async function sqlState(promise: Promise<unknown>): Promise<string> {
    const outcome = await promise.then(
        () => undefined,
        (e: { code?: string }) => e.code ?? "no code",
    );
    if (outcome === undefined) {
        throw new Error("expected the statement to be refused, and it succeeded");
    }
    return outcome;
}

const suffix = randomBytes(3).toString("hex");

describe("app role (pure)", () => {
    it("quotes identifiers and refuses names it must not build SQL from", () => {
        expect(quoteIdent('we"ird')).to.equal('"we""ird"');
        expect(() => validateAppRoleOptions({ user: "App; DROP", database: "webfleet" })).to.throw(
            'user "App; DROP" is not a lower-case PostgreSQL identifier',
        );
        expect(() => validateAppRoleOptions({ user: "rds_iam", database: "webfleet" })).to.throw(
            'user "rds_iam" is a name PostgreSQL or RDS reserves',
        );
        expect(() => validateAppRoleOptions({ user: "postgres", database: "webfleet" })).to.throw("reserves");
        expect(() => validateAppRoleOptions({ user: "webfleet_app", database: "webfleet" })).to.not.throw();
    });

    it("grants DML and sequence use only, and takes the migration bookkeeping away", () => {
        const sql = grantStatements({ user: "app", database: "db" }, true).join(";\n");
        expect(sql).to.include(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "app"`);
        expect(sql).to.include(`REVOKE ALL ON TABLE "public"."schema_migrations" FROM "app"`);
        expect(sql).to.include(`REVOKE CREATE ON SCHEMA "public" FROM PUBLIC`);
        expect(sql).to.not.match(/GRANT[^;]*(CREATE|TRUNCATE|REFERENCES|TRIGGER|ALL PRIVILEGES|TEMP)/);
        expect(grantStatements({ user: "app", database: "db" }, false).join(";")).to.not.include("schema_migrations");
    });
});

describe("app role (real PostgreSQL)", function () {
    const appUser = `webfleet_app_${suffix}`;
    const appPassword = randomBytes(18).toString("base64url");
    const otherRoles = [`webfleet_super_${suffix}`, `webfleet_member_${suffix}`, `webfleet_iam_${suffix}`];
    let adminUrl: string;
    let db: ScratchDatabase | undefined;
    let app: Client | undefined;

    before(async function () {
        adminUrl = requirePostgres(this);
        db = await createScratchDatabase(adminUrl, "webfleet_roles_test");
        // What the migration function does, as the database's owner: migrations, then the role.
        const result = await withClient(db.url, async (c) => {
            await migrate(c);
            return ensureAppRole(c, { user: appUser, database: db!.name });
        });
        expect(result).to.deep.equal({ role: appUser, created: true, iamAuth: false });
        // A password only so this test can log in as the role; on RDS it has none (IAM tokens).
        await withClient(adminUrl, (c) => c.query(`ALTER ROLE ${quoteIdent(appUser)} PASSWORD '${appPassword}'`));
        app = new Client({ connectionString: db.urlAs(appUser, appPassword) });
        await app.connect();
    });

    after(async () => {
        await app?.end();
        await dropScratchDatabase(adminUrl, db, [appUser, ...otherRoles]);
    });

    it("is a plain login role: no superuser, no role or database creation, no other memberships", async () => {
        const { rows } = await withClient(adminUrl, (c) =>
            c.query(
                `SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls,
                        (SELECT count(*)::int FROM pg_auth_members WHERE member = r.oid) AS memberships
                   FROM pg_roles r WHERE rolname = $1`,
                [appUser],
            ),
        );
        expect(rows).to.deep.equal([
            {
                rolcanlogin: true,
                rolsuper: false,
                rolcreatedb: false,
                rolcreaterole: false,
                rolreplication: false,
                rolbypassrls: false,
                memberships: 0,
            },
        ]);
    });

    it("reads and writes the app's tables with the app's own query", async () => {
        const first = await app!.query(refreshSql, ["i-0123456789abcdef0", "us-east-1a", 3, 50]);
        expect(first.rows.map((r) => [r.instance_id, Number(r.count)])).to.deep.equal([["i-0123456789abcdef0", 3]]);
        await app!.query("UPDATE visits SET availability_zone = 'us-east-1b' WHERE instance_id = $1", [
            "i-0123456789abcdef0",
        ]);
        const read = await app!.query("SELECT availability_zone FROM visits WHERE instance_id = $1", [
            "i-0123456789abcdef0",
        ]);
        expect(read.rows).to.deep.equal([{ availability_zone: "us-east-1b" }]);
        const deleted = await app!.query("DELETE FROM visits WHERE instance_id = $1", ["i-0123456789abcdef0"]);
        expect(deleted.rowCount).to.equal(1);
    });

    it("cannot create, alter, drop or truncate anything, not even a temporary table", async () => {
        expect(await sqlState(app!.query("CREATE TABLE public.sneaky (id int)"))).to.equal("42501");
        expect(await sqlState(app!.query("CREATE TABLE sneaky (id int)"))).to.equal("42501");
        expect(await sqlState(app!.query("CREATE TEMP TABLE sneaky (id int)"))).to.equal("42501");
        expect(await sqlState(app!.query("CREATE SCHEMA sneaky"))).to.equal("42501");
        expect(await sqlState(app!.query("CREATE INDEX sneaky ON visits (availability_zone)"))).to.equal("42501");
        expect(await sqlState(app!.query("ALTER TABLE visits ADD COLUMN sneaky int"))).to.equal("42501");
        expect(await sqlState(app!.query("DROP TABLE visits"))).to.equal("42501");
        expect(await sqlState(app!.query("TRUNCATE visits"))).to.equal("42501");
        expect(await sqlState(app!.query("CREATE ROLE sneaky"))).to.equal("42501");
    });

    it("cannot read or forge the migration bookkeeping", async () => {
        expect(await sqlState(app!.query("SELECT * FROM schema_migrations"))).to.equal("42501");
        expect(
            await sqlState(app!.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (99, 'x', 'x')")),
        ).to.equal("42501");
    });

    it("gets DML on tables the migration role creates later, and still no more", async () => {
        await withClient(db!.url, (c) => c.query("CREATE TABLE later_added (id serial PRIMARY KEY, note text)"));
        await app!.query("INSERT INTO later_added (note) VALUES ('hello')");
        expect((await app!.query("SELECT note FROM later_added")).rows).to.deep.equal([{ note: "hello" }]);
        expect(await sqlState(app!.query("TRUNCATE later_added"))).to.equal("42501");
    });

    it("converges a role someone widened by hand, and is idempotent", async () => {
        await withClient(adminUrl, (c) => c.query(`ALTER ROLE ${quoteIdent(appUser)} CREATEDB CREATEROLE`));
        await withClient(db!.url, (c) =>
            c.query(
                `GRANT TRUNCATE ON visits TO ${quoteIdent(appUser)}; GRANT CREATE ON SCHEMA public TO ${quoteIdent(appUser)}`,
            ),
        );
        const again = await withClient(db!.url, (c) => ensureAppRole(c, { user: appUser, database: db!.name }));
        expect(again).to.deep.equal({ role: appUser, created: false, iamAuth: false });
        const { rows } = await withClient(adminUrl, (c) =>
            c.query("SELECT rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = $1", [appUser]),
        );
        expect(rows).to.deep.equal([{ rolcreatedb: false, rolcreaterole: false }]);
        expect(await sqlState(app!.query("TRUNCATE visits"))).to.equal("42501");
        expect(await sqlState(app!.query("CREATE TABLE sneaky (id int)"))).to.equal("42501");
    });

    it("refuses, changing nothing, a role with powers only a superuser could take away", async () => {
        const [superRole, memberRole] = otherRoles;
        await withClient(adminUrl, (c) =>
            c.query(
                `CREATE ROLE ${superRole} LOGIN SUPERUSER; CREATE ROLE ${memberRole} LOGIN; GRANT pg_read_all_data TO ${memberRole}`,
            ),
        );
        let error = await withClient(db!.url, (c) =>
            ensureAppRole(c, { user: superRole, database: db!.name }).then(
                () => undefined,
                (e: Error) => e,
            ),
        );
        expect(error?.message).to.equal(
            `role ${superRole} exists with rolsuper; the app role must have none of them. A superuser must run ALTER ROLE "${superRole}" NOSUPERUSER NOREPLICATION NOBYPASSRLS (or choose another database.appUser)`,
        );
        error = await withClient(db!.url, (c) =>
            ensureAppRole(c, { user: memberRole, database: db!.name }).then(
                () => undefined,
                (e: Error) => e,
            ),
        );
        expect(error?.message).to.equal(
            `role ${memberRole} is a member of pg_read_all_data, which gives it privileges beyond the app's; revoke them (REVOKE "pg_read_all_data" FROM "${memberRole}") and deploy again`,
        );
        const grants = await withClient(db!.url, (c) =>
            c.query("SELECT count(*)::int AS n FROM information_schema.role_table_grants WHERE grantee = ANY($1)", [
                [superRole, memberRole],
            ]),
        );
        expect(grants.rows[0].n).to.equal(0);
    });

    it("on RDS (rds_iam exists) grants rds_iam and leaves the role without a password", async () => {
        const iamUser = otherRoles[2];
        // rds_iam is cluster-wide: this test owns it only for its own duration.
        const existed = await withClient(
            adminUrl,
            async (c) => (await c.query("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'")).rows.length > 0,
        );
        expect(existed, "a leftover rds_iam role in the test cluster").to.equal(false);
        try {
            await withClient(adminUrl, (c) =>
                c.query(`CREATE ROLE rds_iam NOLOGIN; CREATE ROLE ${iamUser} LOGIN PASSWORD 'was-set-before'`),
            );
            const result = await withClient(db!.url, (c) => ensureAppRole(c, { user: iamUser, database: db!.name }));
            expect(result).to.deep.equal({ role: iamUser, created: false, iamAuth: true });
            const { rows } = await withClient(adminUrl, (c) =>
                c.query(
                    `SELECT a.rolpassword IS NULL AS no_password,
                            ARRAY(SELECT r.rolname::text FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = a.oid) AS member_of
                       FROM pg_authid a WHERE a.rolname = $1`,
                    [iamUser],
                ),
            );
            expect(rows).to.deep.equal([{ no_password: true, member_of: ["rds_iam"] }]);
        } finally {
            // rds_iam first: iamUser still holds grants in the scratch database (dropped in after()).
            await withClient(adminUrl, (c) => c.query("DROP ROLE IF EXISTS rds_iam"));
        }
    });
});

describe("app's IAM-token connection path (real PostgreSQL behind TLS, fake token provider)", function () {
    const appUser = `webfleet_tok_${suffix}`;
    const token = randomBytes(18).toString("base64url");
    let adminUrl: string;
    let db: ScratchDatabase | undefined;
    let certs: TestCertificates;
    let proxy: PgTlsProxy | undefined;
    const pools: Pool[] = [];

    before(async function () {
        adminUrl = requirePostgres(this);
        certs = makeCertificates(this);
        db = await createScratchDatabase(adminUrl, "webfleet_token_test");
        await withClient(db.url, async (c) => {
            await migrate(c);
            await ensureAppRole(c, { user: appUser, database: db!.name });
        });
        // The fake token provider hands out this password, as rds-signer would hand out a token.
        await withClient(adminUrl, (c) => c.query(`ALTER ROLE ${quoteIdent(appUser)} PASSWORD '${token}'`));
        proxy = await PgTlsProxy.start({ host: db.host, port: db.port }, certs);
    });

    after(async () => {
        await Promise.all(pools.map((p) => p.end()));
        await proxy?.close();
        await dropScratchDatabase(adminUrl, db, [appUser]);
    });

    function env(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
        // Exactly what the web tier's systemd unit gets (components/database.ts appEnvironment,
        // plus the CA bundle the user data downloads).
        return {
            DB_HOST: "localhost",
            DB_PORT: String(proxy!.port),
            DB_NAME: db!.name,
            DB_USER: appUser,
            AWS_REGION: "us-east-1",
            DB_CA_BUNDLE: certs.caFile,
            ...overrides,
        };
    }

    function pool(settings: NodeJS.ProcessEnv, tokenProvider: (t: IamAuthTarget) => Promise<string>): Pool {
        const p = new Pool({ ...poolConfigFromEnv(settings, { tokenProvider }), connectionTimeoutMillis: 5000 });
        p.on("error", () => undefined);
        pools.push(p);
        return p;
    }

    it("signs a fresh token for every new connection, for exactly the host, port, user and region", async () => {
        const calls: IamAuthTarget[] = [];
        const p = pool(env(), async (target) => {
            calls.push(target);
            return token;
        });
        // Two queries at once need two connections.
        const [a, b] = await Promise.all([
            p.query("SELECT current_user AS who, pg_backend_pid() AS pid FROM pg_sleep(0.2)"),
            p.query("SELECT current_user AS who, pg_backend_pid() AS pid FROM pg_sleep(0.2)"),
        ]);
        expect([a.rows[0].who, b.rows[0].who]).to.deep.equal([appUser, appUser]);
        expect(a.rows[0].pid).to.not.equal(b.rows[0].pid);
        const target = { hostname: "localhost", port: proxy!.port, username: appUser, region: "us-east-1" };
        expect(calls).to.deep.equal([target, target]);
        // And the app's own statement works through it.
        const visit = await p.query(refreshSql, ["i-0fedcba9876543210", "us-east-1c", 1, 50]);
        expect(visit.rows.map((r) => r.instance_id)).to.deep.equal(["i-0fedcba9876543210"]);
    });

    it("talks to the database only over TLS", async () => {
        const before = proxy!.tlsSessions.length;
        await pool(env(), async () => token).query("SELECT 1");
        expect(proxy!.tlsSessions.length).to.equal(before + 1);
        // A client without TLS is turned away, as RDS does with rds.force_ssl = 1.
        const plain = new Client({
            host: "localhost",
            port: proxy!.port,
            database: db!.name,
            user: appUser,
            password: token,
            ssl: false,
            connectionTimeoutMillis: 3000,
        });
        const refused = proxy!.plaintextRefused;
        await plain.connect().then(
            () => expect.fail("a plaintext connection was accepted"),
            () => undefined,
        );
        expect(proxy!.plaintextRefused).to.equal(refused + 1);
    });

    it("refuses a server whose certificate the CA bundle did not sign", async () => {
        const error = await pool(env({ DB_CA_BUNDLE: certs.otherCaFile }), async () => token)
            .query("SELECT 1")
            .then(
                () => undefined,
                (e: Error) => e,
            );
        expect(error?.message).to.match(
            /self[- ]signed certificate in certificate chain|unable to verify|unable to get local issuer/,
        );
    });

    it("refuses a server whose certificate names another host, even from the trusted CA (verify-full)", async () => {
        const impostor = await PgTlsProxy.start({ host: db!.host, port: db!.port }, certs.otherName);
        try {
            const error = await pool(env({ DB_PORT: String(impostor.port) }), async () => token)
                .query("SELECT 1")
                .then(
                    () => undefined,
                    (e: Error) => e,
                );
            expect(error?.message).to.equal(
                "Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: DNS:db.elsewhere.example",
            );
        } finally {
            await impostor.close();
        }
    });

    it("fails authentication with a token the database does not accept", async () => {
        const error = await pool(env(), async () => "not-the-token")
            .query("SELECT 1")
            .then(
                () => undefined,
                (e: { code?: string }) => e,
            );
        expect(error?.code).to.equal("28P01");
    });
});
