/**
 * The `pulumi config` commands that make a repair in a stack file. They are written for how the
 * CLI stores values: with --path, "true"/"false" become booleans and whole numbers numbers,
 * anything else text; a list is set element by element (`--path 'key[0]'`), because a JSON list
 * given as one value is stored as a string and fails again; a top-level key takes no --path.
 */
import { pathText as pathArg } from "./paths";
import type { Issue, Path, Repair } from "./rules";

/** A word the shell passes through as it is, or the text single-quoted. */
export function shellWord(text: string): string {
    return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function valueAt(values: unknown, path: Path): unknown {
    let node = values;
    for (const p of path) {
        if (node === null || typeof node !== "object") return undefined;
        node = (node as Record<string | number, unknown>)[p];
    }
    return node;
}

function rm(stack: string, path: Path): string {
    return path.length === 1
        ? `pulumi config rm --stack ${stack} ${path[0]}`
        : `pulumi config rm --stack ${stack} --path ${shellWord(pathArg(path))}`;
}

function set(stack: string, path: Path, value: unknown): string[] {
    if (Array.isArray(value)) {
        return [rm(stack, path), ...value.flatMap((v, i) => set(stack, [...path, i], v))];
    }
    if (value !== null && typeof value === "object") {
        // Key by key, so keys of the map the fix does not touch stay as they are.
        return Object.entries(value).flatMap(([k, v]) => set(stack, [...path, k], v));
    }
    const text = shellWord(String(value));
    return [
        path.length === 1
            ? `pulumi config set --stack ${stack} ${path[0]} ${text}`
            : `pulumi config set --stack ${stack} --path ${shellWord(pathArg(path))} ${text}`,
    ];
}

function commands(stack: string, repair: Repair, fixed: Record<string, unknown>): string[] {
    if (repair.op === "rm") return [rm(stack, repair.path)];
    // The value the fully repaired file holds there: later repairs may have adjusted it.
    const value = valueAt(fixed, repair.path);
    return value === undefined ? [rm(stack, repair.path)] : set(stack, repair.path, value);
}

/** The fix for one problem, as one line of commands. */
export function commandsFor(stack: string, issue: Issue, fixed: Record<string, unknown>): string {
    if (issue.path[0] === "aws:region") {
        return `pulumi config set --stack ${stack} aws:region us-east-1`;
    }
    return issue.repairs.flatMap((r) => commands(stack, r, fixed)).join(" && ");
}
