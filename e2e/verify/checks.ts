/**
 * The acceptance checks, run in order against one deployment. Each ends in one CheckResult
 * whose summary names what was seen; none throws (a network error is that check's failure).
 */
import { randomBytes } from "node:crypto";
import { Client, describeError, inspectCertificate, probeTls, type Answer } from "./client";
import {
    TLS_LABEL,
    describeAnswer,
    expectedRedirect,
    homeProblems,
    parseHomeHtml,
    parseHomeJson,
    redirectProblem,
    securityHeaderProblems,
    tlsProblems,
    type TlsProbe,
} from "./expectations";
import { countBy, summarizeLatency, type CheckName, type CheckResult, type VerifyReport } from "./report";
import { errorPages } from "../../app/static/pages";

export interface VerifyRun {
    url: URL;
    /** PEM to trust instead of Node's built-in CAs, already read (--ca). */
    ca?: Buffer;
    insecure: boolean;
    requests: number;
    expectAzs: number;
    httpPort: number;
    timeoutMs: number;
    waitMs: number;
    /** Progress lines (stderr in the CLI), never the report. */
    progress?: (line: string) => void;
}

interface Sampled {
    instanceId: string;
    availabilityZone: string;
    ms: number;
}

const pass = (name: CheckName, summary: string): CheckResult => ({ name, status: "pass", summary });
const fail = (name: CheckName, summary: string): CheckResult => ({ name, status: "fail", summary });

function contentType(a: Answer): string {
    return (a.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
}

export async function runVerify(run: VerifyRun): Promise<VerifyReport> {
    const host = run.url.hostname.replace(/^\[|\]$/g, "");
    const httpsPort = Number(run.url.port || 443);
    const at = (path: string) => new URL(path, run.url);
    const checks: CheckResult[] = [];
    const certificate = await checkCertificate(run, host, httpsPort);
    checks.push(certificate);
    // A certificate problem is reported once, by its own check; the rest then look past it,
    // so the report still says whether everything else works.
    const verified = !run.insecure && certificate.status === "pass";
    const client = new Client({ ca: run.ca, rejectUnauthorized: verified, timeoutMs: run.timeoutMs });
    const sample: Sampled[] = [];
    try {
        if (run.waitMs > 0) {
            await waitForHealthz(client, at("/healthz"), run);
        }
        checks.push(await checkTls(host, httpsPort, run.timeoutMs));
        checks.push(await checkRedirect(client, run));
        checks.push(await guarded("healthz", () => checkHealthz(client, at("/healthz"))));
        checks.push(await guarded("home-html", () => checkHome(client, at("/"), "html")));
        checks.push(await guarded("home-json", () => checkHome(client, at("/"), "json")));
        checks.push(await guarded("not-found", () => checkNotFound(client, run.url)));
        checks.push(await checkSpread(client, at("/"), run, sample));
        checks.push(checkSecurityHeaders(client.httpsAnswers, sample));
    } finally {
        client.close();
    }
    const perInstance: VerifyReport["perInstance"] = {};
    for (const s of sample) {
        perInstance[s.instanceId] ??= { availabilityZone: s.availabilityZone, count: 0 };
        perInstance[s.instanceId].count += 1;
    }
    return {
        url: run.url.origin,
        ok: checks.every((c) => c.status !== "fail"),
        insecure: run.insecure,
        expectAzs: run.expectAzs,
        requests: run.requests,
        checks,
        latencyMs: summarizeLatency(sample.map((s) => s.ms)),
        perAz: countBy(sample, (s) => s.availabilityZone),
        perInstance: Object.fromEntries(Object.entries(perInstance).sort(([a], [b]) => a.localeCompare(b))),
    };
}

async function guarded(name: CheckName, check: () => Promise<CheckResult>): Promise<CheckResult> {
    try {
        return await check();
    } catch (err) {
        return fail(name, describeError(err));
    }
}

async function waitForHealthz(client: Client, url: URL, run: VerifyRun): Promise<void> {
    run.progress?.(`waiting up to ${run.waitMs / 1000} s for ${url.href} to answer 200`);
    const deadline = Date.now() + run.waitMs;
    while (Date.now() < deadline) {
        const status = await client.get(url, "text/plain").then(
            (a) => a.status,
            () => 0,
        );
        if (status === 200) {
            client.httpsAnswers.length = 0;
            return;
        }
        await new Promise((r) => setTimeout(r, 2000));
    }
    client.httpsAnswers.length = 0;
    run.progress?.(`${url.href} did not answer 200 in time; checking anyway`);
}

async function checkCertificate(run: VerifyRun, host: string, port: number): Promise<CheckResult> {
    let cert;
    try {
        cert = await inspectCertificate(host, port, run.ca, run.timeoutMs);
    } catch (err) {
        return fail("certificate", `no TLS handshake with ${host}:${port}: ${describeError(err)}`);
    }
    const days = Math.floor((cert.validTo.getTime() - Date.now()) / 86_400_000);
    const facts = `subject ${cert.subject || "(none)"}; ${cert.altNames || "no subject alternative names"}; expires in ${days} days`;
    if (run.insecure) {
        return { name: "certificate", status: "skip", summary: `not verified (--insecure): ${facts}` };
    }
    if (!cert.trusted) {
        const hint = run.ca ? "" : " (pass --ca FILE to trust a private CA, or --insecure for a self-signed one)";
        return fail("certificate", `not trusted: ${cert.trustError ?? "unknown reason"}${hint}; ${facts}`);
    }
    if (cert.nameError) {
        return fail("certificate", `does not name ${host}: ${cert.nameError}`);
    }
    if (days < 0) {
        return fail("certificate", `expired: ${facts}`);
    }
    return pass("certificate", `trusted${run.ca ? " (--ca)" : ""} and names ${host}; ${facts}`);
}

async function checkTls(host: string, port: number, timeoutMs: number): Promise<CheckResult> {
    const versions: TlsProbe["version"][] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
    const probes: TlsProbe[] = [];
    for (const v of versions) {
        probes.push(await probeTls(host, port, v, timeoutMs));
    }
    const seen = probes
        .map((p) => `${TLS_LABEL[p.version]} ${p.outcome}${p.outcome === "accepted" ? "" : ` (${p.reason})`}`)
        .join("; ");
    const problems = tlsProblems(probes);
    return problems.length ? fail("tls-versions", `${problems.join("; ")}. Seen: ${seen}`) : pass("tls-versions", seen);
}

async function checkRedirect(client: Client, run: VerifyRun): Promise<CheckResult> {
    const nonce = randomBytes(4).toString("hex");
    const seen: string[] = [];
    for (const probe of ["/", `/verify/redirect-probe?nonce=${nonce}&q=a%20b`]) {
        const plain = new URL(probe, run.url);
        plain.protocol = "http:";
        plain.port = run.httpPort === 80 ? "" : String(run.httpPort);
        const expected = expectedRedirect(run.url, probe);
        let answer: Answer;
        try {
            answer = await client.getPlain(plain);
        } catch (err) {
            return fail("redirect", `${plain.href}: ${describeError(err)}; expected 301 to ${expected}`);
        }
        const location = answer.headers.location;
        const problem = redirectProblem(answer.status, location, expected);
        if (problem) {
            return fail("redirect", `${plain.href} ${problem}`);
        }
        seen.push(`${plain.href} → 301 ${location}`);
    }
    return pass("redirect", seen.join("; "));
}

async function checkHealthz(client: Client, url: URL): Promise<CheckResult> {
    const a = await client.get(url, "text/plain");
    if (a.status !== 200 || a.body.trim() !== "ok") {
        return fail("healthz", `answered ${describeAnswer(a.status, contentType(a), a.body)}; expected 200 "ok"`);
    }
    return pass("healthz", "200 ok");
}

async function checkHome(client: Client, url: URL, form: "html" | "json"): Promise<CheckResult> {
    const name = form === "html" ? "home-html" : "home-json";
    const wantType = form === "html" ? "text/html" : "application/json";
    const a = await client.get(url, form === "html" ? "text/html" : "application/json");
    if (a.status !== 200 || contentType(a) !== wantType) {
        return fail(name, `answered ${describeAnswer(a.status, contentType(a), a.body)}; expected 200 ${wantType}`);
    }
    const view = form === "html" ? parseHomeHtml(a.body) : parseHomeJson(a.body);
    if (!view) {
        return fail(
            name,
            `200 ${wantType}, but not the home page (${describeAnswer(a.status, contentType(a), a.body)})`,
        );
    }
    const problems = homeProblems(view);
    if (problems.length) {
        return fail(name, problems.join("; "));
    }
    const own = view.rows.find((r) => r.instanceId === view.instanceId)!;
    return pass(
        name,
        `instance ${view.instanceId} in ${view.availabilityZone}; ${view.rows.length} instance(s) in the database's visit counts (this one: ${own.count})`,
    );
}

async function checkNotFound(client: Client, site: URL): Promise<CheckResult> {
    const url = new URL(`/verify-missing-${randomBytes(4).toString("hex")}`, site);
    const html = await client.get(url, "text/html");
    if (html.status !== 404 || html.body !== errorPages[404]) {
        return fail(
            "not-found",
            `${url.pathname} answered ${describeAnswer(html.status, contentType(html), html.body)}; expected 404 with the app's 404 page`,
        );
    }
    const json = await client.get(url, "application/json");
    const expected = JSON.stringify({ status: 404, error: "Not Found" });
    if (json.status !== 404 || contentType(json) !== "application/json" || json.body !== expected) {
        return fail(
            "not-found",
            `${url.pathname} as JSON answered ${describeAnswer(json.status, contentType(json), json.body)}; expected 404 ${expected}`,
        );
    }
    return pass("not-found", `${url.pathname}: 404 with the app's page (HTML) and ${expected} (JSON)`);
}

async function checkSpread(client: Client, url: URL, run: VerifyRun, sample: Sampled[]): Promise<CheckResult> {
    const errors: string[] = [];
    for (let i = 0; i < run.requests; i++) {
        try {
            const a = await client.get(url, "application/json");
            const view = a.status === 200 ? parseHomeJson(a.body) : undefined;
            if (view) {
                sample.push({ instanceId: view.instanceId, availabilityZone: view.availabilityZone, ms: a.ms });
            } else {
                errors.push(describeAnswer(a.status, contentType(a), a.body));
            }
        } catch (err) {
            errors.push(describeError(err));
        }
    }
    const perAz = countBy(sample, (s) => s.availabilityZone);
    const azs = Object.keys(perAz);
    const spread = azs.map((az) => `${az} ×${perAz[az]}`).join(", ") || "none";
    const instances = new Set(sample.map((s) => s.instanceId)).size;
    const seen = `${sample.length} of ${run.requests} answers from ${azs.length} AZ(s) (${spread}), ${instances} instance(s)`;
    if (errors.length) {
        const kinds = countBy(errors, (e) => e);
        const list = Object.entries(kinds)
            .map(([e, n]) => `${e} ×${n}`)
            .join(", ");
        return fail("az-spread", `${errors.length} of ${run.requests} requests failed (${list}); ${seen}`);
    }
    if (azs.length < run.expectAzs) {
        return fail("az-spread", `${seen}; expected at least ${run.expectAzs} AZs (--expect-azs)`);
    }
    return pass("az-spread", seen);
}

function checkSecurityHeaders(answers: Answer[], sample: Sampled[]): CheckResult {
    const bad = answers
        .map((a) => ({ a, problems: securityHeaderProblems(a.headers) }))
        .filter((x) => x.problems.length);
    if (bad.length === 0) {
        return answers.length
            ? pass("security-headers", `all present on every one of ${answers.length} HTTPS answers`)
            : fail("security-headers", "no HTTPS answer to check");
    }
    const missing = [...new Set(bad.flatMap((b) => b.problems))];
    // Which servers: the sampled JSON answers say who answered.
    const culprits = new Set<string>();
    for (const { a } of bad) {
        const view = a.status === 200 ? parseHomeJson(a.body) : undefined;
        if (view && sample.some((s) => s.instanceId === view.instanceId)) {
            culprits.add(`${view.instanceId} (${view.availabilityZone})`);
        }
    }
    const from = culprits.size ? `; from ${[...culprits].sort().join(", ")}` : "";
    return fail(
        "security-headers",
        `${bad.length} of ${answers.length} HTTPS answers lack ${missing.join(", ")}${from}`,
    );
}
