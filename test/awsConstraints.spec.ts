/**
 * What the AWS APIs refuse that neither @pulumi/aws's types nor the mocks check: character sets
 * and limits of free-text fields, asserted over every resource of the whole program (dev, prod,
 * and prod with the options that add resources), so a wording change cannot fail a real deploy.
 */
import { expect } from "chai";
import { ProgramRun } from "../offline/program";
import { RecordedResource } from "../offline/types";
import { runStack, sharedRun } from "./support/program";

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
