import { createServer, type Server, type ServerOptions } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { Pool } from "pg";
import { DbAvailability } from "../db/availability";
import { createQuery } from "../db/query";
import { BatchedVisits, type RawVisitRow, type VisitStore } from "../db/visits";
import type { Identity } from "../identity";
import { type Logger, silentLogger } from "../log";
import { TLS12_CIPHERS, TLS_MIN_VERSION, type TlsCredentials } from "../tls";
import { createHandler } from "./handler";
import { rawErrorResponse } from "./respond";

export interface StartServerOptions {
    /** 0 picks a free port (tests). */
    port: number;
    /** Default 0.0.0.0: on EC2 the load balancer connects to the instance's private address. */
    host?: string;
    identity: Identity;
    /** Owned by the caller, who ends it after `close()`. */
    pool: Pool;
    log?: Logger;
    /** How long one read of the visit counts serves the page (default 1000 ms). */
    visitsCacheMs?: number;
    /** Background write interval for buffered visits (default 1000 ms). */
    visitsFlushMs?: number;
    /** Reconnect backoff while the database is away (default 100 ms doubling to 5000 ms). */
    dbRetry?: { initialMs?: number; maxMs?: number };
    /** How long `close()` waits for in-flight requests before cutting connections (default 20 s). */
    shutdownTimeoutMs?: number;
    /** A client must send its request headers within this time, or gets 408 (default 10 s). */
    headersTimeoutMs?: number;
    /** Replaces the database-backed visit store (tests use it to provoke failures). */
    visits?: VisitStore;
    /** Serve HTTPS with this certificate and key (app/tls.ts); undefined: plain HTTP. */
    tls?: TlsCredentials;
}

export interface RunningServer {
    server: Server;
    port: number;
    host: string;
    /** e.g. http://127.0.0.1:8080, or https://… with TLS */
    url: string;
    availability: DbAvailability;
    /**
     * Graceful stop: refuse new connections, let in-flight requests finish (bounded by
     * shutdownTimeoutMs), write buffered visits. `drained` is false if requests were cut.
     */
    close(): Promise<{ drained: boolean }>;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
    const log = options.log ?? silentLogger;
    const { pool, identity } = options;
    const query = createQuery(pool);
    const availability = new DbAvailability({
        probe: async () => {
            await query("SELECT 1");
        },
        log,
        initialBackoffMs: options.dbRetry?.initialMs,
        maxBackoffMs: options.dbRetry?.maxMs,
    });
    // An idle connection dying (database restart, failover) is the earliest sign of an outage.
    const onPoolError = (err: Error): void => availability.markDown(err);
    pool.on("error", onPoolError);

    const cacheMs = options.visitsCacheMs ?? 1000;
    const flushMs = options.visitsFlushMs ?? 1000;
    const visits =
        options.visits ??
        new BatchedVisits({
            query: (text, values) => query<RawVisitRow>(text, values),
            availability,
            identity,
            cacheMs,
            flushIntervalMs: flushMs,
            log,
        });

    let shuttingDown = false;
    const handler = createHandler({
        identity,
        visits,
        checkReady: () => availability.run(async () => void (await query("SELECT 1"))),
        // Another instance's count lags by its unwritten visits (one flush interval) plus our read's age.
        maxStalenessMs: cacheMs + flushMs,
        log,
        isShuttingDown: () => shuttingDown,
    });

    const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
    const httpOptions: ServerOptions = {
        // Oversized headers get 431 (via clientError) instead of being buffered.
        maxHeaderSize: 16 * 1024,
        // Slow clients (slowloris) are cut: headers within 10 s, a whole request within 30 s.
        headersTimeout: headersTimeoutMs,
        requestTimeout: Math.max(30_000, headersTimeoutMs),
        // Node checks those timeouts only this often (default 30 s, which would triple them).
        connectionsCheckingInterval: Math.min(2000, Math.max(100, headersTimeoutMs / 4)),
        noDelay: true,
    };
    const tls = options.tls;
    // One listener either way: with TLS there is no plain-HTTP port at all, so nothing on the
    // instance can be reached unencrypted, and draining (below) has one server to close.
    const server: Server = tls
        ? createTlsServer(
              {
                  ...httpOptions,
                  cert: tls.cert,
                  key: tls.key,
                  minVersion: TLS_MIN_VERSION,
                  ciphers: TLS12_CIPHERS,
                  honorCipherOrder: true,
                  // A handshake gets as long as the headers do (Node's default is 120 s).
                  handshakeTimeout: headersTimeoutMs,
              },
              handler,
          )
        : createServer(httpOptions, handler);
    // Longer than the ALB's 60 s idle timeout, so the ALB (not us) closes idle keep-alive
    // connections; the other way round it can send a request down a closing socket (a 502).
    server.keepAliveTimeout = 65_000;
    server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
        if (err.code === "ECONNRESET" || !socket.writable) {
            socket.destroy();
            return;
        }
        const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
        log.info("request", { method: null, path: null, status, error: err.code ?? "malformed request" });
        socket.end(rawErrorResponse(status));
    });
    if (tls) {
        // A failed handshake (an old TLS version, plain HTTP sent to the TLS port) never becomes
        // a request, so it is logged here; Node has already closed the socket.
        server.on("tlsClientError", (err: NodeJS.ErrnoException) => {
            if (err.code !== "ECONNRESET") {
                log.warn("tls handshake failed", { error: err.code ?? err.message });
            }
        });
    }

    const host = options.host ?? "0.0.0.0";
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const port = (server.address() as AddressInfo).port;
    const urlHost = host === "0.0.0.0" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;

    let closing: Promise<{ drained: boolean }> | undefined;
    const close = (): Promise<{ drained: boolean }> => {
        closing ??= (async () => {
            shuttingDown = true;
            const drained = await drain(server, options.shutdownTimeoutMs ?? 20_000);
            await visits.close();
            availability.close();
            pool.off("error", onPoolError);
            return { drained };
        })();
        return closing;
    };

    const scheme = tls ? "https" : "http";
    return { server, port, host, url: `${scheme}://${urlHost}:${port}`, availability, close };
}

/** Stops listening and waits for open requests, cutting whatever is left after `timeoutMs`. */
function drain(server: Server, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
        const timer = setTimeout(() => {
            server.closeAllConnections();
            resolve(false);
        }, timeoutMs);
        server.close(() => {
            clearTimeout(timer);
            resolve(true);
        });
        // Idle keep-alive connections hold no request; busy ones close after their response
        // because responses carry `Connection: close` from now on.
        server.closeIdleConnections();
    });
}
