/**
 * Issue 15, item 6: what CI runs is pinned and kept current in reviewed pull requests. Every
 * third-party action is pinned by commit with its tag in a comment, Dependabot watches the
 * actions and every npm lockfile, `npm ci` refuses a lockfile out of step with the manifests,
 * and pull requests check the registry signatures of what was installed (docs/ci-iam.md,
 * "Supply chain").
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../offline/program";
import { requireTool } from "./support/tools";
import { dependabot, usesOf, workflow, workflows } from "./support/workflows";

const PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@\s]+)?@[0-9a-f]{40}$/;
const TAG_COMMENT = /^\s+#\s+v\d+(\.\d+){0,2}\s*$/;

/** Directories (relative, "" for the root) holding a package.json, outside node_modules. */
function packageDirs(dir = REPO_ROOT): string[] {
    const found: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && !["node_modules", ".git"].includes(entry.name)) {
            found.push(...packageDirs(path.join(dir, entry.name)));
        } else if (entry.isFile() && entry.name === "package.json") {
            found.push(path.relative(REPO_ROOT, dir));
        }
    }
    return found;
}

function readJson(file: string): Record<string, any> {
    return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, file), "utf8"));
}

describe("supply chain: pinned actions", () => {
    it("pins every third-party action to a full commit SHA, with the tag it stands for in a comment", () => {
        const seen = new Set<string>();
        for (const wf of workflows()) {
            const parsed = usesOf(wf);
            // The raw lines too: the tag comment is not in the YAML data, and a `uses:` the
            // parser sees must be a line this check sees.
            const lines = wf.text.split("\n").flatMap((line) => {
                const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
                return m ? [{ uses: m[1], rest: m[2] }] : [];
            });
            expect(
                lines.map((l) => l.uses),
                wf.file,
            ).to.deep.equal(parsed.map((p) => p.uses));
            for (const [i, { where, uses }] of parsed.entries()) {
                if (uses.startsWith("./")) {
                    continue;
                }
                if (uses.startsWith("docker://")) {
                    expect(uses, where).to.match(/@sha256:[0-9a-f]{64}$/);
                    continue;
                }
                expect(uses, `${where}: pin ${uses} to the commit of a release tag`).to.match(PINNED);
                expect(lines[i].rest, `${where}: ${uses} needs "# vX.Y.Z", the tag of that commit`).to.match(
                    TAG_COMMENT,
                );
                seen.add(uses.split("@")[0]);
            }
        }
        // Not vacuous: the actions the workflows are built on were all checked.
        expect([...seen]).to.include.members([
            "actions/checkout",
            "actions/setup-node",
            "actions/upload-artifact",
            "actions/download-artifact",
            "aws-actions/configure-aws-credentials",
            "pulumi/actions",
        ]);
    });

    it("runs one commit of each action everywhere, under one tag", () => {
        const pins = new Map<string, Set<string>>();
        for (const wf of workflows()) {
            for (const m of wf.text.matchAll(/uses:\s*([^@\s]+)@([0-9a-f]{40})\s+#\s+(\S+)/g)) {
                pins.set(m[1], (pins.get(m[1]) ?? new Set()).add(`${m[2]} ${m[3]}`));
            }
        }
        expect(pins.size).to.be.greaterThan(5);
        for (const [action, versions] of pins) {
            expect([...versions], `${action}: update every workflow together`).to.have.length(1);
        }
    });
});

describe("supply chain: Dependabot", () => {
    const updates = dependabot().updates;
    const npmDirs = updates
        .filter((u) => u["package-ecosystem"] === "npm")
        .flatMap((u) => u.directories ?? [u.directory!])
        .map((d) => d.replace(/^\/+|\/+$/g, ""));

    it("keeps the pinned actions current, weekly", () => {
        expect(dependabot().version).to.equal(2);
        const actions = updates.filter((u) => u["package-ecosystem"] === "github-actions");
        expect(actions).to.have.length(1);
        expect(actions[0].directory).to.equal("/");
        for (const u of updates) {
            expect(u.schedule.interval, u["package-ecosystem"]).to.equal("weekly");
        }
    });

    it("covers every package.json with a lockfile; a workspace rides with its root's lockfile", () => {
        const dirs = packageDirs();
        expect(dirs).to.include.members(["", "policy"]);
        for (const dir of dirs) {
            const hasLock = ["package-lock.json", "npm-shrinkwrap.json"].some((f) =>
                fs.existsSync(path.join(REPO_ROOT, dir, f)),
            );
            if (hasLock) {
                expect(npmDirs, `${dir || "/"} has a lockfile: give it a Dependabot npm entry`).to.include(dir);
                continue;
            }
            // Without a lockfile it must be a workspace of a covered root, and have no entry
            // of its own: Dependabot would edit its package.json without the root's lockfile.
            const roots = npmDirs.filter((root) =>
                ((readJson(path.join(root, "package.json")).workspaces as string[]) ?? [])
                    .map((w) => path.join(root, w))
                    .includes(dir),
            );
            expect(roots, `${dir} has no lockfile and is no workspace of a root Dependabot watches`).to.have.length(1);
            expect(npmDirs, `${dir} is updated through its root`).to.not.include(dir);
        }
        // No entry for a directory that is gone.
        for (const dir of npmDirs) {
            expect(dirs, `Dependabot entry /${dir}`).to.include(dir);
        }
    });

    it("moves the Pulumi packages together, which the root and the policy pack pin alike", () => {
        const npm = updates.find((u) => u["package-ecosystem"] === "npm")!;
        const groups = Object.values(npm.groups ?? {});
        expect(groups.some((g) => g.patterns?.includes("@pulumi/*") && !g["update-types"])).to.equal(true);
        const root = { ...readJson("package.json").dependencies, ...readJson("package.json").devDependencies };
        const pack = readJson("policy/package.json").dependencies as Record<string, string>;
        const shared = Object.keys(pack).filter((name) => name in root);
        expect(shared).to.include.members(["@pulumi/pulumi", "@pulumi/aws"]);
        for (const name of shared) {
            expect(pack[name], `policy/package.json ${name}`).to.equal(root[name]);
        }
        // The project stays on TypeScript 5 and Node 20's types until someone decides otherwise.
        expect(root.typescript).to.match(/^5\./);
        for (const name of ["typescript", "@types/node"]) {
            expect(npm.ignore, name).to.deep.include({
                "dependency-name": name,
                "update-types": ["version-update:semver-major"],
            });
        }
    });
});

describe("supply chain: lockfile and registry signatures", () => {
    let dir: string;
    const write = (file: string, data: unknown) => {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), JSON.stringify(data, null, 2));
    };
    const npm = (...args: string[]) =>
        spawnSync("npm", [...args, "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
            cwd: dir,
            encoding: "utf8",
            env: { ...process.env, npm_config_update_notifier: "false" },
        });

    beforeEach(function () {
        requireTool(this, "npm", "comes with Node.js");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-lockfile-"));
        // A workspace like policy/, with a local dependency so no registry is needed.
        write("dep/package.json", { name: "dep", version: "1.0.0" });
        write("pack/package.json", { name: "pack", version: "1.0.0", private: true });
        write("package.json", { name: "probe", version: "1.0.0", private: true, workspaces: ["pack"] });
        expect(npm("install", "--package-lock-only").status).to.equal(0);
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("npm ci installs from a lockfile in step with the manifests", () => {
        const ci = npm("ci");
        expect(ci.status, ci.stderr).to.equal(0);
        expect(fs.existsSync(path.join(dir, "node_modules", "pack"))).to.equal(true);
    });

    for (const [where, manifest] of [
        ["the root", "package.json"],
        ["a workspace", "pack/package.json"],
    ] as const) {
        it(`npm ci refuses a dependency added to ${where} but not to the lockfile, and installs nothing`, () => {
            const before = fs.readFileSync(path.join(dir, "package-lock.json"), "utf8");
            const pkg = JSON.parse(fs.readFileSync(path.join(dir, manifest), "utf8"));
            write(manifest, {
                ...pkg,
                dependencies: { dep: manifest === "package.json" ? "file:dep" : "file:../dep" },
            });
            const ci = npm("ci");
            expect(ci.status).to.not.equal(0);
            expect(ci.stderr).to.match(/package\.json and package-lock\.json .*are in sync/);
            expect(ci.stderr).to.include("Missing: dep@1.0.0 from lock file");
            expect(fs.existsSync(path.join(dir, "node_modules"))).to.equal(false);
            expect(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8")).to.equal(before);
        });
    }

    it("CI installs with npm ci only, so every install goes through that check", () => {
        const commands = [
            ...workflows().flatMap((wf) =>
                Object.values(wf.jobs).flatMap((j) => (j.steps ?? []).flatMap((s) => (s.run ? [s.run] : []))),
            ),
            fs.readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8"),
        ].join("\n");
        expect(commands).to.match(/\bnpm ci\b/);
        expect(commands).to.not.match(/\bnpm (install|i|update|up)\b/);
    });

    it("pull requests: npm ci without install scripts, the lockfile as committed, then npm audit signatures", () => {
        const job = workflow("pull-request.yml").jobs["supply-chain"];
        const runs = (job.steps ?? []).map((s) => s.run ?? "");
        const ci = runs.findIndex((r) => /^npm ci .*--ignore-scripts/.test(r));
        const diff = runs.findIndex((r) => /^git diff --exit-code -- .*package-lock\.json/.test(r));
        const signatures = runs.indexOf("npm audit signatures");
        expect(ci, "npm ci --ignore-scripts").to.be.greaterThan(-1);
        expect(diff, "git diff --exit-code of the lockfile after the install").to.be.greaterThan(ci);
        expect(signatures, "npm audit signatures after the install").to.be.greaterThan(ci);
        expect(runs[diff]).to.include("'*package.json'");
        for (const step of job.steps ?? []) {
            expect(step, step.name ?? step.run ?? step.uses).to.not.have.property("continue-on-error");
            expect(step.run ?? "").to.not.match(/\|\||; *true|set \+e/);
        }
        // Nothing to protect there: no secrets, no cloud token.
        expect(JSON.stringify(job)).to.not.include("secrets.");
        expect(job.permissions).to.equal(undefined);
    });
});
