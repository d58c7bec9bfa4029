import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { PoolConfig } from "pg";

/** A PostgreSQL that needs no install: PGlite (WebAssembly) behind its wire-protocol socket server. */
export interface EmbeddedDatabase {
    /** Plain pg settings for 127.0.0.1, so the app uses exactly the code path it uses with RDS. */
    poolConfig: PoolConfig;
    /** e.g. postgres://postgres@127.0.0.1:PORT/postgres (no password: PGlite does not check one). */
    url: string;
    stop(): Promise<void>;
}

/**
 * Starts PGlite in memory, or in `dataDir` to keep data across runs, listening on loopback
 * only. PGlite runs one query at a time; the socket server queues the pool's connections.
 */
export async function startEmbeddedDatabase(
    options: { dataDir?: string; maxConnections?: number } = {},
): Promise<EmbeddedDatabase> {
    const db = await PGlite.create(options.dataDir);
    const server = new PGLiteSocketServer({
        db,
        host: "127.0.0.1",
        port: 0,
        maxConnections: options.maxConnections ?? 32,
    });
    await server.start();
    const port = Number(server.getServerConn().split(":").pop());
    return {
        poolConfig: { host: "127.0.0.1", port, user: "postgres", database: "postgres" },
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        stop: async () => {
            await server.stop();
            await db.close();
        },
    };
}
