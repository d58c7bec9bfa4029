/**
 * `npm run verify -- --url https://HOST` (or `--stack NAME`): the acceptance suite of a running
 * deployment. Exit 0 when every check passes, 1 when one fails, 2 for bad usage or an unreadable
 * stack. The report goes to stdout (text, or one JSON document with --json); progress to stderr.
 */
import { readFileSync } from "node:fs";
import { DEFAULT_EXPECT_AZS, UsageError, VERIFY_USAGE, parseSiteUrl, parseVerifyArgs } from "./args";
import { runVerify } from "./checks";
import { renderText } from "./report";
import { readStack } from "./stack";

async function main(argv: string[]): Promise<number> {
    const parsed = parseVerifyArgs(argv);
    if (parsed === "help") {
        process.stdout.write(`${VERIFY_USAGE}\n`);
        return 0;
    }
    const stack = parsed.stack ? await readStack(parsed.stack) : undefined;
    const url = parsed.url ?? parseSiteUrl(stack!.url);
    let ca: Buffer | undefined;
    if (parsed.caFile !== undefined) {
        try {
            ca = readFileSync(parsed.caFile);
        } catch (err) {
            throw new UsageError(
                `--ca: cannot read ${parsed.caFile} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
            );
        }
        if (!ca.toString("utf8").includes("-----BEGIN CERTIFICATE-----")) {
            throw new UsageError(`--ca: ${parsed.caFile} holds no PEM certificate`);
        }
    }
    const report = await runVerify({
        url,
        ca,
        insecure: parsed.insecure,
        requests: parsed.requests,
        expectAzs: parsed.expectAzs ?? stack?.azCount ?? DEFAULT_EXPECT_AZS,
        httpPort: parsed.httpPort,
        timeoutMs: parsed.timeoutMs,
        waitMs: parsed.waitMs,
        progress: (line) => process.stderr.write(`verify: ${line}\n`),
    });
    process.stdout.write(parsed.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
    return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (err: unknown) => {
        if (err instanceof UsageError) {
            process.stderr.write(`verify: ${err.message}\n${err.showUsage ? `\n${VERIFY_USAGE}\n` : ""}`);
            process.exitCode = 2;
            return;
        }
        process.stderr.write(`verify: ${(err as Error).stack ?? String(err)}\n`);
        process.exitCode = 1;
    },
);
