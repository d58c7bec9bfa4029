/**
 * The app over TLS, as the ALB reaches it: a certificate made by the user data's own shell
 * function (openssl), the server started with it, and real clients: Debian's `openssl s_client`
 * (versions, ciphers, verification against the certificate) and Node's https and tls.
 */
import { expect } from "chai";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import * as tls from "node:tls";
import type { Pool } from "pg";
import { migrate } from "../../app/db/migrations";
import { createPool } from "../../app/db/pool";
import type { VisitStore, VisitView } from "../../app/db/visits";
import { ConfigError } from "../../app/envVars";
import { startServer, type RunningServer } from "../../app/http/server";
import { createLogger, silentLogger, type LogFields } from "../../app/log";
import { loadSettings } from "../../app/settings";
import { readTlsCredentials } from "../../app/tls";
import { poolConfigFor, testDatabase } from "./support/db";
import { eventually, httpRequest } from "./support/http";
import { fakeInstanceId } from "./support/imds";
import {
    OFFER_TLS11,
    OFFER_TLS12_CBC,
    permissiveTlsServer,
    rawGet,
    sClient,
    serverCertificate,
    type ServerCertificate,
} from "./support/tls";

const NAME = "ip-127-0-0-1.ec2.internal";
const identity = { instanceId: fakeInstanceId(), availabilityZone: "eu-west-1a", source: "imds" as const };

describe("app TLS settings (TLS_CERT_FILE, TLS_KEY_FILE)", () => {
    let cert: ServerCertificate;
    let other: ServerCertificate;
    before(function () {
        cert = serverCertificate(this);
        other = serverCertificate(this, "ip-10-0-0-9.ec2.internal");
    });
    after(() => {
        cert?.remove();
        other?.remove();
    });

    it("serves plain HTTP with neither set (npm run app needs no setup), TLS with both", () => {
        expect(loadSettings({}).tls).to.equal(undefined);
        expect(loadSettings({ TLS_CERT_FILE: " ", TLS_KEY_FILE: "" }).tls).to.equal(undefined);
        expect(loadSettings({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile }).tls).to.deep.equal({
            certFile: cert.certFile,
            keyFile: cert.keyFile,
        });
    });

    it("names the variable that is missing when only one of the pair is set", () => {
        expect(() => loadSettings({ TLS_CERT_FILE: cert.certFile }))
            .to.throw(ConfigError)
            .with.property("message")
            .that.includes(
                "TLS_KEY_FILE: not set, but TLS_CERT_FILE is; set both (the certificate and its private key) to serve TLS, or neither for plain HTTP",
            );
        expect(() => loadSettings({ TLS_KEY_FILE: cert.keyFile })).to.throw(
            "TLS_CERT_FILE: not set, but TLS_KEY_FILE is",
        );
    });

    it("refuses a missing or unreadable file, a file with no certificate, and a key of another certificate, naming the variable and the path", () => {
        const missing = join(cert.dir, "nope.key");
        expect(() => readTlsCredentials({ certFile: cert.certFile, keyFile: missing })).to.throw(
            `TLS_KEY_FILE: cannot read "${missing}" (no such file); point it at the PEM file`,
        );
        const dir = join(cert.dir, "a-directory");
        mkdirSync(dir);
        expect(() => readTlsCredentials({ certFile: dir, keyFile: cert.keyFile })).to.throw(
            `TLS_CERT_FILE: cannot read "${dir}" (it is a directory)`,
        );
        expect(() => readTlsCredentials({ certFile: cert.keyFile, keyFile: cert.keyFile })).to.throw(
            `TLS_CERT_FILE: "${cert.keyFile}" holds no PEM certificate`,
        );
        expect(() => readTlsCredentials({ certFile: cert.certFile, keyFile: other.keyFile })).to.throw(
            `TLS_KEY_FILE: "${other.keyFile}" is not the private key of the certificate in TLS_CERT_FILE "${cert.certFile}" (key values mismatch)`,
        );
        // Nothing of the key itself ever lands in a message.
        try {
            readTlsCredentials({ certFile: cert.certFile, keyFile: other.keyFile });
        } catch (err) {
            expect((err as Error).message).not.to.include(other.key.toString().split("\n")[1]);
        }
        expect(readTlsCredentials(cert)).to.deep.equal({ cert: cert.cert, key: cert.key });
    });
});

describe("app over TLS (in-process server, real TLS clients)", () => {
    let cert: ServerCertificate;
    let pool: Pool;
    let server: RunningServer;
    const logs: LogFields[] = [];

    before(async function () {
        cert = serverCertificate(this, NAME);
        const db = await testDatabase();
        pool = createPool(poolConfigFor(db), silentLogger);
        const client = await pool.connect();
        await migrate(client).finally(() => client.release());
        server = await startServer({
            port: 0,
            host: "127.0.0.1",
            pool,
            identity,
            log: createLogger((line) => logs.push(JSON.parse(line) as LogFields)),
            tls: readTlsCredentials(cert),
        });
    });
    after(async () => {
        await server?.close();
        await pool?.end();
        cert?.remove();
    });

    it("answers over TLS 1.3 and 1.2 (forward-secret AEAD), with a certificate that verifies for the instance's name and address", async () => {
        expect(server.url).to.equal(`https://127.0.0.1:${server.port}`);
        const verify = ["-CAfile", cert.certFile, "-verify_return_error"];
        const v13 = await sClient(server.port, ["-tls1_3", ...verify, "-verify_ip", "127.0.0.1"], rawGet("/healthz"));
        expect(v13.code, v13.stderr).to.equal(0);
        expect(v13.stderr).to.include("Protocol version: TLSv1.3");
        expect(v13.stderr).to.include("Verification: OK");
        expect(v13.stdout).to.match(/^HTTP\/1\.1 200 OK\r\n/);
        expect(v13.stdout).to.match(/\r\n\r\nok\n$/);
        const v12 = await sClient(server.port, ["-tls1_2", ...verify, "-verify_hostname", NAME], rawGet("/healthz"));
        expect(v12.code, v12.stderr).to.equal(0);
        expect(v12.stderr).to.include("Protocol version: TLSv1.2");
        expect(v12.stderr).to.match(/Ciphersuite: ECDHE-ECDSA-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)\n/);
        expect(v12.stdout).to.match(/^HTTP\/1\.1 200 OK\r\n/);
        // A name the certificate does not hold fails verification: the check above is real.
        const wrong = await sClient(server.port, [...verify, "-verify_hostname", "other.ec2.internal"]);
        expect(wrong.code).to.equal(1);
        expect(wrong.stderr).to.match(/verify error:num=62:hostname mismatch|Verification error: hostname mismatch/);
    });

    it("refuses TLS 1.1, and TLS 1.2 without an AEAD cipher, which a permissive server takes from the same client", async () => {
        const control = await permissiveTlsServer(cert);
        try {
            const old = await sClient(control.port, OFFER_TLS11);
            expect(old.code, old.stderr).to.equal(0);
            expect(old.stderr).to.include("Protocol version: TLSv1.1");
            const cbc = await sClient(control.port, OFFER_TLS12_CBC);
            expect(cbc.code, cbc.stderr).to.equal(0);
            expect(cbc.stderr).to.include("Ciphersuite: ECDHE-ECDSA-AES128-SHA\n");
        } finally {
            await control.close();
        }
        const old = await sClient(server.port, OFFER_TLS11);
        expect(old.code).to.equal(1);
        expect(old.stderr).to.include("alert protocol version");
        const cbc = await sClient(server.port, OFFER_TLS12_CBC);
        expect(cbc.code).to.equal(1);
        expect(cbc.stderr).to.include("alert handshake failure");
        await eventually(async () =>
            expect(logs.filter((l) => l.msg === "tls handshake failed").map((l) => l.error)).to.include.members([
                "ERR_SSL_UNSUPPORTED_PROTOCOL",
                "ERR_SSL_NO_SHARED_CIPHER",
            ]),
        );
    });

    it("serves the page to Node's https client that trusts only this certificate, and to no client that trusts the public CAs", async () => {
        const page = await httpRequest(`${server.url}/`, { ca: cert.cert, headers: { Accept: "application/json" } });
        expect(page.status).to.equal(200);
        expect((JSON.parse(page.body) as { instance: { id: string } }).instance.id).to.equal(identity.instanceId);
        const untrusted = await httpRequest(`${server.url}/healthz`).then(
            () => "answered",
            (err: NodeJS.ErrnoException) => String(err.code),
        );
        expect(untrusted).to.equal("DEPTH_ZERO_SELF_SIGNED_CERT");
    });

    it("has no plain-HTTP port: plain HTTP to it gets no answer at all, and the attempt is logged", async () => {
        const plain = await httpRequest(`http://127.0.0.1:${server.port}/healthz`).then(
            (r) => `answered ${r.status}`,
            (err: NodeJS.ErrnoException) => String(err.code),
        );
        expect(plain).to.be.oneOf(["ECONNRESET", "EPIPE"]);
        await eventually(async () =>
            expect(logs.filter((l) => l.msg === "tls handshake failed").map((l) => l.error)).to.include(
                "ERR_SSL_HTTP_REQUEST",
            ),
        );
    });

    it("keeps an idle keep-alive TLS connection past the headers timeout and serves a second request on it (the ALB reuses them)", async () => {
        const quick = await startServer({
            port: 0,
            host: "127.0.0.1",
            pool,
            identity,
            headersTimeoutMs: 300,
            tls: readTlsCredentials(cert),
        });
        const socket = tls.connect({ port: quick.port, host: "127.0.0.1", ca: cert.cert });
        try {
            let received = "";
            let closed = false;
            socket.on("data", (d: Buffer) => (received += d.toString()));
            socket.on("close", () => (closed = true));
            await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
            expect(socket.authorized).to.equal(true);
            socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            await new Promise((resolve) => setTimeout(resolve, 1000));
            expect(closed).to.equal(false);
            socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            await eventually(async () => expect(received.match(/HTTP\/1\.1 200 OK/g)).to.have.length(2), 2000);
        } finally {
            socket.destroy();
            await quick.close();
        }
    });

    it("drains on close: the request in flight finishes over TLS with Connection: close, new connections are refused", async () => {
        let release: () => void = () => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        const row = { ...identity, count: 1, lastSeen: new Date() };
        const visits: VisitStore = {
            visit: async (): Promise<VisitView> => {
                await held;
                return { own: row, others: [], dataAsOf: new Date() };
            },
            close: async () => undefined,
        };
        const draining = await startServer({
            port: 0,
            host: "127.0.0.1",
            pool,
            identity,
            visits,
            tls: readTlsCredentials(cert),
        });
        const inFlight = httpRequest(`${draining.url}/`, { ca: cert.cert });
        await new Promise((resolve) => setTimeout(resolve, 300));
        const closed = draining.close();
        await eventually(async () => {
            const refused = await sClient(draining.port, []);
            expect(refused.code).to.equal(1);
            expect(refused.stderr).to.match(/Connection refused|connect:errno=111/);
        }, 3000);
        release();
        const reply = await inFlight;
        expect(reply.status).to.equal(200);
        expect(reply.headers.connection).to.equal("close");
        expect(reply.body).to.include(`<code>${identity.instanceId}</code>`);
        expect(await closed).to.deep.equal({ drained: true });
    });
});
