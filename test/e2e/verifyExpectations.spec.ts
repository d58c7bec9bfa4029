/**
 * verify's judgement of what it received, against the app's own output (its renderers, headers
 * and error pages), so the suite and the app cannot drift apart unnoticed.
 */
import { expect } from "chai";
import { securityHeaders } from "../../app/http/headers";
import { renderHomeHtml, renderHomeJson, type HomeModel } from "../../app/http/render";
import { errorPages } from "../../app/static/pages";
import {
    describeAnswer,
    expectedRedirect,
    homeProblems,
    parseHomeHtml,
    parseHomeJson,
    redirectProblem,
    securityHeaderProblems,
    tlsProblems,
    whichErrorPage,
    type TlsProbe,
} from "../../e2e/verify/expectations";
import { countBy, percentile, renderText, summarizeLatency, type VerifyReport } from "../../e2e/verify/report";

const lower = (h: Record<string, string>) =>
    Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

function model(source: "imds" | "local" = "imds"): HomeModel {
    const at = new Date("2025-06-01T12:00:00Z");
    const own = { instanceId: "i-0123456789abcdef0", availabilityZone: "us-east-1a", count: 7, lastSeen: at };
    return {
        identity: { instanceId: own.instanceId, availabilityZone: own.availabilityZone, source },
        view: {
            own,
            others: [{ instanceId: "i-0fedcba9876543210", availabilityZone: "us-east-1b", count: 3, lastSeen: at }],
            dataAsOf: at,
        },
        maxStalenessMs: 2000,
        now: at,
    };
}

describe("verify expectations: the home page", () => {
    it("reads the app's rendered HTML and JSON: instance, AZ and the database's counts", () => {
        for (const view of [parseHomeHtml(renderHomeHtml(model())), parseHomeJson(renderHomeJson(model()))]) {
            expect(view).to.deep.equal({
                instanceId: "i-0123456789abcdef0",
                availabilityZone: "us-east-1a",
                localIdentity: false,
                rows: [
                    { instanceId: "i-0123456789abcdef0", availabilityZone: "us-east-1a", count: 7 },
                    { instanceId: "i-0fedcba9876543210", availabilityZone: "us-east-1b", count: 3 },
                ],
            });
            expect(homeProblems(view!)).to.deep.equal([]);
        }
    });

    it("fails a server without instance metadata, in either form", () => {
        for (const view of [
            parseHomeHtml(renderHomeHtml(model("local"))),
            parseHomeJson(renderHomeJson(model("local"))),
        ]) {
            expect(homeProblems(view!)).to.deep.equal([
                "the server runs with a local identity (i-0123456789abcdef0): instance metadata was unreachable",
            ]);
        }
    });

    it("fails an ID that is not EC2's, a missing AZ, and counts without this server", () => {
        expect(
            homeProblems({
                instanceId: "web-1",
                availabilityZone: " ",
                localIdentity: false,
                rows: [{ instanceId: "i-0fedcba9876543210", availabilityZone: "b", count: 1 }],
            }),
        ).to.deep.equal([
            'instance ID "web-1" is not an EC2 instance ID (i-…)',
            "no availability zone",
            "the database's visit counts have no row for web-1",
        ]);
        expect(
            homeProblems({ instanceId: "i-01234567", availabilityZone: "a", localIdentity: false, rows: [] }),
        ).to.deep.equal(["no visit counts from the database"]);
    });

    it("does not mistake an error page or other JSON for the home page", () => {
        expect(parseHomeHtml(errorPages[503])).to.equal(undefined);
        expect(parseHomeJson(JSON.stringify({ status: 503, error: "Service Unavailable" }))).to.equal(undefined);
        expect(parseHomeJson("<html>")).to.equal(undefined);
    });
});

describe("verify expectations: redirect, headers, answers", () => {
    const site = new URL("https://www.example.com");

    it("accepts a 301 to the same host, path and query over HTTPS, with or without :443", () => {
        const want = expectedRedirect(site, "/a/b?x=1&q=a%20b");
        expect(want).to.equal("https://www.example.com/a/b?x=1&q=a%20b");
        expect(redirectProblem(301, want, want)).to.equal(undefined);
        // What an ALB sends: https://#{host}:443/#{path}?#{query}.
        expect(redirectProblem(301, "https://www.example.com:443/a/b?x=1&q=a%20b", want)).to.equal(undefined);
        const local = expectedRedirect(new URL("https://127.0.0.1:8443"), "/");
        expect(redirectProblem(301, "https://127.0.0.1:8443/", local)).to.equal(undefined);
    });

    it("names what is wrong with any other answer", () => {
        const want = "https://www.example.com/p?q=1";
        expect(redirectProblem(200, undefined, want)).to.equal(
            `answered 200 (served over plain HTTP); expected 301 to ${want}`,
        );
        expect(redirectProblem(302, want, want)).to.equal(`answered 302 to ${want}; expected 301 to ${want}`);
        expect(redirectProblem(301, undefined, want)).to.equal(
            `answered 301 without a Location header; expected ${want}`,
        );
        expect(redirectProblem(301, "https://www.example.com/p", want)).to.include("(same host, path and query)");
        expect(redirectProblem(301, "http://www.example.com/p?q=1", want)).to.include("redirected to http://");
        expect(redirectProblem(301, "https://evil.example/p?q=1", want)).to.include("redirected to https://evil");
        expect(redirectProblem(301, "https://www.example.com:8443/p?q=1", want)).to.include("redirected to");
        expect(redirectProblem(301, "/p?q=1", want)).to.include("not an absolute URL");
    });

    it("passes the app's own security headers and names each missing or weak one", () => {
        expect(securityHeaderProblems(lower({ ...securityHeaders }))).to.deep.equal([]);
        const { "Content-Security-Policy": _csp, "X-Frame-Options": _xfo, ...rest } = securityHeaders;
        expect(securityHeaderProblems(lower(rest))).to.deep.equal(["Content-Security-Policy", "X-Frame-Options"]);
        expect(
            securityHeaderProblems(
                lower({
                    ...securityHeaders,
                    "Strict-Transport-Security": "max-age=300",
                    "X-Content-Type-Options": "sniff",
                }),
            ),
        ).to.deep.equal([
            'Strict-Transport-Security (max-age under a year: "max-age=300")',
            'X-Content-Type-Options ("sniff", not nosniff)',
        ]);
        expect(securityHeaderProblems({})).to.have.length(Object.keys(securityHeaders).length);
    });

    it("recognises the app's own error pages exactly, and describes other answers briefly", () => {
        expect(whichErrorPage(errorPages[404])).to.equal(404);
        expect(whichErrorPage(errorPages[503].replace("moment", "minute"))).to.equal(undefined);
        expect(describeAnswer(503, "text/html; charset=utf-8", errorPages[503])).to.equal(
            "503 text/html (the app's own 503 page)",
        );
        expect(describeAnswer(502, "text/html", "<html><title>502 Bad Gateway</title></html>")).to.equal(
            '502 text/html ("502 Bad Gateway")',
        );
        expect(describeAnswer(503, "application/json", '{"status":503}')).to.equal(
            '503 application/json ("{\\"status\\":503}")',
        );
        expect(describeAnswer(200, undefined, "")).to.equal("200 no content type (empty body)");
    });
});

describe("verify expectations: TLS versions", () => {
    const probes = (old: TlsProbe["outcome"], modern: TlsProbe["outcome"][]): TlsProbe[] => [
        { version: "TLSv1", outcome: old, reason: "x" },
        { version: "TLSv1.1", outcome: old, reason: "x" },
        { version: "TLSv1.2", outcome: modern[0] },
        { version: "TLSv1.3", outcome: modern[1] },
    ];

    it("passes old versions refused with 1.2 or 1.3 accepted (a TLS 1.3-only policy too)", () => {
        expect(tlsProblems(probes("refused", ["accepted", "accepted"]))).to.deep.equal([]);
        expect(tlsProblems(probes("refused", ["refused", "accepted"]))).to.deep.equal([]);
    });

    it("fails an accepted old version, an untestable one, and no modern version", () => {
        expect(tlsProblems(probes("accepted", ["accepted", "accepted"]))).to.deep.equal([
            "TLS 1.0 accepted; it must be refused",
            "TLS 1.1 accepted; it must be refused",
        ]);
        expect(tlsProblems(probes("untestable", ["accepted", "accepted"]))).to.deep.equal([
            "TLS 1.0 could not be tried from here (x)",
            "TLS 1.1 could not be tried from here (x)",
        ]);
        expect(tlsProblems(probes("refused", ["refused", "refused"]))).to.deep.equal([
            "neither TLS 1.2 nor TLS 1.3 accepted",
        ]);
    });
});

describe("verify report", () => {
    it("takes nearest-rank percentiles", () => {
        const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
        expect([50, 95, 99, 100].map((p) => percentile(sorted, p))).to.deep.equal([50, 95, 99, 100]);
        expect(percentile([7], 99)).to.equal(7);
        expect(summarizeLatency([3, 1, 2, 10])).to.deep.equal({ count: 4, p50: 2, p95: 10, p99: 10, max: 10 });
        expect(summarizeLatency([])).to.equal(null);
        expect(() => percentile([], 50)).to.throw("empty");
    });

    it("counts per key in a stable order", () => {
        expect(countBy(["b", "a", "b"], (s) => s)).to.deep.equal({ a: 1, b: 2 });
        expect(Object.keys(countBy(["b", "a"], (s) => s))).to.deep.equal(["a", "b"]);
    });

    it("prints each check, the latency, the AZ counts and a verdict naming the failures", () => {
        const report: VerifyReport = {
            url: "https://x",
            ok: false,
            insecure: true,
            expectAzs: 2,
            requests: 3,
            checks: [
                { name: "certificate", status: "skip", summary: "not verified (--insecure)" },
                { name: "az-spread", status: "fail", summary: "3 of 3 answers from 1 AZ(s)" },
            ],
            latencyMs: { count: 3, p50: 1, p95: 2, p99: 2, max: 2 },
            perAz: { "us-east-1a": 3 },
            perInstance: { "i-01234567": { availabilityZone: "us-east-1a", count: 3 } },
        };
        expect(renderText(report)).to.equal(
            [
                "verify https://x (3 requests of /, expecting 2 AZs)",
                "  SKIP  certificate  not verified (--insecure)",
                "  FAIL  az-spread    3 of 3 answers from 1 AZ(s)",
                "latency of 3 requests of /: p50 1 ms, p95 2 ms, p99 2 ms, max 2 ms",
                "answers per AZ: us-east-1a 3",
                "answers per instance: i-01234567 (us-east-1a) 3",
                "FAILED: 1 of 2 checks (az-spread); skipped: certificate",
                "",
            ].join("\n"),
        );
    });
});
