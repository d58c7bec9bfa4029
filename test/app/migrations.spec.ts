import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import {
    hashMigrations,
    migrate,
    migrationChecksum,
    migrations,
    migrationsSha256,
    validateMigrations,
    type Migration,
} from "../../app/db/migrations";
import { testDatabase } from "./support/db";

/** Clients whose search_path is a fresh schema, so each test migrates an empty database. */
async function inFreshSchema(count: number, work: (clients: Client[], schema: string) => Promise<void>): Promise<void> {
    const db = await testDatabase();
    const schema = `mig_${randomBytes(4).toString("hex")}`;
    const clients = Array.from({ length: count }, () => new Client({ connectionString: db.url }));
    await Promise.all(clients.map((c) => c.connect()));
    try {
        await clients[0].query(`CREATE SCHEMA ${schema}`);
        await Promise.all(clients.map((c) => c.query(`SET search_path TO ${schema}`)));
        await work(clients, schema);
    } finally {
        // PGlite serves every connection from one session, so a SET would outlive this test.
        await Promise.all(clients.map((c) => c.query("RESET search_path").catch(() => undefined)));
        await clients[0].query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
        await Promise.all(clients.map((c) => c.end()));
    }
}

async function tables(client: Client, schema: string): Promise<string[]> {
    const { rows } = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
        [schema],
    );
    return rows.map((r) => r.table_name);
}

describe("app migrations", () => {
    it("creates the schema once, then is a no-op", async () => {
        await inFreshSchema(1, async ([client], schema) => {
            expect(await migrate(client)).to.deep.equal({ applied: ["0001_visits"], version: 1 });
            expect(await tables(client, schema)).to.deep.equal(["schema_migrations", "visits"]);
            expect(await migrate(client)).to.deep.equal({ applied: [], version: 1 });
            const { rows } = await client.query("SELECT version, name, checksum FROM schema_migrations");
            expect(rows).to.deep.equal([{ version: 1, name: "visits", checksum: migrationChecksum(migrations[0]) }]);
        });
    });

    it("two instances migrating at once: the advisory lock lets exactly one apply", async () => {
        await inFreshSchema(2, async ([a, b], schema) => {
            const results = await Promise.all([migrate(a), migrate(b)]);
            const applied = results.map((r) => r.applied.length).sort();
            expect(applied).to.deep.equal([0, 1]);
            expect(await tables(a, schema)).to.deep.equal(["schema_migrations", "visits"]);
        });
    });

    it("refuses an applied migration whose SQL was edited, naming it", async () => {
        await inFreshSchema(1, async ([client]) => {
            await migrate(client);
            const edited: Migration[] = [{ ...migrations[0], sql: migrations[0].sql + "\n-- edited" }];
            const err = await migrate(client, edited).then(
                () => undefined,
                (e: unknown) => e,
            );
            expect(String(err)).to.match(/migration 0001_visits differs .* add a new migration instead/);
        });
    });

    it("applies pending migrations all or nothing", async () => {
        await inFreshSchema(1, async ([client], schema) => {
            const broken: Migration[] = [...migrations, { version: 2, name: "broken", sql: "CREATE TABLE oops (" }];
            const err = await migrate(client, broken).then(
                () => undefined,
                (e: unknown) => e,
            );
            expect(err).to.be.instanceOf(Error);
            expect(await tables(client, schema)).to.deep.equal([]);
            expect((await migrate(client)).applied).to.deep.equal(["0001_visits"]);
        });
    });

    it("leaves roles and grants to the database component", () => {
        for (const m of migrations) {
            expect(m.sql).not.to.match(/\b(CREATE|ALTER|DROP)\s+(ROLE|USER)\b|\bGRANT\b|\bREVOKE\b/i);
        }
    });

    it("exports a stable content hash for the deploy trigger", () => {
        expect(migrationsSha256).to.match(/^[0-9a-f]{64}$/);
        expect(hashMigrations(migrations.map((m) => ({ ...m })))).to.equal(migrationsSha256);
        const changed = migrations.map((m) => ({ ...m, sql: `${m.sql} ` }));
        expect(hashMigrations(changed)).not.to.equal(migrationsSha256);
    });

    it("rejects a malformed list before touching the database", () => {
        expect(() =>
            validateMigrations([
                { version: 2, name: "b", sql: "x" },
                { version: 1, name: "a", sql: "y" },
            ]),
        ).to.throw(/version 1 must be an integer greater than 2/);
        expect(() => validateMigrations([{ version: 1, name: "Bad Name", sql: "x" }])).to.throw(/lower_snake_case/);
        expect(() => validateMigrations(migrations)).not.to.throw();
    });
});
