import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CachedBuildOptions, cachedBuild } from "../../app/bundleCache";

/** A tiny project of its own (entry, a module it imports, a lockfile) and an empty cache. */
function project() {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-bundle-"));
    const cache = path.join(root, ".cache");
    fs.mkdirSync(path.join(root, "src"));
    fs.writeFileSync(
        path.join(root, "src", "entry.ts"),
        'import { greeting } from "./dep";\nconsole.log(greeting, PAGES);\n',
    );
    fs.writeFileSync(path.join(root, "src", "dep.ts"), 'export const greeting = "hello";\n');
    fs.writeFileSync(path.join(root, "package-lock.json"), '{"lockfileVersion":3}\n');
    const options = (define = '"pages v1"'): CachedBuildOptions => ({
        entryPoints: [path.join(root, "src", "entry.ts")],
        absWorkingDir: root,
        bundle: true,
        platform: "node",
        format: "cjs",
        outfile: "out.js",
        define: { PAGES: define },
    });
    const build = (opts = options()) => cachedBuild(opts, cache);
    return { root, cache, options, build };
}

describe("bundle cache (app/bundleCache.ts)", () => {
    it("reuses a bundle whose inputs, options and esbuild are unchanged, byte for byte", () => {
        const p = project();
        const first = p.build();
        expect(first.cached).to.equal(false);
        expect(first.code.toString()).to.include('"hello"').and.to.include('"pages v1"');
        const second = p.build();
        expect(second.cached).to.equal(true);
        expect(second.code.equals(first.code)).to.equal(true);
    });

    it("rebuilds when a file the bundle read changes, and returns the new code", () => {
        const p = project();
        p.build();
        fs.writeFileSync(path.join(p.root, "src", "dep.ts"), 'export const greeting = "changed";\n');
        const after = p.build();
        expect(after.cached).to.equal(false);
        expect(after.code.toString()).to.include('"changed"').and.not.to.include('"hello"');
        expect(p.build().cached).to.equal(true);
    });

    it("rebuilds when the options change (a define's value), the lockfile changes, or a source file appears", () => {
        const p = project();
        p.build();
        const redefined = p.build(p.options('"pages v2"'));
        expect(redefined.cached).to.equal(false);
        expect(redefined.code.toString()).to.include('"pages v2"');
        fs.writeFileSync(path.join(p.root, "package-lock.json"), '{"lockfileVersion":3,"packages":{}}\n');
        expect(p.build().cached).to.equal(false);
        // A new file beside the entry can change what an import resolves to.
        fs.writeFileSync(path.join(p.root, "src", "dep.js"), 'exports.greeting = "shadow";\n');
        expect(p.build().cached).to.equal(false);
    });

    it("treats a damaged or foreign cache entry as a miss, never as a result", () => {
        const p = project();
        const good = p.build();
        const [entry] = fs.readdirSync(p.cache);
        for (const damage of ["not json", "{}", JSON.stringify({ inputs: {}, code: 42 })]) {
            fs.writeFileSync(path.join(p.cache, entry), damage);
            const rebuilt = p.build();
            expect(rebuilt.cached, damage).to.equal(false);
            expect(rebuilt.code.equals(good.code)).to.equal(true);
        }
        // An entry whose recorded input is gone is stale.
        fs.rmSync(path.join(p.root, "src", "dep.ts"));
        fs.writeFileSync(path.join(p.root, "src", "entry.ts"), "console.log(PAGES);\n");
        const alone = p.build();
        expect(alone.cached).to.equal(false);
        expect(alone.code.toString()).to.not.include("hello");
    });

    it("reports esbuild's errors with the entry named", () => {
        const p = project();
        fs.writeFileSync(path.join(p.root, "src", "entry.ts"), 'import "./missing";\n');
        expect(() => p.build()).to.throw(/missing/);
    });
});
