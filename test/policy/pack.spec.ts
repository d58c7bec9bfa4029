/**
 * The pack as a whole: enough rules, each named, described and documented, every type token
 * real, both load balancer spellings matched, and every rule with its compliant, violating and
 * unknown-value cases (declared by the topic specs, imported here so this file runs alone too).
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import { AWSGUARD_RULES } from "../../policy/coverage";
import { EVERY_TYPE, levelForSeverity } from "../../policy/lib/rule";
import { policies } from "../../policy/policies";
import { declaredCases } from "./helpers";
import "./securityGroups.spec";
import "./databaseNetwork.spec";
import "./vpc.spec";
import "./subnets.spec";
import "./networkAcls.spec";
import "./instances.spec";
import "./ebs.spec";
import "./autoscaling.spec";
import "./containers.spec";
import "./listeners.spec";
import "./loadBalancing.spec";
import "./cdn.spec";
import "./waf.spec";
import "./database.spec";
import "./databaseEngine.spec";
import "./storage.spec";
import "./dataStores.spec";
import "./publicExposure.spec";
import "./publicPolicies.spec";
import "./storageInline.spec";
import "./iam.spec";
import "./iamIdentities.spec";
import "./kms.spec";
import "./secretsInText.spec";
import "./serverless.spec";
import "./lambdaPermissions.spec";
import "./snsSubscriptions.spec";
import "./logging.spec";
import "./lifecycle.spec";

const ROOT = path.resolve(__dirname, "..", "..");

/** The SDK class a type token names ("aws:rds/instance:Instance" → aws.rds.Instance). */
function classOf(token: string): { __pulumiType?: string } | undefined {
    const [pkg, mod, name] = token.split(":");
    const sdk = (pkg === "aws" ? aws : pkg === "awsx" ? awsx : undefined) as unknown as
        Record<string, Record<string, { __pulumiType?: string }>> | undefined;
    return sdk?.[mod.split("/")[0]]?.[name];
}

describe("policy pack: webfleet-guard", () => {
    it("has at least 80 rules with unique kebab-case names", () => {
        expect(policies.length).to.be.at.least(80);
        const names = policies.map((p) => p.name);
        expect(new Set(names).size).to.equal(names.length);
        for (const n of names) {
            expect(n, n).to.match(/^[a-z0-9]+(-[a-z0-9]+)+$/);
        }
    });

    it("describes every rule in a full sentence and gives it a severity, its level and metadata", () => {
        for (const p of policies) {
            expect(p.description, p.name).to.match(/^[A-Z][^]*\.$/);
            expect(p.description.split(" ").length, p.name).to.be.at.least(6);
            expect(["low", "medium", "high", "critical"], p.name).to.include(p.severity);
            expect(p.metadata.checks, p.name).to.be.a("string").and.not.equal("");
            expect(["violation", "advisory", "reference"], p.name).to.include(p.metadata.unknown);
            // Without a config file (another team enabling the published pack), prod's level.
            expect(p.enforcementLevel, p.name).to.equal(levelForSeverity(p.severity, "prod"));
        }
    });

    it("names equivalent checks by the IDs the peers use, and only awsguard policies that exist", () => {
        const awsguard = new Set(AWSGUARD_RULES.map((r) => r.id));
        for (const p of policies) {
            const e = p.metadata.equivalents;
            for (const id of e.cdkNag ?? []) {
                expect(id, p.name).to.match(
                    /^(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-[A-Za-z0-9]+$/,
                );
            }
            for (const id of e.checkov ?? []) {
                expect(id, p.name).to.match(/^CKV2?_AWS_\d+$/);
            }
            for (const id of e.awsguard ?? []) {
                expect(awsguard.has(id), `${p.name}: awsguard ${id}`).to.equal(true);
            }
        }
    });

    it("keeps every rule file small (one topic, about 350 lines at most)", () => {
        const dir = path.join(ROOT, "policy");
        for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".ts"))) {
            const lines = fs.readFileSync(path.join(dir, f), "utf8").split("\n").length;
            expect(lines, f).to.be.at.most(360);
        }
    });

    it("names only type tokens that exist in @pulumi/aws 7 and @pulumi/awsx", () => {
        for (const p of policies) {
            expect(p.metadata.resources.length, p.name).to.be.greaterThan(0);
            for (const token of p.metadata.resources.filter((t) => t !== EVERY_TYPE)) {
                expect(classOf(token)?.__pulumiType, `${p.name}: ${token}`).to.equal(token);
            }
        }
    });

    it("matches both spellings of every load balancer type it concerns (aws:lb/… and aws:alb/…)", () => {
        for (const p of policies) {
            const tokens = new Set(p.metadata.resources);
            for (const t of tokens) {
                const twin = t.startsWith("aws:lb/")
                    ? t.replace(/^aws:lb\//, "aws:alb/")
                    : t.startsWith("aws:alb/")
                      ? t.replace(/^aws:alb\//, "aws:lb/")
                      : undefined;
                if (twin) {
                    expect(tokens.has(twin), `${p.name} covers ${t} but not ${twin}`).to.equal(true);
                }
            }
        }
    });

    it("explains every rule whose unknown values pass or are handled specially", () => {
        for (const p of policies.filter((x) => x.metadata.unknown === "reference")) {
            expect(p.metadata.unknownNote, p.name).to.be.a("string").and.not.equal("");
        }
    });

    it("tests every rule: compliant cases, each way to violate it, and its unknown-value case as its metadata says", () => {
        for (const p of policies) {
            const cases = declaredCases.get(p.name);
            expect(cases, `no cases for ${p.name}`).to.not.equal(undefined);
            expect(cases!.compliant.length, p.name).to.be.greaterThan(0);
            expect(cases!.violations.length, p.name).to.be.greaterThan(0);
            for (const v of cases!.violations) {
                expect(v.messages.length, `${p.name}: ${v.title}`).to.be.greaterThan(0);
            }
            const u = cases!.unknown;
            const expected =
                p.metadata.unknown === "advisory"
                    ? "advisory"
                    : p.metadata.unknown === "reference"
                      ? "passes"
                      : "messages";
            const declared = u.advisory ? "advisory" : u.passes ? "passes" : "messages";
            if (declared === "messages") {
                expect(u.messages!.length, `${p.name}: the unknown case reports something`).to.be.greaterThan(0);
            }
            expect(declared, `${p.name}: the unknown case must match unknown: "${p.metadata.unknown}"`).to.equal(
                expected,
            );
        }
    });

    it("is laid out as a policy pack: PulumiPolicy.yaml, a workspace package, index.ts only constructing the pack", () => {
        const yaml = fs.readFileSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"), "utf8");
        expect(yaml).to.match(/^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8"));
        expect(pkg.name).to.equal("webfleet-guard");
        expect(pkg.dependencies).to.have.property("@pulumi/policy");
        const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        expect(root.workspaces).to.include("policy");
        const index = fs.readFileSync(path.join(ROOT, "policy", "index.ts"), "utf8");
        expect(index).to.match(/new PolicyPack\(PACK_NAME, \{ policies \}\)/);
    });

    it("is never imported through policy/index.ts by a test (constructing the pack starts a gRPC server)", () => {
        const dir = path.join(ROOT, "test");
        const files: string[] = [];
        const walk = (d: string) => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                const p = path.join(d, e.name);
                if (e.isDirectory()) {
                    walk(p);
                } else if (p.endsWith(".ts")) {
                    files.push(p);
                }
            }
        };
        walk(dir);
        for (const f of files) {
            expect(fs.readFileSync(f, "utf8"), f).to.not.match(/from\s+["'][./]*policy(\/index)?["']/);
        }
    });
});
