/**
 * verify's TLS probes and certificate check against real TLS servers (Node's, with openssl-made
 * certificates): the probe really offers TLS 1.0, and the certificate check really fails a
 * wrong name or an untrusted issuer.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { probeTls, sniName } from "../../e2e/verify/client";
import { runVerify } from "../../e2e/verify/checks";
import { makeCertificates, type TestCertificates } from "../support/postgres";

async function tlsServer(options: tls.TlsOptions): Promise<{ port: number; close(): Promise<void> }> {
    const server = tls.createServer(options, (socket) => socket.end());
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

describe("verify TLS probes and certificate (real TLS servers)", () => {
    let certs: TestCertificates;
    before(function () {
        certs = makeCertificates(this);
    });

    it("sees a server that accepts TLS 1.0 and 1.1, and one that refuses them", async () => {
        const old = await tlsServer({
            key: certs.key,
            cert: certs.cert,
            minVersion: "TLSv1",
            ciphers: "DEFAULT@SECLEVEL=0",
        });
        const modern = await tlsServer({ key: certs.key, cert: certs.cert, minVersion: "TLSv1.2" });
        try {
            for (const v of ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const) {
                expect(await probeTls("127.0.0.1", old.port, v, 5000), `old ${v}`).to.deep.equal({
                    version: v,
                    outcome: "accepted",
                });
            }
            for (const v of ["TLSv1", "TLSv1.1"] as const) {
                const p = await probeTls("127.0.0.1", modern.port, v, 5000);
                expect(p.outcome, `modern ${v}: ${p.reason}`).to.equal("refused");
            }
            expect(await probeTls("127.0.0.1", modern.port, "TLSv1.3", 5000)).to.deep.equal({
                version: "TLSv1.3",
                outcome: "accepted",
            });
        } finally {
            await old.close();
            await modern.close();
        }
    });

    it("counts a closed port as refused, not accepted", async () => {
        const server = await tlsServer({ key: certs.key, cert: certs.cert });
        await server.close();
        expect((await probeTls("127.0.0.1", server.port, "TLSv1", 2000)).outcome).to.equal("refused");
    });

    it("sends SNI for names only, never for IP addresses", () => {
        expect(sniName("www.example.com")).to.equal("www.example.com");
        expect(sniName("127.0.0.1")).to.equal(undefined);
        expect(sniName("::1")).to.equal(undefined);
    });

    describe("certificate check", () => {
        const check = async (cert: { key: string; cert: string }, over: { ca?: string; insecure?: boolean }) => {
            const server = await tlsServer({ key: cert.key, cert: cert.cert });
            try {
                const report = await runVerify({
                    url: new URL(`https://localhost:${server.port}`),
                    ca: over.ca ? readFileSync(over.ca) : undefined,
                    insecure: over.insecure ?? false,
                    requests: 1,
                    expectAzs: 1,
                    httpPort: 1,
                    timeoutMs: 2000,
                    waitMs: 0,
                });
                return report.checks.find((c) => c.name === "certificate")!;
            } finally {
                await server.close();
            }
        };

        it("passes a certificate for the host from the CA given with --ca", async () => {
            const c = await check(certs, { ca: certs.caFile });
            expect(c.status, c.summary).to.equal("pass");
            expect(c.summary).to.match(
                /^trusted \(--ca\) and names localhost; subject CN=localhost; DNS:localhost; expires in [01] days$/,
            );
        });

        it("fails a certificate for another name, and one from another CA, saying which", async () => {
            const wrongName = await check(certs.otherName, { ca: certs.caFile });
            expect(wrongName.status).to.equal("fail");
            expect(wrongName.summary).to.match(
                /^does not name localhost: Hostname\/IP does not match certificate's altnames/,
            );
            const untrusted = await check(certs, { ca: certs.otherCaFile });
            expect(untrusted.status).to.equal("fail");
            expect(untrusted.summary).to.match(/^not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
            const noCa = await check(certs, {});
            expect(noCa.summary).to.include(
                "(pass --ca FILE to trust a private CA, or --insecure for a self-signed one)",
            );
        });

        it("with --insecure, skips it and says so", async () => {
            const c = await check(certs.otherName, { insecure: true });
            expect(c.status).to.equal("skip");
            expect(c.summary).to.match(/^not verified \(--insecure\): subject CN=db\.elsewhere\.example/);
        });
    });
});
