/**
 * One fleet server: the app bundle as its own `node` process (as systemd runs it on EC2), with
 * its own instance metadata service, so it learns its instance ID and AZ through IMDSv2, and its
 * own self-signed certificate, made as user data makes it, so the load balancer reaches it over
 * TLS only.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, rmSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { newInstanceId, resourceHostname, startImds, type Imds } from "./imds";
import type { InstanceState } from "./planner";
import { makeServerCertificate } from "./system";

export interface InstanceSpec {
    az: string;
    bundleFile: string;
    databaseUrl: string;
    bind: string;
    logDir: string;
    /** Each server's certificate and key go in a directory of their own under this one. */
    tlsDir: string;
}

export class Instance {
    readonly id = newInstanceId();
    readonly launchedAt = Date.now();
    state: InstanceState = "launching";
    /** Set once the supervisor has decided to terminate it; it is then out of the planner's view. */
    terminating = false;
    port?: number;
    /** Registered with the load balancer (so it must be deregistered). */
    registered = false;
    private child?: ChildProcess;
    private imds?: Imds;
    private log?: WriteStream;
    private exitWaiters: (() => void)[] = [];

    constructor(readonly spec: InstanceSpec) {}

    get az(): string {
        return this.spec.az;
    }

    get pid(): number | undefined {
        return this.alive ? this.child?.pid : undefined;
    }

    get alive(): boolean {
        return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
    }

    private get certDir(): string {
        return join(this.spec.tlsDir, this.id);
    }

    /** Starts IMDS and the process, and resolves with the port once the app logs "listening". */
    async start(onExit: (i: Instance) => void): Promise<number> {
        const hostname = resourceHostname(this.id, this.az);
        // First, so a failure (no openssl) leaves nothing running.
        const tls = makeServerCertificate(this.certDir, hostname, this.spec.bind);
        this.imds = await startImds({
            instanceId: this.id,
            availabilityZone: this.az,
            localIpv4: this.spec.bind,
            localHostname: hostname,
        });
        this.log = createWriteStream(join(this.spec.logDir, `${this.id}.log`), { flags: "a" });
        const child = spawn(process.execPath, [this.spec.bundleFile], {
            env: {
                PATH: process.env.PATH ?? "/usr/bin:/bin",
                HOST: this.spec.bind,
                PORT: "0",
                TLS_CERT_FILE: tls.certFile,
                TLS_KEY_FILE: tls.keyFile,
                DATABASE_URL: this.spec.databaseUrl,
                AWS_EC2_METADATA_SERVICE_ENDPOINT: this.imds.url,
                // The fleet applied the migrations, as the deploy-time function does on AWS.
                MIGRATE_ON_START: "false",
                SHUTDOWN_TIMEOUT_MS: "5000",
            },
            // Its own process group: a terminal's Ctrl-C reaches only the supervisor, which drains it first.
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
        });
        this.child = child;
        child.stdout?.pipe(this.log, { end: false });
        child.stderr?.pipe(this.log, { end: false });
        child.once("exit", () => {
            this.state = "dead";
            void this.imds?.close();
            this.exitWaiters.splice(0).forEach((w) => w());
            onExit(this);
        });
        return new Promise<number>((resolve, reject) => {
            let buffered = "";
            const timer = setTimeout(() => reject(new Error(`${this.id} did not start listening within 20 s`)), 20_000);
            const onData = (chunk: Buffer) => {
                buffered += chunk.toString("utf8");
                let nl: number;
                while ((nl = buffered.indexOf("\n")) !== -1) {
                    const line = buffered.slice(0, nl);
                    buffered = buffered.slice(nl + 1);
                    const port = listeningPort(line);
                    if (port !== undefined) {
                        clearTimeout(timer);
                        child.stdout?.off("data", onData);
                        this.port = port;
                        resolve(port);
                        return;
                    }
                }
            };
            child.stdout?.on("data", onData);
            child.once("exit", (code, signal) => {
                clearTimeout(timer);
                reject(new Error(`${this.id} exited before listening (${signal ?? `code ${code}`}); see its log`));
            });
        });
    }

    /** Graceful stop (SIGTERM: the app drains its requests), SIGKILL after `timeoutMs`. */
    async stop(timeoutMs = 8000): Promise<void> {
        if (this.alive) {
            const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
            this.child!.kill("SIGTERM");
            const timer = setTimeout(() => this.child?.kill("SIGKILL"), timeoutMs);
            await exited;
            clearTimeout(timer);
        }
        await this.imds?.close();
        this.log?.end();
        // As on EC2, the key goes with its server.
        rmSync(this.certDir, { recursive: true, force: true });
    }

    /** Power loss: the process dies at once, nothing drains. */
    kill(): void {
        if (this.alive) {
            this.child!.kill("SIGKILL");
        }
    }
}

/** The port from the app's "listening" log line, or undefined for any other line. */
export function listeningPort(line: string): number | undefined {
    try {
        const l = JSON.parse(line) as { msg?: unknown; port?: unknown };
        return l.msg === "listening" && typeof l.port === "number" ? l.port : undefined;
    } catch {
        return undefined;
    }
}
