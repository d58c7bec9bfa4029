import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake EC2 instance metadata service that enforces IMDSv2 like EC2 does when the launch
 * template requires tokens: a token from `PUT /latest/api/token` (with a TTL header), then
 * every GET must carry it, or it gets 401.
 */
export interface FakeImds {
    url: string;
    /** "PUT /latest/api/token", "GET /latest/meta-data/instance-id 200", ... in order. */
    calls: string[];
    close(): Promise<void>;
}

export interface FakeImdsOptions {
    instanceId: string;
    availabilityZone: string;
    /** Answer the first N requests with 500 (to exercise retries). */
    failFirst?: number;
}

export async function startFakeImds(options: FakeImdsOptions): Promise<FakeImds> {
    const tokens = new Set<string>();
    const calls: string[] = [];
    let failures = options.failFirst ?? 0;
    const server = createServer((req: IncomingMessage, res) => {
        const record = (status: number, body: string): void => {
            calls.push(`${req.method} ${req.url} ${status}`);
            res.writeHead(status, { "Content-Type": "text/plain" }).end(body);
        };
        if (failures > 0) {
            failures -= 1;
            return record(500, "internal error");
        }
        if (req.method === "PUT" && req.url === "/latest/api/token") {
            const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
            if (!(ttl >= 1 && ttl <= 21600)) {
                return record(400, "missing or invalid TTL header");
            }
            const token = randomBytes(16).toString("base64");
            tokens.add(token);
            return record(200, token);
        }
        if (req.method !== "GET") {
            return record(405, "");
        }
        const token = req.headers["x-aws-ec2-metadata-token"];
        if (typeof token !== "string" || !tokens.has(token)) {
            return record(401, "");
        }
        if (req.url === "/latest/meta-data/instance-id") {
            return record(200, options.instanceId);
        }
        if (req.url === "/latest/meta-data/placement/availability-zone") {
            return record(200, options.availabilityZone);
        }
        return record(404, "");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
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

/** An instance ID in EC2's format, unique per call so tests never share rows. */
export function fakeInstanceId(): string {
    return `i-${randomBytes(8).toString("hex").slice(0, 17)}`;
}
