import { createHash } from "node:crypto";
import type { ClientBase } from "pg";

/**
 * The schema, as ordered, versioned migrations. Plain data so a deploy-time function (the
 * database issue's migration Lambda) can run them and hash them without starting the app.
 *
 * Rules: never edit or reorder an applied migration (`migrate` refuses a changed checksum);
 * add a new one with the next version. No roles or grants here: the app's login role is
 * created separately, with DML-only privileges.
 */
export interface Migration {
    readonly version: number;
    readonly name: string;
    readonly sql: string;
}

export const migrations: readonly Migration[] = Object.freeze([
    {
        version: 1,
        name: "visits",
        sql: `
CREATE TABLE visits (
    instance_id       text        PRIMARY KEY CHECK (length(instance_id) BETWEEN 1 AND 64),
    availability_zone text        NOT NULL,
    count             bigint      NOT NULL DEFAULT 0 CHECK (count >= 0),
    first_seen        timestamptz NOT NULL DEFAULT now(),
    last_seen         timestamptz NOT NULL DEFAULT now()
);
-- The page lists the most recently seen instances first.
CREATE INDEX visits_last_seen_idx ON visits (last_seen DESC);
`,
    },
]);

/** Serialises concurrent migrators (two instances starting together) on one database. */
export const migrationLockKey = 0x77656266; // "webf"

/** `0001_visits`: how a migration is named in results and logs. */
export function migrationId(m: Pick<Migration, "version" | "name">): string {
    return `${String(m.version).padStart(4, "0")}_${m.name}`;
}

function sha256(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("hex");
}

export function migrationChecksum(m: Migration): string {
    return sha256(m.sql);
}

/** sha256 over versions, names and SQL, in order: changes exactly when a migration does. */
export function hashMigrations(list: readonly Migration[]): string {
    return sha256(JSON.stringify(list.map((m) => ({ version: m.version, name: m.name, sql: m.sql }))));
}

/** The deploy trigger for the migration function: rerun when (and only when) this changes. */
export const migrationsSha256: string = hashMigrations(migrations);

/** Checks the list itself: a mistake here must fail tests, not a deploy. */
export function validateMigrations(list: readonly Migration[]): void {
    let previous = 0;
    for (const m of list) {
        if (!Number.isInteger(m.version) || m.version <= previous) {
            throw new Error(`migration "${m.name}": version ${m.version} must be an integer greater than ${previous}`);
        }
        if (!/^[a-z0-9_]{1,60}$/.test(m.name)) {
            throw new Error(`migration ${m.version}: name "${m.name}" must be lower_snake_case`);
        }
        if (!m.sql.trim()) {
            throw new Error(`migration ${migrationId(m)}: sql is empty`);
        }
        previous = m.version;
    }
}

export interface MigrateResult {
    /** Migrations applied by this call, e.g. ["0001_visits"]; empty when up to date. */
    applied: string[];
    /** The schema version after the call. */
    version: number;
}

/**
 * Brings the schema up to date, idempotently. Everything runs in one transaction under a
 * transaction-scoped advisory lock, so concurrent callers wait for each other and a failure
 * leaves the schema as it was. Tables are created in the client's search_path.
 */
export async function migrate(client: ClientBase, list: readonly Migration[] = migrations): Promise<MigrateResult> {
    validateMigrations(list);
    await client.query("BEGIN");
    try {
        await client.query("SELECT pg_advisory_xact_lock($1)", [migrationLockKey]);
        await client.query(`
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)`);
        const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
        );
        const done = new Map(rows.map((r) => [r.version, r]));
        const applied: string[] = [];
        for (const m of list) {
            const row = done.get(m.version);
            if (row) {
                if (row.checksum !== migrationChecksum(m)) {
                    throw new Error(
                        `migration ${migrationId(m)} differs from the one applied to this database (checksum mismatch); ` +
                            "applied migrations are immutable, so revert the edit and add a new migration instead",
                    );
                }
                continue;
            }
            await client.query(m.sql);
            await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
                m.version,
                m.name,
                migrationChecksum(m),
            ]);
            applied.push(migrationId(m));
        }
        await client.query("COMMIT");
        // A newer database than this code (a rolling deploy) is fine: migrations only add.
        const version = Math.max(0, ...rows.map((r) => r.version), ...list.map((m) => m.version));
        return { applied, version };
    } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}

validateMigrations(migrations);
