/**
 * The fleet's database: Debian's PostgreSQL started for the fleet (the default when installed),
 * the app's embedded PGlite, or a PostgreSQL the caller gives. The fleet plays the deploy-time
 * migration function: it applies the migrations once and, on its own PostgreSQL, creates the
 * app's limited role (app/db/roles.ts) so the servers connect with only the app's privileges,
 * as on AWS. stop()/start() take the database away and bring it back (`fleet -- stop-db`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import type { DatabaseChoice } from "./args";
import { migrate } from "../../app/db/migrations";
import { ensureAppRole } from "../../app/db/roles";
import { freePort, userIds } from "./system";

export interface FleetDatabase {
    kind: "postgres" | "pglite" | "url";
    /** e.g. "PostgreSQL 15.14 on 127.0.0.1:41234". */
    description: string;
    /** What the servers get as DATABASE_URL. */
    appUrl: string;
    running(): boolean;
    pid(): number | undefined;
    stop(): Promise<void>;
    start(): Promise<void>;
}

const APP_DATABASE = "webfleet";
const APP_ROLE = "webfleet_app";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The newest Debian PostgreSQL server's bin directory, or undefined when none is installed. */
export function debianPostgresBin(root = "/usr/lib/postgresql"): string | undefined {
    if (!existsSync(root)) {
        return undefined;
    }
    const versions = readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, "bin", "postgres")))
        .sort((a, b) => Number(a) - Number(b));
    const newest = versions.pop();
    return newest ? join(root, newest, "bin") : undefined;
}

export async function startDatabase(
    choice: DatabaseChoice,
    stateDir: string,
    bind: string,
    logDir: string,
): Promise<FleetDatabase> {
    const kind = choice.kind === "auto" ? (debianPostgresBin() ? "postgres" : "pglite") : choice.kind;
    if (kind === "postgres") {
        return startPostgres(stateDir, bind, logDir);
    }
    if (kind === "pglite") {
        return startPglite(stateDir, bind);
    }
    const url = (choice as { url: string }).url;
    await withClient(url, (c) => migrate(c));
    const u = new URL(url);
    return {
        kind: "url",
        description: `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname} (--database-url)`,
        appUrl: url,
        running: () => true,
        pid: () => undefined,
        stop: () =>
            Promise.reject(new Error("the fleet does not own this database (--database-url); stop it yourself")),
        start: () => Promise.reject(new Error("the fleet does not own this database (--database-url)")),
    };
}

async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    await client.connect();
    try {
        return await work(client);
    } finally {
        await client.end();
    }
}

async function waitForConnection(url: string, alive: () => boolean, what: () => string): Promise<void> {
    for (let waited = 0; waited < 20_000; waited += 100) {
        if (!alive()) {
            throw new Error(`the database exited while starting:\n${what()}`);
        }
        try {
            await withClient(url, (c) => c.query("SELECT 1"));
            return;
        } catch {
            await sleep(100);
        }
    }
    throw new Error(`the database did not accept connections within 20 s:\n${what()}`);
}

async function startPostgres(stateDir: string, bind: string, logDir: string): Promise<FleetDatabase> {
    const bin = debianPostgresBin();
    if (!bin) {
        throw new Error("PostgreSQL is not installed (Debian: apt-get install postgresql); or use --db pglite");
    }
    // PostgreSQL refuses to run as root: then it runs as Debian's postgres user.
    const owner = process.getuid?.() === 0 ? userIds("postgres") : undefined;
    if (process.getuid?.() === 0 && !owner) {
        throw new Error("running as root and there is no postgres user to run PostgreSQL as");
    }
    const dataDir = join(stateDir, "postgres");
    mkdirSync(dataDir, { mode: 0o700 });
    const superPassword = randomBytes(18).toString("hex");
    const pwFile = join(stateDir, "postgres.pw");
    writeFileSync(pwFile, `${superPassword}\n`, { mode: 0o600 });
    if (owner) {
        chownSync(dataDir, owner.uid, owner.gid);
        chownSync(pwFile, owner.uid, owner.gid);
    }
    const ids = owner ? { uid: owner.uid, gid: owner.gid } : {};
    const log = createWriteStream(join(logDir, "postgres.log"), { flags: "a" });
    await new Promise<void>((resolve, reject) => {
        const init = spawn(
            join(bin, "initdb"),
            [
                "-D",
                dataDir,
                "-U",
                "postgres",
                "-A",
                "scram-sha-256",
                `--pwfile=${pwFile}`,
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
            ],
            { ...ids, stdio: ["ignore", "pipe", "pipe"] },
        );
        let output = "";
        init.stdout.on("data", (d: Buffer) => (output += d.toString()));
        init.stderr.on("data", (d: Buffer) => (output += d.toString()));
        init.on("error", reject);
        init.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`initdb failed (${code}):\n${output}`))));
    });
    rmSync(pwFile);
    const port = await freePort(bind);
    let child: ChildProcess | undefined;
    let recent = "";
    const start = async () => {
        const c = spawn(
            join(bin, "postgres"),
            [
                "-D",
                dataDir,
                "-p",
                String(port),
                "-c",
                `listen_addresses=${bind}`,
                "-c",
                `unix_socket_directories=${dataDir}`,
            ],
            // Its own process group: a terminal's Ctrl-C reaches only the supervisor, which stops it in order.
            { ...ids, detached: true, stdio: ["ignore", "pipe", "pipe"] },
        );
        child = c;
        c.stdout?.pipe(log, { end: false });
        c.stderr?.on("data", (d: Buffer) => {
            recent = (recent + d.toString()).slice(-3000);
            log.write(d);
        });
        const superUrl = `postgres://postgres:${superPassword}@${bind}:${port}/postgres`;
        await waitForConnection(
            superUrl,
            () => c.exitCode === null && c.signalCode === null,
            () => recent,
        );
    };
    await start();
    const appPassword = randomBytes(18).toString("hex");
    const superUrl = (db: string) => `postgres://postgres:${superPassword}@${bind}:${port}/${db}`;
    await withClient(superUrl("postgres"), (c) => c.query(`CREATE DATABASE ${APP_DATABASE}`));
    const version = await withClient(superUrl(APP_DATABASE), async (c) => {
        await migrate(c);
        await ensureAppRole(c, { user: APP_ROLE, database: APP_DATABASE });
        // The stand-in for RDS IAM tokens: a password only this fleet knows.
        await c.query(`ALTER ROLE ${APP_ROLE} PASSWORD '${appPassword}'`);
        return (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v;
    });
    const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
    return {
        kind: "postgres",
        description: `PostgreSQL ${version.split(" ")[0]} (Debian's, ${bin}) on ${bind}:${port}`,
        appUrl: `postgres://${APP_ROLE}:${appPassword}@${bind}:${port}/${APP_DATABASE}`,
        running,
        pid: () => (running() ? child?.pid : undefined),
        start: async () => {
            if (!running()) {
                await start();
            }
        },
        stop: async () => {
            const c = child;
            if (!c || !running()) {
                return;
            }
            const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
            // SIGINT is PostgreSQL's fast shutdown: sessions are cut, nothing is lost.
            c.kill("SIGINT");
            const timer = setTimeout(() => c.kill("SIGKILL"), 10_000);
            await exited;
            clearTimeout(timer);
        },
    };
}

async function startPglite(stateDir: string, bind: string): Promise<FleetDatabase> {
    const { PGlite } = await import("@electric-sql/pglite");
    const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
    // On disk, so stop-db and start-db keep the data, as a real database would.
    const dataDir = join(stateDir, "pglite");
    const port = await freePort(bind);
    let current: { db: InstanceType<typeof PGlite>; server: InstanceType<typeof PGLiteSocketServer> } | undefined;
    const start = async () => {
        const db = await PGlite.create(dataDir);
        const server = new PGLiteSocketServer({ db, host: bind, port, maxConnections: 200 });
        await server.start();
        current = { db, server };
    };
    await start();
    const url = `postgres://postgres@${bind}:${port}/postgres`;
    await withClient(url, (c) => migrate(c));
    return {
        kind: "pglite",
        description: `PGlite (embedded, in the supervisor) on ${bind}:${port}`,
        appUrl: url,
        running: () => current !== undefined,
        pid: () => undefined,
        start: async () => {
            if (!current) {
                await start();
            }
        },
        stop: async () => {
            const c = current;
            current = undefined;
            if (c) {
                await c.server.stop();
                await c.db.close();
            }
        },
    };
}
