/**
 * The web servers' patch automation steps (lib/patchAutomation.py) run under a real python3 (the
 * interpreter Systems Manager's python3.11 runtime is), against a simulated Auto Scaling group and
 * target group and a fake clock: each step's checks, what it calls, and how it gives up.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PATCH_SCRIPT, waitForUnitCommands } from "../lib/patching";
import { APP_UNIT } from "../lib/userData/web";
import { requireTool } from "./support/tools";

/** The simulation: a group whose members change as polls go by, and the calls the step made. */
const HARNESS = `
import importlib.util, json, sys

spec = importlib.util.spec_from_file_location("steps", sys.argv[1])
steps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(steps)
case = json.load(sys.stdin)
calls = []

class Clock:
    def __init__(self): self.now = 0
    def time(self): return self.now
    def sleep(self, seconds): self.now += seconds

clock = Clock()
polls = {"n": 0}

def frame(frames):
    # The state at the current poll; the last one stays.
    return frames[min(polls["n"], len(frames) - 1)]

class AutoScaling:
    def describe_instance_refreshes(self, **kw):
        calls.append(["describe_instance_refreshes", kw])
        return {"InstanceRefreshes": case.get("refreshes", [])}
    def describe_auto_scaling_groups(self, **kw):
        calls.append(["describe_auto_scaling_groups", kw])
        group = frame(case["groups"])
        polls["n"] += 1
        return {"AutoScalingGroups": [group] if group else []}
    def enter_standby(self, **kw):
        calls.append(["enter_standby", kw])

class Elbv2:
    def describe_target_health(self, **kw):
        calls.append(["describe_target_health", kw])
        healthy = frame(case.get("healthy", [[]]))
        return {"TargetHealthDescriptions": [
            {"Target": {"Id": i, "Port": 8080}, "TargetHealth": {"State": "healthy" if i in healthy else "unhealthy"}}
            for i in case.get("registered", healthy)
        ]}

try:
    result = getattr(steps, case["step"])(case["events"], None, clients=(AutoScaling(), Elbv2()),
                                            **({"clock": clock} if case["step"] != "enter_standby" else {}))
    out = {"result": result}
except Exception as e:
    out = {"error": str(e)}
out["calls"] = calls
out["elapsed"] = clock.now
print(json.dumps(out))
`;

const GROUP = "web-asg-0c1d2e3";
const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123456789abcdef";
const member = (id: string, state = "InService", health = "Healthy") => ({
    InstanceId: id,
    LifecycleState: state,
    HealthStatus: health,
});
const group = (desired: number, ...members: ReturnType<typeof member>[]) => ({
    AutoScalingGroupName: GROUP,
    DesiredCapacity: desired,
    MaxSize: desired * 2,
    Instances: members,
});

interface Outcome {
    result?: Record<string, unknown>;
    error?: string;
    calls: [string, Record<string, unknown>][];
    elapsed: number;
}

describe("patch automation steps (python3, simulated group)", function () {
    let dir: string;
    before(function () {
        requireTool(this, "python3", "apt-get install python3");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-patch-"));
        fs.writeFileSync(path.join(dir, "steps.py"), PATCH_SCRIPT);
        fs.writeFileSync(path.join(dir, "harness.py"), HARNESS);
    });

    function run(step: string, events: Record<string, unknown>, sim: Record<string, unknown>): Outcome {
        const out = execFileSync("python3", [path.join(dir, "harness.py"), path.join(dir, "steps.py")], {
            input: JSON.stringify({ step, events, ...sim }),
            encoding: "utf8",
        });
        return JSON.parse(out) as Outcome;
    }

    const events = { AutoScalingGroupName: GROUP, InstanceId: "i-0aaa", TargetGroupArn: TG };

    it("takes a server of a steady group out without lowering the desired capacity, so a surge launches", () => {
        const out = run("enter_standby", events, {
            groups: [group(3, member("i-0aaa"), member("i-0bbb"), member("i-0ccc"))],
        });
        expect(out.error).to.equal(undefined);
        expect(out.result).to.deep.equal({ Others: ["i-0bbb", "i-0ccc"] });
        expect(out.calls.find((c) => c[0] === "enter_standby")).to.deep.equal([
            "enter_standby",
            { InstanceIds: ["i-0aaa"], AutoScalingGroupName: GROUP, ShouldDecrementDesiredCapacity: false },
        ]);
    });

    for (const [title, sim, message] of [
        [
            "a server already out of service",
            { groups: [group(2, member("i-0aaa"), member("i-0bbb", "Standby"))] },
            `${GROUP} is not steady (i-0bbb Standby/Healthy); no server is taken out of a group that is already short`,
        ],
        [
            "an unhealthy server",
            { groups: [group(2, member("i-0aaa"), member("i-0bbb", "InService", "Unhealthy"))] },
            `${GROUP} is not steady (i-0bbb InService/Unhealthy); no server is taken out of a group that is already short`,
        ],
        [
            "fewer servers than it wants",
            { groups: [group(3, member("i-0aaa"), member("i-0bbb"))] },
            `${GROUP} is not steady (2 of 3 servers); no server is taken out of a group that is already short`,
        ],
        [
            "a rollout in progress",
            { refreshes: [{ Status: "InProgress" }], groups: [group(2, member("i-0aaa"), member("i-0bbb"))] },
            `${GROUP}: an instance refresh is InProgress; patching waits for the next window instead of racing a rollout`,
        ],
        [
            "no room above its desired capacity for the surge server",
            { groups: [{ ...group(2, member("i-0aaa"), member("i-0bbb")), MaxSize: 2 }] },
            `${GROUP} wants 2 servers and may have at most 2, leaving no room for the surge server; raise web.maxSize above web.desiredCapacity (patching waits for the next window until then)`,
        ],
        [
            "a server that is not its own",
            { groups: [group(2, member("i-0bbb"), member("i-0ccc"))] },
            `i-0aaa is not in ${GROUP}; only the group's own servers are patched this way`,
        ],
    ] as const) {
        it(`takes nobody out of a group with ${title}`, () => {
            const out = run("enter_standby", events, sim);
            expect(out.error).to.equal(message);
            expect(out.calls.map((c) => c[0])).to.not.include("enter_standby");
        });
    }

    it("waits for the surge server to be healthy behind the load balancer, ignoring the one that is out", () => {
        const out = run(
            "wait_for_surge",
            { ...events, Others: ["i-0bbb"] },
            {
                groups: [
                    group(2, member("i-0aaa", "Standby"), member("i-0bbb")),
                    group(2, member("i-0aaa", "Standby"), member("i-0bbb"), member("i-0new", "Pending")),
                    group(2, member("i-0aaa", "Standby"), member("i-0bbb"), member("i-0new")),
                ],
                // The new server passes its health checks one poll after it is in service.
                healthy: [["i-0bbb"], ["i-0bbb"], ["i-0bbb"], ["i-0bbb"], ["i-0bbb", "i-0new"]],
                registered: ["i-0bbb", "i-0new"],
            },
        );
        expect(out.error).to.equal(undefined);
        expect(out.result).to.deep.equal({ SurgeInstanceId: "i-0new" });
        expect(out.elapsed).to.equal(45);
        expect(out.calls.filter((c) => c[0] === "describe_target_health")[0][1]).to.deep.equal({ TargetGroupArn: TG });
    });

    it("gives up before Systems Manager's 600 s, saying the server stays out and unpatched", () => {
        const out = run(
            "wait_for_surge",
            { ...events, Others: ["i-0bbb"] },
            {
                groups: [group(2, member("i-0aaa", "Standby"), member("i-0bbb"), member("i-0new"))],
                healthy: [["i-0bbb"]],
            },
        );
        expect(out.error).to.equal(
            `no server launched in place of i-0aaa was healthy in ${GROUP} within 540 s (launched: i-0new); i-0aaa stays in Standby, unpatched`,
        );
        expect(out.elapsed).to.be.at.least(540).and.below(600);
    });

    it("waits for the patched server to be in service and healthy again, or says Auto Scaling will replace it", () => {
        const back = run("wait_in_service", events, {
            groups: [
                group(3, member("i-0aaa", "Pending:Wait"), member("i-0new")),
                group(3, member("i-0aaa"), member("i-0new")),
            ],
            healthy: [[], ["i-0new"], ["i-0aaa", "i-0new"]],
            registered: ["i-0aaa", "i-0new"],
        });
        expect(back.result).to.deep.equal({ InstanceId: "i-0aaa" });
        const never = run("wait_in_service", events, {
            groups: [group(3, member("i-0aaa"), member("i-0new"))],
            healthy: [["i-0new"]],
            registered: ["i-0aaa", "i-0new"],
        });
        expect(never.error).to.equal(
            "i-0aaa was not healthy behind the load balancer within 540 s of returning (InService); Auto Scaling replaces it if it stays unhealthy, and the surge server stays",
        );
    });

    it("waits for the app's unit with a shell script shellcheck accepts", function () {
        requireTool(this, "shellcheck", "apt-get install shellcheck");
        const file = path.join(dir, "wait.sh");
        fs.writeFileSync(file, `#!/bin/sh\n${waitForUnitCommands(APP_UNIT).join("\n")}\n`);
        execFileSync("shellcheck", ["--shell=sh", "--severity=style", file], { stdio: "pipe" });
        expect(() => waitForUnitCommands("x; reboot")).to.throw('"x; reboot" is not a systemd service unit name');
    });
});
