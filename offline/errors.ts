/**
 * How the offline tools fail, in a module that loads nothing, so the CLIs can tell a usage error
 * apart from a failed program without loading the Pulumi SDK first (`--help` stays instant).
 */

/** Bad usage or an unreadable stack file: the CLI exits 2 with the message alone. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/** The program itself failed (an error thrown while it ran), as a deploy would fail with it. */
export class ProgramError extends Error {
    constructor(readonly cause: unknown) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "ProgramError";
    }
}

/** An invalid stack config (stackConfig's StackConfigError), recognized by its shape. */
export function isConfigError(e: unknown): e is Error {
    return e instanceof Error && e.name === "StackConfigError" && Array.isArray((e as { problems?: unknown }).problems);
}

/** An invalid policy pack config (policy/lib/packConfig.ts's PolicyConfigError). */
export function isPolicyConfigError(e: unknown): e is Error {
    return e instanceof Error && e.name === "PolicyConfigError";
}
