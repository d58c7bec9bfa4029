import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

/**
 * Deliberately broken variants, for proving that `npm run verify` catches each one:
 *   no-redirect          port 80's listener serves the app over plain HTTP instead of redirecting
 *   old-tls              HTTPS also accepts TLS 1.0 and 1.1 (and OpenSSL security level 0)
 *   no-security-headers  the first server's answers lose the security headers on the way out
 */
export const VARIANTS = ["no-redirect", "old-tls", "no-security-headers"] as const;
export type Variant = (typeof VARIANTS)[number];

/** Where the fleet's database comes from. */
export type DatabaseChoice =
    | { kind: "postgres" }
    | { kind: "pglite" }
    /** postgres when Debian's server is installed, else pglite. */
    | { kind: "auto" }
    | { kind: "url"; url: string };

export interface FleetOptions {
    /** The "AZs", in order; servers are spread over the working ones. */
    azs: string[];
    /** How many servers the "Auto Scaling group" keeps in service. */
    desired: number;
    /** Everything listens on this address only. */
    bind: string;
    /** Undefined: 80 when this process can bind it (root, or CAP_NET_BIND_SERVICE, and free), else 8080. */
    httpPort?: number;
    httpsPort: number;
    db: DatabaseChoice;
    stateDir: string;
    /** HAProxy's health check interval; two failures mark a server down, two passes up. */
    checkIntervalMs: number;
    breaks: Variant[];
    /** Serve this bundle (app/build.ts output) instead of building one. */
    appBundle?: string;
}

export type ControlCommand =
    | { command: "status" }
    | { command: "fail-az"; az: string }
    | { command: "restore-az"; az: string }
    | { command: "stop-db" }
    | { command: "start-db" }
    | { command: "stop" };

export type FleetInvocation =
    | { kind: "help" }
    | { kind: "up"; options: FleetOptions }
    | { kind: "control"; request: ControlCommand; stateDir: string; json: boolean };

export class FleetUsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "FleetUsageError";
    }
}

export const DEFAULT_STATE_DIR = join(tmpdir(), "webfleet-fleet");

/** Where to connect to something listening on `bind`: 0.0.0.0 (every interface) is reached on loopback. */
export function reachableHost(bind: string): string {
    return bind === "0.0.0.0" ? "127.0.0.1" : bind;
}
const AZ_NAME = /^[a-z][a-z0-9-]{0,30}[a-z]$/;

export const FLEET_USAGE = `Usage: npm run fleet [-- [up] [options]]
       npm run fleet -- status | fail-az AZ | restore-az AZ | stop-db | start-db | stop [--state-dir DIR] [--json]

The production topology on this machine: HAProxy (80→443 redirect, TLS 1.2+, /healthz checks)
in front of app servers in several "AZs", reached over TLS, each with its own instance identity
(IMDSv2 stand-in) and certificate, a PostgreSQL database, and a supervisor that plays the Auto
Scaling group. Ctrl-C stops it all.

  --azs N | A,B,...     the AZs: a count (names local-1a, local-1b, ...) or names (default 2)
  --desired N           servers to keep in service, spread over the working AZs (default 2 per AZ)
  --http-port P         plain HTTP, redirected to HTTPS (default 80 if it can bind it, else 8080)
  --https-port P        HTTPS (default 8443)
  --bind ADDRESS        listen on this IPv4 address only (default 127.0.0.1)
  --db KIND             postgres (Debian's, started for the fleet), pglite (embedded) or auto (default)
  --database-url URL    use this PostgreSQL instead (stop-db/start-db then refuse)
  --state-dir DIR       where its files, logs and control socket live (default ${DEFAULT_STATE_DIR})
  --check-interval MS   HAProxy health check interval (default 1000)
  --app-bundle FILE     serve this app bundle instead of building one (npm run app:bundle)
  --break VARIANT       start deliberately broken, to test verify (repeatable):
                        ${VARIANTS.join(", ")}

Commands to a running fleet (found through --state-dir):
  status                servers, AZs and the database
  fail-az AZ            the AZ loses power: its servers die, replacements launch in the others
  restore-az AZ         the AZ is back: the group rebalances into it
  stop-db / start-db    stop or start the fleet's database
  stop                  stop the fleet (as Ctrl-C would)`;

function intOption(flag: string, raw: string | undefined, min: number, max: number, fallback: number): number {
    if (raw === undefined) {
        return fallback;
    }
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || n < min || n > max) {
        throw new FleetUsageError(`${flag}: "${raw}" is not a whole number from ${min} to ${max}`);
    }
    return n;
}

/** "3" → local-1a, local-1b, local-1c; "x-1a,x-1b" → those names. */
export function parseAzs(raw: string | undefined): string[] {
    if (raw === undefined) {
        return ["local-1a", "local-1b"];
    }
    if (/^\d+$/.test(raw.trim())) {
        const n = intOption("--azs", raw, 1, 6, 2);
        return Array.from({ length: n }, (_, i) => `local-1${"abcdef"[i]}`);
    }
    const names = raw.split(",").map((s) => s.trim());
    for (const name of names) {
        if (!AZ_NAME.test(name)) {
            throw new FleetUsageError(
                `--azs: "${name}" is not an AZ name (lower-case letters, digits and -, ending in a letter, like local-1a)`,
            );
        }
    }
    if (new Set(names).size !== names.length) {
        throw new FleetUsageError(`--azs: "${raw}" names an AZ twice`);
    }
    if (names.length > 6) {
        throw new FleetUsageError(`--azs: at most 6 AZs (got ${names.length})`);
    }
    return names;
}

function parseDatabase(kind: string | undefined, url: string | undefined): DatabaseChoice {
    if (url !== undefined) {
        if (kind !== undefined) {
            throw new FleetUsageError("--db and --database-url contradict each other: give one");
        }
        if (!/^postgres(ql)?:\/\//.test(url)) {
            throw new FleetUsageError("--database-url: expected postgres://user:password@host:port/database");
        }
        return { kind: "url", url };
    }
    if (kind === undefined || kind === "auto" || kind === "postgres" || kind === "pglite") {
        return { kind: kind ?? "auto" };
    }
    throw new FleetUsageError(`--db: "${kind}" is not one of postgres, pglite, auto`);
}

export function parseFleetArgs(argv: string[]): FleetInvocation {
    let parsed: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
    try {
        parsed = parseArgs({
            args: argv,
            strict: true,
            allowPositionals: true,
            options: {
                azs: { type: "string" },
                desired: { type: "string" },
                bind: { type: "string" },
                "http-port": { type: "string" },
                "https-port": { type: "string" },
                db: { type: "string" },
                "database-url": { type: "string" },
                "state-dir": { type: "string" },
                "check-interval": { type: "string" },
                "app-bundle": { type: "string" },
                break: { type: "string", multiple: true },
                json: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (err) {
        throw new FleetUsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    const str = (k: string) => values[k] as string | undefined;
    if (values.help) {
        return { kind: "help" };
    }
    const stateDir = resolve(str("state-dir") ?? DEFAULT_STATE_DIR);
    const [command = "up", ...rest] = positionals;
    const upOnly = [
        "azs",
        "desired",
        "bind",
        "http-port",
        "https-port",
        "db",
        "database-url",
        "check-interval",
        "app-bundle",
        "break",
    ];
    if (command !== "up") {
        const misplaced = upOnly.filter((k) => values[k] !== undefined);
        if (misplaced.length) {
            throw new FleetUsageError(`${command}: --${misplaced[0]} applies only when starting the fleet (up)`);
        }
        const needsAz = command === "fail-az" || command === "restore-az";
        const known = ["status", "fail-az", "restore-az", "stop-db", "start-db", "stop"];
        if (!known.includes(command)) {
            throw new FleetUsageError(`unknown command "${command}"; one of up, ${known.join(", ")}`);
        }
        if (rest.length !== (needsAz ? 1 : 0)) {
            throw new FleetUsageError(
                needsAz ? `${command} takes one AZ name, e.g. ${command} local-1a` : `${command} takes no argument`,
            );
        }
        const request = (needsAz ? { command, az: rest[0] } : { command }) as ControlCommand;
        return { kind: "control", request, stateDir, json: values.json === true };
    }
    if (rest.length) {
        throw new FleetUsageError(`up takes no argument (got "${rest.join(" ")}")`);
    }
    const azs = parseAzs(str("azs"));
    const breaks = (values.break as string[] | undefined) ?? [];
    for (const b of breaks) {
        if (!(VARIANTS as readonly string[]).includes(b)) {
            throw new FleetUsageError(`--break: "${b}" is not one of ${VARIANTS.join(", ")}`);
        }
    }
    const httpPort =
        str("http-port") === undefined ? undefined : intOption("--http-port", str("http-port"), 1, 65535, 0);
    const httpsPort = intOption("--https-port", str("https-port"), 1, 65535, 8443);
    if (httpPort === httpsPort) {
        throw new FleetUsageError(`--http-port and --https-port are both ${httpPort}; they need a port each`);
    }
    const bind = str("bind") ?? "127.0.0.1";
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(bind)) {
        throw new FleetUsageError(`--bind: "${bind}" is not an IPv4 address (e.g. 127.0.0.1)`);
    }
    return {
        kind: "up",
        options: {
            azs,
            desired: intOption("--desired", str("desired"), 1, 50, azs.length * 2),
            bind,
            httpPort,
            httpsPort,
            db: parseDatabase(str("db"), str("database-url")),
            stateDir,
            checkIntervalMs: intOption("--check-interval", str("check-interval"), 100, 60_000, 1000),
            breaks: [...new Set(breaks)] as Variant[],
            appBundle: str("app-bundle") === undefined ? undefined : resolve(str("app-bundle")!),
        },
    };
}
