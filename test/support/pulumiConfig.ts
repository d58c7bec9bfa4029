/**
 * What the `pulumi config` commands of a fix do to a stack file, as the CLI does it (its
 * documented --path rules): `set --path` turns "true"/"false" into booleans and whole numbers
 * into numbers and keeps anything else text; without --path the value is text; `rm --path`
 * removes a key or a list element. So a test can apply a fix exactly as a user would paste it.
 */
import { expect } from "chai";

/** Words of a command line, single and double quotes as a POSIX shell reads them. */
export function words(line: string): string[] {
    const out: string[] = [];
    let word: string | undefined;
    let quote: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (quote) {
            if (ch === quote) quote = undefined;
            else word = (word ?? "") + ch;
        } else if (ch === "'" || ch === '"') {
            quote = ch;
            word = word ?? "";
        } else if (/\s/.test(ch)) {
            if (word !== undefined) out.push(word);
            word = undefined;
        } else {
            word = (word ?? "") + ch;
        }
    }
    expect(quote, `unterminated quote in ${line}`).to.equal(undefined);
    if (word !== undefined) out.push(word);
    return out;
}

/** `a.b[0]`, `tags["aws:x"]` → ["a", "b", 0], ["tags", "aws:x"]. */
export function parsePath(text: string): (string | number)[] {
    const out: (string | number)[] = [];
    const re = /(?:^|\.)([A-Za-z_][\w-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/y;
    let m: RegExpExecArray | null;
    while (re.lastIndex < text.length && (m = re.exec(text))) {
        out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(`"${m[3]}"`)));
    }
    expect(re.lastIndex, `path ${text}`).to.equal(text.length);
    return out;
}

export interface StackFile {
    region?: string;
    values: Record<string, unknown>;
}

/** Applies every command of a fix ("cmd && cmd && …") to a copy of the stack file. */
export function applyFix(file: StackFile, fix: string): StackFile {
    const out: StackFile = { region: file.region, values: JSON.parse(JSON.stringify(file.values)) };
    for (const command of fix.split(" && ")) {
        const w = words(command);
        expect(w.slice(0, 2), command).to.deep.equal(["pulumi", "config"]);
        const verb = w[2];
        const rest = w.slice(3);
        const stackAt = rest.indexOf("--stack");
        if (stackAt >= 0) rest.splice(stackAt, 2);
        const withPath = rest[0] === "--path";
        if (withPath) rest.shift();
        const [key, value] = rest;
        if (key === "aws:region") {
            out.region = verb === "rm" ? undefined : value;
            continue;
        }
        const path = withPath ? parsePath(key) : [key];
        const typed = !withPath
            ? value
            : value === "true"
              ? true
              : value === "false"
                ? false
                : /^-?\d+$/.test(value)
                  ? Number(value)
                  : value;
        let node: any = out.values;
        for (let i = 0; i < path.length - 1; i++) {
            if (node[path[i]] === undefined || node[path[i]] === null || typeof node[path[i]] !== "object") {
                if (verb === "rm") return out;
                node[path[i]] = typeof path[i + 1] === "number" ? [] : {};
            }
            node = node[path[i]];
        }
        const last = path[path.length - 1];
        if (verb === "set") {
            expect(value, `${command} has a value`).to.not.equal(undefined);
            node[last] = typed;
        } else {
            expect(verb, command).to.equal("rm");
            if (Array.isArray(node) && typeof last === "number") node.splice(last, 1);
            else delete node[last];
        }
    }
    return out;
}
