import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import { errorPages, errorStatuses, type ErrorStatus } from "../static/pages";
import { securityHeaders } from "./headers";
import { prefersJson } from "./negotiate";

export type Headers = Record<string, string>;

/**
 * The headers of every response but Content-Type, Content-Length and the per-response ones,
 * as the flat [name, value, ...] list writeHead takes; built once, not per response.
 */
const commonHeaders: readonly string[] = Object.entries({
    ...securityHeaders,
    // Every page shows live data or a transient error; nothing here may be cached.
    "Cache-Control": "no-store",
}).flat();

/** Writes a complete response; every response leaves through here or `rawErrorResponse`. */
export function send(
    res: ServerResponse,
    status: number,
    contentType: string,
    body: string,
    extra: Headers = {},
): void {
    const headers = [...commonHeaders, "Content-Type", contentType, "Content-Length", String(Buffer.byteLength(body))];
    for (const name in extra) {
        headers.push(name, extra[name]);
    }
    res.writeHead(status, headers);
    // For HEAD, node sends the headers (with the GET's length) and drops the body.
    res.end(body);
}

/** The custom page for a status; statuses without their own page (413, 414, 431, ...) use 400's. */
export function pageFor(status: number): string {
    const own = (errorStatuses as readonly number[]).includes(status) ? (status as ErrorStatus) : undefined;
    return errorPages[own ?? (status >= 500 ? 500 : 400)];
}

export function sendError(req: IncomingMessage, res: ServerResponse, status: number, extra: Headers = {}): void {
    if (res.headersSent) {
        // Too late for a page; cut the connection so the client sees a failure, not a short body.
        res.destroy();
        return;
    }
    const headers: Headers = { Vary: "Accept", ...extra };
    if (prefersJson(req.headers.accept)) {
        const body = JSON.stringify({ status, error: STATUS_CODES[status] ?? "Error" });
        send(res, status, "application/json; charset=utf-8", body, headers);
    } else {
        send(res, status, "text/html; charset=utf-8", pageFor(status), headers);
    }
}

/**
 * A whole HTTP/1.1 response as text, for `clientError`: the request could not be parsed,
 * so there is no ServerResponse, but the client still gets the custom page and the headers.
 */
export function rawErrorResponse(status: number): string {
    const body = pageFor(status);
    const headers: Headers = {
        ...securityHeaders,
        "Content-Type": "text/html; charset=utf-8",
        "Content-Length": String(Buffer.byteLength(body)),
        "Cache-Control": "no-store",
        Connection: "close",
    };
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
    return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\n${lines.join("\r\n")}\r\n\r\n${body}`;
}
