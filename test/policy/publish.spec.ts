/**
 * policy/ as a publishable pack: what `npm pack` (and so `pulumi policy publish`, which uploads
 * the directory) carries is self-contained, its package.json pins what it imports, and the
 * unpacked copy starts the way the Pulumi CLI's Node.js policy host starts it (ts-node with type
 * checking and the pack's own tsconfig.json, through @pulumi/pulumi's run-policy-pack) and serves
 * every rule over gRPC.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import * as YAML from "yaml";
import { policies } from "../../policy/policies";

const grpc = require("@grpc/grpc-js");
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const pb = require("@pulumi/pulumi/proto/analyzer_pb");
const emptyPb = require("google-protobuf/google/protobuf/empty_pb");

const ROOT = path.resolve(__dirname, "..", "..");
const POLICY = path.join(ROOT, "policy");

interface PackageJson {
    name: string;
    version: string;
    main: string;
    dependencies: Record<string, string>;
    devDependencies?: Record<string, string>;
}

/** Every module specifier a TypeScript file imports or requires. */
function specifiers(source: string): string[] {
    const out: string[] = [];
    for (const re of [/\bfrom\s+"([^"]+)"/g, /\bimport\s+"([^"]+)"/g, /\brequire\("([^"]+)"\)/g]) {
        for (const m of source.matchAll(re)) {
            out.push(m[1]);
        }
    }
    return out;
}

/** "@pulumi/aws/types" → "@pulumi/aws"; "fs/promises" → "fs". */
function packageOf(spec: string): string {
    const parts = spec.split("/");
    return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

describe("policy pack: publishable from policy/", function () {
    this.timeout(180000);
    let tmp: string;
    let unpacked: string;
    let files: string[];
    const pkg = JSON.parse(fs.readFileSync(path.join(POLICY, "package.json"), "utf8")) as PackageJson;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-guard-pack-"));
        const out = execFileSync("npm", ["pack", "--json", "--pack-destination", tmp], {
            cwd: POLICY,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "ignore"],
        });
        const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
        files = info.files.map((f) => f.path).sort();
        execFileSync("tar", ["xzf", path.join(tmp, info.filename), "-C", tmp]);
        unpacked = path.join(tmp, "package");
    });

    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("carries the project file, package.json, its own tsconfig, the config files and every source file", () => {
        for (const f of [
            "PulumiPolicy.yaml",
            "package.json",
            "tsconfig.json",
            pkg.main,
            "config/dev.json",
            "config/prod.json",
        ]) {
            expect(files, f).to.include(f);
        }
        const sources = fs
            .readdirSync(POLICY, { recursive: true, encoding: "utf8" })
            .filter((f) => f.endsWith(".ts") && !f.startsWith("node_modules"))
            .map((f) => f.split(path.sep).join("/"))
            .sort();
        expect(files.filter((f) => f.endsWith(".ts"))).to.deep.equal(sources);
    });

    it("declares a nodejs runtime and a description, and takes its version from package.json", () => {
        const project = YAML.parse(fs.readFileSync(path.join(POLICY, "PulumiPolicy.yaml"), "utf8")) as Record<
            string,
            unknown
        >;
        expect(project.runtime).to.equal("nodejs");
        expect(String(project.description)).to.match(/^webfleet-guard: /);
        expect(project.version ?? pkg.version).to.equal(pkg.version);
        expect(pkg.name).to.equal("webfleet-guard");
        expect(pkg.version).to.match(/^\d+\.\d+\.\d+$/);
    });

    it("imports nothing outside itself, and pins every package it imports to the version the tests run", () => {
        const declared = { ...pkg.dependencies, ...pkg.devDependencies };
        for (const file of files.filter((f) => f.endsWith(".ts"))) {
            for (const spec of specifiers(fs.readFileSync(path.join(unpacked, file), "utf8"))) {
                if (spec.startsWith(".")) {
                    const target = path.resolve(path.dirname(path.join(unpacked, file)), spec);
                    expect(
                        [`${target}.ts`, path.join(target, "index.ts")].some((t) => fs.existsSync(t)),
                        `${file} imports ${spec}, which the pack does not carry`,
                    ).to.equal(true);
                } else if (!builtinModules.includes(packageOf(spec).replace(/^node:/, ""))) {
                    expect(declared, `${file} imports ${spec}`).to.have.property(packageOf(spec));
                }
            }
        }
        // Exact versions, equal to what this repository installs, so the pack runs what was tested.
        for (const [name, version] of Object.entries(declared)) {
            expect(version, name).to.match(/^\d+\.\d+\.\d+$/);
            const installed = JSON.parse(
                fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8"),
            ) as { version: string };
            // @pulumi/policy's own package.json says "v1.21.0".
            expect(installed.version.replace(/^v/, ""), name).to.equal(version);
        }
        // What the CLI needs to type-check and run a TypeScript pack without the vendored TypeScript 3.8.
        expect(declared).to.include.keys("typescript", "ts-node", "@types/node", "@pulumi/pulumi", "@pulumi/policy");
    });

    describe("unpacked and started like the CLI starts it", () => {
        let child: ChildProcess;
        let client: { getAnalyzerInfo: (r: unknown, cb: (e: Error | null, r: unknown) => void) => void; close(): void };

        before(async () => {
            // The dependencies as `npm install` would lay them out (this repository's, same versions).
            fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(unpacked, "node_modules"), "dir");
            const host = path.join(unpacked, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
            child = spawn(process.execPath, [host, "127.0.0.1:0", "."], {
                cwd: unpacked,
                stdio: ["ignore", "pipe", "pipe"],
            });
            const port = await new Promise<string>((resolve, reject) => {
                let err = "";
                child.stderr!.on("data", (d) => (err += d));
                child.stdout!.once("data", (d) => resolve(String(d).trim()));
                child.once("exit", (code) => reject(new Error(`the unpacked pack exited with ${code}: ${err}`)));
            });
            client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        });

        after(() => {
            client?.close();
            child?.kill();
        });

        it("serves every rule with its severity and default level", async () => {
            const info = await new Promise<{
                getName(): string;
                getPoliciesList(): { getName(): string; getSeverity(): number; getEnforcementlevel(): number }[];
            }>((resolve, reject) =>
                client.getAnalyzerInfo(new emptyPb.Empty(), (e, r) => (e ? reject(e) : resolve(r as never))),
            );
            expect(info.getName()).to.equal("webfleet-guard");
            const served = info.getPoliciesList().map((p) => [p.getName(), p.getSeverity(), p.getEnforcementlevel()]);
            const SEVERITY: Record<string, number> = {
                low: pb.PolicySeverity.POLICY_SEVERITY_LOW,
                medium: pb.PolicySeverity.POLICY_SEVERITY_MEDIUM,
                high: pb.PolicySeverity.POLICY_SEVERITY_HIGH,
                critical: pb.PolicySeverity.POLICY_SEVERITY_CRITICAL,
            };
            const LEVEL: Record<string, number> = {
                advisory: pb.EnforcementLevel.ADVISORY,
                mandatory: pb.EnforcementLevel.MANDATORY,
            };
            expect(served).to.deep.equal(
                policies.map((p) => [p.name, SEVERITY[p.severity], LEVEL[p.enforcementLevel as string]]),
            );
        });
    });
});
