/**
 * The fleet's load-balancer configuration: what it says, and that HAProxy itself accepts it
 * (`haproxy -c`) as shipped and in every broken variant.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { securityHeaders } from "../../app/http/headers";
import { rawErrorResponse } from "../../app/http/respond";
import { VARIANTS, type Variant } from "../../e2e/fleet/args";
import {
    STRIPPED_SERVER_ID,
    TLS12_CIPHERS,
    addServerCommand,
    parseShowStat,
    renderHaproxyConfig,
    type HaproxyConfigInput,
} from "../../e2e/fleet/haproxyConfig";
import { makeCertificate } from "../../e2e/fleet/system";
import { requireTool } from "../support/tools";

const base: HaproxyConfigInput = {
    bind: "127.0.0.1",
    httpPort: 8080,
    httpsPort: 8443,
    certFile: "/tmp/fleet/tls/haproxy.pem",
    adminSocket: "/tmp/fleet/haproxy.sock",
    errorFiles: {
        502: "/tmp/fleet/errors/502.http",
        503: "/tmp/fleet/errors/503.http",
        504: "/tmp/fleet/errors/504.http",
    },
    checkIntervalMs: 1000,
    breaks: [],
};
const lines = (c: string) => c.split("\n").map((l) => l.trim());

describe("fleet HAProxy configuration", () => {
    it("redirects port 80 with a 301 to the same host, path and query on the HTTPS port", () => {
        const c = lines(renderHaproxyConfig(base));
        expect(c).to.include(
            "http-request redirect code 301 location https://%[req.hdr(host),regsub(:[0-9]+$,)]:8443%[capture.req.uri]",
        );
        expect(lines(renderHaproxyConfig({ ...base, httpsPort: 443 }))).to.include(
            "http-request redirect code 301 location https://%[req.hdr(host),regsub(:[0-9]+$,)]%[capture.req.uri]",
        );
        expect(c.filter((l) => l.startsWith("default_backend"))).to.have.length(1);
    });

    it("terminates TLS 1.2 and 1.3 only, with the ALB policy's TLS 1.2 ciphers", () => {
        expect(lines(renderHaproxyConfig(base))).to.include(
            `bind 127.0.0.1:8443 ssl crt /tmp/fleet/tls/haproxy.pem alpn h2,http/1.1 ssl-min-ver TLSv1.2 ciphers ${TLS12_CIPHERS}`,
        );
        expect(TLS12_CIPHERS).to.not.match(/CBC-SHA:|RSA-AES128-SHA:|SECLEVEL/);
    });

    it("health-checks GET /healthz and serves the app's pages for 502, 503 and 504", () => {
        const c = lines(renderHaproxyConfig(base));
        expect(c).to.include.members([
            "option httpchk",
            "http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost",
            "http-check expect status 200",
            "errorfile 503 /tmp/fleet/errors/503.http",
            "option redispatch 1",
        ]);
    });

    it("breaks exactly what each variant names, and says so in the file", () => {
        const noRedirect = renderHaproxyConfig({ ...base, breaks: ["no-redirect"] });
        expect(noRedirect).to.not.include("http-request redirect");
        expect(noRedirect).to.include("# BROKEN (--break no-redirect)");
        expect(
            lines(renderHaproxyConfig({ ...base, breaks: ["old-tls"] })).find((l) =>
                l.startsWith("bind 127.0.0.1:8443"),
            ),
        ).to.match(/ ssl-min-ver TLSv1\.0 ciphers DEFAULT:@SECLEVEL=0$/);
        const stripped = lines(renderHaproxyConfig({ ...base, breaks: ["no-security-headers"] }));
        for (const h of Object.keys(securityHeaders)) {
            expect(stripped).to.include(`http-response del-header ${h} if { srv_id ${STRIPPED_SERVER_ID} }`);
        }
        expect(renderHaproxyConfig(base)).to.not.include("BROKEN");
    });

    it("refuses a path that could break out of the configuration", () => {
        expect(() => renderHaproxyConfig({ ...base, certFile: "/tmp/a b/x.pem" })).to.throw(
            'certificate: "/tmp/a b/x.pem" has characters the HAProxy configuration cannot hold',
        );
        expect(() => renderHaproxyConfig({ ...base, adminSocket: "/tmp/x\nlisten evil" })).to.throw("admin socket");
    });

    it("is accepted by haproxy -c, as shipped and in every variant", function () {
        requireTool(this, "haproxy", "apt-get install haproxy");
        requireTool(this, "openssl", "apt-get install openssl");
        const dir = mkdtempSync(join(tmpdir(), "webfleet-haproxy-"));
        const cert = makeCertificate(dir, ["localhost"], ["127.0.0.1"]);
        const errorFiles = { 502: "", 503: "", 504: "" };
        for (const s of [502, 503, 504] as const) {
            errorFiles[s] = join(dir, `${s}.http`);
            writeFileSync(errorFiles[s], rawErrorResponse(s));
        }
        const variants: Variant[][] = [[], ...VARIANTS.map((v) => [v]), [...VARIANTS]];
        for (const breaks of variants) {
            const file = join(dir, "haproxy.cfg");
            writeFileSync(
                file,
                renderHaproxyConfig({
                    ...base,
                    certFile: cert.bundleFile,
                    adminSocket: join(dir, "s.sock"),
                    errorFiles,
                    breaks,
                }),
            );
            const out = execFileSync("haproxy", ["-c", "-f", file], {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
            });
            expect(out, breaks.join(",")).to.include("Configuration file is valid");
        }
    });

    it("registers servers over TLS, unverified like the ALB's targets, with the backend's health checks spelled out (dynamic servers inherit none)", () => {
        expect(addServerCommand("i-0abc", "127.0.0.1:40001", 500)).to.equal(
            "add server web/i-0abc 127.0.0.1:40001 ssl verify none check check-ssl inter 500 fastinter 500 downinter 500 fall 2 rise 2 pool-purge-delay 500",
        );
        expect(addServerCommand("i-0abc", "127.0.0.1:40001", 500, STRIPPED_SERVER_ID)).to.match(/ id 9999$/);
        expect(() => addServerCommand("i-0abc; shutdown", "127.0.0.1:1", 500)).to.throw("cannot register");
    });

    it("reads each server's health from show stat, UP 1/2 still up and DOWN 1/2 still down", () => {
        const csv = [
            "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight",
            "http,FRONTEND,,,0,1,4096,3,0,0,0,0,0,,,,,OPEN,",
            "web,i-0a,0,0,0,1,,5,0,0,,0,,0,0,0,0,UP,1",
            "web,i-0b,0,0,0,1,,5,0,0,,0,,0,0,0,0,UP 1/2,1",
            "web,i-0c,0,0,0,1,,5,0,0,,0,,0,0,0,0,DOWN 1/2,1",
            "web,i-0d,0,0,0,1,,5,0,0,,0,,0,0,0,0,MAINT,1",
            "web,BACKEND,0,0,0,1,410,5,0,0,0,0,,0,0,0,0,UP,3",
            "",
        ].join("\n");
        expect([...parseShowStat(csv).entries()]).to.deep.equal([
            ["i-0a", "up"],
            ["i-0b", "up"],
            ["i-0c", "down"],
            ["i-0d", "maint"],
        ]);
        expect(() => parseShowStat("Unknown command.\n")).to.throw('unexpected "show stat" output');
    });
});
