/** `npm run verify`'s arguments and `--stack`'s reading of the outputs, without a network. */
import { expect } from "chai";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_EXPECT_AZS, UsageError, parseVerifyArgs, type VerifyOptions } from "../../e2e/verify/args";
import { parseStackOutputs, readStack } from "../../e2e/verify/stack";
import { runVerifyCli } from "./support/fleet";

function usage(argv: string[]): string {
    try {
        parseVerifyArgs(argv);
    } catch (err) {
        expect(err).to.be.instanceOf(UsageError);
        return (err as Error).message;
    }
    throw new Error(`no usage error for ${argv.join(" ")}`);
}

describe("verify arguments", () => {
    it("defaults: 30 requests, port 80, 10 s timeout, no wait, the AZ count left to the stack", () => {
        const o = parseVerifyArgs(["--url", "https://www.example.com"]) as VerifyOptions;
        expect(o.url?.href).to.equal("https://www.example.com/");
        expect(o).to.deep.include({
            insecure: false,
            requests: 30,
            httpPort: 80,
            timeoutMs: 10_000,
            waitMs: 0,
            json: false,
            expectAzs: undefined,
        });
        expect(DEFAULT_EXPECT_AZS).to.equal(2);
    });

    it("takes every option, in both --flag value and --flag=value forms", () => {
        const o = parseVerifyArgs([
            "--url=https://127.0.0.1:8443/",
            "--ca",
            "ca.pem",
            "--requests=5",
            "--expect-azs",
            "3",
            "--http-port",
            "8080",
            "--timeout",
            "2",
            "--wait",
            "60",
            "--json",
        ]) as VerifyOptions;
        expect(o.url?.port).to.equal("8443");
        expect(o).to.deep.include({ caFile: "ca.pem", requests: 5, expectAzs: 3, httpPort: 8080, timeoutMs: 2000 });
        expect(o).to.deep.include({ waitMs: 60_000, json: true });
        expect(parseVerifyArgs(["--help"])).to.equal("help");
    });

    it("refuses what cannot be checked, saying why and what to give instead", () => {
        expect(usage([])).to.equal("give --url https://HOST (the site's root) or --stack NAME (reads its url output)");
        expect(usage(["--url", "http://example.com"])).to.equal(
            '--url: "http://example.com" must be an https:// URL (verify checks that http:// redirects there itself; see --http-port)',
        );
        expect(usage(["--url", "https://example.com/app?x=1"])).to.include("has a path, query or fragment");
        expect(usage(["--url", "https://u:p@example.com"])).to.include("with credentials");
        expect(usage(["--url", "not a url"])).to.include('"not a url" is not a URL');
        expect(usage(["--url", "https://a", "--requests", "0"])).to.equal(
            '--requests: "0" is not a whole number from 1 to 10000',
        );
        expect(usage(["--url", "https://a", "--expect-azs", "two"])).to.include("--expect-azs");
        expect(usage(["--url", "https://a", "--ca", "x", "--insecure"])).to.include("contradict");
        expect(usage(["--url", "https://a", "--color"])).to.include("--color");
        expect(usage(["--stack", "dev; rm -rf /"])).to.include("is not a stack name");
    });
});

describe("verify --stack", () => {
    it("reads the url and the number of AZs from the outputs", () => {
        expect(
            parseStackOutputs(
                "prod",
                JSON.stringify({ url: "https://x", availabilityZones: ["a", "b", "c"], vpcId: "v" }),
            ),
        ).to.deep.equal({ url: "https://x", azCount: 3 });
        expect(parseStackOutputs("dev", JSON.stringify({ url: "https://x" }))).to.deep.equal({
            url: "https://x",
            azCount: undefined,
        });
    });

    it("says when the stack has no url yet, or the CLI printed something else", () => {
        expect(() => parseStackOutputs("dev", "{}")).to.throw(
            "--stack dev: the stack has no url output (has it been deployed? pulumi up --stack dev); or pass --url",
        );
        expect(() => parseStackOutputs("dev", "error: no stack")).to.throw("did not print JSON");
    });

    it("names the missing Pulumi CLI, and passes on the CLI's own error", async () => {
        const missing = await readStack("dev", "/nonexistent/pulumi").catch((e: Error) => e);
        expect((missing as Error).message).to.equal(
            "--stack dev needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/); or pass --url",
        );
        const dir = mkdtempSync(join(tmpdir(), "webfleet-fake-pulumi-"));
        writeFileSync(join(dir, "pulumi"), "#!/bin/sh\necho \"error: no stack named 'dev' found\" >&2\nexit 255\n");
        chmodSync(join(dir, "pulumi"), 0o755);
        const failed = await readStack("dev", join(dir, "pulumi")).catch((e: Error) => e);
        expect((failed as Error).message).to.equal(
            "--stack dev: pulumi stack output failed: error: no stack named 'dev' found",
        );
    });

    it("exits 2 for bad usage, with the usage text; 2 without it for an unreadable stack", async function () {
        this.timeout(30_000);
        const bad = await runVerifyCli(["--url", "http://example.com"]);
        expect(bad.code).to.equal(2);
        expect(bad.stderr).to.include('verify: --url: "http://example.com" must be an https:// URL');
        expect(bad.stderr).to.include("Usage: npm run verify --");
        const noCli = await runVerifyCli(["--stack", "dev"], { ...process.env, PATH: "/nonexistent" });
        expect(noCli.code).to.equal(2);
        expect(noCli.stderr).to.equal(
            "verify: --stack dev needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/); or pass --url\n",
        );
    });
});
