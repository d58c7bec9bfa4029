import type { ClientBase } from "pg";
import { type Migration, migrationChecksum, migrationId, migrations } from "./migrations";

/**
 * Whether a database holds the app's schema: the migrations' table with every migration this
 * code knows applied, unedited. A database newer than the code (migrations this code does not
 * know) passes, as `migrate` accepts it. Read-only: the check runs in a READ ONLY transaction,
 * so it can never change what it inspects (a restored copy of the database, a restore test).
 */
export interface SchemaCheck {
    /** The highest version the database has applied (0: none, or no migrations table). */
    version: number;
    /** The highest version this code knows: what the database must have reached. */
    expectedVersion: number;
    /** What is wrong, each in words naming the migration; empty when the schema is the app's. */
    problems: string[];
}

export async function checkSchema(client: ClientBase, list: readonly Migration[] = migrations): Promise<SchemaCheck> {
    const expectedVersion = Math.max(0, ...list.map((m) => m.version));
    await client.query("BEGIN READ ONLY");
    try {
        const table = await client.query<{ found: string | null }>(
            "SELECT to_regclass('schema_migrations')::text AS found",
        );
        if (table.rows[0]?.found == null) {
            return {
                version: 0,
                expectedVersion,
                problems: [
                    "the database has no schema_migrations table: it was never migrated, so it is not the app's database",
                ],
            };
        }
        const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
        );
        const applied = new Map(rows.map((r) => [r.version, r]));
        const version = Math.max(0, ...rows.map((r) => r.version));
        const problems: string[] = [];
        for (const m of list) {
            const row = applied.get(m.version);
            if (!row) {
                problems.push(
                    `migration ${migrationId(m)} is not applied (the schema is at version ${version}, the deployed code expects ${expectedVersion})`,
                );
            } else if (row.name !== m.name || row.checksum !== migrationChecksum(m)) {
                problems.push(
                    `migration ${migrationId(m)} differs from the code's (applied as ${migrationId(row)}, checksum ${row.checksum.slice(0, 12)})`,
                );
            }
        }
        return { version, expectedVersion, problems };
    } finally {
        await client.query("ROLLBACK").catch(() => undefined);
    }
}
