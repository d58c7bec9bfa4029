import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { Client } from "pg";
import { requireTool } from "./tools";

/**
 * Real PostgreSQL for the database tests (roles and privileges cannot be checked on PGlite).
 * CI starts one and sets TEST_DATABASE_URL (a superuser, password auth); locally a test without
 * it is skipped with the reason, and under CI=true its absence is a failure.
 */
export function requirePostgres(ctx: Mocha.Context): string {
    const url = process.env.TEST_DATABASE_URL;
    if (url) {
        return url;
    }
    const reason = "TEST_DATABASE_URL is not set (a PostgreSQL superuser URL; .ci/run starts one)";
    if (process.env.CI === "true") {
        throw new Error(`${reason}; CI must set it in .ci/run`);
    }
    process.stderr.write(`      skipped: ${reason}\n`);
    ctx.skip();
}

export async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        return await work(client);
    } finally {
        await client.end();
    }
}

export interface ScratchDatabase {
    name: string;
    /** Superuser URL of the scratch database. */
    url: string;
    host: string;
    port: number;
    superuser: string;
    superuserPassword: string;
    /** A URL for another role on the scratch database. */
    urlAs(user: string, password: string): string;
}

/** A database of its own (and role names of its own), so nothing is shared with other suites. */
export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<ScratchDatabase> {
    const name = `${prefix}_${process.pid}_${randomBytes(3).toString("hex")}`;
    await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    const url = u.toString();
    return {
        name,
        url,
        host: u.hostname,
        port: Number(u.port || 5432),
        superuser: decodeURIComponent(u.username),
        superuserPassword: decodeURIComponent(u.password),
        urlAs: (user, password) => {
            const v = new URL(url);
            v.username = encodeURIComponent(user);
            v.password = encodeURIComponent(password);
            return v.toString();
        },
    };
}

/** Drops the scratch database, then the roles the test created (their grants went with it). */
export async function dropScratchDatabase(
    adminUrl: string,
    db: ScratchDatabase | undefined,
    roles: string[],
): Promise<void> {
    if (!db) {
        return;
    }
    await withClient(adminUrl, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`);
        for (const role of roles) {
            await c.query(`DROP ROLE IF EXISTS "${role}"`);
        }
    });
}

export interface TestCertificates {
    dir: string;
    /** The CA that signed the server certificate (for `localhost`). */
    caFile: string;
    /** A CA that signed nothing here: verification against it must fail. */
    otherCaFile: string;
    key: string;
    cert: string;
    /** Signed by the same CA, but for another host name: verify-full must refuse it. */
    otherName: { key: string; cert: string };
}

/** A CA and a server certificate for `localhost`, made with openssl (skipped locally without it). */
export function makeCertificates(ctx: Mocha.Context): TestCertificates {
    requireTool(ctx, "openssl", "apt-get install openssl");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-tls-"));
    const f = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    for (const ca of ["ca", "other-ca"]) {
        openssl(
            "req",
            "-x509",
            ...ec,
            "-keyout",
            f(`${ca}.key`),
            "-out",
            f(`${ca}.pem`),
            "-days",
            "2",
            "-subj",
            `/CN=webfleet test ${ca}`,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        );
    }
    const server = (file: string, dnsName: string) => {
        openssl("req", ...ec, "-keyout", f(`${file}.key`), "-out", f(`${file}.csr`), "-subj", `/CN=${dnsName}`);
        fs.writeFileSync(
            f(`${file}.ext`),
            `subjectAltName=DNS:${dnsName}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
        );
        openssl(
            "x509",
            "-req",
            "-in",
            f(`${file}.csr`),
            "-CA",
            f("ca.pem"),
            "-CAkey",
            f("ca.key"),
            "-CAcreateserial",
            "-out",
            f(`${file}.pem`),
            "-days",
            "2",
            "-extfile",
            f(`${file}.ext`),
        );
        return { key: fs.readFileSync(f(`${file}.key`), "utf8"), cert: fs.readFileSync(f(`${file}.pem`), "utf8") };
    };
    return {
        dir,
        caFile: f("ca.pem"),
        otherCaFile: f("other-ca.pem"),
        ...server("server", "localhost"),
        otherName: server("other-name", "db.elsewhere.example"),
    };
}

/** PostgreSQL's SSLRequest: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/**
 * A TLS-terminating proxy in front of PostgreSQL that behaves like RDS with rds.force_ssl = 1:
 * it answers the client's SSLRequest with 'S', completes the TLS handshake with a certificate
 * for `localhost`, and forwards the decrypted stream. A client that does not ask for TLS is
 * disconnected. So the code under test runs its real verify-full TLS setup.
 */
export class PgTlsProxy {
    readonly tlsSessions: number[] = [];
    plaintextRefused = 0;
    private readonly sockets = new Set<net.Socket>();

    private constructor(private readonly server: net.Server) {}

    get port(): number {
        return (this.server.address() as net.AddressInfo).port;
    }

    static async start(
        target: { host: string; port: number },
        certs: Pick<TestCertificates, "key" | "cert">,
    ): Promise<PgTlsProxy> {
        const server = net.createServer();
        const proxy = new PgTlsProxy(server);
        server.on("connection", (socket) => proxy.accept(socket, target, certs));
        // "localhost" may resolve to ::1 or 127.0.0.1; listen wherever it does.
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen({ host: "localhost", port: 0 }, () => resolve());
        });
        return proxy;
    }

    private accept(
        socket: net.Socket,
        target: { host: string; port: number },
        certs: Pick<TestCertificates, "key" | "cert">,
    ): void {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => undefined);
        let head = Buffer.alloc(0);
        const onData = (chunk: Buffer) => {
            head = Buffer.concat([head, chunk]);
            if (head.length < 8) {
                return;
            }
            socket.off("data", onData);
            if (!head.subarray(0, 8).equals(SSL_REQUEST)) {
                this.plaintextRefused += 1;
                socket.destroy();
                return;
            }
            socket.write("S");
            const secure = new tls.TLSSocket(socket, {
                isServer: true,
                key: certs.key,
                cert: certs.cert,
                minVersion: "TLSv1.2",
            });
            secure.on("error", () => socket.destroy());
            secure.once("secure", () => {
                this.tlsSessions.push(Date.now());
                const upstream = net.connect(target);
                this.sockets.add(upstream);
                upstream.on("close", () => {
                    this.sockets.delete(upstream);
                    secure.destroy();
                });
                upstream.on("error", () => secure.destroy());
                secure.on("close", () => upstream.destroy());
                secure.pipe(upstream);
                upstream.pipe(secure);
            });
        };
        socket.on("data", onData);
    }

    async close(): Promise<void> {
        for (const s of this.sockets) {
            s.destroy();
        }
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
}
