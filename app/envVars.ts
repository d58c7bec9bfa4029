/**
 * Readers for optional environment variables. They collect problems instead of throwing, so a
 * misconfigured server reports every bad variable at once, each with its name and the fix.
 */

/** An integer within bounds; empty or unset gives the fallback. */
export function intVar(
    env: NodeJS.ProcessEnv,
    name: string,
    fallback: number,
    min: number,
    max: number,
    problems: string[],
): number {
    const raw = env[name]?.trim();
    if (!raw) {
        return fallback;
    }
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
        problems.push(`${name}: "${raw}" is not an integer from ${min} to ${max}; fix it or unset it for ${fallback}`);
        return fallback;
    }
    return value;
}

/** true/false (also 1/0, yes/no); empty or unset gives the fallback. */
export function boolVar(env: NodeJS.ProcessEnv, name: string, fallback: boolean, problems: string[]): boolean {
    const raw = env[name]?.trim().toLowerCase();
    if (!raw) {
        return fallback;
    }
    if (["true", "1", "yes"].includes(raw)) {
        return true;
    }
    if (["false", "0", "no"].includes(raw)) {
        return false;
    }
    problems.push(`${name}: "${env[name]}" is not a boolean; use true or false`);
    return fallback;
}

/** Bad settings: the process exits with status 2 and a message naming each variable and its fix. */
export class ConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

/** Throws one ConfigError listing every problem, or returns when there are none. */
export function assertNoProblems(what: string, problems: string[]): void {
    if (problems.length > 0) {
        throw new ConfigError(`Invalid ${what}:\n  - ${problems.join("\n  - ")}`);
    }
}
