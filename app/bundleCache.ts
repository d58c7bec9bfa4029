/**
 * esbuild with a cache, for the bundles the program builds on every run (the app server, the
 * migration function): about a third of an offline preview's time was bundling the same source
 * again. A cached bundle is reused only when everything it came from is unchanged:
 *
 * - the key: esbuild's version, the build options (entry, define, target, …), the lockfile (which
 *   decides what every package import resolves to) and the names of the source files beside the
 *   entry (a new file can change what an import resolves to);
 * - the check: every file the bundle read (esbuild's metafile inputs) still has the content hash
 *   it had when the bundle was built. Hashing them costs about 10 ms for 600 files.
 *
 * Anything unreadable or inconsistent in the cache is a miss, never an error: the cache only ever
 * saves time. It lives in node_modules/.cache, which `npm ci` clears.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { BuildOptions, buildSync, version as esbuildVersion } from "esbuild";

const DEFAULT_CACHE_DIR = path.resolve(__dirname, "..", "node_modules", ".cache", "webfleet-bundles");

export interface CachedBuildOptions extends BuildOptions {
    absWorkingDir: string;
    entryPoints: string[];
    outfile: string;
}

export interface CachedBundle {
    code: Buffer;
    /** Whether it came from the cache (for tests and the benchmark). */
    cached: boolean;
}

interface CacheEntry {
    inputs: Record<string, string>;
    code: string;
}

function sha256(data: string | Buffer): string {
    return createHash("sha256").update(data).digest("hex");
}

/** Every file name under `dir` (relative, sorted), skipping node_modules and dot-directories. */
function fileNames(dir: string, root = dir): string[] {
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
        return [];
    }
    return entries
        .flatMap((e) => {
            if (e.name === "node_modules" || e.name.startsWith(".")) return [];
            const full = path.join(dir, e.name);
            return e.isDirectory() ? fileNames(full, root) : [path.relative(root, full)];
        })
        .sort();
}

function readOrEmpty(file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return "";
    }
}

/** The cache key: everything but the input files' contents, which the entry records. */
export function cacheKey(options: CachedBuildOptions): string {
    const sourceDir = path.dirname(path.resolve(options.absWorkingDir, options.entryPoints[0]));
    return sha256(
        JSON.stringify({
            esbuild: esbuildVersion,
            options,
            lockfile: sha256(readOrEmpty(path.join(options.absWorkingDir, "package-lock.json"))),
            sources: fileNames(sourceDir),
        }),
    );
}

function hashInputs(workingDir: string, inputs: string[]): Record<string, string> | undefined {
    const hashes: Record<string, string> = {};
    for (const input of inputs) {
        try {
            hashes[input] = sha256(fs.readFileSync(path.resolve(workingDir, input)));
        } catch {
            return undefined; // an input that is gone: the bundle must be rebuilt
        }
    }
    return hashes;
}

function lookup(file: string, workingDir: string): Buffer | undefined {
    let entry: CacheEntry;
    try {
        entry = JSON.parse(fs.readFileSync(file, "utf8")) as CacheEntry;
    } catch {
        return undefined;
    }
    if (!entry || typeof entry.code !== "string" || !entry.inputs || typeof entry.inputs !== "object") {
        return undefined;
    }
    const now = hashInputs(workingDir, Object.keys(entry.inputs));
    if (!now || Object.entries(entry.inputs).some(([input, hash]) => now[input] !== hash)) {
        return undefined;
    }
    return Buffer.from(entry.code, "base64");
}

function store(file: string, entry: CacheEntry): void {
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(entry));
        fs.renameSync(tmp, file); // atomic: a concurrent reader sees the old entry or the new one
    } catch {
        // A read-only tree just goes without the cache.
    }
}

/**
 * Builds one bundle (write: false, one output file), or returns the cached one when nothing it
 * came from has changed. Throws with esbuild's messages when the build fails.
 */
export function cachedBuild(options: CachedBuildOptions, cacheDir = DEFAULT_CACHE_DIR): CachedBundle {
    const file = path.join(cacheDir, `${cacheKey(options)}.json`);
    const hit = lookup(file, options.absWorkingDir);
    if (hit) {
        return { code: hit, cached: true };
    }
    const result = buildSync({ ...options, write: false, metafile: true, logLevel: "silent" });
    if (result.errors.length > 0 || result.outputFiles.length !== 1) {
        throw new Error(
            `esbuild failed for ${options.entryPoints.join(", ")}: ${result.errors.map((e) => e.text).join("; ")}`,
        );
    }
    const code = Buffer.from(result.outputFiles[0].contents);
    // Virtual inputs ("<define:NAME>") are not files: their content is in the options, so the key.
    const files = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith("<"));
    const inputs = hashInputs(options.absWorkingDir, files);
    if (inputs) {
        store(file, { inputs, code: code.toString("base64") });
    }
    return { code, cached: false };
}
