import { readFileSync } from "node:fs";
import type { PoolConfig } from "pg";
import { assertNoProblems, ConfigError, intVar } from "../envVars";

/** What an IAM auth token is signed for: RDS checks all four. */
export interface IamAuthTarget {
    hostname: string;
    port: number;
    username: string;
    region: string;
}

/**
 * Returns a fresh password for a new connection. On AWS it signs an RDS IAM token
 * (app/db/iamToken.ts); a test passes a fake that returns a real role's password.
 */
export type TokenProvider = (target: IamAuthTarget) => Promise<string>;

export interface PoolConfigOptions {
    tokenProvider?: TokenProvider;
    /** Reads DB_CA_BUNDLE; injectable so the pure part can be tested without files. */
    readFile?: (path: string) => string;
}

/** Which variables configure the database: a URL, the AWS (IAM) set, or none (embedded). */
export type DatabaseMode = "url" | "iam" | "none";

const iamVariables = ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_CA_BUNDLE"] as const;

export function databaseMode(env: NodeJS.ProcessEnv): DatabaseMode {
    if (env.DATABASE_URL?.trim()) {
        return "url";
    }
    // Any DB_* variable means the AWS setup was intended, so a missing one is reported
    // rather than silently falling back to an embedded database.
    return iamVariables.some((name) => env[name]?.trim()) ? "iam" : "none";
}

/**
 * Connections one server's pool opens at most when DB_POOL_MAX is unset (the web tier never sets
 * it). The stack config derives the database-connections alarm from it (stackConfig/keys.ts).
 */
export const DEFAULT_POOL_MAX = 10;

/** Pool limits and timeouts shared by both modes; tuned so an outage fails fast (503), not slow. */
export function poolTuning(env: NodeJS.ProcessEnv, problems: string[] = []): PoolConfig {
    const max = intVar(env, "DB_POOL_MAX", DEFAULT_POOL_MAX, 1, 1000, problems);
    return {
        max,
        connectionTimeoutMillis: 3000,
        idleTimeoutMillis: 30_000,
        statement_timeout: 5000,
        query_timeout: 6000,
        keepAlive: true,
        application_name: "webfleet-app",
    };
}

/**
 * Environment to `pg.PoolConfig`. `DATABASE_URL` wins; otherwise DB_HOST, DB_PORT, DB_NAME,
 * DB_USER and AWS_REGION with a per-connection IAM token as the password, over TLS verified
 * against DB_CA_BUNDLE with the host name checked (verify-full). Every problem is reported
 * in one error that names the variable and the fix. Values are never echoed for DATABASE_URL
 * (it may hold a password).
 */
export function poolConfigFromEnv(env: NodeJS.ProcessEnv, options: PoolConfigOptions = {}): PoolConfig {
    const problems: string[] = [];
    const tuning = poolTuning(env, problems);
    const mode = databaseMode(env);
    let config: PoolConfig | undefined;
    if (mode === "none") {
        problems.push(
            "no database configured: set DATABASE_URL (postgres://user:password@host:port/db), " +
                "or DB_HOST, DB_PORT, DB_NAME, DB_USER, AWS_REGION and DB_CA_BUNDLE for IAM auth",
        );
    } else if (mode === "url") {
        config = urlConfig(env.DATABASE_URL?.trim() ?? "", problems);
    } else {
        config = iamConfig(env, options, problems);
    }
    assertNoProblems("database settings", problems);
    if (!config) {
        throw new ConfigError("Invalid database settings");
    }
    return { ...tuning, ...config };
}

function urlConfig(url: string, problems: string[]): PoolConfig | undefined {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        problems.push(
            "DATABASE_URL is not a URL (value not shown: it may hold a password); use postgres://user:password@host:5432/db",
        );
        return undefined;
    }
    if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
        problems.push(`DATABASE_URL must start with postgres:// or postgresql:// (got ${parsed.protocol}//)`);
        return undefined;
    }
    return { connectionString: url };
}

function iamConfig(env: NodeJS.ProcessEnv, options: PoolConfigOptions, problems: string[]): PoolConfig | undefined {
    const host = required(env, "DB_HOST", "the RDS endpoint address", problems);
    const port = intVar(env, "DB_PORT", 5432, 1, 65535, problems);
    const database = required(env, "DB_NAME", "the database name", problems);
    const user = required(env, "DB_USER", "the app's IAM-enabled login role", problems);
    const region = required(env, "AWS_REGION", "the database's region, used to sign IAM tokens", problems);
    const caPath = required(
        env,
        "DB_CA_BUNDLE",
        "the path of the RDS CA bundle (TLS is verified, never optional)",
        problems,
    );
    let ca: string | undefined;
    if (caPath) {
        try {
            ca = (options.readFile ?? ((p: string) => readFileSync(p, "utf8")))(caPath);
        } catch (err) {
            problems.push(
                `DB_CA_BUNDLE: cannot read "${caPath}" (${(err as Error).message}); point it at the RDS CA bundle PEM file`,
            );
        }
        if (ca !== undefined && !ca.includes("-----BEGIN CERTIFICATE-----")) {
            problems.push(
                `DB_CA_BUNDLE: "${caPath}" holds no PEM certificate; download the RDS CA bundle for the region`,
            );
        }
    }
    const tokenProvider = options.tokenProvider;
    if (!tokenProvider) {
        problems.push(
            "DB_HOST is set, so IAM auth needs a token provider; pass options.tokenProvider (app/db/iamToken.ts)",
        );
    }
    if (problems.length > 0 || !host || !database || !user || !region || !tokenProvider || ca === undefined) {
        return undefined;
    }
    const target: IamAuthTarget = { hostname: host, port, username: user, region };
    return {
        host,
        port,
        database,
        user,
        // pg calls this for every new connection, so each one gets a fresh 15-minute token.
        password: () => tokenProvider(target),
        ssl: { ca, rejectUnauthorized: true, servername: host },
    };
}

function required(env: NodeJS.ProcessEnv, name: string, what: string, problems: string[]): string | undefined {
    const value = env[name]?.trim();
    if (!value) {
        problems.push(`${name} is not set; set it to ${what}`);
        return undefined;
    }
    return value;
}
