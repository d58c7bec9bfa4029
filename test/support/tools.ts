import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

/**
 * Tests that need a tool from outside npm (shellcheck, PostgreSQL) call this first.
 * Locally a missing tool skips the test and says why; under CI (CI=true) it is a failure,
 * so a missing install step in `.ci/run` can never pass silently.
 */
export function hasTool(command: string): boolean {
    try {
        execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

export function requireTool(ctx: Mocha.Context, command: string, install: string): void {
    if (hasTool(command)) {
        return;
    }
    const reason = `${command} is not installed (${install})`;
    if (process.env.CI === "true") {
        throw new Error(`${reason}; CI must install it in .ci/run`);
    }
    // Mocha prints skipped tests as pending; the reason goes to stderr so it is never silent.
    process.stderr.write(`      skipped: ${reason}\n`);
    ctx.skip();
}

/** Like requireTool, for a file a Debian package installs (a font). */
export function requireFile(ctx: Mocha.Context, file: string, install: string): void {
    if (fs.existsSync(file)) {
        return;
    }
    const reason = `${file} is missing (${install})`;
    if (process.env.CI === "true") {
        throw new Error(`${reason}; CI must install it in .ci/run`);
    }
    process.stderr.write(`      skipped: ${reason}\n`);
    ctx.skip();
}

/**
 * Like requireTool, for what a test needs of the machine itself (root, Linux namespaces):
 * `reason` says what is missing, undefined when nothing is.
 */
export function requireMachine(ctx: Mocha.Context, reason: string | undefined): void {
    if (reason === undefined) {
        return;
    }
    if (process.env.CI === "true") {
        throw new Error(`${reason}; CI must run as root in a container that allows unshare`);
    }
    process.stderr.write(`      skipped: ${reason}\n`);
    ctx.skip();
}
