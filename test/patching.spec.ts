/**
 * Issue 15, item 4: security updates without a deploy, in both stacks as the program registers
 * them: the baseline and its patch group, the window, its targets and tasks, the automation
 * document, the role they run as, and what the instances get (the tag, the web role's statement).
 */
import { expect } from "chai";
import { Patching, windowRoleStatements } from "../components/patching";
import {
    PATCH_SEVERITIES,
    asgPatchDocument,
    patchAgentStatement,
    securityApprovalRule,
    tagTargets,
} from "../lib/patching";
import { APP_UNIT } from "../lib/userData/web";
import { ProgramRun } from "../offline/program";
import { RecordedResource } from "../offline/types";
import { runPolicyPack } from "../offline/policyRunner";
import { runComponent } from "./support/component";
import { named, ofType, runStack, sharedRun } from "./support/program";

const TASK = "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask";
const TARGET = "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget";

const statements = (r: RecordedResource) => JSON.parse(r.inputs.policy).Statement as { Sid: string; Action: unknown }[];

describe("patching (mocked program)", function () {
    let dev: ProgramRun;
    let prod: ProgramRun;
    before(async () => {
        dev = await sharedRun("dev");
        prod = await sharedRun("prod");
    });

    it("approves Amazon Linux 2023 security updates rated Critical or Important: at once in dev, a week later in prod", () => {
        for (const [run, stack, days] of [
            [dev, "dev", 0],
            [prod, "prod", 7],
        ] as const) {
            const baseline = named(run, "aws:ssm/patchBaseline:PatchBaseline", "patching-baseline");
            expect(baseline.inputs).to.deep.include({
                name: `webfleet-${stack}-al2023-security`,
                operatingSystem: "AMAZON_LINUX_2023",
                approvalRules: [
                    {
                        approveAfterDays: days,
                        complianceLevel: "CRITICAL",
                        enableNonSecurity: false,
                        patchFilters: [
                            { key: "CLASSIFICATION", values: ["Security"] },
                            { key: "SEVERITY", values: ["Critical", "Important"] },
                        ],
                    },
                ],
            });
            // AWS-RunPatchBaseline picks the baseline by the instance's PatchGroup tag.
            expect(named(run, "aws:ssm/patchGroup:PatchGroup", "patching-group").inputs).to.deep.equal({
                baselineId: baseline.outputs.id,
                patchGroup: `webfleet-${stack}`,
            });
            for (const template of ["web-lt", "bastion-lt"]) {
                const specs = named(run, "aws:ec2/launchTemplate:LaunchTemplate", template).inputs.tagSpecifications;
                expect(specs.find((s: { resourceType: string }) => s.resourceType === "instance").tags).to.include({
                    PatchGroup: `webfleet-${stack}`,
                });
            }
        }
    });

    it("opens a 3-hour window weekly, dev on Tuesdays and prod a day later", () => {
        for (const [run, stack, day] of [
            [dev, "dev", "TUE"],
            [prod, "prod", "WED"],
        ] as const) {
            expect(named(run, "aws:ssm/maintenanceWindow:MaintenanceWindow", "patching-window").inputs).to.deep.include(
                {
                    name: `webfleet-${stack}-patching`,
                    schedule: `cron(0 7 ? * ${day} *)`,
                    duration: 3,
                    cutoff: 1,
                    allowUnassociatedTargets: false,
                },
            );
        }
    });

    it("patches the bastion in place first, then the web servers one at a time through the automation, stopping at the first failure", () => {
        for (const [run, stack] of [
            [dev, "dev"],
            [prod, "prod"],
        ] as const) {
            const window = named(run, "aws:ssm/maintenanceWindow:MaintenanceWindow", "patching-window").outputs.id;
            const targets = (role: string) => named(run, TARGET, `patching-${role}-targets`);
            for (const role of ["web", "bastion"]) {
                expect(targets(role).inputs).to.deep.equal({
                    windowId: window,
                    name: `webfleet-${stack}-${role}`,
                    resourceType: "INSTANCE",
                    targets: [
                        { key: "tag:webfleet:stack", values: [stack] },
                        { key: "tag:webfleet:role", values: [role] },
                    ],
                });
            }
            const role = named(run, "aws:iam/role:Role", "patching-role").outputs.arn;
            const bastion = named(run, TASK, "patching-bastion").inputs;
            expect(bastion).to.deep.include({
                taskType: "RUN_COMMAND",
                taskArn: "AWS-RunPatchBaseline",
                priority: 1,
                serviceRoleArn: role,
                targets: [{ key: "WindowTargetIds", values: [targets("bastion").outputs.id] }],
                maxConcurrency: "1",
                maxErrors: "0",
            });
            expect(bastion.taskInvocationParameters.runCommandParameters.parameters).to.deep.equal([
                { name: "Operation", values: ["Install"] },
                { name: "RebootOption", values: ["RebootIfNeeded"] },
            ]);
            const web = named(run, TASK, "patching-web").inputs;
            const document = named(run, "aws:ssm/document:Document", "patching-asg-instance");
            expect(web).to.deep.include({
                taskType: "AUTOMATION",
                taskArn: document.outputs.name,
                priority: 2,
                serviceRoleArn: role,
                targets: [{ key: "WindowTargetIds", values: [targets("web").outputs.id] }],
                maxConcurrency: "1",
                maxErrors: "0",
            });
            expect(web.taskInvocationParameters.automationParameters.parameters).to.deep.equal([
                { name: "InstanceId", values: ["{{RESOURCE_ID}}"] },
                {
                    name: "AutoScalingGroupName",
                    values: [named(run, "aws:autoscaling/group:Group", "web-asg").outputs.name],
                },
                {
                    name: "TargetGroupArn",
                    values: [named(run, "aws:lb/targetGroup:TargetGroup", "web-lb-tg").outputs.arn],
                },
                { name: "AutomationAssumeRole", values: [role] },
            ]);
            expect(document.inputs).to.deep.equal({
                name: `webfleet-${stack}-patch-asg-instance`,
                documentType: "Automation",
                documentFormat: "JSON",
                content: JSON.stringify(asgPatchDocument({ appUnit: APP_UNIT })),
            });
        }
    });

    it("runs the window as a role that may patch only this stack's instances and stand by only in its web group", () => {
        for (const [run, stack] of [
            [dev, "dev"],
            [prod, "prod"],
        ] as const) {
            const role = named(run, "aws:iam/role:Role", "patching-role");
            expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0]).to.deep.include({
                Principal: { Service: "ssm.amazonaws.com" },
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
            });
            const policy = JSON.parse(named(run, "aws:iam/rolePolicy:RolePolicy", "patching-role").inputs.policy);
            const group = named(run, "aws:autoscaling/group:Group", "web-asg").outputs.name;
            expect(policy.Statement).to.deep.equal(
                windowRoleStatements({
                    account: "123456789012",
                    region: "us-east-1",
                    roleArn: role.outputs.arn,
                    doc: `webfleet-${stack}-patch-asg-instance`,
                    group,
                    stackTag: { key: "webfleet:stack", value: stack },
                }),
            );
            const byId = Object.fromEntries(policy.Statement.map((s: { Sid: string }) => [s.Sid, s]));
            expect(byId.StandbyInTheWebGroup.Resource).to.equal(
                `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/${group}`,
            );
            expect(byId.CommandsToThisStacksInstances.Condition).to.deep.equal({
                StringEquals: { "ssm:resourceTag/webfleet:stack": stack },
            });
        }
    });

    it("gives the web servers' role what Patch Manager needs, listing every action", () => {
        for (const run of [dev, prod]) {
            const web = statements(named(run, "aws:iam/rolePolicy:RolePolicy", "web-role-policy"));
            expect(web.find((s) => s.Sid === "PatchManager")).to.deep.equal(patchAgentStatement());
            expect(web.flatMap((s) => [s.Action].flat()).filter((a) => String(a).includes("*"))).to.deep.equal([]);
        }
    });

    it("leaves everything as it was with patching off, and the bastion's part out without a bastion", async () => {
        const off = await runStack("dev", { "webfleet:patching": { enabled: false } });
        // The SSH-access association's SSM resources (components/sshAccess.ts) stay.
        expect(
            off.resources
                .filter((r) => r.type.startsWith("aws:ssm/") || r.name.startsWith("patching"))
                .filter((r) => !r.name.startsWith("ssh-access")),
        ).to.deep.equal([]);
        const web = statements(named(off, "aws:iam/rolePolicy:RolePolicy", "web-role-policy"));
        expect(web.map((s) => s.Sid)).to.not.include("PatchManager");
        const specs = named(off, "aws:ec2/launchTemplate:LaunchTemplate", "web-lt").inputs.tagSpecifications;
        expect(specs[0].tags).to.not.have.property("PatchGroup");

        const noBastion = await runStack("dev", { "webfleet:bastion": { enabled: false } });
        expect(ofType(noBastion, TASK).map((t) => t.name)).to.deep.equal(["patching-web"]);
        expect(ofType(noBastion, TARGET).map((t) => t.name)).to.deep.equal(["patching-web-targets"]);
    });

    it("trips only the pack's advisory resource-wildcard rule, on the one action whose resource is unconfirmed", async () => {
        // Patch Manager's agent calls and the window's reads take no resource, and the pack's
        // ignoredActions lists them; AWS Backup's validation report stays advisory until its
        // resource type is confirmed against AWS.
        for (const run of [dev, prod]) {
            const report = await runPolicyPack({ project: run.project, stack: run.stack, resources: run.resources });
            expect(
                report.violations.map((v) => [v.enforcementLevel, v.policy, (v.urn ?? "").split("::").pop()]),
            ).to.deep.equal([["advisory", "iam-resource-wildcard", "restore-test-validator-role"]]);
            const actions = report.violations.map((v) => / allows (.+) on every resource/.exec(v.message)?.[1]);
            expect(actions).to.deep.equal(["backup:PutRestoreValidationResult"]);
        }
    });

    it("refuses an approval delay Patch Manager does not accept, naming the key", async () => {
        expect(() => securityApprovalRule(400)).to.throw(
            "patching.approveAfterDays: 400 is outside 0 to 360, the days Patch Manager accepts",
        );
        const { error } = await runComponent(() => {
            new Patching("patching", {
                prefix: "webfleet-seams",
                patchGroup: "webfleet-seams",
                schedule: "cron(0 7 ? * TUE *)",
                approveAfterDays: -1,
                stackTag: { key: "webfleet:stack", value: "seams" },
                roleTagKey: "webfleet:role",
                web: { autoScalingGroupName: "asg", targetGroupArn: "arn:tg", appUnit: APP_UNIT },
                bastion: false,
            });
        });
        expect(error?.message).to.include("patching.approveAfterDays: -1 is outside 0 to 360");
    });
});

describe("patching documents (pure)", () => {
    it("takes a server out with the capacity kept, patches it, waits for the app, and only then drops the surge", () => {
        const doc = asgPatchDocument({ appUnit: APP_UNIT }) as {
            mainSteps: { name: string; action: string; onFailure?: string; inputs: Record<string, unknown> }[];
        };
        expect(doc.mainSteps.map((s) => [s.name, s.action])).to.deep.equal([
            ["enterStandby", "aws:executeScript"],
            ["waitForSurge", "aws:executeScript"],
            ["waitForStandby", "aws:waitForAwsResourceProperty"],
            ["patch", "aws:runCommand"],
            ["waitForApp", "aws:runCommand"],
            ["exitStandby", "aws:executeAwsApi"],
            ["waitInService", "aws:executeScript"],
            ["dropSurge", "aws:executeAwsApi"],
        ]);
        // Any failure stops where it stands: the surge server is only dropped at the very end.
        expect(doc.mainSteps.every((s) => s.onFailure === "Abort")).to.equal(true);
        const step = (name: string) => doc.mainSteps.find((s) => s.name === name)!.inputs;
        expect(step("patch")).to.deep.equal({
            DocumentName: "AWS-RunPatchBaseline",
            InstanceIds: ["{{ InstanceId }}"],
            Parameters: { Operation: "Install", RebootOption: "RebootIfNeeded" },
        });
        expect(step("dropSurge")).to.deep.equal({
            Service: "autoscaling",
            Api: "TerminateInstanceInAutoScalingGroup",
            InstanceId: "{{ waitForSurge.SurgeInstanceId }}",
            ShouldDecrementDesiredCapacity: true,
        });
        expect((step("waitForApp").Parameters as { commands: string[] }).commands.join("\n")).to.include(
            `systemctl is-active --quiet '${APP_UNIT}'`,
        );
        expect(PATCH_SEVERITIES).to.deep.equal(["Critical", "Important"]);
    });

    it("targets instances by every tag given", () => {
        expect(tagTargets({ "webfleet:stack": "prod", "webfleet:role": "web" })).to.deep.equal([
            { key: "tag:webfleet:stack", values: ["prod"] },
            { key: "tag:webfleet:role", values: ["web"] },
        ]);
    });
});
