/**
 * Issue 14, items 2 and 3: the whole fleet as real processes (HAProxy from Debian, app servers
 * from the esbuild bundle with their own IMDS, Debian's PostgreSQL), checked by `npm run verify`
 * as a user runs it, through an outage of the database, a dying server and a failed AZ.
 */
import { expect } from "chai";
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { resourceHostname } from "../../e2e/fleet/imds";
import { readRecord } from "../../e2e/fleet/stateDir";
import type { FleetStatus } from "../../e2e/fleet/status";
import { runVerify, type VerifyRun } from "../../e2e/verify/checks";
import { INSTANCE_ID } from "../../e2e/verify/expectations";
import type { VerifyReport } from "../../e2e/verify/report";
import { eventually, httpRequest } from "../app/support/http";
import { failedChecks, requireFleetTools, runVerifyCli, startFleet, type RunningFleet } from "./support/fleet";

const inService = (s: FleetStatus) => s.instances.filter((i) => i.state === "in-service");
const perAz = (s: FleetStatus) =>
    Object.fromEntries(s.azs.map((az) => [az.name, inService(s).filter((i) => i.az === az.name).length]));

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

describe("npm run fleet, checked by npm run verify (real processes)", function () {
    this.timeout(180_000);
    let fleet: RunningFleet | undefined;
    const f = () => fleet!;
    const verify = (over: Partial<VerifyRun> = {}): Promise<VerifyReport> =>
        runVerify({
            url: new URL(f().url),
            ca: readFileSync(f().certFile),
            insecure: false,
            requests: 20,
            expectAzs: 2,
            httpPort: f().httpPort,
            timeoutMs: 5000,
            waitMs: 0,
            ...over,
        });

    before(async function () {
        requireFleetTools(this, "postgres");
        fleet = await startFleet(["--db", "postgres", "--desired", "2"]);
    });
    after(async () => {
        await fleet?.stop();
    });

    it("comes up with a server per AZ, each with its own EC2-style identity, on Debian's PostgreSQL", async () => {
        const s = await f().status();
        expect(s.ready).to.equal(true);
        expect(perAz(s)).to.deep.equal({ "local-1a": 1, "local-1b": 1 });
        const ids = inService(s).map((i) => i.id);
        expect(new Set(ids).size).to.equal(2);
        ids.forEach((id) => expect(id).to.match(INSTANCE_ID));
        expect(s.database).to.include({ kind: "postgres", running: true });
        expect(s.database.description).to.match(/^PostgreSQL \d+/);
        expect(f().output()).to.include(
            `fleet: check it: npm run verify -- --url ${f().url} --http-port ${f().httpPort} --ca ${f().certFile} --expect-azs 2`,
        );
    });

    it("reaches each server over TLS only, each with a certificate of its own naming it, as user data makes them", async () => {
        const servers = inService(await f().status());
        const peers = await Promise.all(
            servers.map(
                (i) =>
                    new Promise<tls.PeerCertificate>((resolve, reject) => {
                        // Unverified, as the load balancer connects (HAProxy: ssl verify none).
                        const socket = tls.connect({ port: i.port!, host: "127.0.0.1", rejectUnauthorized: false });
                        socket.once("secureConnect", () => {
                            resolve(socket.getPeerCertificate());
                            socket.end();
                        });
                        socket.once("error", reject);
                    }),
            ),
        );
        servers.forEach((i, n) => {
            const name = resourceHostname(i.id, i.az);
            expect(peers[n].subject.CN, i.id).to.equal(name);
            expect(peers[n].subjectaltname).to.equal(`DNS:${name}, IP Address:127.0.0.1`);
        });
        expect(new Set(peers.map((p) => p.fingerprint256)).size).to.equal(servers.length);
        for (const i of servers) {
            const plain = await httpRequest(`http://127.0.0.1:${i.port}/healthz`).then(
                (r) => `answered ${r.status}`,
                (err: NodeJS.ErrnoException) => String(err.code),
            );
            expect(plain, i.id).to.be.oneOf(["ECONNRESET", "EPIPE"]);
        }
        // The keys live with their servers, readable by this user alone (umask 077, as on EC2).
        for (const i of servers) {
            const key = statSync(join(f().stateDir, "tls", "servers", i.id, "server.key"));
            expect([key.mode & 0o777, key.uid], i.id).to.deep.equal([0o600, process.getuid!()]);
        }
    });

    it("passes npm run verify (exit 0) with the certificate checked by --ca, from both AZs and both servers", async () => {
        const run = await runVerifyCli([
            "--url",
            f().url,
            "--http-port",
            String(f().httpPort),
            "--ca",
            f().certFile,
            "--expect-azs",
            "2",
            "--json",
        ]);
        expect(run.code, run.stdout + run.stderr).to.equal(0);
        const report = JSON.parse(run.stdout) as VerifyReport;
        expect(report.checks.map((c) => [c.name, c.status])).to.deep.equal([
            ["certificate", "pass"],
            ["tls-versions", "pass"],
            ["redirect", "pass"],
            ["healthz", "pass"],
            ["home-html", "pass"],
            ["home-json", "pass"],
            ["not-found", "pass"],
            ["az-spread", "pass"],
            ["security-headers", "pass"],
        ]);
        const s = await f().status();
        expect(Object.keys(report.perAz)).to.deep.equal(["local-1a", "local-1b"]);
        expect(Object.keys(report.perInstance).sort()).to.deep.equal(
            inService(s)
                .map((i) => i.id)
                .sort(),
        );
        expect(report.latencyMs?.count).to.equal(30);
    });

    it("with --insecure, passes and says the certificate was not verified", async () => {
        const run = await runVerifyCli(["--url", f().url, "--http-port", String(f().httpPort), "--insecure"]);
        expect(run.code, run.stdout + run.stderr).to.equal(0);
        expect(run.stdout).to.match(/^ {2}SKIP {2}certificate +not verified \(--insecure\): subject CN=localhost/m);
        expect(run.stdout).to.match(/^PASSED: 8 of 9 checks; skipped: certificate$/m);
        expect(run.stdout).to.match(/^latency of 30 requests of \/: p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms/m);
    });

    it("--stack reads the url and the AZ count through the Pulumi CLI", async () => {
        const bin = mkdtempSync(join(tmpdir(), "webfleet-fake-pulumi-"));
        // A stand-in for the CLI (not installable offline), answering exactly the documented call.
        writeFileSync(
            join(bin, "pulumi"),
            '#!/bin/sh\n[ "$*" = "stack output --json --stack dev" ] || { echo "unexpected: $*" >&2; exit 3; }\n' +
                'printf \'{"url":"%s","availabilityZones":%s}\\n\' "$FLEET_URL" "$FLEET_AZS"\n',
        );
        chmodSync(join(bin, "pulumi"), 0o755);
        const run = (azs: string) =>
            runVerifyCli(["--stack", "dev", "--http-port", String(f().httpPort), "--insecure", "--json"], {
                ...process.env,
                PATH: `${bin}:${process.env.PATH}`,
                FLEET_URL: f().url,
                FLEET_AZS: azs,
            });
        const two = await run('["local-1a","local-1b"]');
        expect(two.code, two.stderr).to.equal(0);
        expect(JSON.parse(two.stdout)).to.include({ url: f().url, expectAzs: 2 });
        // A three-AZ stack expects three AZs, which this fleet does not have.
        const three = await run('["a","b","c"]');
        expect(three.code).to.equal(1);
        const report = JSON.parse(three.stdout) as VerifyReport;
        expect(report.expectAzs).to.equal(3);
        expect(failedChecks(report)).to.deep.equal(["az-spread"]);
    });

    it("the database stopped: / answers with the app's 503 page, named by home-html and home-json; back after start-db", async () => {
        expect(await f().control({ command: "stop-db" })).to.deep.include({ ok: true });
        const report = await verify();
        expect(failedChecks(report)).to.deep.equal(["home-html", "home-json", "az-spread"]);
        const html = report.checks.find((c) => c.name === "home-html")!;
        expect(html.summary).to.equal("answered 503 text/html (the app's own 503 page); expected 200 text/html");
        // Liveness never touches the database, so no server is replaced for its outage.
        expect(report.checks.find((c) => c.name === "healthz")!.status).to.equal("pass");
        expect(inService(await f().status())).to.have.length(2);
        expect(await f().control({ command: "start-db" })).to.deep.include({ ok: true });
        await eventually(async () => expect(failedChecks(await verify())).to.deep.equal([]), 20_000, 300);
    });

    it("replaces a server whose process dies with a new instance ID in the same AZ", async () => {
        const before = await f().status();
        const victim = inService(before)[0];
        process.kill(victim.pid!, "SIGKILL");
        const after = await eventually(
            async () => {
                const s = await f().status();
                expect(s.instances.map((i) => i.id)).to.not.include(victim.id);
                expect(perAz(s)).to.deep.equal({ "local-1a": 1, "local-1b": 1 });
                return s;
            },
            30_000,
            200,
        );
        const replacement = inService(after).find((i) => i.az === victim.az)!;
        expect(replacement.id).to.match(INSTANCE_ID).and.not.equal(victim.id);
    });

    it("heals a failed AZ: the desired count moves to the working AZ, and verify --expect-azs 1 passes while 2 fails", async () => {
        const answer = await f().control({ command: "fail-az", az: "local-1a" });
        expect(answer).to.deep.include({ ok: true });
        // The bound: two failed health checks, a launch and two passed ones take seconds.
        await eventually(
            async () => {
                const s = await f().status();
                expect(perAz(s)).to.deep.equal({ "local-1a": 0, "local-1b": 2 });
                expect(s.azs.find((a) => a.name === "local-1a")!.failed).to.equal(true);
                expect(failedChecks(await verify({ expectAzs: 1 }))).to.deep.equal([]);
            },
            30_000,
            300,
        );
        const two = await verify({ expectAzs: 2 });
        expect(failedChecks(two)).to.deep.equal(["az-spread"]);
        expect(two.checks.find((c) => c.name === "az-spread")!.summary).to.match(
            /^20 of 20 answers from 1 AZ\(s\) \(local-1b ×20\), 2 instance\(s\); expected at least 2 AZs \(--expect-azs\)$/,
        );
    });

    it("rebalances into a restored AZ, launching there before terminating, never below the desired count", async () => {
        await f().control({ command: "restore-az", az: "local-1a" });
        let lowest = Infinity;
        await eventually(
            async () => {
                const s = await f().status();
                lowest = Math.min(lowest, inService(s).length);
                expect(perAz(s)).to.deep.equal({ "local-1a": 1, "local-1b": 1 });
                expect(s.instances).to.have.length(2);
            },
            40_000,
            100,
        );
        expect(lowest).to.be.at.least(2);
        expect(failedChecks(await verify({ expectAzs: 2 }))).to.deep.equal([]);
        expect(f().output()).to.match(
            /terminating i-[0-9a-f]+ \(local-1b\): rebalancing: local-1b has the most servers/,
        );
    });

    it("answers with the app's own 503 page when no server is healthy", async () => {
        await f().control({ command: "fail-az", az: "local-1a" });
        await f().control({ command: "fail-az", az: "b" });
        await eventually(
            async () => {
                const report = await verify({ requests: 1 });
                const html = report.checks.find((c) => c.name === "home-html")!;
                expect(html.summary).to.equal(
                    "answered 503 text/html (the app's own 503 page); expected 200 text/html",
                );
                expect(inService(await f().status())).to.have.length(0);
            },
            20_000,
            300,
        );
        await f().control({ command: "restore-az", az: "local-1a" });
        await f().control({ command: "restore-az", az: "local-1b" });
        await eventually(
            async () => expect(perAz(await f().status())).to.deep.equal({ "local-1a": 1, "local-1b": 1 }),
            30_000,
            200,
        );
    });

    it("stops everything it started on SIGTERM, and exits 0", async () => {
        const pids = readRecord(f().stateDir)!.pids;
        // Two servers, HAProxy and PostgreSQL.
        expect(pids).to.have.length(4);
        pids.forEach((pid) => expect(alive(pid), `pid ${pid}`).to.equal(true));
        expect(await f().stop()).to.equal(0);
        pids.forEach((pid) => expect(alive(pid), `pid ${pid} after stop`).to.equal(false));
        fleet = undefined;
    });
});
