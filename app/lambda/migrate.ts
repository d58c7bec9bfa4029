/**
 * The migration function: run on every deploy whose migrations changed (components/migrations.ts
 * invokes it through `aws.lambda.Invocation`), and by hand with `aws lambda invoke` (see
 * docs/database-and-secrets.md). It reads the RDS-managed master secret, connects over TLS verified
 * against the RDS CAs, applies the versioned migrations idempotently (app/db/migrations.ts),
 * converges the app's IAM-authenticated login role (app/db/roles.ts), and returns what it did.
 *
 * Bundled by esbuild into one file at `pulumi up`; nothing here runs in the Pulumi program.
 * Every outside dependency (the secret, the CA file, the connection, the log) is injectable,
 * so the tests run this same handler against a real PostgreSQL.
 */
import { readFileSync } from "node:fs";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Client, type ClientConfig } from "pg";
import { createLogger, errorFields, type Logger } from "../log";
import { caBundleProblems, fetchText, loadCaBundle, parseMasterSecret, type CaBundleSource } from "./common";
import { migrate, migrationsSha256 } from "../db/migrations";
import { ensureAppRole } from "../db/roles";
import { type MigrationEvent, type MigrationResult } from "./constants";

export { parseMasterSecret, type MigrationEvent, type MigrationResult };

/** What the function reads from its environment (set by components/migrations.ts; none secret). */
export interface MigrationSettings {
    host: string;
    port: number;
    database: string;
    appUser: string;
    /** ARN of the RDS-managed master user secret (JSON with username and password). */
    masterSecretArn: string;
    /** The RDS CA bundle: downloaded from `url` (deployed), or read from `path` (tests). */
    caBundle: CaBundleSource;
}

export interface HandlerDeps {
    env: NodeJS.ProcessEnv;
    /** Returns the secret's SecretString. */
    getSecretString: (arn: string) => Promise<string>;
    readFile: (path: string) => string;
    /** GETs a URL over verified HTTPS and returns the body. */
    fetchText: (url: string) => Promise<string>;
    /** Opens a connection; the default is a pg Client with the config as given. */
    connect: (config: ClientConfig) => Promise<Client>;
    log: Logger;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv): MigrationSettings {
    const problems: string[] = [];
    const required = (name: string, what: string): string => {
        const value = env[name]?.trim();
        if (!value) {
            problems.push(`${name} is not set; set it to ${what}`);
        }
        return value ?? "";
    };
    const host = required("DB_HOST", "the RDS endpoint address");
    const portText = env.DB_PORT?.trim() || "5432";
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
        problems.push(`DB_PORT: "${portText}" is not a TCP port`);
    }
    const database = required("DB_NAME", "the database name");
    const appUser = required("DB_APP_USER", "the app's login role");
    const masterSecretArn = required("DB_MASTER_SECRET_ARN", "the ARN of the RDS-managed master user secret");
    if (masterSecretArn && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(masterSecretArn)) {
        problems.push(`DB_MASTER_SECRET_ARN: "${masterSecretArn}" is not a Secrets Manager secret ARN`);
    }
    const ca = caBundleProblems(env);
    problems.push(...ca.problems);
    if (problems.length > 0) {
        throw new Error(`migration function misconfigured:\n  - ${problems.join("\n  - ")}`);
    }
    return { host, port, database, appUser, masterSecretArn, caBundle: ca.source! };
}

/** The master connection: TLS verified against `ca`, host name checked (verify-full). */
export function masterClientConfig(
    settings: MigrationSettings,
    credentials: { username: string; password: string },
    ca: string,
): ClientConfig {
    return {
        host: settings.host,
        port: settings.port,
        database: settings.database,
        user: credentials.username,
        password: credentials.password,
        ssl: { ca, rejectUnauthorized: true, servername: settings.host },
        connectionTimeoutMillis: 10_000,
        // A migration waits for locks held by the running app at most this long, then fails the
        // deploy (and rolls back) instead of hanging until the function times out.
        lock_timeout: 60_000,
        application_name: "webfleet-migrations",
    };
}

function defaultDeps(): HandlerDeps {
    let secrets: SecretsManagerClient | undefined;
    return {
        env: process.env,
        getSecretString: async (arn) => {
            secrets ??= new SecretsManagerClient({});
            const out = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
            if (out.SecretString === undefined) {
                throw new Error(`secret ${arn} has no SecretString`);
            }
            return out.SecretString;
        },
        readFile: (path) => readFileSync(path, "utf8"),
        fetchText,
        connect: async (config) => {
            const client = new Client(config);
            await client.connect();
            return client;
        },
        log: createLogger(),
    };
}

export function createHandler(
    overrides: Partial<HandlerDeps> = {},
): (event?: MigrationEvent | null) => Promise<MigrationResult> {
    const deps: HandlerDeps = { ...defaultDeps(), ...overrides };
    return async (event) => {
        const settings = settingsFromEnv(deps.env);
        if (event?.migrationsHash !== undefined && event.migrationsHash !== migrationsSha256) {
            throw new Error(
                `this function was built from other migrations (${migrationsSha256}) than the deploy expects (${event.migrationsHash}); ` +
                    "run `pulumi up` again so the function's code is updated before it is invoked",
            );
        }
        if (event?.appUser !== undefined && event.appUser !== settings.appUser) {
            throw new Error(
                `the deploy expects app role "${event.appUser}" but the function is configured for "${settings.appUser}"`,
            );
        }
        const ca = await loadCaBundle(settings.caBundle, deps, "the migration");
        const credentials = parseMasterSecret(await deps.getSecretString(settings.masterSecretArn));
        const target = { host: settings.host, port: settings.port, database: settings.database };
        deps.log.info("migrating", { ...target, migrationsHash: migrationsSha256 });
        let client: Client | undefined;
        try {
            client = await deps.connect(masterClientConfig(settings, credentials, ca));
            const migrated = await migrate(client);
            const role = await ensureAppRole(client, { user: settings.appUser, database: settings.database });
            const result: MigrationResult = {
                applied: migrated.applied,
                version: migrated.version,
                role: role.role,
                roleCreated: role.created,
                iamAuth: role.iamAuth,
                migrationsHash: migrationsSha256,
            };
            deps.log.info("migrated", {
                ...target,
                applied: result.applied.join(",") || "none",
                version: result.version,
                role: result.role,
                roleCreated: result.roleCreated,
                iamAuth: result.iamAuth,
            });
            return result;
        } catch (err) {
            deps.log.error("migration failed", { ...target, ...errorFields(err) });
            throw err;
        } finally {
            await client?.end().catch(() => undefined);
        }
    };
}

/** The Lambda entry point (index.handler in the bundle). */
export const handler = createHandler();
