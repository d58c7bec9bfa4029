import { parseArgs } from "node:util";

/** What `npm run verify` was asked to do (see docs/end-to-end.md). */
export interface VerifyOptions {
    /** The site's root over HTTPS; absent only when `stack` supplies it. */
    url?: URL;
    /** Read `url` (and the AZ count) from this stack's outputs with the Pulumi CLI. */
    stack?: string;
    /** A PEM file of CA certificates to trust instead of Node's built-in list (a private CA, a self-signed cert). */
    caFile?: string;
    /** Skip certificate verification (the self-signed default); the report says it was skipped. */
    insecure: boolean;
    /** Requests of `/` sampled for the AZ spread and the latency summary. */
    requests: number;
    /** Distinct AZs the sample must reach; undefined: the stack's AZ count, else DEFAULT_EXPECT_AZS. */
    expectAzs?: number;
    /** Where plain HTTP listens on the same host (80 on an ALB). */
    httpPort: number;
    /** Per request and per TLS handshake. */
    timeoutMs: number;
    /** Wait up to this long for /healthz to answer 200 before checking (a fresh deployment). */
    waitMs: number;
    json: boolean;
}

/** Bad usage: the message says what is wrong and how to fix it; exit code 2. */
export class UsageError extends Error {
    constructor(
        message: string,
        /** False when the arguments were fine but what they name was not (an unreadable stack). */
        readonly showUsage = true,
    ) {
        super(message);
        this.name = "UsageError";
    }
}

/** An ALB spans at least two AZs, so a deployment that answers from fewer is not the design. */
export const DEFAULT_EXPECT_AZS = 2;
export const DEFAULT_REQUESTS = 30;

export const VERIFY_USAGE = `Usage: npm run verify -- (--url https://HOST[:PORT] | --stack NAME) [options]

The acceptance checks of a running webfleet deployment: redirect, TLS, certificate, home page
(HTML and JSON) with instance ID, AZ and database data, AZ spread, custom 404, /healthz and
security headers. Exit 0: all pass; 1: a check failed; 2: bad usage or the stack unreadable.

  --url URL          the site's root over https:// (overrides the stack's url output)
  --stack NAME       read the url and availabilityZones outputs with the Pulumi CLI
  --ca FILE          trust the CA certificates in FILE (PEM) instead of Node's built-in list
  --insecure         do not verify the certificate (the self-signed default); reported as skipped
  --requests N       requests of / for the AZ spread and latency (default ${DEFAULT_REQUESTS})
  --expect-azs K     answers must come from at least K AZs (default: the stack's AZ count, else ${DEFAULT_EXPECT_AZS})
  --http-port P      port of plain HTTP on the same host (default 80)
  --timeout S        seconds per request and TLS handshake (default 10)
  --wait S           wait up to S seconds for /healthz to answer 200 first (default 0)
  --json             print the report as one JSON document
  --help             this text`;

function positiveInt(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
    if (raw === undefined) {
        return undefined;
    }
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
        throw new UsageError(`${flag}: "${raw}" is not a whole number from ${min} to ${max}`);
    }
    return n;
}

/** The site's root: https, no credentials, no path, query or fragment (verify picks its own paths). */
export function parseSiteUrl(raw: string): URL {
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new UsageError(`--url: "${raw}" is not a URL; give the site's root, e.g. https://www.example.com`);
    }
    if (url.protocol !== "https:") {
        throw new UsageError(
            `--url: "${raw}" must be an https:// URL (verify checks that http:// redirects there itself; see --http-port)`,
        );
    }
    if (url.username || url.password) {
        throw new UsageError(`--url: "${url.host}" with credentials; the site needs none, so remove them`);
    }
    if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
        throw new UsageError(
            `--url: "${raw}" has a path, query or fragment; give the site's root (https://${url.host}), verify requests its own paths`,
        );
    }
    return url;
}

/** Parses `npm run verify -- ...`; returns "help" for --help, throws UsageError for anything wrong. */
export function parseVerifyArgs(argv: string[]): VerifyOptions | "help" {
    let values: Record<string, string | boolean | undefined>;
    try {
        ({ values } = parseArgs({
            args: argv,
            strict: true,
            allowPositionals: false,
            options: {
                url: { type: "string" },
                stack: { type: "string" },
                ca: { type: "string" },
                insecure: { type: "boolean" },
                requests: { type: "string" },
                "expect-azs": { type: "string" },
                "http-port": { type: "string" },
                timeout: { type: "string" },
                wait: { type: "string" },
                json: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
    if (values.help) {
        return "help";
    }
    const str = (k: string) => values[k] as string | undefined;
    if (str("url") === undefined && str("stack") === undefined) {
        throw new UsageError("give --url https://HOST (the site's root) or --stack NAME (reads its url output)");
    }
    const stack = str("stack");
    if (stack !== undefined && !/^[A-Za-z0-9._/-]{1,200}$/.test(stack)) {
        throw new UsageError(
            `--stack: "${stack}" is not a stack name (letters, digits, . _ - and / for org/project/stack)`,
        );
    }
    const insecure = values.insecure === true;
    const caFile = str("ca");
    if (insecure && caFile !== undefined) {
        throw new UsageError(
            "--ca and --insecure contradict each other: --ca verifies against FILE, --insecure skips it",
        );
    }
    return {
        url: str("url") === undefined ? undefined : parseSiteUrl(str("url")!),
        stack,
        caFile,
        insecure,
        requests: positiveInt("--requests", str("requests"), 1, 10_000) ?? DEFAULT_REQUESTS,
        expectAzs: positiveInt("--expect-azs", str("expect-azs"), 1, 26),
        httpPort: positiveInt("--http-port", str("http-port"), 1, 65535) ?? 80,
        timeoutMs: (positiveInt("--timeout", str("timeout"), 1, 600) ?? 10) * 1000,
        waitMs: (positiveInt("--wait", str("wait"), 0, 3600) ?? 0) * 1000,
        json: values.json === true,
    };
}
