import { expect } from "chai";
import type { Pool } from "pg";
import { DatabaseUnavailableError, isUnavailableError } from "../../app/db/availability";
import { migrate } from "../../app/db/migrations";
import { createPool } from "../../app/db/pool";
import { startServer, type RunningServer } from "../../app/http/server";
import { createLogger, silentLogger, type LogFields } from "../../app/log";
import { errorPages } from "../../app/static/pages";
import { poolConfigFor, testDatabase } from "./support/db";
import { eventually, httpRequest } from "./support/http";
import { fakeInstanceId } from "./support/imds";
import { TcpProxy } from "./support/proxy";

function sqlError(code: string): Error {
    return Object.assign(new Error(`sqlstate ${code}`), { code });
}

describe("app database outages", () => {
    describe("isUnavailableError", () => {
        const unavailable: Array<[string, unknown]> = [
            [
                "connection refused",
                Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
            ],
            ["pg: connection terminated", new Error("Connection terminated unexpectedly")],
            ["pg-pool: connect timeout", new Error("timeout exceeded when trying to connect")],
            ["admin shutdown (57P01)", sqlError("57P01")],
            ["too many connections (53300)", sqlError("53300")],
            ["IAM auth failure (28P01)", sqlError("28P01")],
            ["connection exception class 08", sqlError("08006")],
            [
                "TLS verification",
                Object.assign(new Error("Hostname/IP does not match"), { code: "ERR_TLS_CERT_ALTNAME_INVALID" }),
            ],
            ["already classified", new DatabaseUnavailableError("down")],
        ];
        for (const [what, err] of unavailable) {
            it(`503: ${what}`, () => expect(isUnavailableError(err)).to.equal(true));
        }
        const bugs: Array<[string, unknown]> = [
            ["syntax error (42601)", sqlError("42601")],
            ["missing table (42P01)", sqlError("42P01")],
            ["a TypeError in our code", new TypeError("cannot read properties of undefined")],
            ["a non-error", "oops"],
        ];
        for (const [what, err] of bugs) {
            it(`500: ${what}`, () => expect(isUnavailableError(err)).to.equal(false));
        }
    });

    describe("the database goes away and comes back", () => {
        let proxy: TcpProxy;
        let pool: Pool;
        let server: RunningServer;
        const logs: LogFields[] = [];

        before(async () => {
            const db = await testDatabase();
            proxy = await TcpProxy.start({ host: db.host, port: db.port });
            pool = createPool(poolConfigFor(db, proxy), silentLogger);
            const client = await pool.connect();
            await migrate(client).finally(() => client.release());
            server = await startServer({
                port: 0,
                host: "127.0.0.1",
                pool,
                identity: { instanceId: fakeInstanceId(), availabilityZone: "eu-west-1a", source: "imds" },
                log: createLogger((line) => logs.push(JSON.parse(line) as LogFields)),
                visitsCacheMs: 200,
                dbRetry: { initialMs: 50, maxMs: 400 },
            });
        });

        after(async () => {
            await server?.close();
            await pool?.end();
            await proxy?.close();
        });

        it("serves while up, 503 with the custom page while down, /healthz stays 200, and recovers without a restart", async () => {
            expect((await httpRequest(`${server.url}/`)).status).to.equal(200);
            expect((await httpRequest(`${server.url}/readyz`)).status).to.equal(200);

            await proxy.cut();
            const ready = await eventually(async () => {
                const reply = await httpRequest(`${server.url}/readyz`);
                expect(reply.status).to.equal(503);
                return reply;
            });
            expect(ready.body).to.equal(errorPages[503]);
            expect(ready.headers["retry-after"]).to.equal("5");
            const home = await httpRequest(`${server.url}/`);
            expect(home.status).to.equal(503);
            expect(home.body).to.equal(errorPages[503]);
            expect(home.headers["strict-transport-security"]).to.be.a("string");
            const json = await httpRequest(`${server.url}/`, { headers: { Accept: "application/json" } });
            expect(JSON.parse(json.body)).to.deep.equal({ status: 503, error: "Service Unavailable" });
            // Liveness never depends on the database, so the ASG keeps this healthy server.
            expect((await httpRequest(`${server.url}/healthz`)).status).to.equal(200);

            await proxy.restore();
            await eventually(async () => {
                expect((await httpRequest(`${server.url}/readyz`)).status).to.equal(200);
            }, 5000);
            const back = await httpRequest(`${server.url}/`);
            expect(back.status).to.equal(200);
            expect(logs.map((l) => l.msg)).to.include.members([
                "database unavailable; serving 503 and retrying with backoff",
                "database available again",
            ]);
        });

        it("while down, requests fail fast instead of each trying to connect (bounded reconnects)", async () => {
            proxy.reset();
            await eventually(async () => {
                expect((await httpRequest(`${server.url}/readyz`)).status).to.equal(503);
            });
            const before = proxy.attempts;
            const burst = await Promise.all(Array.from({ length: 40 }, () => httpRequest(`${server.url}/`)));
            expect(burst.map((r) => r.status)).to.deep.equal(Array(40).fill(503));
            // Only the background probe (50 ms doubling to 400 ms) may have tried meanwhile.
            expect(proxy.attempts - before).to.be.lessThan(5);
            await proxy.restore();
            await eventually(async () => {
                expect((await httpRequest(`${server.url}/`)).status).to.equal(200);
            }, 5000);
        });
    });
});
