import { request } from "node:http";
import { request as tlsRequest } from "node:https";
import { connect } from "node:net";

export interface Reply {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
}

/**
 * One HTTP request over loopback on a fresh connection (no agent, so no pooling surprises). An
 * https URL is checked against `ca` (the server's self-signed certificate), host name or address
 * included.
 */
export function httpRequest(
    url: string,
    options: { method?: string; headers?: Record<string, string>; timeoutMs?: number; ca?: Buffer | string } = {},
): Promise<Reply> {
    return new Promise((resolve, reject) => {
        const send = url.startsWith("https:") ? tlsRequest : request;
        const common = { method: options.method ?? "GET", headers: options.headers, agent: false as const };
        const req = send(url, options.ca ? { ...common, ca: options.ca } : common, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
                resolve({
                    status: res.statusCode ?? 0,
                    headers: res.headers,
                    body: Buffer.concat(chunks).toString("utf8"),
                }),
            );
            res.on("error", reject);
        });
        req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`timed out: ${url}`)));
        req.on("error", reject);
        req.end();
    });
}

/**
 * Sends raw bytes and returns everything the server sends back until it closes. `endInput`
 * false keeps our side open, as a slow client would.
 */
export function rawRequest(port: number, data: string | Buffer, timeoutMs = 5000, endInput = true): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = connect(port, "127.0.0.1");
        const chunks: Buffer[] = [];
        socket.setTimeout(timeoutMs, () => socket.destroy(new Error("raw request timed out")));
        socket.on("data", (c: Buffer) => chunks.push(c));
        socket.on("error", (err: NodeJS.ErrnoException) => {
            // The server may reset after answering (it stops reading a hostile request).
            if (err.code === "ECONNRESET" && chunks.length > 0) {
                resolve(Buffer.concat(chunks).toString("utf8"));
            } else {
                reject(err);
            }
        });
        socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
        if (endInput) {
            socket.end(data);
        } else {
            socket.write(data);
        }
    });
}

/** Polls until `check` passes or the time is up; the last failure is the error. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            return await check();
        } catch (err) {
            if (Date.now() > deadline) {
                throw err;
            }
            await new Promise((resolve) => setTimeout(resolve, intervalMs));
        }
    }
}
