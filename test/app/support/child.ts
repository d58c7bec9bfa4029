import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

export const repoRoot = resolve(__dirname, "..", "..", "..");

export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

/** The app as a real child process, with its JSON log lines parsed as they arrive. */
export class AppProcess {
    readonly logs: LogLine[] = [];
    /** Lines on stdout that were not JSON: the app must never print any. */
    readonly strayOutput: string[] = [];
    stderr = "";
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    private readonly waiters: Array<() => void> = [];

    constructor(readonly child: ChildProcess) {
        let buffered = "";
        child.stdout?.on("data", (chunk: Buffer) => {
            buffered += chunk.toString("utf8");
            let nl: number;
            while ((nl = buffered.indexOf("\n")) !== -1) {
                const line = buffered.slice(0, nl);
                buffered = buffered.slice(nl + 1);
                try {
                    this.logs.push(JSON.parse(line) as LogLine);
                } catch {
                    this.strayOutput.push(line);
                }
                this.waiters.splice(0).forEach((w) => w());
            }
        });
        child.stderr?.on("data", (chunk: Buffer) => {
            this.stderr += chunk.toString("utf8");
        });
        this.exited = new Promise((resolveExit) =>
            child.once("exit", (code, signal) => {
                this.waiters.splice(0).forEach((w) => w());
                resolveExit({ code, signal });
            }),
        );
    }

    /** Waits for a log line matching `match`; fails with the logs so far if it never comes. */
    async waitForLog(match: (l: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const found = this.logs.find(match);
            if (found) {
                return found;
            }
            if (this.child.exitCode !== null || Date.now() > deadline) {
                throw new Error(
                    `expected log line not seen (exit ${this.child.exitCode}); logs:\n${this.logs.map((l) => JSON.stringify(l)).join("\n")}\nstderr:\n${this.stderr}`,
                );
            }
            await new Promise<void>((r) => {
                const t = setTimeout(r, 200);
                this.waiters.push(() => {
                    clearTimeout(t);
                    r();
                });
            });
        }
    }

    /** Waits for the "listening" line and returns the server's base URL (https:// when it serves TLS). */
    async listening(timeoutMs = 30_000): Promise<string> {
        const line = await this.waitForLog((l) => l.msg === "listening", timeoutMs);
        return `${line.tls === true ? "https" : "http"}://127.0.0.1:${String(line.port)}`;
    }

    kill(): void {
        if (this.child.exitCode === null) {
            this.child.kill("SIGKILL");
        }
    }
}

/** Environment for a child: only what it needs, so nothing from the test process leaks in. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOST: "127.0.0.1", PORT: "0", ...extra };
}

/** `npm run app`, minus npm: the same loader, so signals reach the app directly. */
export function startSourceApp(env: NodeJS.ProcessEnv): AppProcess {
    const child = spawn(process.execPath, ["-r", "./scripts/register.js", "app/main.ts"], {
        cwd: repoRoot,
        env,
        stdio: ["ignore", "pipe", "pipe"],
    });
    return new AppProcess(child);
}

export function startBundledApp(file: string, cwd: string, env: NodeJS.ProcessEnv): AppProcess {
    const child = spawn(process.execPath, [file], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    return new AppProcess(child);
}
