import { hostname } from "node:os";
import { ConfigError } from "./envVars";
import { errorFields, type Logger, silentLogger } from "./log";

/** Which server answered: shown on every page so a user can see the load balancer at work. */
export interface Identity {
    instanceId: string;
    availabilityZone: string;
    /** `imds` on EC2; `local` when the instance metadata service could not be reached. */
    source: "imds" | "local";
}

export interface IdentityOptions {
    env?: NodeJS.ProcessEnv;
    log?: Logger;
    /** Attempts before falling back to the local identity (default 3). */
    attempts?: number;
    /** Per-call timeout (default 1000 ms, as the AWS SDKs use for IMDS). */
    timeoutMs?: number;
    /** First retry delay, doubled per attempt (default 200 ms). */
    backoffMs?: number;
    hostname?: string;
}

/** The standard endpoint; AWS_EC2_METADATA_SERVICE_ENDPOINT overrides it, as in the AWS SDKs. */
export const defaultImdsEndpoint = "http://169.254.169.254";
const tokenTtlSeconds = 21600;
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Reads and validates the IMDS endpoint; a bad value is a configuration error, not a fallback. */
export function imdsEndpoint(env: NodeJS.ProcessEnv): string {
    const raw = env.AWS_EC2_METADATA_SERVICE_ENDPOINT?.trim();
    if (!raw) {
        return defaultImdsEndpoint;
    }
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new ConfigError(
            `AWS_EC2_METADATA_SERVICE_ENDPOINT: "${raw}" is not a URL; set it to e.g. http://169.254.169.254 or unset it`,
        );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new ConfigError(`AWS_EC2_METADATA_SERVICE_ENDPOINT: "${raw}" must be an http:// or https:// URL`);
    }
    return url.origin;
}

/** The identity used off EC2: clearly marked, and distinct per machine so counts stay readable. */
export function localIdentity(host: string = hostname()): Identity {
    const safeHost = host.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 57) || "host";
    return { instanceId: `local-${safeHost}`, availabilityZone: "local", source: "local" };
}

async function call(url: string, init: RequestInit, timeoutMs: number): Promise<string> {
    const res = await fetch(url, { ...init, redirect: "error", signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    if (!res.ok) {
        throw new Error(`${init.method ?? "GET"} ${new URL(url).pathname} answered HTTP ${res.status}`);
    }
    return body.trim();
}

async function fetchOnce(endpoint: string, timeoutMs: number): Promise<Identity> {
    // IMDSv2: a session token from a PUT, then every read carries it (the launch template
    // requires tokens, so a plain GET would get 401).
    const token = await call(
        `${endpoint}/latest/api/token`,
        { method: "PUT", headers: { "X-aws-ec2-metadata-token-ttl-seconds": String(tokenTtlSeconds) } },
        timeoutMs,
    );
    const headers = { "X-aws-ec2-metadata-token": token };
    const [instanceId, availabilityZone] = await Promise.all([
        call(`${endpoint}/latest/meta-data/instance-id`, { method: "GET", headers }, timeoutMs),
        call(`${endpoint}/latest/meta-data/placement/availability-zone`, { method: "GET", headers }, timeoutMs),
    ]);
    for (const [name, value] of [
        ["instance-id", instanceId],
        ["availability-zone", availabilityZone],
    ]) {
        if (!idPattern.test(value)) {
            throw new Error(`IMDS returned an unexpected ${name} (${JSON.stringify(value.slice(0, 80))})`);
        }
    }
    return { instanceId, availabilityZone, source: "imds" };
}

/**
 * Looks up the instance ID and availability zone once, at start, with retries. Off EC2 the
 * metadata service is unreachable and the app runs with `localIdentity()` instead of failing:
 * a local run must need no setup. AWS_EC2_METADATA_DISABLED=true skips the lookup, as in the SDKs.
 */
export async function resolveIdentity(options: IdentityOptions = {}): Promise<Identity> {
    const env = options.env ?? process.env;
    const log = options.log ?? silentLogger;
    const fallback = localIdentity(options.hostname);
    if (env.AWS_EC2_METADATA_DISABLED?.trim().toLowerCase() === "true") {
        log.info("identity", {
            source: "local",
            reason: "AWS_EC2_METADATA_DISABLED=true",
            instanceId: fallback.instanceId,
        });
        return fallback;
    }
    const endpoint = imdsEndpoint(env);
    const attempts = Math.max(1, options.attempts ?? 3);
    const timeoutMs = options.timeoutMs ?? 1000;
    let delay = options.backoffMs ?? 200;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
            const identity = await fetchOnce(endpoint, timeoutMs);
            log.info("identity", {
                source: "imds",
                instanceId: identity.instanceId,
                availabilityZone: identity.availabilityZone,
            });
            return identity;
        } catch (err) {
            lastError = err;
            if (attempt < attempts) {
                await new Promise((resolve) => setTimeout(resolve, delay));
                delay *= 2;
            }
        }
    }
    log.warn("identity: instance metadata unavailable, running with a local identity", {
        instanceId: fallback.instanceId,
        endpoint,
        attempts,
        ...errorFields(lastError),
    });
    return fallback;
}
