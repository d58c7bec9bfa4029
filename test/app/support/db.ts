import { randomBytes } from "node:crypto";
import { Client, type PoolConfig } from "pg";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../../../app/db/embedded";

/**
 * The database the app tests run against: a real PostgreSQL when TEST_DATABASE_URL is set
 * (CI always sets it, see .ci/run), otherwise an embedded PGlite. With PostgreSQL the tests get
 * a database of their own, created here and dropped at the end, so they share nothing with
 * other suites using the same server.
 */
export interface TestDatabase {
    kind: "postgres" | "pglite";
    /** A connection URL for the app (DATABASE_URL). */
    url: string;
    host: string;
    port: number;
    database: string;
}

let shared: Promise<TestDatabase> | undefined;
let cleanup: (() => Promise<void>) | undefined;

export function testDatabase(): Promise<TestDatabase> {
    shared ??= create();
    return shared;
}

/** True when the tests run against a real PostgreSQL (some checks, like passwords, need one). */
export function usingRealPostgres(): boolean {
    return Boolean(process.env.TEST_DATABASE_URL);
}

/** Skips a test that needs real PostgreSQL when running on PGlite; under CI that is a failure. */
export function requireRealPostgres(ctx: Mocha.Context, why: string): void {
    if (usingRealPostgres()) {
        return;
    }
    const reason = `needs a real PostgreSQL (${why}); set TEST_DATABASE_URL`;
    if (process.env.CI === "true") {
        throw new Error(`${reason}; CI must start one in .ci/run`);
    }
    process.stderr.write(`      skipped: ${reason}\n`);
    ctx.skip();
}

async function create(): Promise<TestDatabase> {
    const adminUrl = process.env.TEST_DATABASE_URL;
    if (!adminUrl) {
        if (process.env.CI === "true") {
            throw new Error("TEST_DATABASE_URL is not set; CI must start PostgreSQL in .ci/run");
        }
        const db: EmbeddedDatabase = await startEmbeddedDatabase({ maxConnections: 120 });
        cleanup = () => db.stop();
        return { kind: "pglite", url: db.url, ...hostPortDb(db.url) };
    }
    const name = `webfleet_app_test_${process.pid}_${randomBytes(3).toString("hex")}`;
    await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    cleanup = () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return { kind: "postgres", url: url.toString(), ...hostPortDb(url.toString()) };
}

function hostPortDb(url: string): { host: string; port: number; database: string } {
    const u = new URL(url);
    return { host: u.hostname, port: Number(u.port || 5432), database: u.pathname.slice(1) };
}

/** A pool config for the test database, optionally through another host/port (a proxy). */
export function poolConfigFor(db: TestDatabase, via?: { host: string; port: number }): PoolConfig {
    const u = new URL(db.url);
    if (via) {
        u.hostname = via.host;
        u.port = String(via.port);
    }
    return { connectionString: u.toString(), max: 10, connectionTimeoutMillis: 2000, query_timeout: 5000 };
}

export function urlVia(db: TestDatabase, via: { host: string; port: number }): string {
    const u = new URL(db.url);
    u.hostname = via.host;
    u.port = String(via.port);
    return u.toString();
}

async function withAdmin(url: string, work: (c: Client) => Promise<unknown>): Promise<void> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        await work(client);
    } finally {
        await client.end();
    }
}

// A root-level hook (registered once, when the first app spec imports this module): drop the
// database or stop PGlite after every test has run, so mocha can exit.
after(async () => {
    await cleanup?.();
});
