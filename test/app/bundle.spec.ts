import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { buildAppBundle, type AppBundle } from "../../app/build";
import { errorPages } from "../../app/static/pages";
import { testDatabase, urlVia, type TestDatabase } from "./support/db";
import { AppProcess, childEnv, repoRoot, startBundledApp } from "./support/child";
import { eventually, httpRequest } from "./support/http";
import { fakeInstanceId, startFakeImds, type FakeImds } from "./support/imds";
import { TcpProxy } from "./support/proxy";
import { OFFER_TLS11, rawGet, sClient, serverCertificate } from "./support/tls";

describe("app bundle (esbuild, one file, plain node)", () => {
    let bundle: AppBundle;
    let dir: string;
    let db: TestDatabase;
    const cleanups: Array<() => Promise<void> | void> = [];

    before(async () => {
        bundle = await buildAppBundle();
        dir = mkdtempSync(join(tmpdir(), "webfleet-bundle-"));
        writeFileSync(join(dir, bundle.fileName), bundle.code);
        db = await testDatabase();
    });

    afterEach(async () => {
        for (const c of cleanups.splice(0).reverse()) {
            await c();
        }
    });

    after(() => {
        if (dir) {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    async function imds(instanceId: string, az: string): Promise<FakeImds> {
        const fake = await startFakeImds({ instanceId, availabilityZone: az });
        cleanups.push(() => fake.close());
        return fake;
    }

    function run(env: Record<string, string>): AppProcess {
        const app = startBundledApp(join(dir, bundle.fileName), dir, childEnv(env));
        cleanups.push(() => app.kill());
        return app;
    }

    it("is deterministic: two builds give the same bytes, and the hash is the content's", async () => {
        const again = await buildAppBundle();
        expect(again.code.equals(bundle.code)).to.equal(true);
        expect(again.sha256).to.equal(bundle.sha256);
        expect(bundle.sha256).to.equal(createHash("sha256").update(bundle.code).digest("hex"));
    });

    it("holds no absolute paths, no PGlite, and the error pages inline", () => {
        const code = bundle.code.toString("utf8");
        for (const path of [repoRoot, homedir(), tmpdir() + "/"]) {
            expect(code, path).not.to.include(path);
        }
        expect(code).not.to.match(/pglite\.wasm|@electric-sql/);
        // ASCII (esbuild escapes the rest), so it uploads to S3 as text byte for byte.
        // eslint-disable-next-line no-control-regex -- the whole ASCII range, NUL included
        expect(/^[\x00-\x7f]*$/.test(code)).to.equal(true);
        // Inlined, not read from disk beside the file (the 404 test below serves one).
        expect(code).to.include("<title>503 Service unavailable</title>");
    });

    it("runs from a temp directory with no node_modules: two processes share one database", async () => {
        // The check is only meaningful if nothing could be resolved from there.
        expect(() => require.resolve("pg", { paths: [dir] })).to.throw();
        const [idA, idB] = [fakeInstanceId(), fakeInstanceId()];
        const a = run({ DATABASE_URL: db.url, AWS_EC2_METADATA_SERVICE_ENDPOINT: (await imds(idA, "eu-west-1a")).url });
        const b = run({
            DATABASE_URL: db.url,
            AWS_EC2_METADATA_SERVICE_ENDPOINT: (await imds(idB, "eu-west-1c")).url,
            VISITS_CACHE_MS: "0",
        });
        const [urlA, urlB] = await Promise.all([a.listening(), b.listening()]);
        const pageA = await httpRequest(`${urlA}/`);
        expect(pageA.status).to.equal(200);
        expect(pageA.body).to.include(`<code>${idA}</code>`);
        // A writes its visit within a second (background flush); B then lists both instances.
        const pageB = await eventually(async () => {
            const reply = await httpRequest(`${urlB}/`, { headers: { Accept: "application/json" } });
            const body = JSON.parse(reply.body) as {
                instance: { id: string };
                visits: Array<{ instanceId: string; availabilityZone: string; count: number }>;
            };
            expect(body.visits.find((v) => v.instanceId === idA)).to.include({
                availabilityZone: "eu-west-1a",
                count: 1,
            });
            return body;
        }, 5000);
        expect(pageB.instance.id).to.equal(idB);
        expect(pageB.visits.map((v) => v.instanceId)).to.include.members([idA, idB]);

        const notFound = await httpRequest(`${urlA}/missing`);
        expect([notFound.status, notFound.body]).to.deep.equal([404, errorPages[404]]);
        for (const app of [a, b]) {
            expect(app.strayOutput, "every stdout line is JSON").to.deep.equal([]);
            expect(app.stderr).to.equal("");
        }
    });

    it("on AWS settings (DB_HOST, IAM, verified TLS) it starts without migrating, and a DB it cannot use is a 503", async () => {
        const ca = join(dir, "rds-ca.pem");
        writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIBnotacert\n-----END CERTIFICATE-----\n");
        // The test PostgreSQL has no TLS, so the verified-TLS connection must fail, never fall back.
        const app = run({
            DB_HOST: db.host,
            DB_PORT: String(db.port),
            DB_NAME: db.database,
            DB_USER: "webfleet_app",
            DB_CA_BUNDLE: ca,
            AWS_REGION: "eu-west-1",
            AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE",
            AWS_SECRET_ACCESS_KEY: "not-a-real-secret",
            AWS_EC2_METADATA_DISABLED: "true",
        });
        const url = await app.listening();
        expect(app.logs.find((l) => l.msg === "listening")).to.include({ database: "iam" });
        expect(app.logs.some((l) => l.msg === "migrations")).to.equal(false);
        expect((await httpRequest(`${url}/healthz`)).status).to.equal(200);
        const ready = await httpRequest(`${url}/readyz`);
        expect([ready.status, ready.body]).to.deep.equal([503, errorPages[503]]);
        expect((await httpRequest(`${url}/`)).status).to.equal(503);
        const logged = JSON.stringify(app.logs);
        expect(logged).to.include("cannot connect to the database");
        expect(logged).not.to.match(/not-a-real-secret|X-Amz-Signature/);
    });

    it("serves HTTPS only with TLS_CERT_FILE and TLS_KEY_FILE (a certificate made as user data makes it), refusing TLS 1.1", async function () {
        const cert = serverCertificate(this);
        cleanups.push(() => cert.remove());
        const id = fakeInstanceId();
        const app = run({
            DATABASE_URL: db.url,
            AWS_EC2_METADATA_SERVICE_ENDPOINT: (await imds(id, "eu-west-1a")).url,
            TLS_CERT_FILE: cert.certFile,
            TLS_KEY_FILE: cert.keyFile,
        });
        const url = await app.listening();
        expect(app.logs.find((l) => l.msg === "listening")).to.include({ tls: true, url });
        expect(url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
        const port = Number(new URL(url).port);
        const page = await sClient(port, ["-CAfile", cert.certFile, "-verify_return_error"], rawGet("/"));
        expect(page.code, page.stderr).to.equal(0);
        expect(page.stderr).to.include("Protocol version: TLSv1.3");
        expect(page.stdout).to.match(/^HTTP\/1\.1 200 OK\r\n/);
        expect(page.stdout).to.include(`<code>${id}</code>`);
        const old = await sClient(port, OFFER_TLS11);
        expect([old.code, old.stderr.includes("alert protocol version")]).to.deep.equal([1, true]);
        const plain = await httpRequest(`http://127.0.0.1:${port}/healthz`).then(
            (r) => `answered ${r.status}`,
            (err: NodeJS.ErrnoException) => String(err.code),
        );
        expect(plain).to.be.oneOf(["ECONNRESET", "EPIPE"]);
        expect(app.stderr).to.equal("");
    });

    it("exits 2 naming the variable when only one of TLS_CERT_FILE and TLS_KEY_FILE is set, or a file cannot be read", async () => {
        const half = run({ DATABASE_URL: db.url, AWS_EC2_METADATA_DISABLED: "true", TLS_CERT_FILE: "/etc/hostname" });
        expect(await half.exited).to.deep.equal({ code: 2, signal: null });
        expect(String(half.logs.find((l) => l.msg === "invalid configuration")?.error)).to.include(
            "TLS_KEY_FILE: not set, but TLS_CERT_FILE is",
        );
        const missing = join(dir, "no-such.key");
        const unreadable = run({
            DATABASE_URL: db.url,
            AWS_EC2_METADATA_DISABLED: "true",
            TLS_CERT_FILE: join(dir, bundle.fileName),
            TLS_KEY_FILE: missing,
        });
        expect(await unreadable.exited).to.deep.equal({ code: 2, signal: null });
        expect(String(unreadable.logs.find((l) => l.msg === "invalid configuration")?.error)).to.include(
            `TLS_KEY_FILE: cannot read "${missing}" (no such file)`,
        );
    });

    it("on SIGTERM stops accepting, finishes the in-flight request, and exits 0", async () => {
        const proxy = await TcpProxy.start({ host: db.host, port: db.port });
        cleanups.push(() => proxy.close());
        const id = fakeInstanceId();
        const app = run({
            DATABASE_URL: urlVia(db, proxy),
            AWS_EC2_METADATA_SERVICE_ENDPOINT: (await imds(id, "eu-west-1b")).url,
            VISITS_CACHE_MS: "0",
        });
        const url = await app.listening();
        expect((await httpRequest(`${url}/`)).status).to.equal(200);

        // Hold the database so the next request stays in flight.
        proxy.pause();
        const inFlight = httpRequest(`${url}/`);
        await new Promise((resolve) => setTimeout(resolve, 300));
        app.child.kill("SIGTERM");
        await app.waitForLog((l) => l.msg === "shutting down");
        // New connections are refused while the old request is still being served. (One that
        // raced into the listen backlog just before close() is reset, never answered.)
        const outcomes: string[] = [];
        await eventually(async () => {
            const outcome = await httpRequest(`${url}/healthz`).then(
                (r) => `answered ${r.status}`,
                (err: NodeJS.ErrnoException) => String(err.code),
            );
            outcomes.push(outcome);
            expect(outcome).to.equal("ECONNREFUSED");
        }, 3000);
        expect(outcomes.filter((o) => o !== "ECONNREFUSED" && o !== "ECONNRESET")).to.deep.equal([]);
        expect(app.child.exitCode).to.equal(null);

        proxy.resume();
        const reply = await inFlight;
        expect(reply.status).to.equal(200);
        expect(reply.body).to.include(`<code>${id}</code>`);
        expect(await app.exited).to.deep.equal({ code: 0, signal: null });
        expect(app.logs.find((l) => l.msg === "stopped")).to.include({ drained: true });
        const requests = app.logs.filter((l) => l.msg === "request");
        expect(requests.map((l) => [l.method, l.path, l.status])).to.deep.equal([
            ["GET", "/", 200],
            ["GET", "/", 200],
        ]);
    });
});
