/**
 * `npm run bench:plan`: how long the offline preview takes per stack, as a user runs it (a
 * fresh process, exactly `npm run plan` minus npm: Node start, loading the TypeScript through
 * scripts/register.js, the program, the policies in both phases, rendering), next to the floor:
 * a fresh process that only loads `@pulumi/pulumi` and `@pulumi/aws`, which no plan can go below.
 * Both are timed in the same run, alternating, so a busy machine slows both alike; the ratio of
 * the medians is the figure that travels between machines. The first run of each stack fills
 * the transpile and bundle caches and is reported apart. Prints figures; asserts nothing (speed
 * is measured here, never in the tests). BENCH_RUNS sets the runs per stack (default 7).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** The targets: the prod plan's median wall time, and its ratio to the floor. */
const TARGET_MS = 1500;
const TARGET_RATIO = 2.5;

function timed(args: string[]): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0 && result.status !== 1) {
        throw new Error(`${args.join(" ")} failed (exit ${result.status}): ${String(result.stderr)}`);
    }
    return ms;
}

const plan = (stack: string) => timed(["-r", "./scripts/register.js", "offline/cli.ts", "--stack", stack, "--json"]);
const floor = () => timed(["-e", 'require("@pulumi/pulumi"); require("@pulumi/aws");']);

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

const fmt = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;

function main(): void {
    console.log(`offline preview wall time, ${RUNS} runs per stack, each in a fresh process`);
    console.log(`floor: a fresh process loading @pulumi/pulumi and @pulumi/aws, timed alternately with the plans\n`);
    console.log("stack   first run   plan min  plan median   floor median   ratio");
    const results: { stack: string; plan: number; floor: number }[] = [];
    for (const stack of ["dev", "prod"]) {
        const first = plan(stack);
        const plans: number[] = [];
        const floors: number[] = [];
        for (let i = 0; i < RUNS; i++) {
            floors.push(floor());
            plans.push(plan(stack));
        }
        const p = median(plans);
        const f = median(floors);
        results.push({ stack, plan: p, floor: f });
        console.log(
            `${stack.padEnd(5)} ${fmt(first)}  ${fmt(Math.min(...plans))}  ${fmt(p)}      ${fmt(f)}   ${(p / f).toFixed(2)}×`,
        );
    }
    const prod = results.find((r) => r.stack === "prod")!;
    const ratio = prod.plan / prod.floor;
    console.log(
        `\nprod: ${prod.plan.toFixed(0)} ms (target ≤ ${TARGET_MS} ms: ${prod.plan <= TARGET_MS ? "met" : "NOT met"}), ` +
            `${ratio.toFixed(2)}× the floor (target ≤ ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? "met" : "NOT met"})`,
    );
}

main();
