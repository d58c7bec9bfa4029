import type { Identity } from "../identity";
import { errorFields, type Logger, silentLogger } from "../log";
import { DatabaseUnavailableError, DbAvailability } from "./availability";

export interface VisitRow {
    instanceId: string;
    availabilityZone: string;
    count: number;
    lastSeen: Date;
}

/** What the home page shows: every recently seen instance's count, as of `dataAsOf`. */
export interface VisitView {
    /** This instance, with the visits not yet written included: exact. */
    own: VisitRow;
    /**
     * The other instances, sorted by ID. The same array object is returned for as long as one
     * database read serves, so a renderer can cache everything but `own.count` per read.
     */
    others: readonly VisitRow[];
    /** When the counts of the other instances were read from the database. */
    dataAsOf: Date;
}

/** All rows of a view, this instance's among them, sorted by instance ID. */
export function allRows(view: VisitView): VisitRow[] {
    return [view.own, ...view.others].sort(byInstanceId);
}

function byInstanceId(a: VisitRow, b: VisitRow): number {
    return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
}

/**
 * Records a visit for this instance and returns the counts to show; rejects when the DB is
 * down. Answers synchronously when a cached read serves (the common case, kept cheap).
 */
export interface VisitStore {
    visit(): VisitView | Promise<VisitView>;
    /** Writes any buffered visits now (shutdown). */
    close(): Promise<void>;
}

export type QueryFn = (text: string, values: unknown[]) => Promise<{ rows: RawVisitRow[] }>;

export interface RawVisitRow {
    instance_id: string;
    availability_zone: string;
    count: string | number;
    last_seen: Date;
}

export interface BatchedVisitsOptions {
    query: QueryFn;
    availability: DbAvailability;
    identity: Identity;
    /** How long one read of the counts serves the page (default 1000 ms; 0 reads per request). */
    cacheMs?: number;
    /** How often buffered visits are written when no request triggers a read (default 1000 ms). */
    flushIntervalMs?: number;
    /** The page lists at most this many instances, most recently seen first (default 50). */
    listLimit?: number;
    log?: Logger;
}

/**
 * One statement, one round trip: add this instance's buffered visits and read the counts.
 * The CTE's RETURNING gives this instance's row after the update; the other rows come from
 * the statement's snapshot, which is what a separate SELECT would have seen.
 */
export const refreshSql = `
WITH bump AS (
    INSERT INTO visits AS v (instance_id, availability_zone, count) VALUES ($1, $2, $3)
    ON CONFLICT (instance_id) DO UPDATE
        SET count = v.count + EXCLUDED.count, availability_zone = EXCLUDED.availability_zone, last_seen = now()
    RETURNING instance_id, availability_zone, count, last_seen
)
SELECT instance_id, availability_zone, count, last_seen FROM bump
UNION ALL
(SELECT instance_id, availability_zone, count, last_seen FROM visits
  WHERE instance_id <> $1 ORDER BY last_seen DESC LIMIT $4)`;

interface Snapshot {
    others: readonly VisitRow[];
    own: VisitRow;
    fetchedAt: number;
    dataAsOf: Date;
}

/**
 * Bounds the database work per request: visits are counted in memory and written in batches,
 * and one read of the counts serves every request for `cacheMs`. Concurrent requests that
 * find the cache expired share a single refresh. This instance's own count on the page is
 * exact (database + not yet written); the other instances' counts are at most `cacheMs` old.
 */
export class BatchedVisits implements VisitStore {
    private snapshot: Snapshot | undefined;
    private inflight: Promise<Snapshot> | undefined;
    private pending = 0;
    private readonly cacheMs: number;
    private readonly listLimit: number;
    private readonly log: Logger;
    private readonly flushTimer: NodeJS.Timeout;

    constructor(private readonly options: BatchedVisitsOptions) {
        this.cacheMs = options.cacheMs ?? 1000;
        this.listLimit = options.listLimit ?? 50;
        this.log = options.log ?? silentLogger;
        // Without this, the last visits before a quiet spell would wait for the next request.
        this.flushTimer = setInterval(() => this.backgroundFlush(), options.flushIntervalMs ?? 1000);
        this.flushTimer.unref();
    }

    visit(): VisitView | Promise<VisitView> {
        // While the breaker is open the page is a 503, even if a cached read is still young:
        // an outage shows at once instead of after the cache expires.
        if (!this.options.availability.isUp) {
            return Promise.reject(new DatabaseUnavailableError("database unavailable; reconnecting in the background"));
        }
        const snap = this.snapshot;
        if (snap && Date.now() - snap.fetchedAt < this.cacheMs) {
            return this.count(snap);
        }
        return this.refresh().then((fresh) => this.count(fresh));
    }

    /** Counted only once the page can be shown: a 503 is not a visit. */
    private count(snap: Snapshot): VisitView {
        this.pending += 1;
        return {
            own: { ...snap.own, count: snap.own.count + this.pending },
            others: snap.others,
            dataAsOf: snap.dataAsOf,
        };
    }

    async close(): Promise<void> {
        clearInterval(this.flushTimer);
        if (this.pending > 0 && this.options.availability.isUp) {
            await this.refresh().catch((err) =>
                this.log.warn("could not write buffered visits at shutdown", {
                    ...errorFields(err),
                    lost: this.pending,
                }),
            );
        }
    }

    private refresh(): Promise<Snapshot> {
        if (!this.inflight) {
            this.inflight = this.load().finally(() => {
                this.inflight = undefined;
            });
        }
        return this.inflight;
    }

    private async load(): Promise<Snapshot> {
        const { identity, query, availability } = this.options;
        const batch = this.pending;
        this.pending = 0;
        const startedAt = Date.now();
        try {
            const { rows } = await availability.run(() =>
                query(refreshSql, [identity.instanceId, identity.availabilityZone, batch, this.listLimit]),
            );
            const parsed = rows.map(toVisitRow);
            const own = parsed.find((r) => r.instanceId === identity.instanceId);
            if (!own) {
                throw new Error("visits refresh returned no row for this instance");
            }
            const others = Object.freeze(parsed.filter((r) => r !== own).sort(byInstanceId));
            const snap: Snapshot = { own, others, fetchedAt: startedAt, dataAsOf: new Date(startedAt) };
            this.snapshot = snap;
            return snap;
        } catch (err) {
            // Keep the unwritten visits for the next attempt, and stop serving the old read.
            this.pending += batch;
            this.snapshot = undefined;
            throw err;
        }
    }

    private backgroundFlush(): void {
        if (this.pending > 0 && !this.inflight && this.options.availability.isUp) {
            this.refresh().catch((err) => this.log.warn("background visit flush failed", errorFields(err)));
        }
    }
}

function toVisitRow(r: RawVisitRow): VisitRow {
    return {
        instanceId: r.instance_id,
        availabilityZone: r.availability_zone,
        count: Number(r.count),
        lastSeen: r.last_seen instanceof Date ? r.last_seen : new Date(r.last_seen),
    };
}
