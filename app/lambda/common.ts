/**
 * What the database functions (the migration function, the restore validator) share: reading the
 * RDS-managed master secret without ever quoting it, and loading the RDS CA bundle that TLS to the
 * database is verified against. Bundled into each function; nothing here runs in the program.
 */
import { errorFields } from "../log";

/** Where the CAs come from: downloaded over verified HTTPS (deployed), or a local file (tests). */
export type CaBundleSource = { url: string } | { path: string };

export interface CaBundleDeps {
    readFile: (path: string) => string;
    /** GETs a URL over verified HTTPS and returns the body. */
    fetchText: (url: string) => Promise<string>;
}

/**
 * The master secret's credentials. Errors never quote the secret: JSON.parse's own message
 * would echo the start of the text, which is the password if the JSON is malformed.
 */
export function parseMasterSecret(text: string): { username: string; password: string } {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new Error('the master secret is not JSON (value not shown); expected {"username": ..., "password": ...}');
    }
    const { username, password } = (parsed ?? {}) as { username?: unknown; password?: unknown };
    if (typeof username !== "string" || !username || typeof password !== "string" || !password) {
        throw new Error("the master secret has no username or password (value not shown)");
    }
    return { username, password };
}

/** GET over HTTPS with Node's own CA list, failing after 10 s. */
export async function fetchText(url: string): Promise<string> {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
    }
    return response.text();
}

/** Downloaded bundles, kept for the life of a warm execution environment. */
const caCache = new Map<string, Promise<string>>();

/**
 * The RDS CA bundle, from the regional trust store or a file. `purpose` ("the migration") ends
 * the error: without the CAs nothing connects, because TLS to the database is always verified.
 */
export async function loadCaBundle(source: CaBundleSource, deps: CaBundleDeps, purpose: string): Promise<string> {
    const where = "url" in source ? source.url : source.path;
    let ca: string;
    try {
        if ("url" in source) {
            let pending = caCache.get(source.url);
            if (!pending) {
                pending = deps.fetchText(source.url);
                caCache.set(source.url, pending);
                pending.catch(() => caCache.delete(source.url));
            }
            ca = await pending;
        } else {
            ca = deps.readFile(source.path);
        }
    } catch (err) {
        // errorFields keeps fetch's cause ("fetch failed: getaddrinfo ENOTFOUND …").
        throw new Error(
            `cannot load the RDS CA bundle from ${where} (${errorFields(err).error}); TLS to the database is always verified, so ${purpose} stops here`,
            { cause: err },
        );
    }
    if (!ca.includes("-----BEGIN CERTIFICATE-----")) {
        throw new Error(`the CA bundle from ${where} holds no PEM certificate`);
    }
    return ca;
}

/** Whether a CA source setting is acceptable: a file, or an https:// URL (problems in words otherwise). */
export function caBundleProblems(env: NodeJS.ProcessEnv): { source?: CaBundleSource; problems: string[] } {
    const caPath = env.DB_CA_BUNDLE?.trim();
    const caUrl = env.DB_CA_BUNDLE_URL?.trim();
    if (caPath) {
        return { source: { path: caPath }, problems: [] };
    }
    if (!caUrl) {
        return {
            problems: [
                "DB_CA_BUNDLE_URL is not set; set it to the regional RDS CA bundle (https://truststore.pki.rds.amazonaws.com/<region>/<region>-bundle.pem), or DB_CA_BUNDLE to a PEM file",
            ],
        };
    }
    if (!caUrl.startsWith("https://")) {
        return {
            problems: [
                `DB_CA_BUNDLE_URL: "${caUrl}" is not an https:// URL; the CAs that verify the database must come over verified TLS`,
            ],
        };
    }
    return { source: { url: caUrl }, problems: [] };
}
