import { expect } from "chai";
import { createServer, type AddressInfo } from "node:net";
import { childEnv, startSourceApp, type AppProcess } from "./support/child";
import { httpRequest } from "./support/http";
import { fakeInstanceId, startFakeImds } from "./support/imds";

describe("app process (npm run app)", () => {
    let app: AppProcess | undefined;

    afterEach(() => app?.kill());

    it("with no DATABASE_URL starts an embedded PGlite and serves the page with zero setup", async () => {
        const id = fakeInstanceId();
        const imds = await startFakeImds({ instanceId: id, availabilityZone: "ap-southeast-2a" });
        try {
            app = startSourceApp(childEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }));
            const url = await app.listening(60_000);
            expect(app.logs.find((l) => l.msg === "listening")).to.include({ database: "embedded", instanceId: id });
            expect(app.logs.find((l) => l.msg === "migrations")).to.include({ applied: "0001_visits" });
            const page = await httpRequest(`${url}/`, { headers: { Accept: "application/json" } });
            expect(page.status).to.equal(200);
            const body = JSON.parse(page.body) as {
                instance: { id: string };
                visits: Array<{ instanceId: string; count: number }>;
            };
            expect(body.instance.id).to.equal(id);
            expect(body.visits.map((v) => [v.instanceId, v.count])).to.deep.equal([[id, 1]]);
            app.child.kill("SIGTERM");
            expect(await app.exited).to.deep.equal({ code: 0, signal: null });
            expect(app.strayOutput).to.deep.equal([]);
        } finally {
            await imds.close();
        }
    });

    it("waits for a database that is not up yet, and still stops at once on SIGTERM", async () => {
        const port = await new Promise<number>((resolve) => {
            const probe = createServer().listen(0, "127.0.0.1", () => {
                const p = (probe.address() as AddressInfo).port;
                probe.close(() => resolve(p));
            });
        });
        app = startSourceApp(
            childEnv({ DATABASE_URL: `postgres://u:hunter2@127.0.0.1:${port}/db`, AWS_EC2_METADATA_DISABLED: "true" }),
        );
        const retry = await app.waitForLog((l) => l.msg === "database not reachable for migrations; retrying");
        expect(retry).to.include({ level: "warn" });
        app.child.kill("SIGTERM");
        expect(await app.exited).to.deep.equal({ code: 0, signal: null });
        expect(JSON.stringify(app.logs)).not.to.include("hunter2");
    });

    it("exits 2 on bad settings, naming every variable and its fix", async () => {
        app = startSourceApp(
            childEnv({ PORT: "http", VISITS_CACHE_MS: "-1", DATABASE_URL: "postgres://u:hunter2@127.0.0.1:1/db" }),
        );
        expect(await app.exited).to.deep.equal({ code: 2, signal: null });
        const line = app.logs.find((l) => l.msg === "invalid configuration");
        expect(line?.level).to.equal("error");
        expect(String(line?.error)).to.match(/PORT: "http" is not an integer from 0 to 65535/);
        expect(String(line?.error)).to.match(/VISITS_CACHE_MS: "-1" is not an integer from 0 to 60000/);
        expect(JSON.stringify(app.logs)).not.to.include("hunter2");
    });
});
