import type { Pool, QueryResult, QueryResultRow } from "pg";
import { DatabaseUnavailableError, isUnavailableError } from "./availability";

export type Query = <R extends QueryResultRow>(text: string, values?: unknown[]) => Promise<QueryResult<R>>;

/**
 * Queries through the pool, telling connection failures apart from query failures: anything
 * that goes wrong while getting a connection (refused, TLS, authentication, a server that
 * does not speak TLS) means the database is unusable, a 503 with reconnects, whatever the
 * error's shape. Only errors from the statement itself are judged by their SQLSTATE.
 */
export function createQuery(pool: Pool): Query {
    return async <R extends QueryResultRow>(text: string, values?: unknown[]) => {
        let client;
        try {
            client = await pool.connect();
        } catch (err) {
            throw new DatabaseUnavailableError("cannot connect to the database", { cause: err });
        }
        try {
            const result = await client.query<R>(text, values);
            client.release();
            return result;
        } catch (err) {
            // A connection that failed mid-query is dropped from the pool, not reused.
            client.release(isUnavailableError(err) ? (err as Error) : undefined);
            throw err;
        }
    };
}
