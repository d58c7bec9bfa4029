import { expect } from "chai";
import { createHash } from "node:crypto";
import { connect } from "node:net";
import type { Pool } from "pg";
import { migrate } from "../../app/db/migrations";
import { createPool } from "../../app/db/pool";
import type { VisitStore } from "../../app/db/visits";
import { maxUrlLength } from "../../app/http/handler";
import { startServer, type RunningServer } from "../../app/http/server";
import { resolveIdentity, type Identity } from "../../app/identity";
import { createLogger, silentLogger, type LogFields } from "../../app/log";
import { errorPages } from "../../app/static/pages";
import { poolConfigFor, testDatabase } from "./support/db";
import { eventually, httpRequest, rawRequest, type Reply } from "./support/http";
import { fakeInstanceId, startFakeImds } from "./support/imds";

const requiredHeaders = {
    "strict-transport-security": /^max-age=\d{8,}; includeSubDomains$/,
    "x-content-type-options": /^nosniff$/,
    "content-security-policy":
        /^default-src 'none'; style-src 'sha256-[^;]+; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/,
    "referrer-policy": /^no-referrer$/,
};

function expectSecurityHeaders(reply: Reply | Record<string, string | string[] | undefined>): void {
    const headers =
        "headers" in reply && typeof reply.status === "number"
            ? (reply as Reply).headers
            : (reply as Record<string, string>);
    for (const [name, pattern] of Object.entries(requiredHeaders)) {
        expect(String(headers[name]), name).to.match(pattern);
    }
    expect(headers).not.to.have.property("x-powered-by");
}

/** Parses a raw HTTP response (used where the request cannot be made with a client). */
function parseRaw(raw: string): { status: number; headers: Record<string, string>; body: string } {
    const [head, ...rest] = raw.split("\r\n\r\n");
    const [statusLine, ...lines] = head.split("\r\n");
    const headers: Record<string, string> = {};
    for (const l of lines) {
        const i = l.indexOf(":");
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    return { status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") };
}

describe("app server (in-process, real HTTP, real database)", () => {
    let pool: Pool;
    let poolB: Pool;
    let a: RunningServer;
    let b: RunningServer;
    let identityA: Identity;
    let identityB: Identity;
    const logs: LogFields[] = [];

    before(async () => {
        const db = await testDatabase();
        pool = createPool(poolConfigFor(db), silentLogger);
        poolB = createPool(poolConfigFor(db), silentLogger);
        const client = await pool.connect();
        await migrate(client).finally(() => client.release());
        // Two "instances", each finding its identity through its own fake IMDSv2.
        const identities: Identity[] = [];
        for (const az of ["eu-west-1a", "eu-west-1b"]) {
            const imds = await startFakeImds({ instanceId: fakeInstanceId(), availabilityZone: az });
            identities.push(await resolveIdentity({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url } }));
            await imds.close();
        }
        [identityA, identityB] = identities;
        const log = createLogger((line) => logs.push(JSON.parse(line) as LogFields));
        // No read cache and a quick background flush, so the test sees writes promptly.
        const common = { port: 0, host: "127.0.0.1", visitsCacheMs: 0, visitsFlushMs: 50 };
        a = await startServer({ ...common, pool, identity: identityA, log });
        b = await startServer({ ...common, pool: poolB, identity: identityB });
    });

    after(async () => {
        await a?.close();
        await b?.close();
        await pool?.end();
        await poolB?.end();
    });

    it("GET / shows this instance's ID and AZ, and every instance's count from the shared database", async () => {
        const fromA = await httpRequest(`${a.url}/`);
        expect(fromA.body).to.include(`<code>${identityA.instanceId}</code>`);
        await httpRequest(`${a.url}/`);
        // A's two visits, written by A (the second by its background flush), read by B from the database.
        const fromB = await eventually(async () => {
            const reply = await httpRequest(`${b.url}/`);
            expect(reply.body).to.match(
                new RegExp(`<code>${identityA.instanceId}</code></td><td>eu-west-1a</td><td class="n">2</td>`),
            );
            return reply;
        });
        expect(fromB.status).to.equal(200);
        expect(fromB.headers["content-type"]).to.equal("text/html; charset=utf-8");
        expect(fromB.body).to.include(`<dt>Instance</dt><dd><code>${identityB.instanceId}</code></dd>`);
        expect(fromB.body).to.include(`<dt>Availability zone</dt><dd><code>eu-west-1b</code></dd>`);
        expect(fromB.body).to.match(
            new RegExp(
                `<code>${identityB.instanceId}</code> \\(this server\\)</td><td>eu-west-1b</td><td class="n">\\d+</td>`,
            ),
        );
        expectSecurityHeaders(fromB);
    });

    it("GET / with Accept: application/json gives the same data as JSON, counting each visit", async () => {
        const first = await httpRequest(`${a.url}/`, { headers: { Accept: "application/json" } });
        const second = await httpRequest(`${a.url}/`, { headers: { Accept: "application/json" } });
        expect(first.status).to.equal(200);
        expect(first.headers["content-type"]).to.equal("application/json; charset=utf-8");
        expect(first.headers.vary).to.equal("Accept");
        const body1 = JSON.parse(first.body) as {
            instance: { id: string; availabilityZone: string };
            visits: Array<{ instanceId: string; count: number }>;
        };
        const body2 = JSON.parse(second.body) as typeof body1;
        expect(body1.instance).to.deep.include({ id: identityA.instanceId, availabilityZone: "eu-west-1a" });
        const countOf = (b: typeof body1, id: string): number | undefined =>
            b.visits.find((v) => v.instanceId === id)?.count;
        expect(countOf(body2, identityA.instanceId)).to.equal((countOf(body1, identityA.instanceId) ?? NaN) + 1);
        expect(countOf(body1, identityB.instanceId)).to.be.a("number");
        expect(body1).to.have.property("maxStalenessMs", 50);
    });

    it("the page is persisted: the database holds this instance's visits", async () => {
        const page = JSON.parse((await httpRequest(`${a.url}/`, { headers: { Accept: "application/json" } })).body) as {
            visits: Array<{ instanceId: string; count: number }>;
        };
        const shown = page.visits.find((v) => v.instanceId === identityA.instanceId)?.count ?? 0;
        // The last visit is buffered, then written by the background flush.
        await eventually(async () => {
            const { rows } = await pool.query<{ count: string }>("SELECT count FROM visits WHERE instance_id = $1", [
                identityA.instanceId,
            ]);
            expect(Number(rows[0].count)).to.equal(shown);
        });
    });

    it("HEAD / sends the headers without a body", async () => {
        const reply = await httpRequest(`${a.url}/`, { method: "HEAD" });
        expect(reply.status).to.equal(200);
        expect(reply.body).to.equal("");
        expect(Number(reply.headers["content-length"])).to.be.greaterThan(500);
    });

    it("GET /healthz and /readyz answer 200 while the database is up", async () => {
        const health = await httpRequest(`${a.url}/healthz`);
        expect([health.status, health.body]).to.deep.equal([200, "ok\n"]);
        expectSecurityHeaders(health);
        const ready = await httpRequest(`${a.url}/readyz`);
        expect([ready.status, ready.body]).to.deep.equal([200, "ready\n"]);
    });

    it("unknown paths get the custom 404 page", async () => {
        const reply = await httpRequest(`${a.url}/nope?x=1`);
        expect(reply.status).to.equal(404);
        expect(reply.body).to.equal(errorPages[404]);
        expectSecurityHeaders(reply);
        const json = await httpRequest(`${a.url}/nope`, { headers: { Accept: "application/json" } });
        expect(JSON.parse(json.body)).to.deep.equal({ status: 404, error: "Not Found" });
    });

    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
        it(`${method} gets 405 with the custom page and Allow: GET, HEAD`, async () => {
            const reply = await httpRequest(`${a.url}/`, { method });
            expect(reply.status).to.equal(405);
            expect(reply.headers.allow).to.equal("GET, HEAD");
            expect(reply.body).to.equal(errorPages[405]);
            expectSecurityHeaders(reply);
        });
    }

    it("a failure gets the custom 500 page, never a stack trace, and is logged", async () => {
        const failing: VisitStore = {
            visit: () => Promise.reject(new TypeError("boom at /srv/app/secret.ts:42")),
            close: async () => undefined,
        };
        const errors: LogFields[] = [];
        const server = await startServer({
            port: 0,
            host: "127.0.0.1",
            pool,
            identity: identityA,
            visits: failing,
            log: createLogger((line) => errors.push(JSON.parse(line) as LogFields)),
        });
        try {
            const reply = await httpRequest(`${server.url}/`);
            expect(reply.status).to.equal(500);
            expect(reply.body).to.equal(errorPages[500]);
            expect(reply.body).not.to.include("boom");
            expectSecurityHeaders(reply);
            expect(errors.find((l) => l.msg === "request failed")).to.include({
                level: "error",
                error: "boom at /srv/app/secret.ts:42",
            });
        } finally {
            await server.close();
        }
    });

    it("the CSP allows exactly the page's own inline style", async () => {
        const reply = await httpRequest(`${a.url}/`);
        const css = /<style>([\s\S]*?)<\/style>/.exec(reply.body)?.[1] ?? "";
        const hash = createHash("sha256").update(css).digest("base64");
        expect(String(reply.headers["content-security-policy"])).to.include(`'sha256-${hash}'`);
        expect(reply.body).not.to.match(/<script/i);
    });

    describe("malformed and oversized requests get a 4xx, and the server keeps serving", () => {
        afterEach(async () => {
            expect((await httpRequest(`${a.url}/healthz`)).status).to.equal(200);
        });

        it("garbage instead of HTTP: 400 with the custom page", async () => {
            const reply = parseRaw(await rawRequest(a.port, "HELLO THERE\r\n\r\n"));
            expect(reply.status).to.equal(400);
            expect(reply.body).to.equal(errorPages[400]);
            expectSecurityHeaders(reply.headers);
        });

        it("a bad Content-Length: 400", async () => {
            const reply = parseRaw(
                await rawRequest(a.port, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
            );
            expect(reply.status).to.equal(400);
        });

        it("headers over 16 KiB: 431", async () => {
            const big = "x".repeat(20 * 1024);
            const reply = parseRaw(await rawRequest(a.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${big}\r\n\r\n`));
            expect(reply.status).to.equal(431);
            expectSecurityHeaders(reply.headers);
        });

        it(`a request target over ${maxUrlLength} characters: 414`, async () => {
            const reply = await httpRequest(`${a.url}/${"a".repeat(maxUrlLength + 10)}`);
            expect(reply.status).to.equal(414);
            expect(reply.body).to.equal(errorPages[400]);
        });

        it("a declared body over 64 KiB: 413, and the connection is closed instead of read", async () => {
            const raw = await rawRequest(a.port, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
            const reply = parseRaw(raw);
            expect(reply.status).to.equal(413);
            expect(reply.headers.connection).to.equal("close");
        });

        it("a client too slow to send its headers (slowloris): 408 with the custom page", async () => {
            const slow = await startServer({
                port: 0,
                host: "127.0.0.1",
                pool,
                identity: identityA,
                headersTimeoutMs: 300,
            });
            try {
                const started = Date.now();
                // Headers never finish; rawRequest keeps the socket open until the server closes it.
                const reply = parseRaw(await rawRequest(slow.port, "GET / HTTP/1.1\r\nHost: x\r\n", 5000, false));
                expect(reply.status).to.equal(408);
                expect(reply.body).to.equal(errorPages[400]);
                expect(Date.now() - started).to.be.lessThan(2000);
            } finally {
                await slow.close();
            }
        });

        it("an idle keep-alive connection is not cut by the headers timeout (the ALB reuses them)", async () => {
            const quick = await startServer({
                port: 0,
                host: "127.0.0.1",
                pool,
                identity: identityA,
                headersTimeoutMs: 300,
            });
            const socket = connect(quick.port, "127.0.0.1");
            try {
                let received = "";
                let closed = false;
                socket.on("data", (d: Buffer) => (received += d.toString()));
                socket.on("close", () => (closed = true));
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

        it("an absolute-form request target: 400", async () => {
            const reply = parseRaw(
                await rawRequest(a.port, "GET http://evil.example/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            );
            expect(reply.status).to.equal(400);
        });
    });

    it("logs one JSON line per request: method, path without the query, status, duration", async () => {
        logs.length = 0;
        await httpRequest(`${a.url}/nope?token=s3cr3t`);
        await httpRequest(`${a.url}/healthz`);
        const lines = logs.filter((l) => l.msg === "request");
        expect(lines).to.have.length(2);
        expect(lines[0]).to.include({ level: "info", method: "GET", path: "/nope", status: 404 });
        expect(lines[0].durationMs).to.be.a("number");
        expect(lines[1]).to.include({ path: "/healthz", status: 200 });
        expect(JSON.stringify(logs)).not.to.include("s3cr3t");
    });
});
