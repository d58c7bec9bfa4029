/**
 * The fleet's state directory: its configuration, certificate, bundle, database files, logs and
 * control socket. `fleet.json` records the processes it started, so a fleet whose supervisor was
 * killed outright (SIGKILL, a closed terminal) leaves nothing running after the next start.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const MARKER = "fleet.json";

export interface FleetRecord {
    supervisor: number;
    /** Every process the supervisor started that may still run (servers, HAProxy, PostgreSQL). */
    pids: number[];
}

/** True when `pid` runs and its command line mentions `needle` (so a recycled pid is never touched). */
export function processMentions(pid: number, needle: string): boolean {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").includes(needle);
    } catch {
        return false;
    }
}

/**
 * Makes `dir` ready for a new fleet: refuses a directory that is not a fleet's, kills what an
 * earlier fleet there left running, and clears it. `isRunning` asks whether a live fleet
 * answers on its control socket (then nothing is touched).
 */
export async function prepareStateDir(dir: string, isRunning: () => Promise<boolean>): Promise<string[]> {
    const killed: string[] = [];
    if (existsSync(dir)) {
        const entries = readdirSync(dir);
        if (entries.length > 0 && !entries.includes(MARKER)) {
            throw new Error(`--state-dir ${dir} is not empty and not a fleet's; give a new or empty directory`);
        }
        if (entries.length > 0 && (await isRunning())) {
            throw new Error(
                `a fleet is already running with --state-dir ${dir}; stop it (npm run fleet -- stop --state-dir ${dir}) or give another --state-dir`,
            );
        }
        const record = readRecord(dir);
        for (const pid of record?.pids ?? []) {
            if (processMentions(pid, dir)) {
                process.kill(pid, "SIGKILL");
                killed.push(String(pid));
            }
        }
        for (const entry of entries) {
            rmSync(join(dir, entry), { recursive: true, force: true });
        }
    }
    // Traversable by others (PostgreSQL runs as its own user when the fleet runs as root), listable by none.
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o711);
    for (const sub of ["logs", "tls", "errors"]) {
        mkdirSync(join(dir, sub), { mode: 0o700 });
    }
    writeRecord(dir, { supervisor: process.pid, pids: [] });
    return killed;
}

export function readRecord(dir: string): FleetRecord | undefined {
    try {
        const r = JSON.parse(readFileSync(join(dir, MARKER), "utf8")) as FleetRecord;
        return Array.isArray(r.pids) ? r : undefined;
    } catch {
        return undefined;
    }
}

export function writeRecord(dir: string, record: FleetRecord): void {
    writeFileSync(join(dir, MARKER), `${JSON.stringify(record)}\n`);
}

/** After a clean stop: everything but the logs goes (keys, database files, sockets). */
export function clearStateDir(dir: string): void {
    for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
        if (entry !== "logs" && entry !== MARKER) {
            rmSync(join(dir, entry), { recursive: true, force: true });
        }
    }
    writeRecord(dir, { supervisor: process.pid, pids: [] });
}
