import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { jsonOutput } from "../offline/cli";
import { PlanDiff, PlanDocument, diffPlans, flatten, renderDiff } from "../offline/diff";
import { runPlan } from "../offline/plan";
import { REPO_ROOT } from "../offline/program";
import { replacementFor } from "../offline/replacements";

const REF = { ref: "base", commit: "0123456789abcdef0123" };

async function planOf(overrides: Record<string, unknown> = {}): Promise<PlanDocument> {
    return jsonOutput(await runPlan({ stack: "dev", overrides }));
}

const change = (d: PlanDiff, name: string) => d.resources.find((r) => r.name === name);

describe("plan diff (offline/diff.ts) on real changes to the program", function () {
    this.timeout(180000);
    let base: PlanDocument;
    before(async () => {
        base = await planOf();
    });

    it("finds nothing to do between two plans of the same program", () => {
        const d = diffPlans(base, base, REF);
        expect(d.resources).to.deep.equal([]);
        expect(d.summary).to.include({ add: 0, remove: 0, replace: 0, update: 0 });
        expect(renderDiff(d, { width: 100, details: false })).to.include("No changes to the infrastructure.");
    });

    it("shows a changed instance type as an in-place update of the launch template, with old → new", async () => {
        const head = await planOf({ "webfleet:web": { instanceType: "t4g.medium" } });
        const d = diffPlans(base, head, REF);
        const lt = change(d, "web-lt")!;
        expect(lt.kind).to.equal("update");
        expect(lt.changes).to.deep.include({ path: "instanceType", old: "t4g.small", new: "t4g.medium" });
        expect(d.summary.add + d.summary.remove + d.summary.replace).to.equal(0);
        // The cost follows: three servers of the next size up.
        expect(d.cost!.new).to.be.greaterThan(d.cost!.old);
        const text = renderDiff(d, { width: 100, details: false });
        expect(text).to.include("~  aws.ec2.LaunchTemplate web-lt (update)");
        expect(text).to.include('instanceType: "t4g.small" → "t4g.medium"');
    });

    it("shows resources added and removed (the bastion off; the WAF on in dev)", async () => {
        const head = await planOf({ "webfleet:bastion": { enabled: false }, "webfleet:waf": { enabled: true } });
        const d = diffPlans(base, head, REF);
        const removed = d.resources.filter((r) => r.kind === "remove").map((r) => r.name);
        const added = d.resources.filter((r) => r.kind === "add").map((r) => r.name);
        expect(removed).to.include.members(["bastion", "bastion-sg", "bastion-asg", "bastion-lt"]);
        expect(added).to.include.members(["waf", "waf-acl"]);
        expect(d.outputs).to.deep.include({
            key: "bastionSecurityGroupId",
            old: base.outputs.bastionSecurityGroupId,
            new: null,
        });
    });

    it("shows a change to a force-new input as a replacement, and says which input forced it", async () => {
        const head = await planOf({ "webfleet:database": { name: "shop" } });
        const d = diffPlans(base, head, REF);
        const db = change(d, "database-db")!;
        expect(db.kind).to.equal("replace");
        expect(db.replacedBecause).to.deep.equal(["dbName"]);
        expect(db.changes).to.deep.include({ path: "dbName", old: "webfleet", new: "shop" });
        expect(renderDiff(d, { width: 100, details: false })).to.include("replaced because dbName changed");
    });

    it("reports policy violations introduced and fixed, by phase", () => {
        const v = {
            policy: "imdsv2-required",
            enforcementLevel: "mandatory",
            urn: "urn:x",
            message: "m",
            phase: "update",
        };
        const head = { ...base, violations: [...base.violations, v] };
        expect(diffPlans(base, head, REF).violations).to.deep.equal({ introduced: [v], fixed: [] });
        expect(diffPlans(head, base, REF).violations).to.deep.equal({ introduced: [], fixed: [v] });
        // The same rule on the same resource in the other phase is another finding.
        const other = { ...head, violations: [...base.violations, { ...v, phase: "preview" }] };
        expect(diffPlans(head, other, REF).violations.introduced).to.have.length(1);
    });
});

describe("plan diff helpers", () => {
    it("flattens inputs to leaf paths, arrays by index", () => {
        expect([...flatten({ a: { b: [1, { c: "x" }] }, d: [], e: {} })]).to.deep.equal([
            ["a.b[0]", 1],
            ["a.b[1].c", "x"],
            ["d", []],
            ["e", {}],
        ]);
    });

    it("knows force-new inputs per type, honours replaceOnChanges, and says when it cannot know", () => {
        expect(replacementFor("aws:ec2/subnet:Subnet", ["cidrBlock", "tags"])).to.deep.equal({
            verdict: "replace",
            because: ["cidrBlock"],
        });
        expect(replacementFor("aws:ec2/subnet:Subnet", ["tags"]).verdict).to.equal("update");
        expect(replacementFor("aws:ec2/launchTemplate:LaunchTemplate", ["userData"]).verdict).to.equal("update");
        expect(replacementFor("aws:ec2/subnet:Subnet", ["tags"], ["tags"])).to.deep.equal({
            verdict: "replace",
            because: ["tags"],
        });
        expect(replacementFor("aws:foo/bar:Baz", ["x"]).verdict).to.equal("unknown");
        expect(replacementFor("random:index/randomId:RandomId", ["byteLength"]).verdict).to.equal("replace");
    });
});

describe("plan diff: what the engine refuses (protected resources)", () => {
    const URN = "urn:pulumi:prod::webfleet::aws:rds/instance:Instance::db";
    const doc = (resources: PlanDocument["resources"]): PlanDocument => ({
        project: "webfleet",
        stack: "prod",
        resources,
        outputs: {},
        violations: [],
    });
    const db = (dbName: string, protect: boolean) => ({
        urn: URN,
        type: "aws:rds/instance:Instance",
        name: "db",
        inputs: { dbName },
        options: { protect },
    });

    it("refuses to replace a resource protected in the state and the program, with the engine's error", () => {
        const d = diffPlans(doc([db("webfleet", true)]), doc([db("shop", true)]), REF);
        expect(change(d, "db")).to.include({ kind: "replace" });
        expect(change(d, "db")!.error).to.match(/^unable to replace resource "urn:pulumi:prod::webfleet::aws:rds/);
        expect(d.errors).to.deep.equal([change(d, "db")!.error]);
        const text = renderDiff(d, { width: 100, details: true });
        expect(text).to.include(`error: unable to replace resource "${URN}"`);
        expect(text).to.include("as it is currently marked for protection");
        // Unprotecting and replacing in one update is allowed; so is an in-place update.
        expect(diffPlans(doc([db("webfleet", true)]), doc([db("shop", false)]), REF).errors).to.deep.equal([]);
        const update = { ...db("webfleet", true), inputs: { dbName: "webfleet", instanceClass: "db.m7g.xlarge" } };
        expect(diffPlans(doc([db("webfleet", true)]), doc([update]), REF).errors).to.deep.equal([]);
    });

    it("refuses to delete a resource its state protects, naming `pulumi state unprotect`", () => {
        const d = diffPlans(doc([db("webfleet", true)]), doc([]), REF);
        expect(change(d, "db")).to.include({ kind: "remove" });
        expect(d.errors![0]).to.contain(`unable to delete resource "${URN}"`);
        expect(d.errors![0]).to.contain(`pulumi state unprotect ${URN}`);
        expect(diffPlans(doc([db("webfleet", false)]), doc([]), REF).errors).to.deep.equal([]);
    });
});

describe("npm run plan -- --diff <git-ref> (a real git ref)", function () {
    this.timeout(240000);

    it("compares the working tree with the plan at the ref, and names the ref and its commit", function () {
        if (spawnSync("git", ["--version"]).status !== 0) {
            this.skip();
        }
        // A clone of this repository's HEAD with one uncommitted change, sharing node_modules.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-diff-"));
        const clone = path.join(dir, "repo");
        const r0 = spawnSync("git", ["clone", "--quiet", "--no-hardlinks", REPO_ROOT, clone], { encoding: "utf8" });
        expect(r0.status, r0.stderr).to.equal(0);
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
        const stack = path.join(clone, "Pulumi.dev.yaml");
        fs.writeFileSync(
            stack,
            fs.readFileSync(stack, "utf8").replace("    instanceType: t4g.nano", "    instanceType: t4g.micro"),
        );
        const plan = (...args: string[]) =>
            spawnSync(process.execPath, ["-r", "./scripts/register.js", "offline/cli.ts", ...args], {
                cwd: clone,
                encoding: "utf8",
            });
        const r = plan("--stack", "dev", "--diff", "HEAD", "--json");
        expect(r.status, r.stderr).to.equal(0);
        const d = JSON.parse(r.stdout) as PlanDiff;
        const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: clone, encoding: "utf8" }).stdout.trim();
        expect(d.base).to.deep.equal({ ref: "HEAD", commit: head });
        expect(change(d, "bastion-lt")).to.deep.include({ kind: "update" });
        expect(change(d, "bastion-lt")!.changes).to.deep.include({
            path: "instanceType",
            old: "t4g.nano",
            new: "t4g.micro",
        });
        const unknown = plan("--stack", "dev", "--diff", "no-such-ref");
        expect(unknown.status).to.equal(2);
        expect(unknown.stderr).to.include("--diff no-such-ref: not a commit in this repository");
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
