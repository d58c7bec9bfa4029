/**
 * JSON logs, one object per line on stdout, for journald/CloudWatch to parse.
 *
 * Callers pass only fields that are safe to keep: never a connection string, password, IAM
 * token or query string (see `errorFields` for how errors are reduced).
 */
export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
    info(msg: string, fields?: LogFields): void;
    warn(msg: string, fields?: LogFields): void;
    error(msg: string, fields?: LogFields): void;
}

/** Takes one JSON line; `urgent` (errors) asks for it to be written before returning. */
export type LineWriter = (line: string, urgent?: boolean) => void;

/** Each line written before returning: right for short-lived processes (a Lambda function). */
export const stdoutWriter: LineWriter = (line) => {
    process.stdout.write(line + "\n");
};

/**
 * For the server: lines are gathered and written once per event-loop turn, so under load one
 * write(2) carries many request lines instead of one each (stdout to a file or pipe is a
 * synchronous write in Node). Errors flush at once and the rest is flushed on exit, so a
 * crash loses nothing.
 */
export function bufferedStdoutWriter(): LineWriter {
    let pending: string[] = [];
    let scheduled = false;
    const flush = (): void => {
        scheduled = false;
        if (pending.length > 0) {
            const chunk = pending.join("");
            pending = [];
            process.stdout.write(chunk);
        }
    };
    process.on("exit", flush);
    return (line, urgent) => {
        pending.push(line + "\n");
        if (urgent || pending.length >= 512) {
            flush();
        } else if (!scheduled) {
            scheduled = true;
            setImmediate(flush);
        }
    };
}

// One request log line per request: formatting the time once per millisecond, not per line,
// is a measurable share of a request at tens of thousands per second.
let lastMs = 0;
let lastIso = "";
function isoNow(): string {
    const now = Date.now();
    if (now !== lastMs) {
        lastMs = now;
        lastIso = new Date(now).toISOString();
    }
    return lastIso;
}

export function createLogger(out: LineWriter = stdoutWriter): Logger {
    const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
        // Same as JSON.stringify({ time, level, msg, ...fields }) without building the merged
        // object: this runs once per request. (`time`, `level` and `msg` need no escaping.)
        const rest = fields ? JSON.stringify(fields) : "{}";
        const head = `{"time":"${isoNow()}","level":"${level}","msg":${JSON.stringify(msg)}`;
        out(rest === "{}" ? `${head}}` : `${head},${rest.slice(1)}`, level === "error");
    };
    return {
        info: (msg, fields) => emit("info", msg, fields),
        warn: (msg, fields) => emit("warn", msg, fields),
        error: (msg, fields) => emit("error", msg, fields),
    };
}

/** A logger that drops everything, for tests and benchmarks that do not look at logs. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * The parts of an error worth logging: its code and message, no stack (a stack in a log line
 * is noise here) and no connection parameters. pg's messages never include the password.
 */
export function errorFields(err: unknown): LogFields {
    if (err instanceof Error) {
        // fetch() wraps the socket error ("fetch failed"); the cause says what actually happened.
        const cause = err.cause instanceof Error ? err.cause : undefined;
        const code = (err as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
        const message = cause ? `${err.message}: ${cause.message}` : err.message;
        return { error: message, errorCode: typeof code === "string" ? code : undefined };
    }
    return { error: String(err) };
}
