/**
 * A scratch git repository for scripts/drift.sh (test/drift.spec.ts): a policy config per stack,
 * three commits on main, and a stand-in `pulumi` on PATH that records its arguments and answers
 * from files the test names (the Pulumi CLI is not installed here).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../offline/program";

export const DRIFT_SCRIPT = path.join(REPO_ROOT, "scripts", "drift.sh");
const MiB = 1024 * 1024;

/** A scratch repository with a policy config per stack and a stand-in `pulumi` on PATH. */
export class DriftSandbox {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-drift-"));
    readonly repo = path.join(this.dir, "repo");
    readonly summary = path.join(this.dir, "summary.md");
    readonly log = path.join(this.dir, "pulumi-args");
    readonly commits: string[] = [];

    constructor(stacks: readonly string[]) {
        fs.mkdirSync(path.join(this.repo, "policy", "config"), { recursive: true });
        fs.mkdirSync(path.join(this.dir, "bin"));
        for (const stack of stacks) {
            fs.writeFileSync(path.join(this.repo, "policy", "config", `${stack}.json`), "{}\n");
        }
        // Prints the file named by STUB_<subcommand>_OUT and exits with STUB_<subcommand>_RC.
        fs.writeFileSync(
            path.join(this.dir, "bin", "pulumi"),
            [
                "#!/usr/bin/env bash",
                'printf "%s\\n" "$*" >> "$STUB_LOG"',
                'sub=$(echo "$1" | tr a-z A-Z)',
                'out="STUB_${sub}_OUT"; rc="STUB_${sub}_RC"',
                '[ -n "${!out:-}" ] && cat "${!out}"',
                'exit "${!rc:-0}"',
            ].join("\n"),
            { mode: 0o755 },
        );
        this.git("init", "-q", "-b", "main");
        for (const n of [1, 2, 3]) {
            this.git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", `-m${n}`);
            this.commits.push(this.head());
        }
    }

    git(...args: string[]): string {
        return execFileSync("git", args, { cwd: this.repo, encoding: "utf8" }).trim();
    }

    head(): string {
        return this.git("rev-parse", "HEAD");
    }

    file(name: string, text: string): string {
        const file = path.join(this.dir, name);
        fs.writeFileSync(file, text);
        return file;
    }

    run(mode: string, stack: string, stub: Record<string, string> = {}) {
        fs.rmSync(this.log, { force: true });
        const result = spawnSync("bash", [DRIFT_SCRIPT, mode, stack], {
            cwd: this.repo,
            encoding: "utf8",
            maxBuffer: 16 * MiB,
            env: {
                PATH: `${path.join(this.dir, "bin")}:${process.env.PATH}`,
                HOME: this.dir,
                GITHUB_STEP_SUMMARY: this.summary,
                STUB_LOG: this.log,
                ...stub,
            },
        });
        const args = fs.existsSync(this.log) ? fs.readFileSync(this.log, "utf8").trim().split("\n") : [];
        const summary = fs.existsSync(this.summary) ? fs.readFileSync(this.summary, "utf8") : "";
        return { ...result, args, summary };
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
