import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { cachedBuild } from "./bundleCache";
import { readErrorPagesFromSource } from "./static/pages";

/** The repository root: esbuild paths are relative to it, so none are absolute in the output. */
const repoRoot = resolve(__dirname, "..");

export interface AppBundle {
    /** The whole server: run it with `node server.js` (Node 20+), no node_modules needed. */
    code: Buffer;
    /** Hex sha256 of `code`; the web tier uses it in the S3 key, so equal source gives an equal key. */
    sha256: string;
    fileName: "server.js";
    bytes: number;
}

/**
 * Bundles the server with esbuild into one CommonJS file, the error pages inlined. The output
 * depends only on the source and the pinned esbuild: no timestamps, no absolute paths, no
 * source map, so rebuilding unchanged source gives the same bytes (tested), and a bundle whose
 * inputs have not changed comes from the bundle cache (app/bundleCache.ts).
 */
export function buildAppBundle(): Promise<AppBundle> {
    const { code } = cachedBuild({
        entryPoints: [join(__dirname, "bundleEntry.ts")],
        absWorkingDir: repoRoot,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        outfile: "server.js",
        minify: true,
        sourcemap: false,
        // Third-party licence notices stay in the file we ship.
        legalComments: "eof",
        // pg loads pg-native only if asked to (we never do); PGlite is only for `npm run app`.
        external: ["pg-native"],
        define: { __WEBFLEET_ERROR_PAGES__: JSON.stringify(readErrorPagesFromSource()) },
        banner: { js: "// webfleet app server, built by app/build.ts from the repository source. Run: node server.js" },
    });
    const sha256 = createHash("sha256").update(code).digest("hex");
    return Promise.resolve({ code, sha256, fileName: "server.js", bytes: code.length });
}

/** `npm run app:bundle`: writes dist/app/server.js and prints its hash. */
async function main(): Promise<void> {
    const bundle = await buildAppBundle();
    const outDir = join(repoRoot, "dist", "app");
    mkdirSync(outDir, { recursive: true });
    const outFile = join(outDir, bundle.fileName);
    writeFileSync(outFile, bundle.code);
    process.stdout.write(
        `${JSON.stringify({ file: relative(process.cwd(), outFile), bytes: bundle.bytes, sha256: bundle.sha256 })}\n`,
    );
}

if (require.main === module) {
    main().catch((err: unknown) => {
        process.stderr.write(`app:bundle failed: ${(err as Error).message}\n`);
        process.exit(1);
    });
}
