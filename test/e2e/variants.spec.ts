/**
 * Issue 14, item 3: each deliberately broken fleet (`npm run fleet -- --break VARIANT`) fails
 * verify on exactly the check that guards against it, and on no other.
 */
import { expect } from "chai";
import type { Variant } from "../../e2e/fleet/args";
import { failedChecks, requireFleetTools, runVerifyCli, startFleet, type RunningFleet } from "./support/fleet";
import type { VerifyReport } from "../../e2e/verify/report";

const cases: { variant: Variant; db: "postgres" | "pglite"; check: string; seen: RegExp }[] = [
    {
        variant: "no-redirect",
        // PGlite here, so the embedded database is exercised end to end too.
        db: "pglite",
        check: "redirect",
        seen: /^http:\/\/127\.0\.0\.1:\d+\/ answered 200 \(served over plain HTTP\); expected 301 to https:\/\/127\.0\.0\.1:\d+\/$/,
    },
    {
        variant: "old-tls",
        db: "postgres",
        check: "tls-versions",
        seen: /^TLS 1\.0 accepted; it must be refused; TLS 1\.1 accepted; it must be refused\. Seen: /,
    },
    {
        variant: "no-security-headers",
        db: "postgres",
        check: "security-headers",
        seen: /^\d+ of \d+ HTTPS answers lack Strict-Transport-Security, Content-Security-Policy, .*; from i-[0-9a-f]{17} \(local-1a\)$/,
    },
];

describe("npm run verify catches each broken fleet with the right check", function () {
    this.timeout(180_000);

    for (const c of cases) {
        it(`--break ${c.variant}: exit 1, only ${c.check} fails`, async function () {
            requireFleetTools(this, c.db);
            let fleet: RunningFleet | undefined;
            try {
                fleet = await startFleet(["--db", c.db, "--desired", "2", "--break", c.variant]);
                expect(fleet.output()).to.include(`fleet: BROKEN on purpose: --break ${c.variant}`);
                const run = await runVerifyCli([
                    "--url",
                    fleet.url,
                    "--http-port",
                    String(fleet.httpPort),
                    "--ca",
                    fleet.certFile,
                    "--json",
                ]);
                expect(run.code, run.stderr).to.equal(1);
                const report = JSON.parse(run.stdout) as VerifyReport;
                expect(failedChecks(report)).to.deep.equal([c.check]);
                expect(report.checks.find((x) => x.name === c.check)!.summary).to.match(c.seen);
                if (c.variant === "old-tls") {
                    // The text report (what a CI log shows) names the check the same way.
                    const text = await runVerifyCli([
                        "--url",
                        fleet.url,
                        "--http-port",
                        String(fleet.httpPort),
                        "--insecure",
                    ]);
                    expect(text.code).to.equal(1);
                    expect(text.stdout).to.match(/^ {2}FAIL {2}tls-versions +TLS 1\.0 accepted; it must be refused/m);
                    expect(text.stdout).to.match(/^FAILED: 1 of 9 checks \(tls-versions\); skipped: certificate$/m);
                }
            } finally {
                await fleet?.stop();
            }
        });
    }
});
