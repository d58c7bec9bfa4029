import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A TCP proxy between the app and the database, so a test can take the database away and
 * bring it back (the same for PostgreSQL and PGlite), or hold traffic to keep a request in flight.
 */
export class TcpProxy {
    private server: Server | undefined;
    private readonly sockets = new Set<Socket>();
    private paused = false;
    private resetting = false;
    /** Connection attempts seen (also while resetting): lets a test check reconnects are bounded. */
    attempts = 0;

    private constructor(
        private readonly target: { host: string; port: number },
        public port: number,
    ) {}

    static async start(target: { host: string; port: number }): Promise<TcpProxy> {
        const proxy = new TcpProxy(target, 0);
        await proxy.listen();
        return proxy;
    }

    get host(): string {
        return "127.0.0.1";
    }

    /** The database "goes away": refuse new connections and reset the open ones. */
    async cut(): Promise<void> {
        for (const s of this.sockets) {
            s.destroy();
        }
        this.sockets.clear();
        const server = this.server;
        this.server = undefined;
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }

    /** The database comes back on the same address. */
    async restore(): Promise<void> {
        this.resetting = false;
        if (!this.server) {
            await this.listen();
        }
    }

    /** A database that accepts and drops every connection (counted in `attempts`). */
    reset(): void {
        this.resetting = true;
        for (const s of this.sockets) {
            s.destroy();
        }
        this.sockets.clear();
    }

    /** Holds the app's traffic to the database (queries wait) until `resume()`. */
    pause(): void {
        this.paused = true;
        for (const s of this.sockets) {
            s.pause();
        }
    }

    resume(): void {
        this.paused = false;
        for (const s of this.sockets) {
            s.resume();
        }
    }

    async close(): Promise<void> {
        await this.cut();
    }

    private listen(): Promise<void> {
        const server = createServer((client) => this.accept(client));
        this.server = server;
        return new Promise((resolve, reject) => {
            server.once("error", reject);
            server.listen(this.port, "127.0.0.1", () => {
                const address = server.address();
                if (address && typeof address === "object") {
                    this.port = address.port;
                }
                resolve();
            });
        });
    }

    private accept(client: Socket): void {
        this.attempts += 1;
        if (this.resetting) {
            client.destroy();
            return;
        }
        const upstream = connect(this.target.port, this.target.host);
        for (const s of [client, upstream]) {
            this.sockets.add(s);
            s.on("error", () => undefined);
            s.on("close", () => {
                this.sockets.delete(s);
                client.destroy();
                upstream.destroy();
            });
        }
        if (this.paused) {
            client.pause();
        }
        client.pipe(upstream);
        upstream.pipe(client);
    }
}
