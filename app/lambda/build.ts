/**
 * The database functions' bundles: app/lambda/migrate.ts (the migration function) and
 * app/lambda/validateRestore.ts (the restore validator), each with everything it imports (pg, the
 * AWS SDK clients) in one CommonJS file. Deterministic: paths are relative to the
 * repository, no source map, no timestamps, so unchanged source gives an unchanged archive and
 * `pulumi up` shows no diff. The AWS SDK is bundled rather than taken from the runtime, so the
 * function runs the versions package-lock.json pins. Reused from the bundle cache
 * (app/bundleCache.ts) while nothing it came from changed.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import { cachedBuild } from "../bundleCache";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const MIGRATION_ENTRY = path.join(REPO_ROOT, "app", "lambda", "migrate.ts");
export const RESTORE_VALIDATOR_ENTRY = path.join(REPO_ROOT, "app", "lambda", "validateRestore.ts");

export interface FunctionBundle {
    /** index.js: the handler and everything it imports. */
    code: string;
    sha256: string;
}

export type MigrationBundle = FunctionBundle;

export function bundleMigrationFunction(): MigrationBundle {
    return bundleFunction(
        MIGRATION_ENTRY,
        "webfleet migration function, built by app/lambda/build.ts from app/lambda/migrate.ts",
    );
}

export function bundleRestoreValidator(): FunctionBundle {
    return bundleFunction(
        RESTORE_VALIDATOR_ENTRY,
        "webfleet restore validator, built by app/lambda/build.ts from app/lambda/validateRestore.ts",
    );
}

function bundleFunction(entry: string, banner: string): FunctionBundle {
    const { code } = cachedBuild({
        entryPoints: [entry],
        absWorkingDir: REPO_ROOT,
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        outfile: "index.js",
        minify: true,
        keepNames: true,
        sourcemap: false,
        legalComments: "eof",
        // pg loads pg-native only when asked to (never here).
        external: ["pg-native"],
        banner: { js: `// ${banner}` },
    });
    const text = code.toString("utf8");
    return { code: text, sha256: createHash("sha256").update(text).digest("hex") };
}
