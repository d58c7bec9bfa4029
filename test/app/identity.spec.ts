import { expect } from "chai";
import { createServer } from "node:net";
import { ConfigError } from "../../app/envVars";
import { imdsEndpoint, localIdentity, resolveIdentity } from "../../app/identity";
import { createLogger, type LogFields } from "../../app/log";
import { fakeInstanceId, startFakeImds } from "./support/imds";
import { httpRequest } from "./support/http";

/** A port with nothing listening, so connections are refused (like IMDS off EC2, only faster). */
async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

describe("app identity (IMDSv2)", () => {
    it("reads the instance ID and AZ with a session token", async () => {
        const instanceId = fakeInstanceId();
        const imds = await startFakeImds({ instanceId, availabilityZone: "eu-west-1b" });
        try {
            const identity = await resolveIdentity({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url } });
            expect(identity).to.deep.equal({ instanceId, availabilityZone: "eu-west-1b", source: "imds" });
            expect(imds.calls[0]).to.equal("PUT /latest/api/token 200");
            expect(imds.calls.slice(1).sort()).to.deep.equal([
                "GET /latest/meta-data/instance-id 200",
                "GET /latest/meta-data/placement/availability-zone 200",
            ]);
        } finally {
            await imds.close();
        }
    });

    it("fake IMDS refuses a GET without the token, as EC2 does with IMDSv2 required", async () => {
        const imds = await startFakeImds({ instanceId: fakeInstanceId(), availabilityZone: "eu-west-1a" });
        try {
            const reply = await httpRequest(`${imds.url}/latest/meta-data/instance-id`);
            expect(reply.status).to.equal(401);
        } finally {
            await imds.close();
        }
    });

    it("retries transient IMDS errors", async () => {
        const instanceId = fakeInstanceId();
        const imds = await startFakeImds({ instanceId, availabilityZone: "us-east-1c", failFirst: 2 });
        try {
            const identity = await resolveIdentity({
                env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url },
                attempts: 3,
                backoffMs: 10,
            });
            expect(identity.instanceId).to.equal(instanceId);
            expect(imds.calls.filter((c) => c.endsWith(" 500"))).to.have.length(2);
        } finally {
            await imds.close();
        }
    });

    it("falls back to a clear local identity when IMDS is unreachable, and says why", async () => {
        const port = await closedPort();
        const logged: LogFields[] = [];
        const identity = await resolveIdentity({
            env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}` },
            attempts: 2,
            backoffMs: 10,
            hostname: "dev box",
            log: createLogger((line) => logged.push(JSON.parse(line) as LogFields)),
        });
        expect(identity).to.deep.equal({ instanceId: "local-dev-box", availabilityZone: "local", source: "local" });
        expect(logged).to.have.length(1);
        expect(logged[0]).to.include({ level: "warn", errorCode: "ECONNREFUSED", attempts: 2 });
    });

    it("falls back when IMDS answers something that is not an instance ID", async () => {
        const imds = await startFakeImds({ instanceId: "<script>alert(1)</script>", availabilityZone: "eu-west-1a" });
        try {
            const identity = await resolveIdentity({
                env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url },
                attempts: 1,
            });
            expect(identity.source).to.equal("local");
        } finally {
            await imds.close();
        }
    });

    it("skips the lookup when AWS_EC2_METADATA_DISABLED=true", async () => {
        const imds = await startFakeImds({ instanceId: fakeInstanceId(), availabilityZone: "eu-west-1a" });
        try {
            const identity = await resolveIdentity({
                env: { AWS_EC2_METADATA_DISABLED: "true", AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url },
                hostname: "h",
            });
            expect(identity).to.deep.equal(localIdentity("h"));
            expect(imds.calls).to.deep.equal([]);
        } finally {
            await imds.close();
        }
    });

    it("rejects a malformed endpoint, naming the variable", () => {
        expect(() => imdsEndpoint({ AWS_EC2_METADATA_SERVICE_ENDPOINT: "not a url" })).to.throw(
            ConfigError,
            /AWS_EC2_METADATA_SERVICE_ENDPOINT: "not a url" is not a URL/,
        );
        expect(() => imdsEndpoint({ AWS_EC2_METADATA_SERVICE_ENDPOINT: "ftp://x" })).to.throw(ConfigError, /http:\/\//);
        expect(imdsEndpoint({})).to.equal("http://169.254.169.254");
        expect(imdsEndpoint({ AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://[fd00:ec2::254]/" })).to.equal(
            "http://[fd00:ec2::254]",
        );
    });
});
