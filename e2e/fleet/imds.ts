import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the EC2 instance metadata service, enforcing IMDSv2 as EC2 does when the
 * launch template requires tokens (the stack's does): a session token from
 * `PUT /latest/api/token` with a TTL header, then every GET must carry an unexpired token or it
 * gets 401. One runs per fleet server, so each server reads its own identity through the same
 * code path it uses on EC2 (AWS_EC2_METADATA_SERVICE_ENDPOINT points at it). The app's tests use
 * it too (test/app/support/imds.ts).
 */
export interface Imds {
    url: string;
    /** "PUT /latest/api/token 200", "GET /latest/meta-data/instance-id 200", ... in order. */
    calls: string[];
    close(): Promise<void>;
}

export interface ImdsOptions {
    instanceId: string;
    availabilityZone: string;
    /** Answer the first N requests with 500 (to exercise the app's retries). */
    failFirst?: number;
    /** local-ipv4 (default 127.0.0.1), which user data puts in the server's certificate. */
    localIpv4?: string;
    /** local-hostname (default: EC2's resource name, `<instance id>.<region>.compute.internal`). */
    localHostname?: string;
}

/** EC2's resource-based private DNS name of an instance. */
export function resourceHostname(instanceId: string, availabilityZone: string): string {
    return `${instanceId}.${regionOf(availabilityZone)}.compute.internal`;
}

/** The most a token may live, as on EC2 (6 hours). */
export const MAX_TOKEN_TTL_SECONDS = 21600;

/** The region an AZ name belongs to: "us-east-1a" → "us-east-1", as EC2's placement/region says. */
export function regionOf(availabilityZone: string): string {
    return availabilityZone.replace(/[a-z]$/, "");
}

export async function startImds(options: ImdsOptions): Promise<Imds> {
    const tokens = new Map<string, number>();
    const calls: string[] = [];
    let failures = options.failFirst ?? 0;
    const metadata: Record<string, string> = {
        "/latest/meta-data/instance-id": options.instanceId,
        "/latest/meta-data/placement/availability-zone": options.availabilityZone,
        "/latest/meta-data/placement/region": regionOf(options.availabilityZone),
        "/latest/meta-data/local-ipv4": options.localIpv4 ?? "127.0.0.1",
        "/latest/meta-data/local-hostname":
            options.localHostname ?? resourceHostname(options.instanceId, options.availabilityZone),
    };
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const answer = (status: number, body: string): void => {
            calls.push(`${req.method} ${req.url} ${status}`);
            res.writeHead(status, { "Content-Type": "text/plain" }).end(body);
        };
        if (failures > 0) {
            failures -= 1;
            return answer(500, "internal error");
        }
        if (req.method === "PUT" && req.url === "/latest/api/token") {
            // EC2 refuses token requests that went through a proxy, so a forwarded request
            // cannot mint a token for someone outside the instance.
            if (req.headers["x-forwarded-for"] !== undefined) {
                return answer(403, "forbidden");
            }
            const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
            if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) {
                return answer(400, "missing or invalid TTL header");
            }
            const token = randomBytes(24).toString("base64");
            tokens.set(token, Date.now() + ttl * 1000);
            return answer(200, token);
        }
        if (req.method !== "GET") {
            return answer(405, "");
        }
        const token = req.headers["x-aws-ec2-metadata-token"];
        const expires = typeof token === "string" ? tokens.get(token) : undefined;
        if (expires === undefined || expires < Date.now()) {
            return answer(401, "");
        }
        const value = metadata[req.url ?? ""];
        return value === undefined ? answer(404, "") : answer(200, value);
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        calls,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/** An instance ID in EC2's current format (i- and 17 hex digits), unique per call. */
export function newInstanceId(): string {
    return `i-0${randomBytes(8).toString("hex")}`;
}
