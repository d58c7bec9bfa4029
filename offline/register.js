// Loads the project's TypeScript for the offline preview: esbuild strips the types (about a
// millisecond a file, against ts-node's compiler start-up of a second or more) and the result is
// cached by content under node_modules/.cache, so an unchanged file is never transpiled twice.
// Only the types go; nothing else changes, and the type check is `npm run typecheck`.
// Source maps are inlined but Node's global source-map support stays off, because turning it on
// makes Node parse the maps of every dependency (hundreds of milliseconds); run with
// `node --enable-source-maps` for mapped stack traces.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "webfleet-ts");
const OPTIONS = { loader: "ts", format: "cjs", target: "node20", sourcemap: "inline" };
const SALT = `${esbuild.version}:${JSON.stringify(OPTIONS)}`;

function transpile(source, filename) {
    const key = crypto.createHash("sha256").update(SALT).update(filename).update("\0").update(source).digest("hex");
    const cached = path.join(CACHE_DIR, `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // Not cached yet.
    }
    const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
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

require.extensions[".ts"] = function loadTypeScript(module, filename) {
    module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};
