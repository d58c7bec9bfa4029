/**
 * `npm run preflight -- --stack <name> [--offline] [--json] [--config <stack file>]`: read-only
 * checks of the target AWS account before a first (or any) `pulumi up` of a stack.
 *
 * With AWS credentials (the SDK's default chain, as the AWS CLI finds them) it checks every
 * need against the account and exits 0 (all good, warnings allowed) or 1 (a check failed; each
 * failure prints its fix). With --offline, or when the chain finds no credentials, it prints
 * what the stack needs and exits 0. Bad usage, an unreadable or invalid stack config, and
 * credentials that exist but cannot be loaded (an expired SSO session) exit 2.
 */
import { isStackConfigError, validateStackConfig } from "../stackConfig";
import { UsageError, projectName, rawConfigFrom, readStackConfig } from "../offline/program";
import type { Account, Credentials } from "./account";
import { checkIdentity, runChecks } from "./checks";
import { stackNeeds } from "./needs";
import { PreflightReport, exitCodeOf, renderJson, renderText } from "./render";

export interface PreflightOptions {
    stack: string;
    offline: boolean;
    json: boolean;
    configFile?: string;
}

const USAGE = "usage: npm run preflight -- --stack <name> [--offline] [--json] [--config <stack file>]";

export function parseArgs(argv: string[]): PreflightOptions {
    let stack: string | undefined;
    let offline = false;
    let json = false;
    let configFile: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) {
                throw new UsageError(`${arg} needs a value\n${USAGE}`);
            }
            return v;
        };
        if (arg === "--stack" || arg === "-s") {
            stack = value();
        } else if (arg.startsWith("--stack=")) {
            stack = arg.slice("--stack=".length);
        } else if (arg === "--offline") {
            offline = true;
        } else if (arg === "--json") {
            json = true;
        } else if (arg === "--config") {
            configFile = value();
        } else if (arg === "--help" || arg === "-h") {
            throw new UsageError(USAGE);
        } else {
            throw new UsageError(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
        }
    }
    if (!stack) {
        throw new UsageError(`--stack is required (dev or prod)\n${USAGE}`);
    }
    return { stack, offline, json, configFile };
}

/** The default chain's own words when it found nothing at all. */
const NO_CREDENTIALS = "Could not load credentials from any providers";

/**
 * The credentials the SDK's default chain finds, or undefined when it finds none. Any other
 * failure (an expired SSO session, a profile that does not exist) is the user's to fix.
 */
export async function findCredentials(region: string): Promise<Credentials | undefined> {
    try {
        return await accountModule().defaultChainCredentials(region);
    } catch (e) {
        const none = (e as Error).name === "CredentialsProviderError" && (e as Error).message === NO_CREDENTIALS;
        // A profile asked for by name that yields nothing is a mistake, not "no credentials".
        if (none && !process.env.AWS_PROFILE) {
            return undefined;
        }
        throw new UsageError(
            `AWS credentials could not be loaded${process.env.AWS_PROFILE ? ` for AWS_PROFILE=${process.env.AWS_PROFILE}` : ""}: ${(e as Error).message}. Fix them (e.g. \`aws sso login\`, or check AWS_PROFILE), or run with --offline to list the stack's needs.`,
        );
    }
}

/** The SDK adapter, loaded only when an account is asked: --offline never loads the SDK clients. */
function accountModule(): typeof import("./account") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lazy load above
    return require("./account") as typeof import("./account");
}

export interface PreflightDeps {
    findCredentials: (region: string) => Promise<Credentials | undefined>;
    account: (region: string, credentials: Credentials) => Promise<Account>;
}

const DEFAULT_DEPS: PreflightDeps = {
    findCredentials,
    account: (region, credentials) => Promise.resolve(accountModule().awsAccount(region, credentials)),
};

/** Reads and validates the stack config as the program does (config.ts), then checks it. */
export async function preflight(opts: PreflightOptions, deps: PreflightDeps = DEFAULT_DEPS): Promise<PreflightReport> {
    const raw = rawConfigFrom(projectName(), opts.stack, readStackConfig(opts.stack, opts.configFile));
    const needs = stackNeeds(validateStackConfig(raw));
    if (opts.offline) {
        return { needs, notChecked: "--offline", checks: [] };
    }
    const credentials = await deps.findCredentials(needs.region);
    if (!credentials) {
        return {
            needs,
            notChecked:
                "no AWS credentials found (environment, shared config and credentials files, SSO, container and instance roles)",
            checks: [],
        };
    }
    const account = await deps.account(needs.region, credentials);
    const identity = await checkIdentity(account);
    if (identity.result.status === "fail") {
        return { needs, checks: [identity.result] };
    }
    return { needs, account: identity.accountId, checks: [identity.result, ...(await runChecks(needs, account))] };
}

/** Runs the CLI; returns the exit code instead of exiting, for the tests. */
export async function main(
    argv: string[],
    out: (text: string) => void,
    err: (text: string) => void,
    deps?: PreflightDeps,
): Promise<number> {
    try {
        const opts = parseArgs(argv);
        const report = await preflight(opts, deps);
        out((opts.json ? renderJson(report) : renderText(report)) + "\n");
        return exitCodeOf(report);
    } catch (e) {
        if (e instanceof UsageError || isStackConfigError(e)) {
            err(`${e.message}\n`);
            return 2;
        }
        throw e;
    }
}

if (require.main === module) {
    main(
        process.argv.slice(2),
        (t) => process.stdout.write(t),
        (t) => process.stderr.write(t),
    ).then(
        (code) => (process.exitCode = code),
        (e: Error) => {
            process.stderr.write(`preflight failed: ${e.stack ?? e.message}\n`);
            process.exitCode = 3;
        },
    );
}
