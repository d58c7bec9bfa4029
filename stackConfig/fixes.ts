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

/** The list a repair edits an element of (["bastion", "users"] for bastion.users[2].expires), if any. */
function listOf(path: Path): Path | undefined {
    const i = path.findIndex((p) => typeof p === "number");
    return i > 0 ? path.slice(0, i) : undefined;
}

/**
 * Lists where one repair removes an element and another edits the same list: each fix printed on
 * its own line would name indexes the other one shifts (`rm users[1]`, then `set users[2].…`
 * lands on the wrong person). Their fixes set the whole repaired list instead, which is right in
 * any order and any number of times.
 */
export function listsToRewrite(issues: Issue[]): Set<string> {
    const repairs = issues.flatMap((i) => i.repairs);
    const out = new Set<string>();
    for (const r of repairs) {
        const list = listOf(r.path);
        const removesElement = r.op === "rm" && list !== undefined && r.path.length === list.length + 1;
        if (!removesElement) continue;
        const key = pathArg(list);
        if (repairs.some((o) => o !== r && listOf(o.path) && pathArg(listOf(o.path)!) === key)) out.add(key);
    }
    return out;
}

export function withListRewrites(issue: Issue, rewrite: Set<string>): Issue {
    const lists = issue.repairs.map((r) => listOf(r.path)).filter((l) => l && rewrite.has(pathArg(l)));
    if (lists.length === 0) return issue;
    const seen = new Set<string>();
    const repairs: Repair[] = [];
    for (const r of issue.repairs) {
        const list = listOf(r.path);
        if (!list || !rewrite.has(pathArg(list))) repairs.push(r);
        else if (!seen.has(pathArg(list))) {
            seen.add(pathArg(list));
            repairs.push({ op: "set", path: list, value: undefined });
        }
    }
    return { ...issue, repairs };
}
