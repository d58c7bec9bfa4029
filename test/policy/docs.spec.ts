/**
 * The pack's documentation stays true to the code: the rule table is rendered from the rules'
 * metadata and the two stack config files, the coverage table from the peer rule lists and the
 * rules' equivalents, and docs/policy-pack.md must hold exactly what they render.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { AWSGUARD_RULES, AWS_SOLUTIONS_RULES } from "../../policy/coverage";
import {
    COVERAGE_END,
    COVERAGE_START,
    TABLE_END,
    TABLE_START,
    coveringRules,
    extractTable,
    loadStackConfigs,
    main,
    renderCoverageTable,
    renderPolicyTable,
    replaceTable,
    shortType,
} from "../../policy/docs";
import { policies } from "../../policy/policies";

const ROOT = path.resolve(__dirname, "..", "..");

function runDocs(...args: string[]): { code: number; stderr: string } {
    try {
        execFileSync(
            process.execPath,
            [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "policy", "docs.ts"), ...args],
            { cwd: ROOT, stdio: "pipe" },
        );
        return { code: 0, stderr: "" };
    } catch (e) {
        const err = e as { status: number; stderr: Buffer };
        return { code: err.status, stderr: err.stderr.toString() };
    }
}

describe("policy docs", () => {
    const table = renderPolicyTable();

    it("renders one row per rule, in the pack's topics, with its dev and prod level", () => {
        const rows = table.split("\n").slice(2);
        expect(rows.length).to.equal(policies.length);
        expect(rows.map((r) => /`([^`]+)`/.exec(r)?.[1]).sort()).to.deep.equal(policies.map((p) => p.name).sort());
        const row = (name: string) => rows.find((r) => r.includes(`\`${name}\``))!.split(" | ");
        expect(row("rds-backup-retention").slice(5, 7)).to.deep.equal([
            "advisory (minimumDays: 1)",
            "mandatory (minimumDays: 14)",
        ]);
        expect(row("rds-multi-az").slice(5, 7)).to.deep.equal(["disabled", "mandatory"]);
        expect(row("iam-resource-wildcard").slice(5, 7)).to.deep.equal(["advisory", "advisory"]);
        expect(row("tags-no-secrets")[3]).to.equal("every resource");
        expect(row("sg-no-public-ingress")[3]).to.equal(
            "aws.ec2.SecurityGroup, aws.ec2.DefaultSecurityGroup, aws.ec2.SecurityGroupRule, aws.vpc.SecurityGroupIngressRule",
        );
    });

    it("follows the config files: a changed level shows in the table", () => {
        const configs = loadStackConfigs();
        configs.dev["rds-multi-az"] = { enforcementLevel: "mandatory" };
        configs.prod["log-group-retention"] = {
            enforcementLevel: "advisory",
            properties: { minimumDays: 365, exemptions: [{ resource: "legacy-*", reason: "old logs, moved in Q3" }] },
        };
        const changed = renderPolicyTable(configs).split("\n");
        expect(
            changed
                .find((r) => r.includes("`rds-multi-az`"))!
                .split(" | ")
                .slice(5, 7),
        ).to.deep.equal(["mandatory", "mandatory"]);
        expect(
            changed
                .find((r) => r.includes("`log-group-retention`"))!
                .split(" | ")
                .slice(5, 7),
        ).to.deep.equal(["advisory (minimumDays: 7)", "advisory (minimumDays: 365, 1 exemption(s))"]);
    });

    it("shortens type tokens the way the SDKs name the classes", () => {
        expect(shortType("aws:rds/instance:Instance")).to.equal("aws.rds.Instance");
        expect(shortType("awsx:ec2:Vpc")).to.equal("awsx.ec2.Vpc");
    });

    it("docs/policy-pack.md holds the current rule and coverage tables, and README.md links to it", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs", "policy-pack.md"), "utf8");
        expect(extractTable(doc)).to.equal(table);
        expect(extractTable(doc, COVERAGE_START, COVERAGE_END)).to.equal(renderCoverageTable());
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        expect(readme).to.contain("[docs/policy-pack.md](docs/policy-pack.md)");
        expect(readme).to.not.contain(TABLE_START);
    });

    describe("coverage of the peer packs", () => {
        it("lists exactly the policies the installed @pulumi/awsguard registers", () => {
            process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";
            const names: string[] = [];
            for (const mod of [
                "apiGateway",
                "compute",
                "database",
                "elasticsearch",
                "network",
                "security",
                "storage",
            ]) {
                const exported = require(`@pulumi/awsguard/${mod}`) as Record<string, { name?: unknown }>;
                for (const p of Object.values(exported)) {
                    if (p && typeof p.name === "string") {
                        names.push(p.name);
                    }
                }
            }
            expect(AWSGUARD_RULES.map((r) => r.id).sort()).to.deep.equal(names.sort());
        });

        it("answers every peer rule either with covering rules or with the reason it does not apply, never both", () => {
            for (const [peer, list] of [
                ["awsguard", AWSGUARD_RULES],
                ["cdkNag", AWS_SOLUTIONS_RULES],
            ] as const) {
                for (const r of list) {
                    const covered = coveringRules(peer, r.id).length > 0;
                    expect(
                        covered !== (r.reason !== undefined),
                        `${r.id}: covered ${covered}, reason ${r.reason}`,
                    ).to.equal(true);
                }
            }
        });

        it("lists every AwsSolutions rule a pack rule names, so no covered rule is missing from the table", () => {
            const listed = new Set(AWS_SOLUTIONS_RULES.map((r) => r.id));
            for (const p of policies) {
                for (const id of (p.metadata.equivalents.cdkNag ?? []).filter((i) => i.startsWith("AwsSolutions-"))) {
                    expect(listed.has(id), `${p.name}: ${id}`).to.equal(true);
                }
            }
        });

        it("renders a row per peer rule with its covering rules", () => {
            const rows = renderCoverageTable().split("\n").slice(2);
            expect(rows.length).to.equal(AWSGUARD_RULES.length + AWS_SOLUTIONS_RULES.length);
            expect(rows.find((r) => r.includes("`AwsSolutions-IAM5`"))).to.contain(
                "`iam-no-wildcard-action`, `iam-no-sensitive-service-wildcard`, `iam-resource-wildcard`",
            );
            expect(rows.find((r) => r.includes("`redshift-cluster-public-access`"))).to.contain(
                "not covered: Redshift",
            );
        });
    });

    it("replaces only what is between the markers", () => {
        const text = `# Title\n\nbefore\n${TABLE_START}\nold table\n${TABLE_END}\nafter\n`;
        expect(replaceTable(text, "| new |")).to.equal(
            `# Title\n\nbefore\n${TABLE_START}\n| new |\n${TABLE_END}\nafter\n`,
        );
        expect(() => replaceTable("no markers", "x")).to.throw(/needs the lines/);
    });

    describe("the CLI (ts-node --transpile-only policy/docs.ts)", function () {
        this.timeout(60000);
        let dir: string;
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-docs-"));
        });
        after(() => {
            fs.rmSync(dir, { recursive: true, force: true });
        });

        /** main() in-process, with stderr captured. */
        function cli(...args: string[]): { code: number; stderr: string } {
            const write = process.stderr.write.bind(process.stderr);
            const out = process.stdout.write.bind(process.stdout);
            let stderr = "";
            process.stderr.write = (chunk: string) => {
                stderr += chunk;
                return true;
            };
            process.stdout.write = () => true;
            try {
                return { code: main(args), stderr };
            } finally {
                process.stderr.write = write;
                process.stdout.write = out;
            }
        }

        it("--write (run as the command line) replaces the table in a file, and --check then passes", () => {
            const file = path.join(dir, "README.md");
            fs.writeFileSync(file, `# Team docs\n${TABLE_START}\nstale\n${TABLE_END}\n`);
            expect(runDocs("--write", file).code).to.equal(0);
            expect(fs.readFileSync(file, "utf8")).to.equal(`# Team docs\n${TABLE_START}\n${table}\n${TABLE_END}\n`);
            expect(cli("--check", file).code).to.equal(0);
        });

        it("--check fails on a stale table and says how to fix it", () => {
            const file = path.join(dir, "stale.md");
            fs.writeFileSync(file, `${TABLE_START}\nstale\n${TABLE_END}\n`);
            const r = cli("--check", file);
            expect(r.code).to.equal(1);
            expect(r.stderr).to.equal(
                `${file}: the generated tables are out of date; run ts-node --transpile-only policy/docs.ts --write ${file}\n`,
            );
        });

        it("refuses a file without the markers, and bad usage", () => {
            const file = path.join(dir, "plain.md");
            fs.writeFileSync(file, "# nothing here\n");
            const r = cli("--write", file);
            expect(r.code).to.equal(2);
            expect(r.stderr).to.contain(`needs the lines ${TABLE_START} and ${TABLE_END}`);
            expect(r.stderr).to.contain(`(or ${COVERAGE_START} and ${COVERAGE_END})`);
            expect(cli("--publish").code).to.equal(2);
        });
    });
});
