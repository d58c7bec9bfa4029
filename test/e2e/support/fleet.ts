import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildAppBundle } from "../../../app/build";
import { debianPostgresBin } from "../../../e2e/fleet/database";
import { sendControl, type ControlAnswer } from "../../../e2e/fleet/control";
import type { ControlCommand } from "../../../e2e/fleet/args";
import type { FleetStatus } from "../../../e2e/fleet/status";
import { freePort } from "../../../e2e/fleet/system";
import type { VerifyReport } from "../../../e2e/verify/report";
import { requireTool } from "../../support/tools";

export const repoRoot = resolve(__dirname, "..", "..", "..");

/** The fleet and verify as a user runs them (npm run …), minus npm, so signals reach them directly. */
function tsNode(entry: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
    return spawn(process.execPath, ["-r", "ts-node/register/transpile-only", entry, ...args], {
        cwd: repoRoot,
        env,
        stdio: ["ignore", "pipe", "pipe"],
    });
}

/** Skips (or under CI fails) a fleet test when a tool it needs is missing. */
export function requireFleetTools(ctx: Mocha.Context, db: "postgres" | "pglite"): void {
    requireTool(ctx, "haproxy", "apt-get install haproxy");
    requireTool(ctx, "openssl", "apt-get install openssl");
    if (db === "postgres" && !debianPostgresBin()) {
        // requireTool's rule (skip locally, fail under CI) for a server that is not on PATH.
        const reason = "Debian's PostgreSQL server is not installed (apt-get install postgresql)";
        if (process.env.CI === "true") {
            throw new Error(`${reason}; CI must install it in .ci/run`);
        }
        process.stderr.write(`      skipped: ${reason}\n`);
        ctx.skip();
    }
}

let bundle: Promise<string> | undefined;
let bundleDir: string | undefined;

/** One esbuild bundle of the app for every fleet in the run (each fleet would build the same bytes). */
export function sharedBundle(): Promise<string> {
    bundle ??= buildAppBundle().then((b) => {
        bundleDir = mkdtempSync(join(tmpdir(), "webfleet-e2e-bundle-"));
        const file = join(bundleDir, "server.js");
        writeFileSync(file, b.code);
        return file;
    });
    return bundle;
}

// A root-level hook (registered once, when the first spec imports this module): remove the bundle.
after(() => {
    if (bundleDir) {
        rmSync(bundleDir, { recursive: true, force: true });
    }
});

export interface RunningFleet {
    stateDir: string;
    httpPort: number;
    httpsPort: number;
    url: string;
    certFile: string;
    output(): string;
    control(request: ControlCommand): Promise<ControlAnswer>;
    status(): Promise<FleetStatus>;
    /** SIGTERM, as Ctrl-C's cousin; resolves with the exit code. */
    stop(): Promise<number | null>;
}

/** Starts `npm run fleet` with free ports and a fresh state directory; resolves at its ready line. */
export async function startFleet(args: string[], timeoutMs = 90_000): Promise<RunningFleet> {
    const stateDir = mkdtempSync(join(tmpdir(), "webfleet-e2e-fleet-"));
    const httpPort = await freePort();
    let httpsPort = await freePort();
    while (httpsPort === httpPort) {
        httpsPort = await freePort();
    }
    const child = tsNode("e2e/fleet/main.ts", [
        "--state-dir",
        stateDir,
        "--http-port",
        String(httpPort),
        "--https-port",
        String(httpsPort),
        "--check-interval",
        "300",
        "--app-bundle",
        await sharedBundle(),
        ...args,
    ]);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    const deadline = Date.now() + timeoutMs;
    while (!/^fleet: ready: /m.test(out)) {
        if (child.exitCode !== null || Date.now() > deadline) {
            // SIGTERM, so the supervisor stops what it started (its children have process groups of their own).
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
            await exited;
            clearTimeout(timer);
            rmSync(stateDir, { recursive: true, force: true });
            throw new Error(`the fleet did not become ready (exit ${child.exitCode}):\n${out}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    const socket = join(stateDir, "control.sock");
    const fleet: RunningFleet = {
        stateDir,
        httpPort,
        httpsPort,
        url: `https://127.0.0.1:${httpsPort}`,
        certFile: join(stateDir, "tls", "cert.pem"),
        output: () => out,
        control: (request) => sendControl(socket, request),
        status: async () => {
            const answer = await sendControl(socket, { command: "status" });
            if (!answer.ok) {
                throw new Error(answer.error);
            }
            return answer.status as FleetStatus;
        },
        stop: async () => {
            if (child.exitCode === null) {
                child.kill("SIGTERM");
            }
            const code = await exited;
            rmSync(stateDir, { recursive: true, force: true });
            return code;
        },
    };
    return fleet;
}

export interface VerifyRunResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** `npm run verify -- ARGS` as a process. */
export function runVerifyCli(args: string[], env?: NodeJS.ProcessEnv): Promise<VerifyRunResult> {
    const child = tsNode("e2e/verify/main.ts", args, env);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolveRun) => child.once("exit", (code) => resolveRun({ code, stdout, stderr })));
}

/** The failed checks' names, for asserting that exactly the right ones failed. */
export function failedChecks(report: VerifyReport): string[] {
    return report.checks.filter((c) => c.status === "fail").map((c) => c.name);
}
