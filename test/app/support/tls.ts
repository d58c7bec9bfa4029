/**
 * TLS for the app's tests: a server certificate made by the very shell function user data runs on
 * EC2 (make_tls_certificate, through the fleet's makeServerCertificate), Debian's `openssl
 * s_client` as the client, and a deliberately permissive TLS server to prove a client really
 * offers what a test says it offers.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { makeServerCertificate } from "../../../e2e/fleet/system";
import { requireTool } from "../../support/tools";

export interface ServerCertificate {
    dir: string;
    certFile: string;
    keyFile: string;
    cert: Buffer;
    key: Buffer;
    remove(): void;
}

/** A fresh certificate for `name` and 127.0.0.1, as a server makes at boot. */
export function serverCertificate(ctx: Mocha.Context, name = "ip-127-0-0-1.ec2.internal"): ServerCertificate {
    requireTool(ctx, "openssl", "apt-get install openssl");
    requireTool(ctx, "bash", "apt-get install bash");
    const dir = mkdtempSync(join(tmpdir(), "webfleet-tls-"));
    const files = makeServerCertificate(join(dir, "server"), name, "127.0.0.1");
    return {
        dir,
        ...files,
        cert: readFileSync(files.certFile),
        key: readFileSync(files.keyFile),
        remove: () => rmSync(dir, { recursive: true, force: true }),
    };
}

export interface ClientRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

/**
 * `openssl s_client -brief` to 127.0.0.1:`port` with `args`, sending `input` and then waiting
 * for the server to close (-ign_eof), so a request's whole answer is read. Asynchronous, so an
 * in-process server keeps serving meanwhile.
 */
export function sClient(port: number, args: string[], input = "", timeoutMs = 10_000): Promise<ClientRun> {
    return new Promise((resolve, reject) => {
        const child = spawn("openssl", ["s_client", "-brief", "-ign_eof", "-connect", `127.0.0.1:${port}`, ...args], {
            stdio: ["pipe", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
        child.stdin.end(input);
    });
}

/** A request line s_client sends; `Connection: close` makes the server end the session after answering. */
export function rawGet(path: string): string {
    return `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;
}

/**
 * A TLS server that accepts everything OpenSSL can still speak (TLS 1.0 up, security level 0),
 * as the control that shows a client's old-version offer is real: the same client that the app
 * refuses connects here.
 */
export async function permissiveTlsServer(cert: ServerCertificate): Promise<{ port: number; close(): Promise<void> }> {
    const server = tls.createServer(
        { cert: cert.cert, key: cert.key, minVersion: "TLSv1", ciphers: "ALL:@SECLEVEL=0" },
        (socket) => socket.end(),
    );
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

/** The s_client arguments that offer only TLS 1.1 (OpenSSL 3 needs security level 0 for it). */
export const OFFER_TLS11 = ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"];
/** TLS 1.2 with a CBC/SHA-1 suite only: no forward-secret AEAD cipher on offer. */
export const OFFER_TLS12_CBC = ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"];
