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

export type LineWriter = (line: string) => void;

const stdoutWriter: LineWriter = (line) => {
    process.stdout.write(line + "\n");
};

export function createLogger(write: LineWriter = stdoutWriter): Logger {
    const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
        write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
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
