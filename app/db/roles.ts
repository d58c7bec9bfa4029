import type { ClientBase } from "pg";

/**
 * The app's login role and its grants, applied by the migration function (app/lambda) as the
 * database's master user after the migrations. The role gets exactly what the web server
 * needs: CONNECT on its database, USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on the
 * app's tables and USAGE/SELECT on their sequences. No DDL (no CREATE anywhere, no temporary
 * tables, no TRUNCATE/REFERENCES/TRIGGER), no superuser, no role or database creation, no
 * access to the migration bookkeeping.
 *
 * On RDS the role is granted `rds_iam` and has no password, so the only way in is a
 * short-lived IAM token. `rds_iam` exists only on RDS: on plain PostgreSQL (the tests) that
 * step is skipped and everything else is the same code.
 */

/** What `migrate` records applied migrations in (app/db/migrations.ts); the app never reads it. */
export const MIGRATIONS_TABLE = "schema_migrations";

/** Serialises concurrent callers (two manual invocations) on one database. */
export const appRoleLockKey = 0x77656272; // "webr"

/** The same rule as the stack config's `database.appUser`; checked again here, as SQL is built from it. */
const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;

/** Role names PostgreSQL and RDS reserve; granting to them would be a privilege escalation. */
const RESERVED = /^(pg_|rds|rdsadmin$|postgres$|public$)/;

export interface AppRoleOptions {
    /** The login role the web servers use (`database.appUser`). */
    user: string;
    /** The database it may connect to (`database.name`). */
    database: string;
    /** The schema holding the app's tables (default public, where `migrate` creates them). */
    schema?: string;
}

export interface AppRoleResult {
    role: string;
    /** True when this call created the role (false: it existed and was brought in line). */
    created: boolean;
    /** True on RDS: the role is a member of rds_iam and has no password. */
    iamAuth: boolean;
}

/** Double-quotes an identifier for SQL (validated names only; the quoting is belt and braces). */
export function quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

export function validateAppRoleOptions(opts: AppRoleOptions): void {
    const problems: string[] = [];
    for (const [key, value] of [
        ["user", opts.user],
        ["database", opts.database],
        ["schema", opts.schema ?? "public"],
    ] as const) {
        if (!IDENTIFIER.test(value)) {
            problems.push(
                `${key} "${value}" is not a lower-case PostgreSQL identifier (letters, digits, _; at most 63; starts with a letter)`,
            );
        }
    }
    if (RESERVED.test(opts.user)) {
        problems.push(`user "${opts.user}" is a name PostgreSQL or RDS reserves; choose another database.appUser`);
    }
    if (problems.length > 0) {
        throw new Error(`app role: ${problems.join("; ")}`);
    }
}

interface RoleRow {
    rolsuper: boolean;
    rolcreatedb: boolean;
    rolcreaterole: boolean;
    rolreplication: boolean;
    rolbypassrls: boolean;
    rolcanlogin: boolean;
}

/**
 * The grants, in order. Each is idempotent (GRANT/REVOKE of what is already so is a no-op),
 * so every run converges the role to exactly this, whatever was done to it by hand.
 */
export function grantStatements(opts: AppRoleOptions, migrationsTableExists: boolean): string[] {
    const user = quoteIdent(opts.user);
    const db = quoteIdent(opts.database);
    const schema = quoteIdent(opts.schema ?? "public");
    return [
        // PostgreSQL 15+ no longer lets PUBLIC create in the public schema; older databases
        // (or a restored dump) might, so say it explicitly.
        `REVOKE CREATE ON SCHEMA ${schema} FROM PUBLIC`,
        // Not every role may connect or make temporary tables: only the ones granted here.
        `REVOKE ALL ON DATABASE ${db} FROM PUBLIC`,
        `REVOKE ALL ON DATABASE ${db} FROM ${user}`,
        `GRANT CONNECT ON DATABASE ${db} TO ${user}`,
        `REVOKE ALL ON SCHEMA ${schema} FROM ${user}`,
        `GRANT USAGE ON SCHEMA ${schema} TO ${user}`,
        `REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${user}`,
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${user}`,
        ...(migrationsTableExists
            ? [`REVOKE ALL ON TABLE ${schema}.${quoteIdent(MIGRATIONS_TABLE)} FROM ${user}`]
            : []),
        `REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${schema} FROM ${user}`,
        `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${user}`,
        // Tables the migration role creates later (by hand, between deploys) get the same DML.
        `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${user}`,
        `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${user}`,
    ];
}

/**
 * Creates the app's login role if it is missing and converges its attributes and grants, in
 * one transaction. Run it after the migrations, so the grants cover every table. Refuses (and
 * changes nothing) when the role has attributes or memberships it must never have, since only
 * a superuser could take those away and the master user on RDS is not one.
 */
export async function ensureAppRole(client: ClientBase, opts: AppRoleOptions): Promise<AppRoleResult> {
    validateAppRoleOptions(opts);
    const user = quoteIdent(opts.user);
    await client.query("BEGIN");
    try {
        await client.query("SELECT pg_advisory_xact_lock($1)", [appRoleLockKey]);
        const { rows } = await client.query<RoleRow>(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1",
            [opts.user],
        );
        const existing = rows[0];
        if (existing) {
            const forbidden = (["rolsuper", "rolreplication", "rolbypassrls"] as const).filter((a) => existing[a]);
            if (forbidden.length > 0) {
                throw new Error(
                    `role ${opts.user} exists with ${forbidden.join(", ")}; the app role must have none of them. ` +
                        `A superuser must run ALTER ROLE ${user} NOSUPERUSER NOREPLICATION NOBYPASSRLS (or choose another database.appUser)`,
                );
            }
            const memberships = await client.query<{ rolname: string }>(
                `SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
                  WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = $1) AND r.rolname <> 'rds_iam' ORDER BY 1`,
                [opts.user],
            );
            if (memberships.rows.length > 0) {
                const names = memberships.rows.map((r) => r.rolname);
                throw new Error(
                    `role ${opts.user} is a member of ${names.join(", ")}, which gives it privileges beyond the app's; ` +
                        `revoke them (REVOKE ${names.map(quoteIdent).join(", ")} FROM ${user}) and deploy again`,
                );
            }
            if (!existing.rolcanlogin || existing.rolcreatedb || existing.rolcreaterole) {
                await client.query(`ALTER ROLE ${user} LOGIN NOCREATEDB NOCREATEROLE`);
            }
        } else {
            await client.query(
                `CREATE ROLE ${user} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT`,
            );
        }
        const rds = await client.query("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'");
        const iamAuth = rds.rows.length > 0;
        if (iamAuth) {
            // Members of rds_iam log in with IAM tokens only; a password would be a second way in.
            await client.query(`GRANT rds_iam TO ${user}`);
            await client.query(`ALTER ROLE ${user} PASSWORD NULL`);
        }
        const schema = opts.schema ?? "public";
        const table = await client.query("SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2", [
            schema,
            MIGRATIONS_TABLE,
        ]);
        for (const sql of grantStatements(opts, table.rows.length > 0)) {
            await client.query(sql);
        }
        await client.query("COMMIT");
        return { role: opts.user, created: !existing, iamAuth };
    } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}
