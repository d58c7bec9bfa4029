import type { IncomingMessage, ServerResponse } from "node:http";
import { isUnavailableError } from "../db/availability";
import type { VisitStore, VisitView } from "../db/visits";
import type { Identity } from "../identity";
import { errorFields, type Logger } from "../log";
import { prefersJson } from "./negotiate";
import { createHomeHtmlRenderer, renderHomeJson, type HomeModel } from "./render";
import { type Headers, send, sendError } from "./respond";

/** Longer request targets are refused with 414: no route here needs more. */
export const maxUrlLength = 2048;
/** Requests are never read; a declared body over this size is refused with 413. */
export const maxBodyBytes = 64 * 1024;

export interface HandlerContext {
    identity: Identity;
    visits: VisitStore;
    /** Resolves when the database answers a round trip; rejects otherwise. */
    checkReady: () => Promise<void>;
    maxStalenessMs: number;
    log: Logger;
    /** Set at shutdown: responses then close their connection so draining finishes. */
    isShuttingDown: () => boolean;
}

/** The request target's path, without the query (which is neither routed on nor logged). */
export function pathOf(url: string | undefined): string {
    const target = url ?? "";
    const q = target.indexOf("?");
    return q === -1 ? target : target.slice(0, q);
}

export function createHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
    const renderHtml = createHomeHtmlRenderer();
    return (req, res) => {
        const started = process.hrtime.bigint();
        const path = pathOf(req.url);
        res.once("close", () => {
            const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
            ctx.log.info("request", {
                method: req.method,
                // Bounded, and JSON.stringify escapes control characters, so a path cannot forge log lines.
                path: path.length > 200 ? `${path.slice(0, 200)}…` : path,
                status: res.statusCode,
                durationMs: Math.round(durationMs * 100) / 100,
                aborted: res.writableFinished ? undefined : true,
            });
        });
        const fail = (err: unknown): void => {
            const unavailable = isUnavailableError(err);
            if (!unavailable) {
                ctx.log.error("request failed", { path, ...errorFields(err) });
            }
            sendError(req, res, unavailable ? 503 : 500, unavailable ? { "Retry-After": "5" } : {});
        };
        // Routes answer synchronously when they can (a cached page) and return a promise when
        // they wait for the database; both kinds of failure end in `fail`.
        try {
            route(ctx, renderHtml, req, res, path)?.catch(fail);
        } catch (err) {
            fail(err);
        }
    };
}

type HtmlRenderer = (m: HomeModel) => string;

function route(
    ctx: HandlerContext,
    renderHtml: HtmlRenderer,
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
): Promise<void> | void {
    const extra: Headers = {};
    const declaredBody = Number(req.headers["content-length"] ?? 0);
    if (ctx.isShuttingDown() || declaredBody > 0 || req.headers["transfer-encoding"] !== undefined) {
        // Bodies are never read: closing after the response means node never has to drain one.
        extra.Connection = "close";
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
        return sendError(req, res, 405, { ...extra, Allow: "GET, HEAD" });
    }
    if ((req.url ?? "").length > maxUrlLength) {
        return sendError(req, res, 414, extra);
    }
    if (!path.startsWith("/")) {
        // Absolute-form or asterisk targets: a proxy's business, not ours.
        return sendError(req, res, 400, extra);
    }
    if (declaredBody > maxBodyBytes) {
        return sendError(req, res, 413, extra);
    }
    switch (path) {
        case "/":
            return home(ctx, renderHtml, req, res, extra);
        case "/healthz":
            // Liveness only: never touches the database, so an outage there cannot make the
            // load balancer replace servers that are fine.
            return send(res, 200, "text/plain; charset=utf-8", "ok\n", extra);
        case "/readyz":
            return ready(ctx, req, res, extra);
        default:
            return sendError(req, res, 404, extra);
    }
}

/** Readiness: any failure to answer a round trip is "not ready" (503), whatever its cause. */
async function ready(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, extra: Headers): Promise<void> {
    try {
        await ctx.checkReady();
    } catch (err) {
        if (!isUnavailableError(err)) {
            ctx.log.error("readiness check failed", errorFields(err));
        }
        return sendError(req, res, 503, { ...extra, "Retry-After": "5" });
    }
    send(res, 200, "text/plain; charset=utf-8", "ready\n", extra);
}

function home(
    ctx: HandlerContext,
    renderHtml: HtmlRenderer,
    req: IncomingMessage,
    res: ServerResponse,
    extra: Headers,
): Promise<void> | void {
    const view = ctx.visits.visit();
    if (view instanceof Promise) {
        return view.then((v) => showHome(ctx, renderHtml, req, res, extra, v));
    }
    showHome(ctx, renderHtml, req, res, extra, view);
}

function showHome(
    ctx: HandlerContext,
    renderHtml: HtmlRenderer,
    req: IncomingMessage,
    res: ServerResponse,
    extra: Headers,
    view: VisitView,
): void {
    const model = { identity: ctx.identity, view, maxStalenessMs: ctx.maxStalenessMs, now: new Date() };
    const headers = { ...extra, Vary: "Accept" };
    if (prefersJson(req.headers.accept)) {
        send(res, 200, "application/json; charset=utf-8", renderHomeJson(model), headers);
    } else {
        send(res, 200, "text/html; charset=utf-8", renderHtml(model), headers);
    }
}
