/** The fleet's Auto Scaling decisions (e2e/fleet/planner.ts), as a pure function. */
import { expect } from "chai";
import { MAX_SURGE, plan, type InstanceView, type PlanInput } from "../../e2e/fleet/planner";
import { graceMs } from "../../e2e/fleet/supervisor";

const NOW = 1_000_000;
const azs = (failed: string[] = []) => ["a", "b", "c"].map((name) => ({ name, failed: failed.includes(name) }));
let seq = 0;
const inst = (az: string, state: InstanceView["state"] = "in-service", launchedAt = NOW - 60_000): InstanceView => ({
    id: `i-${az}${++seq}`,
    az,
    state,
    launchedAt,
});
const input = (over: Partial<PlanInput>): PlanInput => ({
    now: NOW,
    desired: 3,
    azs: azs(),
    instances: [],
    graceMs: 20_000,
    ...over,
});
const launches = (actions: ReturnType<typeof plan>) => actions.filter((a) => a.kind === "launch").map((a) => a.az);
const terminations = (actions: ReturnType<typeof plan>) =>
    actions.flatMap((a) => (a.kind === "terminate" ? [[a.id, a.reason]] : []));

describe("fleet planner (the Auto Scaling group's decisions)", () => {
    it("launches the desired count spread over the AZs, in order", () => {
        expect(launches(plan(input({ desired: 3 })))).to.deep.equal(["a", "b", "c"]);
        expect(launches(plan(input({ desired: 5 })))).to.deep.equal(["a", "b", "c", "a", "b"]);
    });

    it("does nothing when the desired count is in service and balanced", () => {
        expect(plan(input({ instances: [inst("a"), inst("b"), inst("c")] }))).to.deep.equal([]);
        // Servers still starting count as capacity: no double launch.
        expect(
            plan(input({ instances: [inst("a", "launching", NOW), inst("b", "registering", NOW), inst("c")] })),
        ).to.deep.equal([]);
    });

    it("replaces a server whose process died, in the AZ that lost it", () => {
        const dead = inst("b", "dead");
        const actions = plan(input({ instances: [inst("a"), dead, inst("c")] }));
        expect(terminations(actions)).to.deep.equal([[dead.id, "its process exited"]]);
        expect(launches(actions)).to.deep.equal(["b"]);
    });

    it("replaces a server that failed its health checks, or was not healthy within the grace period", () => {
        const sick = inst("a", "unhealthy");
        const slow = inst("b", "registering", NOW - 20_001);
        const young = inst("c", "launching", NOW - 19_000);
        const actions = plan(input({ instances: [sick, slow, young] }));
        expect(terminations(actions)).to.deep.equal([
            [sick.id, "it failed its load-balancer health checks"],
            [slow.id, "it was not healthy within the 20 s grace period"],
        ]);
        expect(launches(actions)).to.deep.equal(["a", "b"]);
    });

    it("when an AZ fails: terminates its servers and launches their replacements in the working AZs", () => {
        const lost = [inst("a", "dead"), inst("a")];
        const actions = plan(
            input({ desired: 6, azs: azs(["a"]), instances: [...lost, inst("b"), inst("b"), inst("c"), inst("c")] }),
        );
        expect(terminations(actions)).to.deep.equal(lost.map((i) => [i.id, "AZ a failed"]));
        expect(launches(actions)).to.deep.equal(["b", "c"]);
    });

    it("gives slower health checks a longer grace period (two passes must fit)", () => {
        expect(graceMs(1000)).to.equal(20_000);
        expect(graceMs(10_000)).to.equal(50_000);
    });

    it("launches nothing while every AZ is down", () => {
        const actions = plan(input({ azs: azs(["a", "b", "c"]), instances: [inst("a", "dead")] }));
        expect(launches(actions)).to.deep.equal([]);
        expect(terminations(actions)).to.have.length(1);
    });

    describe("rebalancing into a restored AZ", () => {
        it("launches there first, one over the desired count, terminating nothing yet", () => {
            const actions = plan(input({ desired: 2, azs: azs(["c"]), instances: [inst("b"), inst("b")] }));
            expect(launches(actions)).to.deep.equal(["a"]);
            expect(terminations(actions)).to.deep.equal([]);
            expect(MAX_SURGE).to.equal(1);
        });

        it("waits while the new server is not in service, so capacity never dips", () => {
            const fresh = inst("a", "registering", NOW - 1000);
            const actions = plan(input({ desired: 2, azs: azs(["c"]), instances: [inst("b"), inst("b"), fresh] }));
            expect(actions).to.deep.equal([]);
        });

        it("then terminates the oldest server of the fullest AZ", () => {
            const oldest = inst("b", "in-service", NOW - 90_000);
            const newer = inst("b", "in-service", NOW - 30_000);
            const actions = plan(
                input({ desired: 2, azs: azs(["c"]), instances: [newer, oldest, inst("a", "in-service", NOW - 1000)] }),
            );
            expect(terminations(actions)).to.deep.equal([[oldest.id, "rebalancing: b has the most servers"]]);
            expect(launches(actions)).to.deep.equal([]);
        });

        it("steps a 4-server group from 0/4 to 2/2 one surge at a time", () => {
            let instances: InstanceView[] = [inst("b"), inst("b"), inst("b"), inst("b")];
            const two = azs(["c"]);
            for (let step = 0; step < 10; step++) {
                const actions = plan(input({ desired: 4, azs: two, instances }));
                expect(launches(actions).length, "at most one surge launch at a time").to.be.at.most(1);
                const gone = new Set(terminations(actions).map(([id]) => id));
                instances = instances.filter((i) => !gone.has(i.id));
                // The launched server comes into service before the next look.
                instances.push(...launches(actions).map((az) => inst(az, "in-service", NOW + step)));
                expect(instances.length, "never more than desired + surge").to.be.at.most(4 + MAX_SURGE);
            }
            const per = (az: string) => instances.filter((i) => i.az === az).length;
            expect([per("a"), per("b")]).to.deep.equal([2, 2]);
        });

        it("leaves an uneven split of one alone (3 servers over 2 AZs)", () => {
            expect(
                plan(input({ desired: 3, azs: azs(["c"]), instances: [inst("a"), inst("a"), inst("b")] })),
            ).to.deep.equal([]);
        });
    });
});
