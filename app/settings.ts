import { databaseMode } from "./db/poolConfig";
import { assertNoProblems, boolVar, intVar } from "./envVars";
import { tlsFilesFromEnv, type TlsFiles } from "./tls";

/** The server's own settings (the database's are in app/db/poolConfig.ts). */
export interface AppSettings {
    port: number;
    host: string;
    shutdownTimeoutMs: number;
    visitsCacheMs: number;
    migrateOnStart: boolean;
    /** Where the embedded PGlite keeps its data; unset keeps it in memory. */
    pgliteDataDir?: string;
    /** Serve TLS with these (TLS_CERT_FILE, TLS_KEY_FILE); unset: plain HTTP. */
    tls?: TlsFiles;
}

export function loadSettings(env: NodeJS.ProcessEnv): AppSettings {
    const problems: string[] = [];
    const host = env.HOST?.trim() || "0.0.0.0";
    if (!/^[A-Za-z0-9.:-]+$/.test(host)) {
        problems.push(`HOST: "${host}" is not an address; use e.g. 0.0.0.0 (all interfaces) or 127.0.0.1`);
    }
    const settings: AppSettings = {
        port: intVar(env, "PORT", 8080, 0, 65535, problems),
        host,
        shutdownTimeoutMs: intVar(env, "SHUTDOWN_TIMEOUT_MS", 20_000, 0, 600_000, problems),
        visitsCacheMs: intVar(env, "VISITS_CACHE_MS", 1000, 0, 60_000, problems),
        // On AWS (DB_HOST) the app's role may only read and write rows; a deploy-time
        // function owns the schema. Locally the app migrates itself so there is no extra step.
        migrateOnStart: boolVar(env, "MIGRATE_ON_START", databaseMode(env) !== "iam", problems),
        pgliteDataDir: env.PGLITE_DATA_DIR?.trim() || undefined,
        tls: tlsFilesFromEnv(env, problems),
    };
    assertNoProblems("settings", problems);
    return settings;
}
