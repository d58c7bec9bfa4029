/**
 * Resources that moved between components keep their state (lib/moved.ts): the program gives
 * each its old URN as an alias, the offline preview records it, and the plan diff treats the
 * moved resource as the same one, as the engine does.
 */
import { expect } from "chai";
import * as aws from "@pulumi/aws";
import { movedFrom } from "../lib/moved";
import { PlanDocument, diffPlans } from "../offline/diff";
import { ProgramRun } from "../offline/program";
import { runComponent } from "./support/component";
import { named, sharedRun } from "./support/program";

const MONITORING = "webfleet:ops:Monitoring";
const DATABASE = "webfleet:database:Database";

/** Where each moved resource lived before: [type, new name, old parent type, old name]. */
const MOVES = [
    ["aws:sns/topic:Topic", "alarms-topic", MONITORING, "monitoring-alarms"],
    ["aws:sns/topicPolicy:TopicPolicy", "alarms-policy", MONITORING, "monitoring-alarms-policy"],
    // Prod's stack file sets monitoring.alarmEmail; dev's does not.
    ["aws:sns/topicSubscription:TopicSubscription", "alarms-email", MONITORING, "monitoring-alarm-email"],
    ["aws:cloudwatch/metricAlarm:MetricAlarm", "web-alb-5xx-rate", MONITORING, "monitoring-alb-5xx-rate"],
    [
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "migrations-db-in",
        DATABASE,
        "database-from-migrations",
    ],
    [
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "migrations-db-out",
        DATABASE,
        "database-to-db-from-migrations",
    ],
] as const;

describe("moved resources keep their state", function () {
    this.timeout(120000);
    let runs: ProgramRun[];
    before(async () => {
        runs = [await sharedRun("dev"), await sharedRun("prod")];
    });

    it("names each moved resource's old URN as an alias, under its old parent", () => {
        for (const run of runs) {
            for (const [type, name, parentType, oldName] of MOVES) {
                if (name === "alarms-email" && run.stack === "dev") {
                    continue;
                }
                const r = named(run, type, name);
                expect(r.options?.aliases, name).to.deep.equal([
                    `urn:pulumi:${run.stack}::webfleet::${parentType}$${type}::${oldName}`,
                ]);
            }
        }
    });

    it("moves no other resource (the provider's own aliases only rename a type)", () => {
        const moved = new Set<string>(MOVES.map((m) => m[1]));
        // Where a URN puts its resource: everything but the resource's own type.
        const place = (urn: string) => urn.replace(/[^:$]+:[^:$]+:[^:$]+::([^:]+)$/, "::$1");
        for (const run of runs) {
            const elsewhere = run.resources
                .filter((r) => !moved.has(r.name))
                .flatMap((r) => (r.options?.aliases ?? []).filter((a) => place(a) !== place(r.urn)));
            expect(elsewhere, run.stack).to.deep.equal([]);
        }
        // The provider's own: an S3 bucket was an aws:s3/bucketV2:BucketV2.
        const bucket = named(runs[0], "aws:s3/bucket:Bucket", "access-logs-bucket");
        expect(bucket.options?.aliases).to.deep.equal([
            "urn:pulumi:dev::webfleet::webfleet:ops:AccessLogBucket$aws:s3/bucketV2:BucketV2::access-logs-bucket",
        ]);
    });

    it("leaves a resource alone when the transformation does not name it", async () => {
        const run = await runComponent(() => {
            new aws.sns.Topic(
                "stays",
                {},
                { transformations: [movedFrom({ other: { name: "x", parent: { name: "p", type: "t:t:T" } } })] },
            );
            new aws.sns.Topic(
                "moves",
                {},
                { transformations: [movedFrom({ moves: { name: "old", parent: { name: "p", type: "t:t:T" } } })] },
            );
        });
        expect(run.error).to.equal(undefined);
        const [stays, moves] = ["stays", "moves"].map((n) => run.resources.find((r) => r.name === n)!);
        expect(stays.options?.aliases).to.equal(undefined);
        expect(moves.options?.aliases).to.deep.equal([`urn:pulumi:seams::webfleet::t:t:T$aws:sns/topic:Topic::old`]);
    });
});

describe("plan diff across a move", () => {
    const resource = (urn: string, name: string, inputs: Record<string, unknown>, aliases?: string[]) => ({
        urn,
        type: "aws:sns/topic:Topic",
        name,
        parent: null,
        inputs,
        ...(aliases ? { options: { aliases } } : {}),
    });
    const doc = (resources: ReturnType<typeof resource>[]) =>
        ({ resources, outputs: {}, violations: [] }) as unknown as PlanDocument;
    const OLD = "urn:pulumi:dev::webfleet::webfleet:ops:Monitoring$aws:sns/topic:Topic::monitoring-alarms";
    const NEW = "urn:pulumi:dev::webfleet::webfleet:ops:AlarmTopic$aws:sns/topic:Topic::alarms-topic";
    const REF = { ref: "base", commit: "0123456789abcdef0123" };

    it("is no change when the moved resource's inputs are the same", () => {
        const d = diffPlans(
            doc([resource(OLD, "monitoring-alarms", { name: "t" })]),
            doc([resource(NEW, "alarms-topic", { name: "t" }, [OLD])]),
            REF,
        );
        expect(d.resources).to.deep.equal([]);
        expect(d.summary).to.include({ add: 0, remove: 0, unchanged: 1 });
    });

    it("is an update of the same resource when its inputs changed on the way", () => {
        const d = diffPlans(
            doc([resource(OLD, "monitoring-alarms", { name: "t" })]),
            doc([resource(NEW, "alarms-topic", { name: "u" }, [OLD])]),
            REF,
        );
        expect(d.resources.map((r) => r.kind)).to.deep.equal(["replace"]);
        expect(d.summary).to.include({ add: 0, remove: 0 });
    });

    it("is an add and a remove without the alias", () => {
        const d = diffPlans(
            doc([resource(OLD, "monitoring-alarms", { name: "t" })]),
            doc([resource(NEW, "alarms-topic", { name: "t" })]),
            REF,
        );
        expect(d.resources.map((r) => r.kind).sort()).to.deep.equal(["add", "remove"]);
    });
});
