/** Small facts about the machine the fleet needs: free ports, tools, users, the certificates. */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { renderMakeCertificateFunction } from "../../lib/userData/tls";

/** A port nothing listens on right now (the OS's choice), for a server that needs a fixed one. */
export function freePort(host = "127.0.0.1"): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, host, () => {
            const address = server.address();
            const port = typeof address === "object" && address ? address.port : 0;
            server.close(() => resolve(port));
        });
    });
}

/** True when this process can listen on `port` now (privileges, and nothing else there). */
export function canListen(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = createServer();
        server.once("error", () => resolve(false));
        server.listen(port, host, () => server.close(() => resolve(true)));
    });
}

/**
 * The HTTP port when none is given: 80, as on the ALB (so `verify` needs no --http-port), when
 * it can be had; 8080 otherwise (not root, or a web server already there).
 */
export async function defaultHttpPort(host: string): Promise<number> {
    return (await canListen(host, 80)) ? 80 : 8080;
}

/** The uid and gid of a local user, from /etc/passwd; undefined when there is no such user. */
export function userIds(name: string, passwd = "/etc/passwd"): { uid: number; gid: number } | undefined {
    let text: string;
    try {
        text = readFileSync(passwd, "utf8");
    } catch {
        return undefined;
    }
    for (const line of text.split("\n")) {
        const [user, , uid, gid] = line.split(":");
        if (user === name && /^\d+$/.test(uid ?? "") && /^\d+$/.test(gid ?? "")) {
            return { uid: Number(uid), gid: Number(gid) };
        }
    }
    return undefined;
}

export interface Certificate {
    certFile: string;
    keyFile: string;
    /** Certificate then key, as HAProxy's `crt` takes them. */
    bundleFile: string;
}

/**
 * A self-signed certificate for the names the fleet answers to (like the stack's default one
 * without a domain), made with openssl: P-256, 30 days, a server leaf (not a CA). The
 * certificate file doubles as the trust anchor for `verify --ca`.
 */
export function makeCertificate(dir: string, dnsNames: string[], ips: string[]): Certificate {
    const certFile = join(dir, "cert.pem");
    const keyFile = join(dir, "key.pem");
    const san = [...dnsNames.map((n) => `DNS:${n}`), ...ips.map((ip) => `IP:${ip}`)].join(",");
    runOpenssl(() =>
        execFileSync(
            "openssl",
            [
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                keyFile,
                "-out",
                certFile,
                "-days",
                "30",
                "-subj",
                `/CN=${dnsNames[0] ?? ips[0]}/O=webfleet local fleet`,
                "-addext",
                `subjectAltName=${san}`,
                "-addext",
                "basicConstraints=critical,CA:FALSE",
                "-addext",
                "keyUsage=critical,digitalSignature",
                "-addext",
                "extendedKeyUsage=serverAuth",
            ],
            { stdio: ["ignore", "ignore", "pipe"] },
        ),
    );
    const bundleFile = join(dir, "haproxy.pem");
    writeFileSync(bundleFile, readFileSync(certFile, "utf8") + readFileSync(keyFile, "utf8"), { mode: 0o600 });
    return { certFile, keyFile, bundleFile };
}

/**
 * A server's own certificate, made exactly as user data makes it on EC2: the same shell function
 * (make_tls_certificate in lib/userData/tls.ts) run by bash with openssl, for the server's host
 * name and address. The key is readable by this user only.
 */
export function makeServerCertificate(dir: string, name: string, ip: string): { certFile: string; keyFile: string } {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const certFile = join(dir, "server.crt");
    const keyFile = join(dir, "server.key");
    const script = `set -euo pipefail\nlog() { echo "$*" >&2; }\n${renderMakeCertificateFunction()}\nmake_tls_certificate "$@"\n`;
    runOpenssl(() =>
        execFileSync("bash", ["-c", script, "make_tls_certificate", keyFile, certFile, name, ip], {
            stdio: ["ignore", "ignore", "pipe"],
        }),
    );
    return { certFile, keyFile };
}

/** Runs an openssl invocation, turning its failure into a message that says what to install or what went wrong. */
function runOpenssl(run: () => void): void {
    try {
        run();
    } catch (err) {
        const e = err as NodeJS.ErrnoException & { stderr?: Buffer; status?: number };
        const stderr = e.stderr?.toString().trim() ?? "";
        throw new Error(
            e.code === "ENOENT" || e.status === 127 || /openssl: (command )?not found/.test(stderr)
                ? "openssl is not installed (Debian: apt-get install openssl)"
                : `openssl could not make the certificate: ${stderr || e.message}`,
            { cause: err },
        );
    }
}
