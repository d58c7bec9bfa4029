/**
 * What the AWS APIs refuse that neither @pulumi/aws's types nor the mocks check: character sets
 * and limits of free-text fields, asserted over every resource of the whole program (dev, prod,
 * and prod with the options that add resources), so a wording change cannot fail a real deploy.
 */
import { expect } from "chai";
import { ProgramRun } from "../offline/program";
import { RecordedResource } from "../offline/types";
import { MAX_USER_TAGS } from "../stackConfig/rules";
import { configProblems, rawConfig } from "./support/config";
import { runStack, sharedRun } from "./support/program";
import { validateStackConfig } from "../stackConfig";
import { nameWithin } from "../lib/naming";

/**
 * EC2's CreateSecurityGroup GroupDescription and a rule's IpRange description: a-z, A-Z, 0-9,
 * spaces and ._-:/()#,@[]+=&;{}!$* (no apostrophe, no quotes), at most 255 characters.
 */
const SG_TEXT = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{0,255}$/;
/** A rule that references a security group or a prefix list: the same set without "&". */
const SG_REFERENCE_TEXT = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]{0,255}$/;

const SG = "aws:ec2/securityGroup:SecurityGroup";
const RULES = [
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
];

function descriptionProblems(run: ProgramRun): string[] {
    const problems: string[] = [];
    const check = (r: RecordedResource, pattern: RegExp, what: string) => {
        const description = r.inputs.description;
        if (typeof description === "string" && !pattern.test(description)) {
            problems.push(`${r.type} ${r.name}: ${JSON.stringify(description)} (${what})`);
        }
    };
    for (const r of run.resources) {
        if (r.type === SG) {
            check(r, SG_TEXT, "security group description");
        } else if (RULES.includes(r.type)) {
            const referencing = r.inputs.referencedSecurityGroupId !== undefined || r.inputs.prefixListId !== undefined;
            check(r, referencing ? SG_REFERENCE_TEXT : SG_TEXT, "security group rule description");
        }
    }
    return problems;
}

describe("AWS API constraints on free text (whole program)", function () {
    const runs: Record<string, ProgramRun> = {};
    before(async () => {
        runs.dev = await sharedRun("dev");
        runs.prod = await sharedRun("prod");
        // CloudFront (the prefix-list rule) and SSH ingress (the CIDR rules and the Elastic IP).
        runs["prod with CDN and SSH"] = await runStack("prod", {
            "webfleet:web": { domain: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
            "webfleet:bastion": { allowedCidrs: ["203.0.113.0/24"] },
        });
    });

    it("every security group and rule description uses only the characters EC2 accepts (no apostrophes)", () => {
        for (const [stack, run] of Object.entries(runs)) {
            const rules = run.resources.filter((r) => r.type === SG || RULES.includes(r.type));
            expect(rules.length, stack).to.be.greaterThan(10);
            expect(descriptionProblems(run), stack).to.deep.equal([]);
        }
    });

    it("the check itself refuses what EC2 refuses", () => {
        const fake = (description: string, referenced: boolean): RecordedResource =>
            ({
                type: RULES[0],
                name: "r",
                inputs: { description, ...(referenced ? { referencedSecurityGroupId: "sg-1" } : {}) },
            }) as unknown as RecordedResource;
        const run = {
            resources: [
                fake("The app's port", true),
                fake("A & B", true),
                fake("A & B", false),
                fake("fine (443)", true),
            ],
        } as unknown as ProgramRun;
        expect(descriptionProblems(run)).to.have.length(2);
    });
});

describe("S3 object and Route 53 health check tags (whole program)", function () {
    const TEN_TAGS_AT_MOST = ["aws:s3/bucketObjectv2:BucketObjectv2", "aws:route53/healthCheck:HealthCheck"];
    const userTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`cost-tag-${i}`, "x"]));

    /** The tags of each resource that takes at most 10 (S3 objects, Route 53 health checks) as AWS gets them: the provider's default tags and its own. */
    function objectTagCounts(run: ProgramRun): Record<string, number> {
        const provider = run.resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "aws");
        const raw = provider?.inputs.defaultTags;
        const defaults = (typeof raw === "string" ? JSON.parse(raw) : raw) as { tags: Record<string, string> };
        return Object.fromEntries(
            run.resources
                .filter((r) => TEN_TAGS_AT_MOST.includes(r.type))
                .map((r) => [
                    r.name,
                    Object.keys({ ...defaults.tags, ...((r.inputs.tags as Record<string, string>) ?? {}) }).length,
                ]),
        );
    }

    it("with the most user tags the config allows, every S3 object and health check carries at most 10 (their limit)", async () => {
        const run = await runStack("prod", {
            // The stack file's own tag (team) and as many more as the config allows.
            "webfleet:tags": userTags(MAX_USER_TAGS - 1),
            "webfleet:web": { domain: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
        });
        const counts = objectTagCounts(run);
        // The app bundle, the CDN's four error pages and the two synthetic checks.
        expect(Object.keys(counts)).to.have.length(7);
        for (const [name, count] of Object.entries(counts)) {
            expect(count, name).to.be.at.most(10);
        }
        expect(Math.max(...Object.values(counts))).to.equal(10);
    });

    it("the config refuses one user tag more, naming the limit and which tags to remove", () => {
        expect(() => validateStackConfig(rawConfig("dev", { tags: userTags(MAX_USER_TAGS) }))).not.to.throw();
        const message = configProblems(() =>
            validateStackConfig(rawConfig("dev", { tags: { ...userTags(MAX_USER_TAGS + 1), Name: "n" } })),
        );
        expect(message).to.include(
            `tags: expected at most ${MAX_USER_TAGS} tags: S3 objects and Route 53 health checks take 10 tags`,
        );
        expect(message).to.include(`pulumi config rm --stack dev --path tags.cost-tag-${MAX_USER_TAGS}`);
    });
});

describe("tag values (config)", () => {
    it("refuses a value ELBv2, SSM and RDS would refuse (their TagValue pattern), and accepts theirs", () => {
        const ok = { team: "Platform Team / EU-1", owner: "ops@example.com", cost: "a=b+c:d_e.f" };
        expect(() => validateStackConfig(rawConfig("dev", { tags: ok }))).not.to.throw();
        const message = configProblems(() =>
            validateStackConfig(rawConfig("dev", { tags: { team: "Platform (EU)", owner: "Ops, EU" } })),
        );
        expect(message).to.include("tags.team: expected a tag value of letters, digits, spaces and _.:/=+-@ only");
        expect(message).to.include('found "Platform (EU)"');
        expect(message).to.include('found "Ops, EU"');
    });
});

describe("names AWS limits in length", () => {
    it("refuses a name over its limit with the fix, and passes one at the limit unchanged", () => {
        const prefix = `${"p".repeat(40)}-${"s".repeat(12)}`; // a long project and stack
        expect(() => nameWithin(`${prefix}-error-pages`, 64, "CloudFront origin access control")).to.throw(
            `CloudFront origin access control name "${prefix}-error-pages" is 65 characters, more than the 64 AWS allows; use a shorter project or stack name`,
        );
        const atLimit = "x".repeat(64);
        expect(nameWithin(atLimit, 64, "CloudFront origin access control")).to.equal(atLimit);
    });

    it("names every limited resource of prod with CloudFront within its limit, through the check", async () => {
        const run = await runStack("prod", {
            "webfleet:web": { domain: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
        });
        const limits: [string, number][] = [
            ["aws:cloudfront/originAccessControl:OriginAccessControl", 64],
            ["aws:wafv2/webAcl:WebAcl", 128],
            ["aws:ssm/patchBaseline:PatchBaseline", 128],
            ["aws:ssm/maintenanceWindow:MaintenanceWindow", 128],
        ];
        for (const [type, max] of limits) {
            const named = run.resources.filter((r) => r.type === type);
            expect(named, type).not.to.deep.equal([]);
            for (const r of named) {
                expect(String(r.inputs.name).length, `${type} ${r.name}`).to.be.at.most(max);
            }
        }
    });
});
