/**
 * `npm run bench:app`: the app's GET / against a bare node:http hello-world, side by side in one
 * run, on loopback, with a real PostgreSQL. The app runs as deployed: the esbuild bundle under
 * plain node, JSON request logs on (to a file, as journald would take them).
 *
 * Target: the app serves at least 50% of the bare server's requests/s with p99 <= 20 ms at 64
 * connections. Exits 1 when the target is missed or no PostgreSQL is available.
 *
 * Database: TEST_DATABASE_URL if set, otherwise a throwaway cluster started like .ci/run does.
 * Load: wrk (Debian) if installed, otherwise (or with BENCH_LOADER=autocannon) autocannon (npm).
 * Knobs: BENCH_ROUNDS (default 3), BENCH_DURATION (s per server per round, default 5),
 * BENCH_CONNECTIONS (default 64). The machine should be otherwise idle: the load generator,
 * both servers and PostgreSQL share its cores.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { buildAppBundle } from "../app/build";
import { withClient } from "../test/support/postgres";

const durationS = Number(process.env.BENCH_DURATION ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const warmupS = 1;
const targetRatio = 0.5;
const targetP99Ms = 20;

interface Result {
    name: string;
    rps: number;
    p99Ms: number;
    requests: number;
    errors: number;
    /** Server CPU time per request (Linux /proc): steadier than req/s on a shared machine. */
    cpuUsPerRequest?: number;
}

/** User + system CPU time of a process in microseconds, or undefined off Linux. */
function cpuTimeUs(pid: number | undefined): number | undefined {
    try {
        const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
        const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
        return (ticks * 1e6) / clockTicks;
    } catch {
        return undefined;
    }
}

const clockTicks = (() => {
    try {
        return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
        return 100;
    }
})();

const cleanups: Array<() => void> = [];
function cleanup(): void {
    for (const c of cleanups.splice(0).reverse()) {
        try {
            c();
        } catch {
            // best effort: the rest must still run
        }
    }
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

function hasCommand(cmd: string): boolean {
    try {
        execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

/** A port nothing listens on now (other engineers' clusters may hold the usual ones). */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

/** A private PostgreSQL cluster, as .ci/run starts one: scram auth over TCP, removed on exit. */
async function startPostgres(): Promise<string | undefined> {
    const root = "/usr/lib/postgresql";
    const versions = existsSync(root)
        ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "postgres")))
        : [];
    if (versions.length === 0) {
        return undefined;
    }
    const bin = join(root, versions.sort((a, b) => Number(a) - Number(b)).pop() ?? "", "bin");
    const data = mkdtempSync(join(tmpdir(), "webfleet-bench-pg-"));
    const password = randomBytes(12).toString("hex");
    const pwfile = `${data}.pw`;
    writeFileSync(pwfile, `${password}\n`);
    const port = await freePort();
    const asRoot = process.getuid?.() === 0;
    const run = (cmd: string): void => {
        if (asRoot) {
            execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", cmd], { stdio: "ignore" });
        } else {
            execFileSync("sh", ["-c", cmd], { stdio: "ignore" });
        }
    };
    if (asRoot) {
        execFileSync("chown", ["postgres:", data, pwfile]);
    }
    cleanups.push(() => rmSync(pwfile, { force: true }));
    cleanups.push(() => rmSync(data, { recursive: true, force: true }));
    run(`${bin}/initdb -D ${data} -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile=${pwfile}`);
    run(
        `${bin}/pg_ctl -D ${data} -l ${data}/server.log -w -o '-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200' start`,
    );
    cleanups.push(() => run(`${bin}/pg_ctl -D ${data} -m fast stop`));
    return `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
}

/** Starts a server process and resolves with its port once it says so. */
function startProcess(
    args: string[],
    env: NodeJS.ProcessEnv,
    portFrom: () => number | undefined,
    child?: ChildProcess,
): Promise<{ child: ChildProcess; port: number }> {
    const proc = child ?? spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "inherit"] });
    cleanups.push(() => proc.kill("SIGKILL"));
    return new Promise((resolve, reject) => {
        const deadline = Date.now() + 20_000;
        const poll = (): void => {
            const port = portFrom();
            if (port) {
                return resolve({ child: proc, port });
            }
            if (proc.exitCode !== null || Date.now() > deadline) {
                return reject(new Error(`${args.join(" ")} did not start (exit ${proc.exitCode})`));
            }
            setTimeout(poll, 50);
        };
        poll();
    });
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function parseWrk(name: string, out: string): Result {
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const p99 = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(out);
    const scale = p99?.[2] === "us" ? 0.001 : p99?.[2] === "s" ? 1000 : 1;
    const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
    const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((s, n) => s + Number(n), 0) : 0);
    if (!Number.isFinite(rps) || !p99) {
        throw new Error(`could not parse wrk output:\n${out}`);
    }
    return { name, rps, p99Ms: Number(p99[1]) * scale, requests, errors };
}

const useWrk = process.env.BENCH_LOADER !== "autocannon" && hasCommand("wrk");

async function load(name: string, url: string, seconds: number): Promise<Result> {
    if (useWrk) {
        const threads = 2;
        const out = execFileSync("wrk", [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--latency", url], {
            encoding: "utf8",
        });
        return parseWrk(name, out);
    }
    const r = await autocannon({ url, connections, duration: seconds });
    return {
        name,
        rps: r.requests.average,
        p99Ms: r.latency.p99,
        requests: r.requests.total,
        errors: r.errors + r.timeouts + r.non2xx,
    };
}

async function measure(name: string, url: string, pid: number | undefined): Promise<Result> {
    await load(name, url, warmupS);
    const before = cpuTimeUs(pid);
    const result = await load(name, url, durationS);
    const after = cpuTimeUs(pid);
    if (before !== undefined && after !== undefined && result.requests > 0) {
        result.cpuUsPerRequest = (after - before) / result.requests;
    }
    return result;
}

async function main(): Promise<void> {
    const adminUrl = process.env.TEST_DATABASE_URL ?? (await startPostgres());
    if (!adminUrl) {
        console.error(
            "bench:app: no PostgreSQL available. Set TEST_DATABASE_URL, or install it: apt-get install postgresql",
        );
        process.exit(1);
    }
    const dbName = `webfleet_bench_${randomBytes(3).toString("hex")}`;
    await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${dbName}`));
    cleanups.push(() => {
        execFileSync(
            process.execPath,
            [
                "-e",
                `const {Client}=require("pg");const c=new Client({connectionString:process.argv[1]});c.connect().then(()=>c.query("DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)")).finally(()=>c.end())`,
                adminUrl,
            ],
            {
                cwd: join(__dirname, ".."),
                stdio: "ignore",
            },
        );
    });
    const dbUrl = new URL(adminUrl);
    dbUrl.pathname = `/${dbName}`;

    const work = mkdtempSync(join(tmpdir(), "webfleet-bench-"));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    const bundle = await buildAppBundle();
    writeFileSync(join(work, "server.js"), bundle.code);
    const logFile = join(work, "app.log");
    const appOut = openSync(logFile, "a");
    const appChild = spawn(process.execPath, [join(work, "server.js")], {
        cwd: work,
        env: {
            PATH: process.env.PATH,
            DATABASE_URL: dbUrl.toString(),
            PORT: "0",
            HOST: "127.0.0.1",
            AWS_EC2_METADATA_DISABLED: "true",
        },
        stdio: ["ignore", appOut, "inherit"],
    });
    const app = await startProcess(
        ["server.js"],
        {},
        () => {
            const line = readFileSync(logFile, "utf8")
                .split("\n")
                .find((l) => l.includes('"msg":"listening"'));
            return line ? Number((JSON.parse(line) as { port: number }).port) : undefined;
        },
        appChild,
    );

    let barePort: number | undefined;
    const bareChild = spawn(
        process.execPath,
        [
            "-e",
            `require("node:http").createServer((q,s)=>{s.writeHead(200,{"Content-Type":"text/plain"});s.end("hello world\\n")}).listen(0,"127.0.0.1",function(){console.log(this.address().port)})`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
    );
    bareChild.stdout?.on("data", (d: Buffer) => (barePort = Number(d.toString().trim())));
    const bare = await startProcess(["(bare hello-world)"], {}, () => barePort, bareChild);

    const loader = useWrk ? "wrk" : "autocannon";
    console.log(
        `bench:app: ${connections} connections, ${rounds} rounds of ${warmupS} s warm-up + ${durationS} s per server, load by ${loader}`,
    );
    console.log(
        `database: PostgreSQL at ${dbUrl.host}; app: bundle ${bundle.sha256.slice(0, 12)} (${bundle.bytes} bytes) under node ${process.version}, request logs on`,
    );
    // Rounds alternate the two servers so a noisy neighbour hits both alike; the medians are reported.
    const bareRuns: Result[] = [];
    const appRuns: Result[] = [];
    console.log(
        `\n${"round".padEnd(6)} ${"server".padEnd(30)} ${"req/s".padStart(10)} ${"p99 ms".padStart(9)} ${"errors".padStart(7)} ${"CPU µs/req".padStart(11)}`,
    );
    const row = (round: string, r: Result): string =>
        `${round.padEnd(6)} ${r.name.padEnd(30)} ${r.rps.toFixed(0).padStart(10)} ${r.p99Ms.toFixed(2).padStart(9)} ${String(r.errors).padStart(7)} ${(r.cpuUsPerRequest?.toFixed(1) ?? "n/a").padStart(11)}`;
    for (let i = 1; i <= rounds; i++) {
        bareRuns.push(await measure("bare node:http hello-world", `http://127.0.0.1:${bare.port}/`, bare.child.pid));
        console.log(row(String(i), bareRuns[bareRuns.length - 1]));
        appRuns.push(await measure("app GET / (HTML, DB-backed)", `http://127.0.0.1:${app.port}/`, app.child.pid));
        console.log(row(String(i), appRuns[appRuns.length - 1]));
    }

    // Stop the app gracefully so it writes its buffered visits, then check they all landed.
    app.child.kill("SIGTERM");
    await new Promise((resolve) => app.child.once("exit", resolve));
    const visits = await withClient(dbUrl.toString(), async (c) =>
        Number((await c.query<{ n: string }>("SELECT coalesce(sum(count), 0) AS n FROM visits")).rows[0].n),
    );
    const logLines = readFileSync(logFile, "utf8")
        .split("\n")
        .filter((l) => l.includes('"msg":"request"')).length;

    const bareRps = median(bareRuns.map((r) => r.rps));
    const appRps = median(appRuns.map((r) => r.rps));
    const ratio = median(appRuns.map((r, i) => r.rps / bareRuns[i].rps));
    const appP99 = median(appRuns.map((r) => r.p99Ms));
    const bareP99 = median(bareRuns.map((r) => r.p99Ms));
    const errors = appRuns.reduce((sum, r) => sum + r.errors, 0);
    const cpu = (runs: Result[]): string => {
        const values = runs.flatMap((r) => (r.cpuUsPerRequest === undefined ? [] : [r.cpuUsPerRequest]));
        return values.length > 0 ? `, ${median(values).toFixed(1)} µs CPU/request` : "";
    };
    console.log(
        `\nmedian: bare ${bareRps.toFixed(0)} req/s (p99 ${bareP99.toFixed(2)} ms${cpu(bareRuns)}), app ${appRps.toFixed(0)} req/s (p99 ${appP99.toFixed(2)} ms${cpu(appRuns)})`,
    );
    console.log(
        `app / bare requests/s: ${(ratio * 100).toFixed(1)}% (target >= ${targetRatio * 100}%); app p99 ${appP99.toFixed(2)} ms (target <= ${targetP99Ms} ms); app errors ${errors}`,
    );
    console.log(
        `visits recorded in PostgreSQL: ${visits}; request log lines: ${logLines} (the load generator counts only completed requests, so these can be a little higher)`,
    );

    const ok = ratio >= targetRatio && appP99 <= targetP99Ms && errors === 0;
    console.log(ok ? "PASS" : "FAIL: target missed");
    process.exitCode = ok ? 0 : 1;
}

main()
    .catch((err: unknown) => {
        console.error(`bench:app failed: ${(err as Error).message}`);
        process.exitCode = 1;
    })
    .finally(() => {
        cleanup();
    });
