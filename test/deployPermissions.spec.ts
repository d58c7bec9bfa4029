/**
 * The deploy roles' `WebfleetIam` policy (docs/ci-iam.md) against what `pulumi up` does with IAM:
 * every AWS managed policy the program attaches must be attachable, and every role it makes must
 * be passable to the service that assumes it (the API call that hands the role over, such as
 * backup:CreateBackupSelection or ssm:RegisterTaskWithMaintenanceWindow, needs iam:PassRole).
 * Checked over dev, prod and prod with every optional resource on.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { ProgramRun, REPO_ROOT } from "../offline/program";
import { runStack, sharedRun } from "./support/program";

interface Statement {
    Sid?: string;
    Condition?: Record<string, Record<string, string | string[]>>;
}

/** The deploy roles' WebfleetIam policy, as docs/ci-iam.md gives it. */
function deployIamPolicy(): Statement[] {
    const text = fs.readFileSync(path.join(REPO_ROOT, "docs", "ci-iam.md"), "utf8");
    const docs = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
    const policy = docs.find((d) => d.Statement?.some((s: Statement) => s.Sid === "PassRolesToTheServicesThatUseThem"));
    expect(policy, "docs/ci-iam.md has the WebfleetIam policy").to.not.equal(undefined);
    return policy.Statement as Statement[];
}

function conditionValues(statement: Statement | undefined, operator: string, key: string): string[] {
    expect(statement, `the statement with ${key}`).to.not.equal(undefined);
    return [statement!.Condition?.[operator]?.[key] ?? []].flat();
}

/** The services a role's trust policy lets assume it. */
function trustedServices(trust: unknown): string[] {
    const doc = (typeof trust === "string" ? JSON.parse(trust) : trust) as {
        Statement: { Principal?: { Service?: string | string[] } }[];
    };
    return doc.Statement.flatMap((s) => [s.Principal?.Service ?? []].flat());
}

describe("deploy roles (docs/ci-iam.md): the IAM a first `pulumi up` does is allowed", () => {
    const policy = deployIamPolicy();
    const bySid = (sid: string) => policy.find((s) => s.Sid === sid);
    let runs: ProgramRun[];

    before(async () => {
        const everything = await runStack("prod", {
            "webfleet:web": { domain: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
            "webfleet:bastion": { allowedCidrs: ["203.0.113.0/24"] },
        });
        runs = [await sharedRun("dev"), await sharedRun("prod"), everything];
    });

    it("may attach every AWS managed policy the program attaches", () => {
        const allowed = conditionValues(
            bySid("AttachOnlyTheManagedPoliciesTheProgramUses"),
            "ArnEquals",
            "iam:PolicyARN",
        );
        const attached = new Set(
            runs.flatMap((run) =>
                run.resources
                    .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                    .map((r) => r.inputs.policyArn as string),
            ),
        );
        expect(attached.size).to.be.greaterThan(3);
        expect([...attached].filter((arn) => !allowed.includes(arn))).to.deep.equal([]);
    });

    it("may pass every role the program makes to the service that assumes it", () => {
        const passable = conditionValues(
            bySid("PassRolesToTheServicesThatUseThem"),
            "StringEquals",
            "iam:PassedToService",
        );
        const services = new Set(
            runs.flatMap((run) =>
                run.resources
                    .filter((r) => r.type === "aws:iam/role:Role")
                    .flatMap((r) => trustedServices(r.inputs.assumeRolePolicy)),
            ),
        );
        expect(services).to.include("ec2.amazonaws.com");
        expect([...services].filter((s) => !passable.includes(s))).to.deep.equal([]);
    });
});
