import { expect } from "chai";
import { AUTO_SCALING_ROLE_NAME } from "../components/autoScalingRole";
import { ProgramError, runProgram } from "../offline/program";
import { named, ofType, sharedRun } from "./support/program";

const SLR = "aws:iam/serviceLinkedRole:ServiceLinkedRole";
const ROLE_ARN = `arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/${AUTO_SCALING_ROLE_NAME}`;

function autoScalingPrincipal(policy: string): unknown {
    const statements: { Principal?: { AWS?: unknown } }[] = JSON.parse(policy).Statement;
    return statements.map((s) => s.Principal?.AWS).find((p) => typeof p === "string" && p.includes("AutoScaling"));
}

describe("the Auto Scaling service-linked role the stack key names", function () {
    this.timeout(120000);

    it("in a used account, looks the role up and names it in the key policy, creating nothing", async () => {
        const run = await sharedRun("dev");
        expect(ofType(run, SLR)).to.deep.equal([]);
        expect(run.invokes).to.include("aws:iam/getRole:getRole");
        expect(autoScalingPrincipal(named(run, "aws:kms/key:Key", "secrets-key").inputs.policy)).to.equal(ROLE_ARN);
    });

    for (const phase of ["preview", "update"] as const) {
        it(`in a fresh account, fails the ${phase} with the command that creates it`, async () => {
            let error: unknown;
            try {
                await runProgram({ stack: "dev", phase, existingRoles: [] });
            } catch (e) {
                error = e;
            }
            expect(error).to.be.instanceOf(ProgramError);
            const message = (error as Error).message;
            expect(message).to.include(`the Auto Scaling service-linked role ${AUTO_SCALING_ROLE_NAME} does not exist`);
            expect(message).to.include(
                "aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com",
            );
            expect(message).to.include("pulumi config set --path account.createAutoScalingServiceLinkedRole true");
        });
    }

    it("with account.createAutoScalingServiceLinkedRole, creates it (kept after the stack) before the key", async () => {
        const run = await runProgram({
            stack: "dev",
            existingRoles: [],
            overrides: { "webfleet:account": { createAutoScalingServiceLinkedRole: true } },
        });
        const role = named(run, SLR, "autoscaling-role-role");
        expect(role.inputs.awsServiceName).to.equal("autoscaling.amazonaws.com");
        expect(role.options?.retainOnDelete).to.equal(true);
        const key = named(run, "aws:kms/key:Key", "secrets-key");
        expect(key.propertyDependencies.policy).to.include(role.urn);
        expect(autoScalingPrincipal(key.inputs.policy)).to.equal(role.outputs.arn);
        expect(run.invokes).to.not.include("aws:iam/getRole:getRole");
    });
});
