/**
 * `npm run fleet` (up) and the commands to a running fleet (status, fail-az, restore-az,
 * stop-db, start-db, stop). Exit codes: 0 done (a fleet stopped cleanly), 1 it failed (or a
 * command was refused), 2 bad usage.
 */
import { join } from "node:path";
import {
    DEFAULT_STATE_DIR,
    FLEET_USAGE,
    FleetUsageError,
    parseFleetArgs,
    type ControlCommand,
    type FleetOptions,
} from "./args";
import { sendControl } from "./control";
import { describeUrls, renderStatus, type FleetStatus } from "./status";
import { Fleet } from "./supervisor";

const say = (line: string) => process.stdout.write(`fleet: ${line}\n`);

async function control(request: ControlCommand, stateDir: string, json: boolean): Promise<number> {
    const answer = await sendControl(join(stateDir, "control.sock"), request);
    if (json) {
        process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    } else if (!answer.ok) {
        process.stderr.write(`fleet: ${answer.error}\n`);
    } else if (request.command === "status") {
        process.stdout.write(renderStatus(answer.status as FleetStatus));
    } else {
        say(answer.message);
    }
    return answer.ok ? 0 : 1;
}

async function up(options: FleetOptions): Promise<number> {
    const fleet = new Fleet(options, say);
    let signalled: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
        if (signalled) {
            // A second Ctrl-C: stop waiting for graceful shutdowns.
            for (const pid of fleet.childPids()) {
                process.kill(pid, "SIGKILL");
            }
            process.exit(1);
        }
        signalled = signal;
        say(`${signal}: stopping everything the fleet started`);
        void fleet.stop().then(() => process.exit(0));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    // If the supervisor dies of a bug, its servers, HAProxy and PostgreSQL must not outlive it.
    process.on("exit", () => {
        for (const pid of fleet.childPids()) {
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                // already gone
            }
        }
    });
    say(`starting in ${options.stateDir} (logs in ${join(options.stateDir, "logs")})`);
    try {
        await fleet.start();
    } catch (err) {
        if (signalled) {
            // Ctrl-C while starting: onSignal is already stopping it all and will exit.
            await fleet.stop();
            return new Promise<number>(() => undefined);
        }
        throw err;
    }
    if (fleet.stopAsked) {
        say(`${fleet.stopAsked}: stopping everything the fleet started`);
        await fleet.stop();
        return fleet.stopAsked === "stop requested" ? 0 : 1;
    }
    const s = fleet.status();
    say(
        `ready: ${describeUrls(s)}; ${s.desired} servers in ${s.azs.map((a) => a.name).join(", ")}; ${s.database.kind}`,
    );
    const httpPort = new URL(s.urls.http).port;
    say(
        `check it: npm run verify -- --url ${s.urls.https}${httpPort ? ` --http-port ${httpPort}` : ""} --ca ${s.certificate} --expect-azs ${Math.min(s.azs.length, s.desired)}`,
    );
    say(
        `drive it: npm run fleet -- status | fail-az ${s.azs[0].name} | restore-az ${s.azs[0].name} | stop-db | start-db | stop${options.stateDir === DEFAULT_STATE_DIR ? "" : ` --state-dir ${options.stateDir}`}`,
    );
    await fleet.stopRequested;
    say(`${fleet.stopAsked}: stopping everything the fleet started`);
    await fleet.stop();
    return fleet.stopAsked === "stop requested" ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
    const invocation = parseFleetArgs(argv);
    if (invocation.kind === "help") {
        process.stdout.write(`${FLEET_USAGE}\n`);
        return 0;
    }
    if (invocation.kind === "control") {
        return control(invocation.request, invocation.stateDir, invocation.json);
    }
    return up(invocation.options);
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
        if (err instanceof FleetUsageError) {
            process.stderr.write(`fleet: ${err.message}\n\n${FLEET_USAGE}\n`);
            process.exit(2);
        }
        process.stderr.write(`fleet: ${(err as Error).message}\n`);
        process.exit(1);
    },
);
