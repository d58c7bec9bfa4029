import { Pool, type PoolConfig } from "pg";
import { errorFields, type Logger } from "../log";

/**
 * A pg pool that cannot crash the process: pg emits 'error' on the pool when an idle
 * connection dies (a database restart or failover), and an EventEmitter 'error' without a
 * listener throws. The server adds its own listener to start reconnecting (app/http/server.ts).
 */
export function createPool(config: PoolConfig, log: Logger): Pool {
    const pool = new Pool(config);
    pool.on("error", (err) => log.warn("idle database connection lost", errorFields(err)));
    return pool;
}
