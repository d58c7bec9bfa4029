/**
 * The app's own TLS, for the hop from the load balancer to the server. On EC2 the user data makes
 * a self-signed certificate at boot and points TLS_CERT_FILE and TLS_KEY_FILE at it; with neither
 * set (`npm run app`, the tests) the app serves plain HTTP, so local use needs no setup.
 */
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { ConfigError } from "./envVars";

/**
 * TLS 1.2 and 1.3 only. The ALB's backend connections use ELBSecurityPolicy-TLS13-1-0-2021-06
 * whenever the listener has a TLS 1.3 policy (ours always does), which offers TLS 1.3 and the
 * ECDHE ciphers below, so nothing the ALB needs is refused.
 */
export const TLS_MIN_VERSION = "TLSv1.2";

/**
 * The TLS 1.2 ciphers: forward secret (ECDHE) and AEAD only. TLS 1.3's suites are all of that
 * kind and are configured apart by Node, so this list does not touch them.
 */
export const TLS12_CIPHERS = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

/** Where the certificate (PEM, leaf first) and its private key (PEM) are. */
export interface TlsFiles {
    certFile: string;
    keyFile: string;
}

/** The PEM contents, read once at start. */
export interface TlsCredentials {
    cert: Buffer;
    key: Buffer;
}

/** TLS_CERT_FILE and TLS_KEY_FILE: both (TLS) or neither (plain HTTP); anything else is a problem. */
export function tlsFilesFromEnv(env: NodeJS.ProcessEnv, problems: string[]): TlsFiles | undefined {
    const certFile = env.TLS_CERT_FILE?.trim() || undefined;
    const keyFile = env.TLS_KEY_FILE?.trim() || undefined;
    if (certFile && keyFile) {
        return { certFile, keyFile };
    }
    if (certFile || keyFile) {
        const [set, missing] = certFile ? ["TLS_CERT_FILE", "TLS_KEY_FILE"] : ["TLS_KEY_FILE", "TLS_CERT_FILE"];
        problems.push(
            `${missing}: not set, but ${set} is; set both (the certificate and its private key) to serve TLS, or neither for plain HTTP`,
        );
    }
    return undefined;
}

/**
 * Reads both files and checks that they make a usable pair, so a bad certificate stops the app at
 * start (exit 2, the unit stays failed) instead of failing every handshake later. Messages name
 * the variable and the path, never the contents.
 */
export function readTlsCredentials(files: TlsFiles): TlsCredentials {
    const problems: string[] = [];
    const read = (name: "TLS_CERT_FILE" | "TLS_KEY_FILE", path: string): Buffer | undefined => {
        try {
            return readFileSync(path);
        } catch (err) {
            const code = (err as NodeJS.ErrnoException).code ?? "error";
            const why =
                code === "ENOENT"
                    ? "no such file"
                    : code === "EACCES"
                      ? "permission denied: it must be readable by the user the app runs as"
                      : code === "EISDIR"
                        ? "it is a directory"
                        : code;
            problems.push(`${name}: cannot read "${path}" (${why}); point it at the PEM file`);
            return undefined;
        }
    };
    const cert = read("TLS_CERT_FILE", files.certFile);
    const key = read("TLS_KEY_FILE", files.keyFile);
    if (cert && key) {
        if (!cert.includes("-----BEGIN CERTIFICATE-----")) {
            problems.push(`TLS_CERT_FILE: "${files.certFile}" holds no PEM certificate`);
        } else {
            try {
                createSecureContext({ cert, key, minVersion: TLS_MIN_VERSION, ciphers: TLS12_CIPHERS });
            } catch (err) {
                problems.push(
                    `TLS_KEY_FILE: "${files.keyFile}" is not the private key of the certificate in TLS_CERT_FILE "${files.certFile}" (${tlsReason(err)}); make the two together`,
                );
            }
        }
    }
    if (problems.length > 0) {
        throw new ConfigError(`Invalid TLS settings:\n  - ${problems.join("\n  - ")}`);
    }
    return { cert: cert!, key: key! };
}

/** OpenSSL's reason without the key material or the library's noise. */
function tlsReason(err: unknown): string {
    const e = err as { reason?: unknown; code?: unknown; message?: unknown };
    const reason = [e.reason, e.code, e.message].find((v): v is string => typeof v === "string" && v !== "");
    return reason ?? "unusable";
}
