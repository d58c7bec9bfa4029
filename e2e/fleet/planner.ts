/**
 * The Auto Scaling group's decisions, as a pure function of what the supervisor sees: which
 * servers to terminate and where to launch. It follows what EC2 Auto Scaling does with the
 * stack's group (ELB health checks, AZ rebalancing on):
 *
 * - a server whose process died, that failed its load-balancer health checks, that was never
 *   healthy within the grace period, or whose AZ failed is terminated and replaced;
 * - launches go to the working AZ with the fewest servers, so the group stays balanced;
 * - when the AZs drift apart by two or more (an AZ came back), it rebalances as AWS does:
 *   launch first in the emptiest AZ (one over the desired count at most), and only once that
 *   server is in service terminate the oldest in the fullest AZ, so capacity never dips.
 */

export type InstanceState =
    /** Process started, not listening yet. */
    | "launching"
    /** Registered with the load balancer, not yet passed its health checks. */
    | "registering"
    | "in-service"
    /** Failed its health checks after being in service. */
    | "unhealthy"
    /** The process exited. */
    | "dead";

export interface InstanceView {
    id: string;
    az: string;
    state: InstanceState;
    launchedAt: number;
}

export interface PlanInput {
    now: number;
    desired: number;
    azs: { name: string; failed: boolean }[];
    instances: InstanceView[];
    /** How long a new server may take to pass its health checks (the group's grace period). */
    graceMs: number;
}

export type Action = { kind: "launch"; az: string } | { kind: "terminate"; id: string; reason: string };

/** Servers over the desired count allowed while rebalancing (AWS allows 10 %, at least one). */
export const MAX_SURGE = 1;

function terminationReason(i: InstanceView, input: PlanInput, failedAzs: Set<string>): string | undefined {
    if (failedAzs.has(i.az)) {
        return `AZ ${i.az} failed`;
    }
    if (i.state === "dead") {
        return "its process exited";
    }
    if (i.state === "unhealthy") {
        return "it failed its load-balancer health checks";
    }
    if ((i.state === "launching" || i.state === "registering") && input.now - i.launchedAt > input.graceMs) {
        return `it was not healthy within the ${Math.round(input.graceMs / 1000)} s grace period`;
    }
    return undefined;
}

export function plan(input: PlanInput): Action[] {
    const actions: Action[] = [];
    const failedAzs = new Set(input.azs.filter((a) => a.failed).map((a) => a.name));
    const working = input.azs.filter((a) => !a.failed).map((a) => a.name);

    const live: InstanceView[] = [];
    for (const i of input.instances) {
        const reason = terminationReason(i, input, failedAzs);
        if (reason) {
            actions.push({ kind: "terminate", id: i.id, reason });
        } else {
            live.push(i);
        }
    }
    if (working.length === 0) {
        return actions;
    }

    const counts = new Map(working.map((az) => [az, 0]));
    for (const i of live) {
        counts.set(i.az, (counts.get(i.az) ?? 0) + 1);
    }
    const emptiest = () => working.reduce((best, az) => (counts.get(az)! < counts.get(best)! ? az : best));
    const fullest = () => working.reduce((best, az) => (counts.get(az)! > counts.get(best)! ? az : best));
    const launch = (az: string) => {
        actions.push({ kind: "launch", az });
        counts.set(az, counts.get(az)! + 1);
    };

    let total = live.length;
    while (total < input.desired) {
        launch(emptiest());
        total += 1;
    }
    const spread = () => counts.get(fullest())! - counts.get(emptiest())!;
    if (spread() >= 2 && total < input.desired + MAX_SURGE) {
        launch(emptiest());
    }

    // Over the desired count (a rebalance's surge): retire the oldest server of the fullest AZ,
    // but only when that leaves the desired count in service.
    const inService = live.filter((i) => i.state === "in-service").length;
    if (live.length > input.desired) {
        const az = fullest();
        const victim = live.filter((i) => i.az === az).sort((a, b) => a.launchedAt - b.launchedAt)[0];
        const leavesInService = inService - (victim.state === "in-service" ? 1 : 0);
        const emptiestAfter = counts.get(emptiest())!;
        if (leavesInService >= input.desired && counts.get(az)! - 1 >= emptiestAfter) {
            actions.push({ kind: "terminate", id: victim.id, reason: `rebalancing: ${az} has the most servers` });
        }
    }
    return actions;
}
