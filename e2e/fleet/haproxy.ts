/** HAProxy as the fleet's load balancer: the process, and target registration through its admin socket. */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { connect } from "node:net";
import { addServerCommand, BACKEND, parseShowStat, type ServerHealth } from "./haproxyConfig";

/** One command on the admin socket; HAProxy answers and closes. */
export function adminCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = connect(socketPath);
        let out = "";
        socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`haproxy admin socket: "${command}" timed out`)));
        socket.on("data", (d: Buffer) => (out += d.toString("utf8")));
        socket.on("end", () => resolve(out));
        socket.on("error", reject);
        socket.end(`${command}\n`);
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Haproxy {
    private stderr = "";
    private stopping = false;

    private constructor(
        private readonly child: ChildProcess,
        readonly socketPath: string,
        private readonly checkIntervalMs: number,
    ) {}

    /** Starts HAProxy in the foreground and waits for its admin socket; its log goes to `logFile`. */
    static async start(opts: {
        configFile: string;
        socketPath: string;
        logFile: string;
        checkIntervalMs: number;
        /** Called if HAProxy exits without being asked to. */
        onUnexpectedExit: (why: string) => void;
    }): Promise<Haproxy> {
        // Its own process group: a terminal's Ctrl-C reaches only the supervisor, which stops it last.
        const child = spawn("haproxy", ["-db", "-f", opts.configFile], {
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
        });
        const lb = new Haproxy(child, opts.socketPath, opts.checkIntervalMs);
        const log = createWriteStream(opts.logFile, { flags: "a" });
        child.stdout?.pipe(log);
        child.stderr?.on("data", (d: Buffer) => {
            lb.stderr = (lb.stderr + d.toString("utf8")).slice(-4000);
            log.write(d);
        });
        const spawned = new Promise<void>((resolve, reject) => {
            child.once("spawn", resolve);
            child.once("error", (err: NodeJS.ErrnoException) =>
                reject(
                    new Error(
                        err.code === "ENOENT"
                            ? "haproxy is not installed (Debian: apt-get install haproxy)"
                            : `haproxy: ${err.message}`,
                    ),
                ),
            );
        });
        await spawned;
        child.once("exit", (code, signal) => {
            if (!lb.stopping) {
                opts.onUnexpectedExit(
                    `haproxy exited (${signal ?? `code ${code}`}): ${lb.stderr.trim().split("\n").pop() ?? ""}`,
                );
            }
        });
        for (let waited = 0; waited < 10_000; waited += 50) {
            if (child.exitCode !== null) {
                throw new Error(`haproxy exited (code ${child.exitCode}):\n${lb.stderr.trim()}`);
            }
            if (
                await adminCommand(opts.socketPath, "show info", 1000).then(
                    () => true,
                    () => false,
                )
            ) {
                return lb;
            }
            await sleep(50);
        }
        await lb.stop();
        throw new Error(`haproxy did not open its admin socket within 10 s:\n${lb.stderr.trim()}`);
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    get running(): boolean {
        return this.child.exitCode === null && this.child.signalCode === null;
    }

    private async command(command: string): Promise<string> {
        return (await adminCommand(this.socketPath, command)).trim();
    }

    /** Adds a server to the backend and starts its health checks; traffic follows once it is up. */
    async register(name: string, address: string, id?: number): Promise<void> {
        const added = await this.command(addServerCommand(name, address, this.checkIntervalMs, id));
        if (!/registered/i.test(added)) {
            throw new Error(`haproxy refused server ${name}: ${added}`);
        }
        for (const step of [`enable health ${BACKEND}/${name}`, `enable server ${BACKEND}/${name}`]) {
            const answer = await this.command(step);
            if (answer) {
                throw new Error(`haproxy: ${step}: ${answer}`);
            }
        }
    }

    /** Stops new requests to a server (those in flight finish), e.g. before a graceful stop. */
    async drain(name: string): Promise<void> {
        await this.command(`set server ${BACKEND}/${name} state maint`);
    }

    /**
     * Removes a server: maintenance, its remaining sessions cut, then deletion, retried while
     * HAProxy still holds idle connections to it (they are purged within pool-purge-delay).
     */
    async deregister(name: string): Promise<void> {
        await this.command(`set server ${BACKEND}/${name} state maint`);
        await this.command(`shutdown sessions server ${BACKEND}/${name}`);
        let answer = "";
        for (let attempt = 0; attempt < 40; attempt++) {
            answer = await this.command(`del server ${BACKEND}/${name}`);
            if (/deleted/i.test(answer) || /no such server/i.test(answer)) {
                return;
            }
            await sleep(250);
        }
        throw new Error(`haproxy kept server ${name}: ${answer}`);
    }

    /** Every registered server's health, from `show stat`. */
    async health(): Promise<Map<string, ServerHealth>> {
        return parseShowStat(await adminCommand(this.socketPath, "show stat"));
    }

    async stop(): Promise<void> {
        this.stopping = true;
        if (!this.running) {
            return;
        }
        const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
        this.child.kill("SIGTERM");
        const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
    }
}
