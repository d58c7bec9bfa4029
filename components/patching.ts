/**
 * Security updates without a deploy: a patch baseline for Amazon Linux 2023 (security updates
 * rated Critical or Important, approved after `approveAfterDays`), registered for the stack's patch
 * group, and a weekly maintenance window that runs AWS-RunPatchBaseline (Install, reboot only if
 * something was installed) on the bastion, then on the web servers one at a time.
 *
 * A web server is not simply rebooted: with ELB health checks, Auto Scaling would replace it while
 * it boots. Each goes through the Automation document of lib/patching.ts: into Standby with the
 * group's desired capacity kept, so a surge server launches and must be healthy first; patched;
 * its app checked; back in service and healthy; the surge removed. The first failure stops the
 * window, and whatever stops half-way leaves one more server, never one fewer. The bastion (an
 * Auto Scaling group of one with EC2 health checks, which a reboot does not fail) is patched in
 * place. The 30-day instance lifetime still replaces every server with the latest AMI.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Statement, policyDocument, serviceTrustPolicy } from "../lib/iam";
import { childName, nameWithin } from "../lib/naming";
import {
    PATCH_WINDOW_CUTOFF_HOURS,
    PATCH_WINDOW_HOURS,
    asgPatchDocument,
    securityApprovalRule,
    tagTargets,
} from "../lib/patching";

export interface PatchingArgs {
    /** Start of the names (e.g. "webfleet-prod"). */
    prefix: string;
    /** The PatchGroup tag value the stack's instances carry: the baseline is registered for it. */
    patchGroup: string;
    /** When the window opens: an EventBridge cron expression (UTC). */
    schedule: string;
    approveAfterDays: number;
    /**
     * The tag every instance of the stack carries (e.g. webfleet:stack = prod): commands go only
     * to instances with it, and the window's targets add the role tag to it.
     */
    stackTag: { key: string; value: string };
    /** The web servers: tagged role = web; patched one at a time through the Automation document. */
    web: {
        autoScalingGroupName: pulumi.Input<string>;
        targetGroupArn: pulumi.Input<string>;
        /** The app's systemd unit, which must be active again before a server returns. */
        appUnit: string;
    };
    /** Patch the bastion (instances tagged role = bastion) in place too. */
    bastion: boolean;
    /** The role tag key ("webfleet:role"). */
    roleTagKey: string;
}

export class Patching extends pulumi.ComponentResource {
    public readonly baselineId: pulumi.Output<string>;
    public readonly windowId: pulumi.Output<string>;
    public readonly documentName: pulumi.Output<string>;

    constructor(name: string, args: PatchingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:ops:Patching", name, {}, opts);
        let rule: ReturnType<typeof securityApprovalRule>;
        try {
            rule = securityApprovalRule(args.approveAfterDays);
        } catch (e) {
            throw new pulumi.ResourceError((e as Error).message, this);
        }
        const baseline = new aws.ssm.PatchBaseline(
            childName(name, "baseline"),
            {
                name: nameWithin(`${args.prefix}-al2023-security`, 128, "Patch baseline"),
                description: `webfleet ${args.prefix}: Amazon Linux 2023 security updates (Critical, Important) after ${args.approveAfterDays} days`,
                operatingSystem: "AMAZON_LINUX_2023",
                approvalRules: [rule],
            },
            { parent: this },
        );
        new aws.ssm.PatchGroup(
            childName(name, "group"),
            { baselineId: baseline.id, patchGroup: args.patchGroup },
            { parent: this },
        );
        const document = new aws.ssm.Document(
            childName(name, "asg-instance"),
            {
                name: nameWithin(`${args.prefix}-patch-asg-instance`, 128, "SSM document"),
                documentType: "Automation",
                documentFormat: "JSON",
                content: JSON.stringify(asgPatchDocument({ appUnit: args.web.appUnit })),
            },
            { parent: this },
        );
        const role = this.windowRole(name, args, document.name);

        const window = new aws.ssm.MaintenanceWindow(
            childName(name, "window"),
            {
                name: nameWithin(`${args.prefix}-patching`, 128, "Maintenance window"),
                description: "Security updates: the bastion, then the web servers one at a time",
                schedule: args.schedule,
                duration: PATCH_WINDOW_HOURS,
                cutoff: PATCH_WINDOW_CUTOFF_HOURS,
                allowUnassociatedTargets: false,
            },
            { parent: this },
        );
        const target = (role: "web" | "bastion") =>
            new aws.ssm.MaintenanceWindowTarget(
                childName(name, `${role}-targets`),
                {
                    windowId: window.id,
                    name: `${args.prefix}-${role}`,
                    resourceType: "INSTANCE",
                    targets: tagTargets({ [args.stackTag.key]: args.stackTag.value, [args.roleTagKey]: role }),
                },
                { parent: this },
            );
        // The bastion first: one quick run, so the web servers' hour-long rollout cannot crowd it out.
        if (args.bastion) {
            const bastion = target("bastion");
            new aws.ssm.MaintenanceWindowTask(
                childName(name, "bastion"),
                {
                    windowId: window.id,
                    name: "patch-bastion",
                    taskType: "RUN_COMMAND",
                    taskArn: "AWS-RunPatchBaseline",
                    priority: 1,
                    serviceRoleArn: role.arn,
                    targets: [{ key: "WindowTargetIds", values: [bastion.id] }],
                    maxConcurrency: "1",
                    maxErrors: "0",
                    taskInvocationParameters: {
                        runCommandParameters: {
                            timeoutSeconds: 600,
                            parameters: [
                                { name: "Operation", values: ["Install"] },
                                { name: "RebootOption", values: ["RebootIfNeeded"] },
                            ],
                        },
                    },
                },
                { parent: this },
            );
        }
        const web = target("web");
        new aws.ssm.MaintenanceWindowTask(
            childName(name, "web"),
            {
                windowId: window.id,
                name: "patch-web-servers",
                taskType: "AUTOMATION",
                taskArn: document.name,
                priority: 2,
                serviceRoleArn: role.arn,
                targets: [{ key: "WindowTargetIds", values: [web.id] }],
                // One server at a time (so one AZ at a time); the first failure stops the rest.
                maxConcurrency: "1",
                maxErrors: "0",
                taskInvocationParameters: {
                    automationParameters: {
                        documentVersion: "$DEFAULT",
                        parameters: [
                            { name: "InstanceId", values: ["{{RESOURCE_ID}}"] },
                            { name: "AutoScalingGroupName", values: [args.web.autoScalingGroupName] },
                            { name: "TargetGroupArn", values: [args.web.targetGroupArn] },
                            { name: "AutomationAssumeRole", values: [role.arn] },
                        ],
                    },
                },
            },
            { parent: this },
        );

        this.baselineId = baseline.id;
        this.windowId = window.id;
        this.documentName = document.name;
        this.registerOutputs({ baselineId: this.baselineId, windowId: this.windowId, documentName: this.documentName });
    }

    /**
     * The role the window runs its tasks as, and the web servers' automation too: patch commands
     * only to this stack's instances, Standby and termination only in the web servers' group.
     */
    private windowRole(name: string, args: PatchingArgs, documentName: pulumi.Output<string>): aws.iam.Role {
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const role = new aws.iam.Role(
            childName(name, "role"),
            {
                assumeRolePolicy: serviceTrustPolicy("ssm.amazonaws.com", account),
                description: `webfleet ${args.prefix}: the patch window's tasks and the web servers' patch automation`,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            childName(name, "role"),
            {
                role: role.id,
                // The role's ARN from its name (chosen before it exists), so the whole policy is
                // known, and checked by the pack, in a first preview.
                policy: pulumi
                    .all([account, region, role.name, documentName, args.web.autoScalingGroupName])
                    .apply(([acct, r, roleName, doc, group]) =>
                        policyDocument(
                            windowRoleStatements({
                                account: acct,
                                region: r,
                                roleArn: `arn:aws:iam::${acct}:role/${roleName}`,
                                doc,
                                group,
                                stackTag: args.stackTag,
                            }),
                        ),
                    ),
            },
            { parent: this },
        );
        return role;
    }
}

/** The window role's policy (exported for the tests). */
export function windowRoleStatements(c: {
    account: string;
    region: string;
    roleArn: string;
    doc: string;
    group: string;
    stackTag: { key: string; value: string };
}): Statement[] {
    return [
        {
            Sid: "StartPatchAutomation",
            Effect: "Allow",
            Action: ["ssm:StartAutomationExecution", "ssm:GetAutomationExecution"],
            Resource: [
                `arn:aws:ssm:${c.region}:${c.account}:automation-definition/${c.doc}:*`,
                `arn:aws:ssm:${c.region}:${c.account}:automation-execution/*`,
            ],
        },
        {
            Sid: "PassOwnRoleToAutomation",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: c.roleArn,
            Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
        },
        {
            Sid: "PatchCommands",
            Effect: "Allow",
            Action: "ssm:SendCommand",
            Resource: [
                `arn:aws:ssm:${c.region}::document/AWS-RunPatchBaseline`,
                `arn:aws:ssm:${c.region}::document/AWS-RunShellScript`,
            ],
        },
        {
            Sid: "CommandsToThisStacksInstances",
            Effect: "Allow",
            Action: "ssm:SendCommand",
            Resource: `arn:aws:ec2:${c.region}:${c.account}:instance/*`,
            Condition: { StringEquals: { [`ssm:resourceTag/${c.stackTag.key}`]: c.stackTag.value } },
        },
        {
            Sid: "StandbyInTheWebGroup",
            Effect: "Allow",
            Action: [
                "autoscaling:EnterStandby",
                "autoscaling:ExitStandby",
                "autoscaling:TerminateInstanceInAutoScalingGroup",
            ],
            Resource: `arn:aws:autoscaling:${c.region}:${c.account}:autoScalingGroup:*:autoScalingGroupName/${c.group}`,
        },
        // None of these reads takes a resource.
        {
            Sid: "FollowCommandsAndGroups",
            Effect: "Allow",
            Action: [
                "ssm:ListCommands",
                "ssm:ListCommandInvocations",
                "ssm:GetCommandInvocation",
                "ssm:DescribeInstanceInformation",
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeInstanceRefreshes",
                "elasticloadbalancing:DescribeTargetHealth",
            ],
            Resource: "*",
        },
    ];
}
