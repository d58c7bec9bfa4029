/**
 * The running fleet's control socket: one JSON request per connection, one JSON answer.
 * `npm run fleet -- fail-az local-1a` is a client of it; the socket file is mode 600 in the
 * state directory, so only its owner can drive the fleet.
 */
import { chmodSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import type { ControlCommand } from "./args";
import type { Fleet } from "./supervisor";

export type ControlAnswer = { ok: true; message: string; status?: unknown } | { ok: false; error: string };

/** A request as received: validated, since anything on the machine's user may write to it. */
export function parseControlRequest(text: string): ControlCommand {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch {
        throw new Error("not JSON");
    }
    const r = doc as { command?: unknown; az?: unknown };
    switch (r?.command) {
        case "status":
        case "stop-db":
        case "start-db":
        case "stop":
            return { command: r.command };
        case "fail-az":
        case "restore-az":
            if (typeof r.az !== "string" || !r.az) {
                throw new Error(`${r.command} needs an AZ name`);
            }
            return { command: r.command, az: r.az };
        default:
            throw new Error(`unknown command ${JSON.stringify(r?.command)}`);
    }
}

export async function serveControl(
    socketPath: string,
    handle: (request: ControlCommand) => Promise<ControlAnswer>,
): Promise<Server> {
    // Half-open: the client ends its side after the request and still reads the answer.
    const server = createServer({ allowHalfOpen: true }, (socket) => {
        let text = "";
        socket.setTimeout(10_000, () => socket.destroy());
        socket.on("data", (d: Buffer) => {
            text += d.toString("utf8");
            if (text.length > 64 * 1024) {
                socket.destroy();
            }
        });
        socket.on("error", () => undefined);
        socket.on("end", () => {
            let answer: Promise<ControlAnswer>;
            try {
                answer = handle(parseControlRequest(text.trim()));
            } catch (err) {
                answer = Promise.resolve({ ok: false, error: (err as Error).message });
            }
            answer
                .catch((err: unknown): ControlAnswer => ({ ok: false, error: (err as Error).message }))
                .then((a) => socket.end(`${JSON.stringify(a)}\n`))
                .catch(() => socket.destroy());
        });
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(socketPath, () => resolve());
    });
    chmodSync(socketPath, 0o600);
    return server;
}

/** Sends one command to the fleet whose state directory holds `socketPath`. */
export function sendControl(socketPath: string, request: ControlCommand, timeoutMs = 60_000): Promise<ControlAnswer> {
    return new Promise((resolve, reject) => {
        const socket = connect(socketPath);
        let text = "";
        socket.setTimeout(timeoutMs, () => socket.destroy(new Error("the fleet did not answer in time")));
        socket.on("data", (d: Buffer) => (text += d.toString("utf8")));
        socket.on("error", (err: NodeJS.ErrnoException) =>
            reject(
                err.code === "ENOENT" || err.code === "ECONNREFUSED"
                    ? new Error(
                          `no fleet is running with its control socket at ${socketPath} (start one: npm run fleet)`,
                      )
                    : err,
            ),
        );
        socket.on("end", () => {
            try {
                resolve(JSON.parse(text) as ControlAnswer);
            } catch {
                reject(new Error(`the fleet answered something that is not JSON: ${text.slice(0, 200)}`));
            }
        });
        socket.end(JSON.stringify(request));
    });
}

/** What each command does to the fleet, and the answer the client prints. */
export async function dispatch(fleet: Fleet, r: ControlCommand): Promise<ControlAnswer> {
    switch (r.command) {
        case "status": {
            const status = fleet.status();
            return { ok: true, message: status.ready ? "ready" : "starting", status };
        }
        case "fail-az": {
            const { az, lost } = fleet.failAz(r.az);
            return {
                ok: true,
                message: `AZ ${az} failed; ${lost.length} server(s) lost; replacements launch in the other AZs`,
            };
        }
        case "restore-az":
            return { ok: true, message: `AZ ${fleet.restoreAz(r.az)} restored; the group rebalances into it` };
        case "stop-db":
            await fleet.stopDatabase();
            return { ok: true, message: "database stopped" };
        case "start-db":
            await fleet.startDatabase();
            return { ok: true, message: "database started" };
        case "stop":
            fleet.requestStop("stop requested");
            return { ok: true, message: "stopping" };
    }
}
