/**
 * `npm run bench:plan`: how long the offline preview takes per stack, as a user runs it (a
 * fresh process, exactly `npm run plan` minus npm: Node start, loading the TypeScript through
 * scripts/register.js, the program, the policies, rendering). The first run of each stack also
 * fills the transpile cache; it is reported apart. Prints figures; asserts nothing (speed is
 * measured here, never in the tests).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function once(stack: string): { ms: number; status: number | null } {
    const start = process.hrtime.bigint();
    const result = spawnSync(
        process.execPath,
        ["-r", "./scripts/register.js", "offline/cli.ts", "--stack", stack, "--json"],
        { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] },
    );
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0 && result.status !== 1) {
        throw new Error(`offline preview for ${stack} failed (exit ${result.status}): ${String(result.stderr)}`);
    }
    return { ms, status: result.status };
}

function main(): void {
    console.log(`offline preview wall time, ${RUNS} runs per stack (fresh process each)`);
    console.log("stack  min ms  median ms  max ms  exit");
    for (const stack of ["dev", "prod"]) {
        const first = once(stack);
        console.log(`${stack.padEnd(5)}  first run ${first.ms.toFixed(0)} ms (cold file cache and transpile cache)`);
        const runs = Array.from({ length: RUNS }, () => once(stack));
        const times = runs.map((r) => r.ms).sort((a, b) => a - b);
        const median = times[Math.floor(times.length / 2)];
        console.log(
            `${stack.padEnd(5)}  ${times[0].toFixed(0).padStart(6)}  ${median.toFixed(0).padStart(9)}  ${times[times.length - 1].toFixed(0).padStart(6)}  ${runs[0].status}`,
        );
    }
}

main();
