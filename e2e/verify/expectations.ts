/**
 * What a correct answer looks like, as pure functions over what was received: each returns the
 * problems it found (empty: fine), worded as "what was seen; what was expected".
 */
import type { IncomingHttpHeaders } from "node:http";
import { securityHeaders } from "../../app/http/headers";
import { errorPages, errorStatuses, type ErrorStatus } from "../../app/static/pages";

/** EC2's instance ID formats: i- and 8 (old) or 17 (current) hex digits. */
export const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** The headers every HTTPS answer must carry: exactly the ones the app sends (app/http/headers.ts). */
export const REQUIRED_SECURITY_HEADERS: readonly string[] = Object.keys(securityHeaders);

/** HSTS shorter than a year is not worth much (and preload lists refuse it). */
export const MIN_HSTS_SECONDS = 365 * 24 * 3600;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
    const v = headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(", ") : v;
}

/** The security headers an answer lacks or gets wrong, by name (empty: all present and sound). */
export function securityHeaderProblems(headers: IncomingHttpHeaders): string[] {
    const problems: string[] = [];
    for (const name of REQUIRED_SECURITY_HEADERS) {
        const value = header(headers, name)?.trim();
        if (!value) {
            problems.push(name);
        } else if (name === "Strict-Transport-Security") {
            const maxAge = /max-age=(\d+)/i.exec(value);
            if (!maxAge || Number(maxAge[1]) < MIN_HSTS_SECONDS) {
                problems.push(`${name} (max-age under a year: "${value}")`);
            }
        } else if (name === "X-Content-Type-Options" && value.toLowerCase() !== "nosniff") {
            problems.push(`${name} ("${value}", not nosniff)`);
        }
    }
    return problems;
}

/** Where http://host:port/<probe> must redirect: the same host, path and query on the HTTPS port. */
export function expectedRedirect(site: URL, probe: string): string {
    return new URL(probe, site).toString();
}

/**
 * The problem with an HTTP answer that should be a 301 to `expected`, if any. An explicit
 * default port (https://host:443/…, what an ALB sends) is the same place as none.
 */
export function redirectProblem(status: number, location: string | undefined, expected: string): string | undefined {
    if (status !== 301) {
        const what = status >= 200 && status < 300 ? " (served over plain HTTP)" : "";
        return `answered ${status}${what}${location ? ` to ${location}` : ""}; expected 301 to ${expected}`;
    }
    if (!location) {
        return `answered 301 without a Location header; expected ${expected}`;
    }
    let target: URL;
    try {
        target = new URL(location);
    } catch {
        return `redirected to "${location}", not an absolute URL; expected ${expected}`;
    }
    const want = new URL(expected);
    const same =
        target.protocol === want.protocol &&
        target.hostname === want.hostname &&
        target.port === want.port &&
        target.pathname === want.pathname &&
        target.search === want.search;
    return same ? undefined : `redirected to ${location}; expected ${expected} (same host, path and query)`;
}

/** One row of the visits table, as the page shows it. */
export interface VisitRow {
    instanceId: string;
    availabilityZone: string;
    count: number;
}

/** What the home page says, in either form. */
export interface HomeView {
    instanceId: string;
    availabilityZone: string;
    /** True when the server runs without instance metadata (off EC2, or IMDS unreachable). */
    localIdentity: boolean;
    rows: VisitRow[];
}

const decode = (s: string) =>
    s.replace(
        /&lt;|&gt;|&quot;|&#39;|&amp;/g,
        (e) => ({ "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" })[e] ?? "&",
    );

/** Reads the home page's HTML (app/http/render.ts); undefined when it is not that page. */
export function parseHomeHtml(html: string): HomeView | undefined {
    const id = /<dt>Instance<\/dt><dd><code>([^<]*)<\/code>([^<]*)<\/dd>/.exec(html);
    const az = /<dt>Availability zone<\/dt><dd><code>([^<]*)<\/code><\/dd>/.exec(html);
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html);
    if (!id || !az || !body) {
        return undefined;
    }
    const rows = [
        ...body[1].matchAll(
            /<tr[^>]*><td><code>([^<]*)<\/code>[^<]*<\/td><td>([^<]*)<\/td><td class="n">(\d+)<\/td><\/tr>/g,
        ),
    ].map((m) => ({ instanceId: decode(m[1]), availabilityZone: decode(m[2]), count: Number(m[3]) }));
    return {
        instanceId: decode(id[1]),
        availabilityZone: decode(az[1]),
        localIdentity: id[2].includes("not on EC2"),
        rows,
    };
}

/** Reads the home page's JSON; undefined when it is not that document. */
export function parseHomeJson(text: string): HomeView | undefined {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch {
        return undefined;
    }
    const d = doc as {
        instance?: { id?: unknown; availabilityZone?: unknown; source?: unknown };
        visits?: unknown;
    };
    if (typeof d?.instance?.id !== "string" || typeof d.instance.availabilityZone !== "string") {
        return undefined;
    }
    if (!Array.isArray(d.visits)) {
        return undefined;
    }
    const rows = (d.visits as Record<string, unknown>[])
        .filter((v) => typeof v?.instanceId === "string" && typeof v.count === "number")
        .map((v) => ({
            instanceId: v.instanceId as string,
            availabilityZone: String(v.availabilityZone),
            count: v.count as number,
        }));
    return {
        instanceId: d.instance.id,
        availabilityZone: d.instance.availabilityZone,
        localIdentity: d.instance.source !== "imds",
        rows,
    };
}

/**
 * The problems with a home page that parsed: an EC2 instance ID from instance metadata, an AZ,
 * and the database's visit counts including this server's own (which its visit just raised).
 */
export function homeProblems(view: HomeView): string[] {
    const problems: string[] = [];
    if (view.localIdentity) {
        problems.push(`the server runs with a local identity (${view.instanceId}): instance metadata was unreachable`);
    } else if (!INSTANCE_ID.test(view.instanceId)) {
        problems.push(`instance ID "${view.instanceId}" is not an EC2 instance ID (i-…)`);
    }
    if (!view.availabilityZone.trim()) {
        problems.push("no availability zone");
    }
    const own = view.rows.find((r) => r.instanceId === view.instanceId);
    if (view.rows.length === 0) {
        problems.push("no visit counts from the database");
    } else if (!own || own.count < 1) {
        problems.push(`the database's visit counts have no row for ${view.instanceId}`);
    }
    return problems;
}

/** "the app's 503 page" when the body is one of the app's own error pages, exactly. */
export function whichErrorPage(body: string): ErrorStatus | undefined {
    return errorStatuses.find((s) => errorPages[s] === body);
}

/** A short, readable account of an answer for a failure message. */
export function describeAnswer(status: number, contentType: string | undefined, body: string): string {
    const page = whichErrorPage(body);
    const title = /<title>([^<]{0,80})<\/title>/i.exec(body)?.[1]?.trim();
    const type = (contentType ?? "no content type").split(";")[0];
    const what =
        page !== undefined
            ? ` (the app's own ${page} page)`
            : title
              ? ` ("${title}")`
              : body.trim()
                ? ` (${JSON.stringify(body.trim().slice(0, 80))})`
                : " (empty body)";
    return `${status} ${type}${what}`;
}

/** Outcome of one handshake restricted to a single protocol version. */
export interface TlsProbe {
    version: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
    outcome: "accepted" | "refused" | "untestable";
    /** The error code or reason, for refused and untestable. */
    reason?: string;
}

export const TLS_LABEL: Record<TlsProbe["version"], string> = {
    TLSv1: "TLS 1.0",
    "TLSv1.1": "TLS 1.1",
    "TLSv1.2": "TLS 1.2",
    "TLSv1.3": "TLS 1.3",
};

/** TLS 1.0 and 1.1 must be refused, and 1.2 or 1.3 accepted (an ALB's TLS13-1-3 policy offers only 1.3). */
export function tlsProblems(probes: TlsProbe[]): string[] {
    const problems: string[] = [];
    for (const p of probes) {
        const old = p.version === "TLSv1" || p.version === "TLSv1.1";
        if (old && p.outcome === "accepted") {
            problems.push(`${TLS_LABEL[p.version]} accepted; it must be refused`);
        } else if (old && p.outcome === "untestable") {
            problems.push(`${TLS_LABEL[p.version]} could not be tried from here (${p.reason ?? "no reason"})`);
        }
    }
    if (!probes.some((p) => (p.version === "TLSv1.2" || p.version === "TLSv1.3") && p.outcome === "accepted")) {
        problems.push("neither TLS 1.2 nor TLS 1.3 accepted");
    }
    return problems;
}
