// The one TypeScript transpiler every script and test goes through: esbuild strips the types
// (about a millisecond a file, where TypeScript's own transpiler takes seconds for the ~150
// files a plan loads), and the result is cached by content under node_modules/.cache, so an
// unchanged file is never transpiled twice. Only the types go; the type check is
// `npm run typecheck`. Scripts load it through scripts/register.js, the tests through ts-node
// (scripts/register-tests.js), which calls `create()` below as its `transpiler`.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "webfleet-ts");

let esbuild;
let salt;
// CommonJS throughout, as TypeScript's own "module": "commonjs" emits: import() becomes a
// require() too (Node's ESM loader would not resolve an extensionless "./db/embedded"). The
// source map is inlined, for `node --enable-source-maps`.
const OPTIONS = {
    loader: "ts",
    format: "cjs",
    target: "node20",
    supported: { "dynamic-import": false },
    sourcemap: "inline",
};

/** The file's JavaScript, from the cache when this exact source was transpiled before. */
function transpile(source, fileName) {
    esbuild ??= require("esbuild");
    salt ??= `${esbuild.version}:${JSON.stringify(OPTIONS)}`;
    const key = crypto.createHash("sha256").update(salt).update(fileName).update("\0").update(source);
    const cached = path.join(CACHE_DIR, `${key.digest("hex")}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // Not cached yet.
    }
    const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: fileName });
    try {
        fs.mkdirSync(CACHE_DIR, { recursive: true });
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, code);
        fs.renameSync(tmp, cached);
    } catch {
        // A read-only tree just goes without the cache.
    }
    return code;
}

const INLINE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/**
 * ts-node's transpiler interface: `create()` returns `{ transpile(source, { fileName }) }`, which
 * hands back the code and its source map apart (ts-node inlines the map again itself).
 */
function create() {
    return {
        transpile(source, { fileName }) {
            const code = transpile(source, fileName);
            const map = INLINE_MAP.exec(code);
            return map
                ? {
                      outputText: code.slice(0, map.index),
                      sourceMapText: Buffer.from(map[1], "base64").toString("utf8"),
                  }
                : {
                      outputText: code,
                      sourceMapText: JSON.stringify({ version: 3, sources: [fileName], names: [], mappings: "" }),
                  };
        },
    };
}

module.exports = { transpile, create };
