import type { Pool, PoolConfig } from "pg";
import { isUnavailableError } from "./db/availability";
import type { EmbeddedDatabase } from "./db/embedded";
import { rdsIamTokenProvider } from "./db/iamToken";
import { migrate } from "./db/migrations";
import { createPool } from "./db/pool";
import { databaseMode, poolConfigFromEnv, poolTuning } from "./db/poolConfig";
import { ConfigError } from "./envVars";
import { startServer, type RunningServer } from "./http/server";
import { resolveIdentity } from "./identity";
import { bufferedStdoutWriter, createLogger, errorFields, type Logger } from "./log";
import { loadSettings, type AppSettings } from "./settings";
import { readTlsCredentials, type TlsCredentials } from "./tls";

/** Starts the embedded database; only `npm run app` passes one (the bundle has none). */
export type EmbeddedFactory = (options: { dataDir?: string }) => Promise<EmbeddedDatabase>;

export interface StartedApp {
    server: RunningServer;
    settings: AppSettings;
    stop(): Promise<{ drained: boolean }>;
}

/** Validates everything first and reports all problems in one ConfigError. */
function loadConfig(
    env: NodeJS.ProcessEnv,
    embedded: EmbeddedFactory | undefined,
): { settings: AppSettings; pool?: PoolConfig; tls?: TlsCredentials } {
    const messages: string[] = [];
    let settings: AppSettings | undefined;
    let pool: PoolConfig | undefined;
    let tls: TlsCredentials | undefined;
    try {
        settings = loadSettings(env);
        tls = settings.tls && readTlsCredentials(settings.tls);
    } catch (err) {
        messages.push((err as Error).message);
    }
    try {
        if (databaseMode(env) !== "none") {
            pool = poolConfigFromEnv(env, { tokenProvider: rdsIamTokenProvider() });
        } else if (!embedded) {
            throw new ConfigError(
                "No database configured: set DATABASE_URL, or DB_HOST, DB_PORT, DB_NAME, DB_USER, AWS_REGION and " +
                    "DB_CA_BUNDLE (the bundled server has no embedded database; `npm run app` does)",
            );
        }
    } catch (err) {
        messages.push((err as Error).message);
    }
    if (messages.length > 0 || !settings) {
        throw new ConfigError(messages.join("\n"));
    }
    return { settings, pool, tls };
}

/** Starts the whole app from the environment: database, migrations, identity, HTTP server. */
export async function startApp(env: NodeJS.ProcessEnv, log: Logger, embedded?: EmbeddedFactory): Promise<StartedApp> {
    const config = loadConfig(env, embedded);
    const { settings } = config;
    // The IMDS lookup (up to a few seconds off EC2) overlaps with the database start.
    const identityPromise = resolveIdentity({ env, log });
    let embeddedDb: EmbeddedDatabase | undefined;
    let poolConfig = config.pool;
    if (!poolConfig && embedded) {
        embeddedDb = await embedded({ dataDir: settings.pgliteDataDir });
        poolConfig = { ...poolTuning(env), ...embeddedDb.poolConfig };
        log.info("embedded database started (PGlite)", {
            url: embeddedDb.url,
            persistent: Boolean(settings.pgliteDataDir),
        });
    }
    if (!poolConfig) {
        throw new ConfigError("No database configured (set DATABASE_URL)");
    }
    const pool = createPool(poolConfig, log);
    try {
        if (settings.migrateOnStart) {
            await migrateWithRetry(pool, log);
        }
        const identity = await identityPromise;
        const server = await startServer({
            port: settings.port,
            host: settings.host,
            identity,
            pool,
            log,
            visitsCacheMs: settings.visitsCacheMs,
            shutdownTimeoutMs: settings.shutdownTimeoutMs,
            tls: config.tls,
        });
        log.info("listening", {
            url: server.url,
            port: server.port,
            tls: Boolean(config.tls),
            instanceId: identity.instanceId,
            availabilityZone: identity.availabilityZone,
            database: embeddedDb ? "embedded" : databaseMode(env),
        });
        return {
            server,
            settings,
            stop: async () => {
                const result = await server.close();
                await pool.end();
                await embeddedDb?.stop();
                return result;
            },
        };
    } catch (err) {
        await pool.end().catch(() => undefined);
        await embeddedDb?.stop().catch(() => undefined);
        throw err;
    }
}

/**
 * Applies migrations, waiting for a database that is not up yet (a local PostgreSQL still
 * starting). Wrong credentials or a missing database will not fix themselves: those fail.
 */
async function migrateWithRetry(pool: Pool, log: Logger): Promise<void> {
    let delay = 200;
    for (;;) {
        try {
            const client = await pool.connect();
            try {
                const result = await migrate(client);
                log.info("migrations", { applied: result.applied.join(",") || "none", version: result.version });
                return;
            } finally {
                client.release();
            }
        } catch (err) {
            const code = (err as { code?: unknown }).code;
            const permanent = typeof code === "string" && (/^28/.test(code) || code === "3D000");
            if (!isUnavailableError(err) || permanent) {
                throw err;
            }
            log.warn("database not reachable for migrations; retrying", { ...errorFields(err), retryInMs: delay });
            await new Promise((resolve) => setTimeout(resolve, delay));
            delay = Math.min(delay * 2, 5000);
        }
    }
}

/**
 * The process around the app: JSON logs, exit 2 for bad settings, and on SIGTERM (systemd,
 * ASG scale-in) or SIGINT a graceful stop and exit 0.
 */
export function runMain(embedded?: EmbeddedFactory): void {
    const log = createLogger(bufferedStdoutWriter());
    let app: StartedApp | undefined;
    let stopping = false;

    const exitAfterStop = (started: StartedApp, shutdownTimeoutMs: number): void => {
        // A last resort if closing the pool or PGlite hangs: systemd would SIGKILL us anyway.
        setTimeout(() => {
            log.error("shutdown did not finish; exiting");
            process.exit(1);
        }, shutdownTimeoutMs + 5000).unref();
        started.stop().then(
            ({ drained }) => {
                log.info("stopped", { drained });
                process.exit(0);
            },
            (err: unknown) => {
                log.error("shutdown failed", errorFields(err));
                process.exit(1);
            },
        );
    };

    let shutdownTimeoutMs = 20_000;
    const onSignal = (signal: NodeJS.Signals): void => {
        if (stopping) {
            log.warn("already shutting down", { signal });
            return;
        }
        stopping = true;
        log.info("shutting down", { signal });
        if (app) {
            exitAfterStop(app, shutdownTimeoutMs);
            return;
        }
        // Still starting (perhaps waiting for a database to migrate): nothing is in flight,
        // so there is nothing to drain.
        log.info("stopped before start completed");
        process.exit(0);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    process.on("uncaughtException", (err) => {
        log.error("uncaught exception", errorFields(err));
        process.exit(1);
    });
    process.on("unhandledRejection", (err) => {
        log.error("unhandled rejection", errorFields(err));
        process.exit(1);
    });

    startApp(process.env, log, embedded).then(
        (started) => {
            app = started;
            shutdownTimeoutMs = started.settings.shutdownTimeoutMs;
        },
        (err: unknown) => {
            if (err instanceof ConfigError) {
                log.error("invalid configuration", { error: err.message });
                process.exit(2);
            }
            log.error("start failed", errorFields(err));
            process.exit(1);
        },
    );
}
