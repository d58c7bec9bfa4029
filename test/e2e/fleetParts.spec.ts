/**
 * The fleet's parts on their own: arguments, the control protocol, the IMDSv2 stand-in, the
 * state directory's crash cleanup, and the small system helpers.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_STATE_DIR, FleetUsageError, parseAzs, parseFleetArgs } from "../../e2e/fleet/args";
import { parseControlRequest, sendControl, serveControl } from "../../e2e/fleet/control";
import { debianPostgresBin } from "../../e2e/fleet/database";
import { MAX_TOKEN_TTL_SECONDS, newInstanceId, regionOf, startImds } from "../../e2e/fleet/imds";
import { listeningPort } from "../../e2e/fleet/instance";
import {
    MARKER,
    clearStateDir,
    prepareStateDir,
    processMentions,
    readRecord,
    writeRecord,
} from "../../e2e/fleet/stateDir";
import { canListen, freePort, userIds } from "../../e2e/fleet/system";
import { INSTANCE_ID } from "../../e2e/verify/expectations";

function usage(argv: string[]): string {
    try {
        parseFleetArgs(argv);
    } catch (err) {
        expect(err).to.be.instanceOf(FleetUsageError);
        return (err as Error).message;
    }
    throw new Error(`no usage error for ${argv.join(" ")}`);
}

describe("fleet arguments", () => {
    it("defaults: two AZs, two servers each, HTTP (80 when it can have it) → 8443 on loopback, the database Debian's if installed", () => {
        const inv = parseFleetArgs([]);
        expect(inv.kind).to.equal("up");
        if (inv.kind === "up") {
            expect(inv.options).to.deep.equal({
                azs: ["local-1a", "local-1b"],
                desired: 4,
                bind: "127.0.0.1",
                httpPort: undefined,
                httpsPort: 8443,
                db: { kind: "auto" },
                stateDir: DEFAULT_STATE_DIR,
                checkIntervalMs: 1000,
                breaks: [],
                appBundle: undefined,
            });
        }
    });

    it("takes sizes, ports, the database and broken variants", () => {
        const inv = parseFleetArgs([
            "up",
            "--azs",
            "3",
            "--desired=5",
            "--https-port",
            "9443",
            "--database-url",
            "postgres://u:p@h:5432/d",
            "--break",
            "old-tls",
            "--break",
            "no-redirect",
            "--break",
            "old-tls",
        ]);
        expect(inv.kind === "up" && inv.options).to.deep.include({
            azs: ["local-1a", "local-1b", "local-1c"],
            desired: 5,
            httpsPort: 9443,
            db: { kind: "url", url: "postgres://u:p@h:5432/d" },
            breaks: ["old-tls", "no-redirect"],
        });
        expect(parseAzs("eu-x-1a,eu-x-1b")).to.deep.equal(["eu-x-1a", "eu-x-1b"]);
    });

    it("parses the commands to a running fleet", () => {
        expect(parseFleetArgs(["fail-az", "local-1a", "--state-dir", "/tmp/f"])).to.deep.equal({
            kind: "control",
            request: { command: "fail-az", az: "local-1a" },
            stateDir: "/tmp/f",
            json: false,
        });
        expect(parseFleetArgs(["status", "--json"])).to.deep.include({ request: { command: "status" }, json: true });
    });

    it("refuses bad usage, naming the flag and the fix", () => {
        expect(usage(["--break", "slow"])).to.equal(
            '--break: "slow" is not one of no-redirect, old-tls, no-security-headers',
        );
        expect(usage(["--azs", "x-1a,x-1a"])).to.equal('--azs: "x-1a,x-1a" names an AZ twice');
        expect(usage(["--azs", "US-EAST"])).to.include("is not an AZ name");
        expect(usage(["--azs", "7"])).to.equal('--azs: "7" is not a whole number from 1 to 6');
        expect(usage(["--http-port", "8443"])).to.equal(
            "--http-port and --https-port are both 8443; they need a port each",
        );
        expect(usage(["--db", "mysql"])).to.equal('--db: "mysql" is not one of postgres, pglite, auto');
        expect(usage(["--db", "pglite", "--database-url", "postgres://x"])).to.include("contradict");
        expect(usage(["--bind", "localhost"])).to.include("is not an IPv4 address");
        expect(usage(["fail-az"])).to.equal("fail-az takes one AZ name, e.g. fail-az local-1a");
        expect(usage(["status", "--desired", "3"])).to.equal(
            "status: --desired applies only when starting the fleet (up)",
        );
        expect(usage(["reboot"])).to.include('unknown command "reboot"');
    });
});

describe("fleet control protocol", () => {
    it("validates requests, since anything running as the user can write to the socket", () => {
        expect(parseControlRequest('{"command":"fail-az","az":"local-1a"}')).to.deep.equal({
            command: "fail-az",
            az: "local-1a",
        });
        expect(parseControlRequest('{"command":"stop-db","extra":1}')).to.deep.equal({ command: "stop-db" });
        expect(() => parseControlRequest('{"command":"fail-az"}')).to.throw("fail-az needs an AZ name");
        expect(() => parseControlRequest('{"command":"rm"}')).to.throw('unknown command "rm"');
        expect(() => parseControlRequest("{")).to.throw("not JSON");
    });

    it("answers each request over a socket only its owner may use, errors included", async () => {
        const dir = mkdtempSync(join(tmpdir(), "webfleet-control-"));
        const path = join(dir, "control.sock");
        const server = await serveControl(path, async (r) => {
            if (r.command === "fail-az") {
                throw new Error(`no AZ "${r.az}"`);
            }
            return { ok: true, message: r.command };
        });
        try {
            expect(await sendControl(path, { command: "status" })).to.deep.equal({ ok: true, message: "status" });
            expect(await sendControl(path, { command: "fail-az", az: "x" })).to.deep.equal({
                ok: false,
                error: 'no AZ "x"',
            });
            const { mode } = await import("node:fs").then((fs) => fs.statSync(path));
            expect(mode & 0o777).to.equal(0o600);
        } finally {
            await new Promise<void>((r) => server.close(() => r()));
        }
        const gone = await sendControl(path, { command: "status" }).catch((e: Error) => e);
        expect((gone as Error).message).to.equal(
            `no fleet is running with its control socket at ${path} (start one: npm run fleet)`,
        );
    });
});

describe("fleet IMDSv2 stand-in", () => {
    const get = (url: string, headers: Record<string, string> = {}) =>
        fetch(url, { headers }).then(async (r) => [r.status, await r.text()]);

    it("serves the instance's identity and region only with a token from PUT /latest/api/token", async () => {
        const id = newInstanceId();
        const imds = await startImds({ instanceId: id, availabilityZone: "local-1b" });
        try {
            expect(await get(`${imds.url}/latest/meta-data/instance-id`)).to.deep.equal([401, ""]);
            const token = await fetch(`${imds.url}/latest/api/token`, {
                method: "PUT",
                headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" },
            }).then((r) => r.text());
            const h = { "X-aws-ec2-metadata-token": token };
            expect(await get(`${imds.url}/latest/meta-data/instance-id`, h)).to.deep.equal([200, id]);
            expect(await get(`${imds.url}/latest/meta-data/placement/availability-zone`, h)).to.deep.equal([
                200,
                "local-1b",
            ]);
            expect(await get(`${imds.url}/latest/meta-data/placement/region`, h)).to.deep.equal([200, "local-1"]);
            expect(await get(`${imds.url}/latest/meta-data/ami-id`, h)).to.deep.equal([404, ""]);
        } finally {
            await imds.close();
        }
    });

    it("refuses a bad TTL and a forwarded token request, as EC2 does, and lets tokens expire", async () => {
        const imds = await startImds({ instanceId: newInstanceId(), availabilityZone: "local-1a" });
        const put = (headers: Record<string, string>) =>
            fetch(`${imds.url}/latest/api/token`, { method: "PUT", headers }).then(async (r) => [
                r.status,
                await r.text(),
            ]);
        try {
            expect(
                (await put({ "X-aws-ec2-metadata-token-ttl-seconds": String(MAX_TOKEN_TTL_SECONDS + 1) }))[0],
            ).to.equal(400);
            expect((await put({}))[0]).to.equal(400);
            expect(
                await put({ "X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "203.0.113.9" }),
            ).to.deep.equal([403, "forbidden"]);
            const [, token] = await put({ "X-aws-ec2-metadata-token-ttl-seconds": "1" });
            await new Promise((r) => setTimeout(r, 1100));
            expect(
                (
                    await get(`${imds.url}/latest/meta-data/instance-id`, { "X-aws-ec2-metadata-token": String(token) })
                )[0],
            ).to.equal(401);
        } finally {
            await imds.close();
        }
    });

    it("makes IDs in EC2's format and regions from AZ names", () => {
        const ids = new Set(Array.from({ length: 50 }, newInstanceId));
        expect(ids.size).to.equal(50);
        ids.forEach((id) => expect(id).to.match(INSTANCE_ID));
        expect(regionOf("us-east-1a")).to.equal("us-east-1");
    });
});

describe("fleet state directory", () => {
    it("refuses a directory that is not a fleet's, and one a running fleet uses", async () => {
        const dir = mkdtempSync(join(tmpdir(), "webfleet-state-"));
        writeFileSync(join(dir, "notes.txt"), "mine");
        const err = await prepareStateDir(dir, async () => false).catch((e: Error) => e);
        expect((err as Error).message).to.equal(
            `--state-dir ${dir} is not empty and not a fleet's; give a new or empty directory`,
        );
        expect(readdirSync(dir)).to.deep.equal(["notes.txt"]);
        const fleetDir = mkdtempSync(join(tmpdir(), "webfleet-state-"));
        writeRecord(fleetDir, { supervisor: 1, pids: [] });
        const busy = await prepareStateDir(fleetDir, async () => true).catch((e: Error) => e);
        expect((busy as Error).message).to.include("a fleet is already running with --state-dir");
    });

    it("kills what a crashed fleet left running there, and only that", async () => {
        const dir = mkdtempSync(join(tmpdir(), "webfleet-state-"));
        const hold = ["-e", "setTimeout(() => {}, 60000)"];
        const leftover = spawn(process.execPath, [...hold, join(dir, "server.js")], { stdio: "ignore" });
        const stranger = spawn(process.execPath, hold, { stdio: "ignore" });
        try {
            await new Promise((r) => setTimeout(r, 200));
            writeRecord(dir, { supervisor: 1, pids: [leftover.pid!, stranger.pid!] });
            mkdirSync(join(dir, "postgres"));
            expect(processMentions(leftover.pid!, dir)).to.equal(true);
            const exited = new Promise((r) => leftover.once("exit", (_code, signal) => r(signal)));
            const killed = await prepareStateDir(dir, async () => false);
            expect(killed).to.deep.equal([String(leftover.pid)]);
            expect(await exited).to.equal("SIGKILL");
            expect(stranger.exitCode).to.equal(null);
            expect(readdirSync(dir).sort()).to.deep.equal(["errors", MARKER, "logs", "tls"].sort());
            expect(readRecord(dir)).to.deep.equal({ supervisor: process.pid, pids: [] });
        } finally {
            stranger.kill("SIGKILL");
            leftover.kill("SIGKILL");
        }
    });

    it("keeps only the logs after a clean stop", async () => {
        const dir = join(mkdtempSync(join(tmpdir(), "webfleet-state-")), "fleet");
        await prepareStateDir(dir, async () => false);
        writeFileSync(join(dir, "logs", "i-1.log"), "x");
        writeFileSync(join(dir, "tls", "key.pem"), "secret");
        clearStateDir(dir);
        expect(readdirSync(dir).sort()).to.deep.equal([MARKER, "logs"]);
        expect(existsSync(join(dir, "logs", "i-1.log"))).to.equal(true);
    });
});

describe("fleet system helpers", () => {
    it("reads users from a passwd file and the app's listening line", () => {
        const passwd = join(mkdtempSync(join(tmpdir(), "webfleet-passwd-")), "passwd");
        writeFileSync(passwd, "root:x:0:0:root:/root:/bin/bash\npostgres:x:104:108::/var/lib/postgresql:/bin/bash\n");
        expect(userIds("postgres", passwd)).to.deep.equal({ uid: 104, gid: 108 });
        expect(userIds("nobody-here", passwd)).to.equal(undefined);
        expect(listeningPort(JSON.stringify({ level: "info", msg: "listening", port: 40123 }))).to.equal(40123);
        expect(listeningPort(JSON.stringify({ msg: "identity", port: 1 }))).to.equal(undefined);
        expect(listeningPort("not json")).to.equal(undefined);
    });

    it("knows whether a port can be had (the HTTP port's default: 80 when it can, else 8080)", async () => {
        const port = await freePort();
        expect(await canListen("127.0.0.1", port)).to.equal(true);
        const { createServer } = await import("node:net");
        const taken = createServer();
        await new Promise<void>((r) => taken.listen(port, "127.0.0.1", () => r()));
        try {
            expect(await canListen("127.0.0.1", port)).to.equal(false);
        } finally {
            await new Promise<void>((r) => taken.close(() => r()));
        }
    });

    it("finds the newest Debian PostgreSQL server", () => {
        const root = mkdtempSync(join(tmpdir(), "webfleet-pg-"));
        for (const v of ["9.6", "15", "16"]) {
            mkdirSync(join(root, v, "bin"), { recursive: true });
            if (v !== "16") {
                writeFileSync(join(root, v, "bin", "postgres"), "");
            }
        }
        expect(debianPostgresBin(root)).to.equal(join(root, "15", "bin"));
        expect(debianPostgresBin(join(root, "missing"))).to.equal(undefined);
    });
});
