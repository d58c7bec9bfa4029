import { expect } from "chai";
import { DatabaseUnavailableError, DbAvailability } from "../../app/db/availability";
import { BatchedVisits, refreshSql, type RawVisitRow } from "../../app/db/visits";
import type { Identity } from "../../app/identity";

const me: Identity = { instanceId: "i-0aaaaaaaaaaaaaaaa", availabilityZone: "eu-west-1a", source: "imds" };

/** A fake database: the visits table in memory, answering the refresh statement as PostgreSQL would. */
function fakeDb(): {
    query: (text: string, values: unknown[]) => Promise<{ rows: RawVisitRow[] }>;
    calls: unknown[][];
    table: Map<string, number>;
    fail: Error | undefined;
} {
    const table = new Map<string, number>([["i-0bbbbbbbbbbbbbbbb", 7]]);
    const state = {
        calls: [] as unknown[][],
        table,
        fail: undefined as Error | undefined,
        query: async (text: string, values: unknown[]) => {
            expect(text).to.equal(refreshSql);
            state.calls.push(values);
            if (state.fail) {
                throw state.fail;
            }
            const [id, , add] = values as [string, string, number];
            table.set(id, (table.get(id) ?? 0) + add);
            const rows = [...table].map(([instance_id, count]) => ({
                instance_id,
                availability_zone: "eu-west-1a",
                count: String(count),
                last_seen: new Date(),
            }));
            return { rows };
        },
    };
    return state;
}

function store(db: ReturnType<typeof fakeDb>, cacheMs: number, availability?: DbAvailability): BatchedVisits {
    return new BatchedVisits({
        query: db.query,
        availability: availability ?? new DbAvailability({ probe: async () => undefined }),
        identity: me,
        cacheMs,
        flushIntervalMs: 60_000,
    });
}

describe("app visit counts (batched writes, cached reads)", () => {
    it("one round trip serves every request within the cache window; own count stays exact", async () => {
        const db = fakeDb();
        const visits = store(db, 60_000);
        const views = await Promise.all(Array.from({ length: 50 }, () => Promise.resolve(visits.visit())));
        expect(db.calls).to.have.length(1);
        // Once a read is cached, a visit is answered without waiting at all.
        expect(visits.visit()).not.to.be.instanceOf(Promise);
        views.push(await visits.visit());
        expect(views.pop()?.own.count).to.equal(52);
        expect(views.map((v) => v.own.count).sort((a, b) => a - b)).to.deep.equal(
            Array.from({ length: 50 }, (_, i) => i + 1),
        );
        expect(views[0].others).to.equal(views[49].others, "the same array while one read serves");
        expect(views[0].others.map((r) => [r.instanceId, r.count])).to.deep.equal([["i-0bbbbbbbbbbbbbbbb", 7]]);
        await visits.close();
        // close() writes the 52 buffered visits in the same single statement.
        expect(db.calls).to.have.length(2);
        expect(db.calls[1]).to.deep.equal([me.instanceId, me.availabilityZone, 52, 50]);
        expect(db.table.get(me.instanceId)).to.equal(52);
    });

    it("with no cache, each request makes exactly one round trip that also writes the previous visits", async () => {
        const db = fakeDb();
        const visits = store(db, 0);
        for (let i = 1; i <= 3; i++) {
            expect((await visits.visit()).own.count).to.equal(i);
        }
        expect(db.calls.map((c) => c[2])).to.deep.equal([0, 1, 1]);
        await visits.close();
    });

    it("a failed read keeps the unwritten visits for the next one, and is not counted as a visit", async () => {
        const db = fakeDb();
        const availability = new DbAvailability({ probe: async () => undefined, initialBackoffMs: 1, maxBackoffMs: 1 });
        const visits = store(db, 0, availability);
        await visits.visit();
        await visits.visit();
        db.fail = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
        const err = await Promise.resolve(visits.visit()).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(DatabaseUnavailableError);
        db.fail = undefined;
        await new Promise((resolve) => setTimeout(resolve, 20)); // the probe closes the breaker
        expect((await visits.visit()).own.count).to.equal(3);
        expect(db.calls.map((c) => c[2])).to.deep.equal([0, 1, 1, 1]);
        await visits.close();
        availability.close();
    });
});
