/** The network side of verify: HTTP(S) requests with timings, single-version TLS handshakes, the certificate. */
import * as http from "node:http";
import * as https from "node:https";
import type { PeerCertificate } from "node:tls";
import * as tls from "node:tls";
import type { TlsProbe } from "./expectations";

export interface Answer {
    url: string;
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
    /** From sending the request to the end of the body. */
    ms: number;
}

export interface ClientOptions {
    /** PEM CA certificates to trust instead of the system's. */
    ca?: Buffer;
    rejectUnauthorized: boolean;
    timeoutMs: number;
}

/** No page of the app comes near this; a larger body is cut off rather than buffered. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const USER_AGENT = "webfleet-verify";

/** "ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:80)" from any network or TLS error. */
export function describeError(err: unknown): string {
    const e = err as NodeJS.ErrnoException;
    const message = e?.message ?? String(err);
    return e?.code && !message.includes(e.code) ? `${e.code} (${message})` : message;
}

/**
 * Requests over HTTPS share one kept-alive connection pool, as a browser's would; a load balancer
 * still spreads the requests (an ALB and HAProxy balance each request, not each connection).
 * Every HTTPS answer is kept, for the checks that look at all of them (security headers).
 */
export class Client {
    readonly httpsAnswers: Answer[] = [];
    private readonly agent: https.Agent;

    constructor(private readonly options: ClientOptions) {
        this.agent = new https.Agent({
            keepAlive: true,
            maxSockets: 2,
            ca: options.ca,
            rejectUnauthorized: options.rejectUnauthorized,
        });
    }

    /** GET over HTTPS through the shared pool. */
    async get(url: URL, accept = "text/html"): Promise<Answer> {
        const answer = await request(https, url, {
            agent: this.agent,
            headers: { Accept: accept, "User-Agent": USER_AGENT },
            timeoutMs: this.options.timeoutMs,
        });
        this.httpsAnswers.push(answer);
        return answer;
    }

    /** GET over plain HTTP on a fresh connection, redirects not followed. */
    getPlain(url: URL): Promise<Answer> {
        return request(http, url, {
            agent: false,
            headers: { Accept: "text/html", "User-Agent": USER_AGENT },
            timeoutMs: this.options.timeoutMs,
        });
    }

    close(): void {
        this.agent.destroy();
    }
}

function request(
    proto: typeof http | typeof https,
    url: URL,
    options: { agent: http.Agent | false; headers: Record<string, string>; timeoutMs: number },
): Promise<Answer> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const req = proto.request(url, { method: "GET", agent: options.agent, headers: options.headers }, (res) => {
            const chunks: Buffer[] = [];
            let bytes = 0;
            res.on("data", (c: Buffer) => {
                bytes += c.length;
                if (bytes <= MAX_BODY_BYTES) {
                    chunks.push(c);
                }
            });
            res.on("end", () =>
                resolve({
                    url: url.toString(),
                    status: res.statusCode ?? 0,
                    headers: res.headers,
                    body: Buffer.concat(chunks).toString("utf8"),
                    ms: Number(process.hrtime.bigint() - started) / 1e6,
                }),
            );
            res.on("error", reject);
        });
        req.setTimeout(options.timeoutMs, () =>
            req.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`)),
        );
        req.on("error", reject);
        req.end();
    });
}

/** The name to send in SNI: none for an IP address, as TLS forbids it. */
export function sniName(hostname: string): string | undefined {
    return /^[\d.]+$/.test(hostname) || hostname.includes(":") ? undefined : hostname;
}

/** Errors that mean this client could not even offer the version, so the server was never asked. */
const LOCAL_TLS_ERRORS = new Set([
    "ERR_SSL_NO_PROTOCOLS_AVAILABLE",
    "ERR_SSL_NO_CIPHERS_AVAILABLE",
    "ERR_TLS_INVALID_PROTOCOL_VERSION",
]);

/**
 * One handshake offering only `version`. For TLS 1.0 and 1.1 the client drops to OpenSSL
 * security level 0, or OpenSSL 3 would refuse to offer them itself and every server would look
 * compliant. Certificates are not checked here: that is the certificate check's job.
 */
export function probeTls(
    host: string,
    port: number,
    version: TlsProbe["version"],
    timeoutMs: number,
): Promise<TlsProbe> {
    const old = version === "TLSv1" || version === "TLSv1.1";
    return new Promise((resolve) => {
        let settled = false;
        const done = (p: TlsProbe, socket?: tls.TLSSocket) => {
            if (!settled) {
                settled = true;
                socket?.destroy();
                resolve(p);
            }
        };
        let socket: tls.TLSSocket;
        try {
            socket = tls.connect({
                host,
                port,
                servername: sniName(host),
                minVersion: version,
                maxVersion: version,
                ciphers: old ? "DEFAULT@SECLEVEL=0" : undefined,
                rejectUnauthorized: false,
            });
        } catch (err) {
            return done({ version, outcome: "untestable", reason: describeError(err) });
        }
        socket.setTimeout(timeoutMs, () => done({ version, outcome: "refused", reason: "timed out" }, socket));
        socket.once("secureConnect", () => {
            const negotiated = socket.getProtocol();
            done(
                negotiated === version
                    ? { version, outcome: "accepted" }
                    : { version, outcome: "refused", reason: `negotiated ${negotiated ?? "nothing"}` },
                socket,
            );
        });
        socket.once("error", (err: NodeJS.ErrnoException) => {
            const local = LOCAL_TLS_ERRORS.has(err.code ?? "");
            done({ version, outcome: local ? "untestable" : "refused", reason: err.code ?? err.message }, socket);
        });
    });
}

export interface CertificateView {
    /** Whether the chain leads to a trusted CA (--ca, or the system's). */
    trusted: boolean;
    trustError?: string;
    /** Why the certificate does not name the host, if it does not. */
    nameError?: string;
    subject: string;
    issuer: string;
    altNames: string;
    validTo: Date;
}

/** The server's certificate, judged against the trust store and the host name. */
export function inspectCertificate(
    host: string,
    port: number,
    ca: Buffer | undefined,
    timeoutMs: number,
): Promise<CertificateView> {
    return new Promise((resolve, reject) => {
        const socket = tls.connect({ host, port, servername: sniName(host), ca, rejectUnauthorized: false });
        socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs / 1000} s`)));
        socket.once("error", reject);
        socket.once("secureConnect", () => {
            const cert: PeerCertificate = socket.getPeerCertificate();
            const nameError = tls.checkServerIdentity(host, cert)?.message;
            const name = (o: Record<string, string | string[]> | undefined) =>
                o
                    ? Object.entries(o)
                          .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : v}`)
                          .join(", ")
                    : "";
            // Node folds the name check into `authorized`; here trust means the chain, the name is separate.
            const trustError = socket.authorizationError ? String(socket.authorizationError) : undefined;
            const chainOk = socket.authorized || trustError === "ERR_TLS_CERT_ALTNAME_INVALID";
            resolve({
                trusted: chainOk,
                trustError: chainOk ? undefined : trustError,
                nameError,
                subject: name(cert.subject as unknown as Record<string, string>),
                issuer: name(cert.issuer as unknown as Record<string, string>),
                altNames: cert.subjectaltname ?? "",
                validTo: new Date(cert.valid_to),
            });
            socket.destroy();
        });
    });
}
