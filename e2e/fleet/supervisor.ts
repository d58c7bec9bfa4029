/**
 * `npm run fleet`: starts the fleet and plays its Auto Scaling group. Every 200 ms it reads the
 * load balancer's view of each server, asks the planner (planner.ts) what the group would do,
 * and does it: launch servers (process, IMDS, registration) and terminate them (deregister,
 * drain, stop).
 */
import type { Server } from "node:net";
import { join } from "node:path";
import { reachableHost, type FleetOptions } from "./args";
import { dispatch, sendControl, serveControl } from "./control";
import { startDatabase, type FleetDatabase } from "./database";
import { Haproxy } from "./haproxy";
import { STRIPPED_SERVER_ID } from "./haproxyConfig";
import { Instance } from "./instance";
import { prepareFiles } from "./files";
import { defaultHttpPort } from "./system";
import { plan } from "./planner";
import type { FleetStatus } from "./status";
import { clearStateDir, prepareStateDir, writeRecord } from "./stateDir";

/**
 * How long a new server may take to pass its health checks before it is replaced: time to start
 * plus two passed checks, with room to spare (the stack's group gives 300 s at 30 s checks).
 */
export function graceMs(checkIntervalMs: number): number {
    return Math.max(20_000, 10_000 + 4 * checkIntervalMs);
}
const TICK_MS = 200;

export class Fleet {
    private readonly instances: Instance[] = [];
    private readonly failed = new Set<string>();
    private readonly pending = new Set<Promise<unknown>>();
    private timer?: NodeJS.Timeout;
    private ticking = false;
    private stopping?: Promise<void>;
    /** The no-security-headers variant's one misconfigured server (the first launched). */
    private strippedId?: string;
    private resolveStopRequest!: () => void;
    /** Set by `npm run fleet -- stop`, or when the load balancer dies; start() then returns early. */
    stopAsked?: string;
    /** Resolves when the fleet should stop (stopAsked says why). */
    readonly stopRequested = new Promise<void>((resolve) => (this.resolveStopRequest = resolve));
    /** After a launch fails, none until then (doubling up to 30 s), as Auto Scaling backs off. */
    private launchBackoffUntil = 0;
    private launchFailures = 0;
    private ready = false;
    private control?: Server;
    private lb?: Haproxy;
    private db?: FleetDatabase;
    private certFile = "";
    private httpPort = 0;
    private bundleFile = "";

    constructor(
        readonly options: FleetOptions,
        private readonly say: (line: string) => void,
    ) {}

    get controlSocket(): string {
        return join(this.options.stateDir, "control.sock");
    }

    /**
     * Starts everything and resolves once the desired count is in service. On failure, or when
     * stop() is called meanwhile (Ctrl-C while starting), what was started is stopped again.
     */
    async start(): Promise<void> {
        try {
            await this.boot();
        } catch (err) {
            // Stop what started before the failure, or since stop() was called (its cleanup
            // may have run before those parts existed).
            const earlier = this.stopping;
            this.stopping = (async () => {
                await earlier;
                await this.cleanup();
            })();
            await this.stopping;
            throw err;
        }
    }

    /** Throws once stop() has been called, so a start in progress goes no further. */
    private checkNotStopped(): void {
        if (this.stopping) {
            throw new Error("stopped while starting");
        }
    }

    private async boot(): Promise<void> {
        const o = this.options;
        const socket = this.controlSocket;
        const killed = await prepareStateDir(o.stateDir, () =>
            sendControl(socket, { command: "status" }, 2000).then(
                () => true,
                () => false,
            ),
        );
        if (killed.length) {
            this.say(`stopped processes a crashed fleet left running: ${killed.join(", ")}`);
        }
        this.httpPort = o.httpPort ?? (await defaultHttpPort(o.bind));
        if (this.httpPort === o.httpsPort) {
            throw new Error(`the HTTP port would be ${this.httpPort}, the same as --https-port; give --http-port`);
        }
        const files = await prepareFiles({ ...o, httpPort: this.httpPort });
        this.bundleFile = files.bundleFile;
        this.certFile = files.certFile;
        this.checkNotStopped();
        this.db = await startDatabase(o.db, o.stateDir, reachableHost(o.bind), join(o.stateDir, "logs"));
        this.say(`database: ${this.db.description}`);
        this.recordPids();
        this.checkNotStopped();
        this.lb = await Haproxy.start({
            configFile: files.configFile,
            socketPath: files.adminSocket,
            logFile: join(o.stateDir, "logs", "haproxy.log"),
            checkIntervalMs: o.checkIntervalMs,
            onUnexpectedExit: (why) => {
                this.say(`${why}; stopping the fleet`);
                this.requestStop(why);
            },
        });
        this.recordPids();
        this.checkNotStopped();
        for (const b of o.breaks) {
            this.say(`BROKEN on purpose: --break ${b}`);
        }
        this.control = await serveControl(socket, (r) => dispatch(this, r));
        this.timer = setInterval(() => void this.tick(), TICK_MS);
        const deadline = Date.now() + 90_000;
        while (!this.ready && !this.stopAsked) {
            this.checkNotStopped();
            if (Date.now() > deadline) {
                throw new Error(
                    `the fleet did not reach ${o.desired} servers in service within 90 s; see ${join(o.stateDir, "logs")}`,
                );
            }
            await new Promise((r) => setTimeout(r, 100));
        }
    }

    requestStop(why: string): void {
        this.stopAsked ??= why;
        this.resolveStopRequest();
    }

    private recordPids(): void {
        const pids = [...this.instances.map((i) => i.pid), this.lb?.pid, this.db?.pid()].filter(
            (p): p is number => typeof p === "number",
        );
        writeRecord(this.options.stateDir, { supervisor: process.pid, pids });
    }

    /** Every live child pid, for a last-resort SIGKILL if the supervisor itself is going down hard. */
    childPids(): number[] {
        return [...this.instances.map((i) => i.pid), this.lb?.running ? this.lb.pid : undefined, this.db?.pid()].filter(
            (p): p is number => typeof p === "number",
        );
    }

    private track(p: Promise<unknown>): void {
        this.pending.add(p);
        void p.finally(() => this.pending.delete(p));
    }

    private async tick(): Promise<void> {
        if (this.ticking || this.stopping || !this.lb) {
            return;
        }
        this.ticking = true;
        try {
            const health = await this.lb.health().catch(() => undefined);
            for (const i of this.instances) {
                const h = i.registered && !i.terminating && i.state !== "dead" ? health?.get(i.id) : undefined;
                if (h === "up" && i.state === "registering") {
                    i.state = "in-service";
                    this.say(`${i.id} (${i.az}) in service on port ${i.port}`);
                } else if (h === "down" && i.state === "in-service") {
                    i.state = "unhealthy";
                    this.say(`${i.id} (${i.az}) failed its health checks`);
                }
            }
            const actions = plan({
                now: Date.now(),
                desired: this.options.desired,
                azs: this.options.azs.map((name) => ({ name, failed: this.failed.has(name) })),
                instances: this.instances.filter((i) => !i.terminating),
                graceMs: graceMs(this.options.checkIntervalMs),
            });
            for (const a of actions) {
                if (a.kind === "launch") {
                    if (Date.now() >= this.launchBackoffUntil) {
                        this.track(this.launch(a.az));
                    }
                } else {
                    const i = this.instances.find((x) => x.id === a.id)!;
                    i.terminating = true;
                    this.track(this.terminate(i, a.reason));
                }
            }
            const inService = this.instances.filter((i) => i.state === "in-service" && !i.terminating).length;
            if (!this.ready && inService >= this.options.desired) {
                this.ready = true;
            }
        } finally {
            this.ticking = false;
        }
    }

    private async launch(az: string): Promise<void> {
        const o = this.options;
        const i = new Instance({
            az,
            bundleFile: this.bundleFile,
            databaseUrl: this.db!.appUrl,
            bind: reachableHost(o.bind),
            logDir: join(o.stateDir, "logs"),
            tlsDir: join(o.stateDir, "tls", "servers"),
        });
        const stripped = o.breaks.includes("no-security-headers") && this.strippedId === undefined;
        if (stripped) {
            this.strippedId = i.id;
        }
        this.instances.push(i);
        this.say(`launching ${i.id} in ${az}${stripped ? " (BROKEN: its answers lose the security headers)" : ""}`);
        try {
            const port = await i.start(() => this.recordPids());
            this.recordPids();
            await this.lb!.register(i.id, `${i.spec.bind}:${port}`, stripped ? STRIPPED_SERVER_ID : undefined);
            i.registered = true;
            if (i.state === "launching") {
                i.state = "registering";
            }
            this.launchFailures = 0;
        } catch (err) {
            this.launchFailures += 1;
            const wait = Math.min(30_000, 500 * 2 ** (this.launchFailures - 1));
            this.launchBackoffUntil = Date.now() + wait;
            this.say(`${i.id} failed to start: ${(err as Error).message}; next launch in ${wait / 1000} s`);
            i.kill();
            i.state = "dead";
        }
    }

    private async terminate(i: Instance, reason: string): Promise<void> {
        this.say(`terminating ${i.id} (${i.az}): ${reason}`);
        try {
            if (i.registered && i.alive) {
                await this.lb!.drain(i.id);
            }
            await i.stop();
            if (i.registered) {
                await this.lb!.deregister(i.id);
            }
        } catch (err) {
            this.say(`terminating ${i.id}: ${(err as Error).message}`);
        }
        this.instances.splice(this.instances.indexOf(i), 1);
        this.recordPids();
    }

    private azName(raw: string): string {
        const az = this.options.azs.find((a) => a === raw || a.endsWith(raw));
        if (!az) {
            throw new Error(`no AZ "${raw}"; the fleet's AZs are ${this.options.azs.join(", ")}`);
        }
        return az;
    }

    /** The AZ loses power: its servers die at once; the group replaces them in the other AZs. */
    failAz(raw: string): { az: string; lost: string[] } {
        const az = this.azName(raw);
        this.failed.add(az);
        const victims = this.instances.filter((i) => i.az === az && !i.terminating);
        victims.forEach((i) => i.kill());
        const lost = victims.map((i) => i.id);
        this.say(`AZ ${az} FAILED: ${lost.length} server(s) lost power (${lost.join(", ") || "none"})`);
        return { az, lost };
    }

    /** The AZ works again; the group rebalances into it. */
    restoreAz(raw: string): string {
        const az = this.azName(raw);
        this.failed.delete(az);
        this.say(`AZ ${az} restored; the group rebalances into it`);
        return az;
    }

    async stopDatabase(): Promise<void> {
        await this.db!.stop();
        this.say("database stopped (npm run fleet -- start-db brings it back)");
        this.recordPids();
    }

    async startDatabase(): Promise<void> {
        await this.db!.start();
        this.say("database started");
        this.recordPids();
    }

    status(): FleetStatus {
        const o = this.options;
        const host = reachableHost(o.bind);
        return {
            ready: this.ready,
            desired: o.desired,
            urls: {
                https: `https://${host}${o.httpsPort === 443 ? "" : `:${o.httpsPort}`}`,
                http: `http://${host}${this.httpPort === 80 ? "" : `:${this.httpPort}`}`,
            },
            certificate: this.certFile,
            azs: o.azs.map((name) => ({ name, failed: this.failed.has(name) })),
            instances: this.instances.map((i) => ({
                id: i.id,
                az: i.az,
                state: i.terminating ? "terminating" : i.state,
                port: i.port,
                pid: i.pid,
                stripped: i.id === this.strippedId,
            })),
            database: {
                kind: this.db?.kind ?? "none",
                description: this.db?.description ?? "",
                running: this.db?.running() ?? false,
            },
            breaks: o.breaks,
            stateDir: o.stateDir,
        };
    }

    /** Stops everything it started; safe to call more than once, and while starting. */
    stop(): Promise<void> {
        this.stopping ??= this.cleanup();
        return this.stopping;
    }

    private async cleanup(): Promise<void> {
        clearInterval(this.timer);
        await new Promise<void>((resolve) =>
            this.control?.listening ? this.control.close(() => resolve()) : resolve(),
        );
        await Promise.allSettled([...this.pending]);
        await Promise.allSettled(this.instances.map((i) => i.stop()));
        await this.lb?.stop();
        await this.db?.stop().catch(() => undefined);
        clearStateDir(this.options.stateDir);
    }
}
