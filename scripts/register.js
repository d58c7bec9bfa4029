// The one TypeScript loader, for the tests (.mocharc.json) and every npm script: ts-node in
// transpile-only mode, with esbuild as its transpiler. ts-node's own transpiler (TypeScript's)
// takes seconds for the ~150 files a plan loads, esbuild about a millisecond each, and the result
// is cached by content under node_modules/.cache, so an unchanged file is never transpiled
// twice. Only the types go; the type check is `npm run typecheck`.
//
// Stack traces: ts-node installs source-map support, which maps every stack trace of every
// Error (@pulumi/pulumi makes thousands) and made a plan a second slower; it is switched off
// again here. Run with `node --enable-source-maps` (the inline maps stay in the output) for
// traces that point into the .ts files.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "webfleet-ts");

/** ts-node's transpiler interface: `create()` returns `{ transpile(source, { fileName }) }`. */
exports.create = function create() {
    const esbuild = require("esbuild");
    // CommonJS throughout, as TypeScript's own "module": "commonjs" emits: import() becomes a
    // require() too (Node's ESM loader would not resolve an extensionless "./db/embedded").
    const options = {
        loader: "ts",
        format: "cjs",
        target: "node20",
        supported: { "dynamic-import": false },
        sourcemap: "external",
    };
    const salt = `${esbuild.version}:${JSON.stringify(options)}`;
    return {
        transpile(source, { fileName }) {
            const key = crypto.createHash("sha256").update(salt).update(fileName).update("\0").update(source);
            const cached = path.join(CACHE_DIR, `${key.digest("hex")}.json`);
            try {
                return JSON.parse(fs.readFileSync(cached, "utf8"));
            } catch {
                // Not cached yet.
            }
            const { code, map } = esbuild.transformSync(source, { ...options, sourcefile: fileName });
            const output = { outputText: code, sourceMapText: map };
            try {
                fs.mkdirSync(CACHE_DIR, { recursive: true });
                const tmp = `${cached}.${process.pid}.tmp`;
                fs.writeFileSync(tmp, JSON.stringify(output));
                fs.renameSync(tmp, cached);
            } catch {
                // A read-only tree just goes without the cache.
            }
            return output;
        },
    };
};

const prepareStackTrace = Error.prepareStackTrace;
require("ts-node").register({ transpileOnly: true, transpiler: __filename });
if (!process.execArgv.includes("--enable-source-maps")) {
    Error.prepareStackTrace = prepareStackTrace;
}
