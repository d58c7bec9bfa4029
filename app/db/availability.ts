import { errorFields, type Logger, silentLogger } from "../log";

/** The database cannot be used right now; the server answers 503 and retries in the background. */
export class DatabaseUnavailableError extends Error {
    constructor(message: string, options?: { cause?: unknown }) {
        super(message, options);
        this.name = "DatabaseUnavailableError";
    }
}

// SQLSTATEs that mean "the database is not usable right now", as opposed to a bug in a query:
// connection exceptions, shutdown/startup, too many connections, authentication (an IAM
// policy or token problem), and statement timeouts (an overloaded database).
const unavailableSqlStates = /^(08...|57P0[1-3]|53300|28...|57014)$/;

// pg reports its own client-side connection failures as plain Errors with these messages.
const unavailableMessages =
    /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Connection refused|connection error/i;

/** True when an error from pg means the database is unreachable or unusable (503, not 500). */
export function isUnavailableError(err: unknown): boolean {
    if (err instanceof DatabaseUnavailableError) {
        return true;
    }
    if (!(err instanceof Error)) {
        return false;
    }
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
        return unavailableSqlStates.test(code);
    }
    // Socket (ECONNREFUSED, ETIMEDOUT, ...) and TLS errors carry a non-SQLSTATE code.
    if (typeof code === "string" && code.length > 0) {
        return true;
    }
    return unavailableMessages.test(err.message);
}

export interface AvailabilityOptions {
    /** A cheap round trip (SELECT 1) used only to find out when the database is back. */
    probe: () => Promise<void>;
    log?: Logger;
    /** First delay before probing a database that went away (default 100 ms). */
    initialBackoffMs?: number;
    /** Ceiling of the doubling backoff (default 5000 ms): the worst-case recovery lag. */
    maxBackoffMs?: number;
}

/**
 * A circuit breaker in front of the pool. When the database goes away, requests fail fast
 * with 503 instead of each one opening a connection that will time out; a single background
 * probe retries with exponential backoff and jitter and closes the breaker when the database
 * answers again, so the server recovers on its own, with no restart.
 */
export class DbAvailability {
    private down = false;
    private downSince = 0;
    private backoffMs: number;
    private timer: NodeJS.Timeout | undefined;
    private closed = false;
    private readonly log: Logger;
    private readonly initialBackoffMs: number;
    private readonly maxBackoffMs: number;

    constructor(private readonly options: AvailabilityOptions) {
        this.log = options.log ?? silentLogger;
        this.initialBackoffMs = options.initialBackoffMs ?? 100;
        this.maxBackoffMs = Math.max(this.initialBackoffMs, options.maxBackoffMs ?? 5000);
        this.backoffMs = this.initialBackoffMs;
    }

    get isUp(): boolean {
        return !this.down;
    }

    /** Runs database work, or fails fast with DatabaseUnavailableError while the breaker is open. */
    async run<T>(work: () => Promise<T>): Promise<T> {
        if (this.down) {
            throw new DatabaseUnavailableError("database unavailable; reconnecting in the background");
        }
        try {
            return await work();
        } catch (err) {
            if (isUnavailableError(err)) {
                this.markDown(err);
                throw new DatabaseUnavailableError("database unavailable", { cause: err });
            }
            throw err;
        }
    }

    /** Opens the breaker (also called for pool errors on idle connections). */
    markDown(reason: unknown): void {
        if (this.down || this.closed) {
            return;
        }
        this.down = true;
        this.downSince = Date.now();
        this.backoffMs = this.initialBackoffMs;
        this.log.warn("database unavailable; serving 503 and retrying with backoff", errorFields(reason));
        this.schedule();
    }

    close(): void {
        this.closed = true;
        clearTimeout(this.timer);
    }

    private schedule(): void {
        if (this.closed) {
            return;
        }
        // Jitter spreads the probes of a whole fleet that lost the database at the same moment.
        const delay = this.backoffMs / 2 + Math.random() * (this.backoffMs / 2);
        this.timer = setTimeout(() => void this.probeOnce(), delay);
        this.timer.unref();
    }

    private async probeOnce(): Promise<void> {
        try {
            await this.options.probe();
        } catch (err) {
            this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
            this.log.warn("database still unavailable", {
                ...errorFields(err),
                nextProbeInMs: Math.round(this.backoffMs),
            });
            this.schedule();
            return;
        }
        if (this.closed) {
            return;
        }
        this.down = false;
        this.log.info("database available again", { downForMs: Date.now() - this.downSince });
    }
}
