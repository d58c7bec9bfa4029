/**
 * Pure parts of patching (components/patching.ts): the baseline's approval rule, what an instance
 * role needs for Patch Manager, and the SSM Automation document that patches one web server without
 * the group ever running short (its Python steps are lib/patchAutomation.py). Tested without mocks;
 * the Python steps run under python3 in the tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Statement } from "./iam";

/** The maintenance window: 3 hours, starting no new task in its last hour. */
export const PATCH_WINDOW_HOURS = 3;
export const PATCH_WINDOW_CUTOFF_HOURS = 1;
/** The tag AWS-RunPatchBaseline reads to pick the baseline (works with instance metadata tags too). */
export const PATCH_GROUP_TAG = "PatchGroup";
/** Amazon Linux 2023 security updates of these severities are approved. */
export const PATCH_SEVERITIES = ["Critical", "Important"];
/** One patch run, reboot included, must end within this (AWS-RunPatchBaseline's own default is 2 h). */
export const PATCH_COMMAND_TIMEOUT_SECONDS = 3600;
export const PATCH_SCRIPT = fs.readFileSync(path.join(__dirname, "patchAutomation.py"), "utf8");

export interface PatchApprovalRule {
    approveAfterDays: number;
    complianceLevel: string;
    enableNonSecurity: boolean;
    patchFilters: { key: string; values: string[] }[];
}

/** Security updates rated Critical or Important, approved `approveAfterDays` after their release. */
export function securityApprovalRule(approveAfterDays: number): PatchApprovalRule {
    if (!Number.isInteger(approveAfterDays) || approveAfterDays < 0 || approveAfterDays > 360) {
        throw new Error(
            `patching.approveAfterDays: ${approveAfterDays} is outside 0 to 360, the days Patch Manager accepts`,
        );
    }
    return {
        approveAfterDays,
        complianceLevel: "CRITICAL",
        enableNonSecurity: false,
        patchFilters: [
            { key: "CLASSIFICATION", values: ["Security"] },
            { key: "SEVERITY", values: PATCH_SEVERITIES },
        ],
    };
}

/**
 * What an instance's role needs to be patched by Run Command (on top of Session Manager's
 * UpdateInstanceInformation): receive commands (ec2messages), fetch its baseline's snapshot, and
 * report what it installed. None of these takes a resource: each acts on the calling instance.
 */
export function patchAgentStatement(): Statement {
    return {
        Sid: "PatchManager",
        Effect: "Allow",
        Action: [
            "ec2messages:AcknowledgeMessage",
            "ec2messages:DeleteMessage",
            "ec2messages:FailMessage",
            "ec2messages:GetEndpoint",
            "ec2messages:GetMessages",
            "ec2messages:SendReply",
            "ssm:GetDeployablePatchSnapshotForInstance",
            "ssm:PutComplianceItems",
            "ssm:PutInventory",
        ],
        Resource: "*",
    };
}

/** Maintenance window targets for the instances carrying all these tags. */
export function tagTargets(tags: Record<string, string>): { key: string; values: string[] }[] {
    return Object.entries(tags).map(([key, value]) => ({ key: `tag:${key}`, values: [value] }));
}

/** The shell that waits for the app's systemd unit to be active again after a reboot (at most 5 minutes). */
export function waitForUnitCommands(unit: string): string[] {
    if (!/^[A-Za-z0-9@._-]+\.service$/.test(unit)) {
        throw new Error(`"${unit}" is not a systemd service unit name`);
    }
    return [
        `for _ in $(seq 60); do systemctl is-active --quiet '${unit}' && exit 0; sleep 5; done`,
        `echo '${unit} is not active after the patch' >&2; systemctl status --no-pager '${unit}' >&2; exit 1`,
    ];
}

const script = (handler: string, payload: Record<string, string>) => ({
    Runtime: "python3.11",
    Handler: handler,
    Script: PATCH_SCRIPT,
    InputPayload: payload,
});

/**
 * The Automation document (schema 0.3) that patches one web server: Standby with the desired
 * capacity kept (a surge server launches), patch and reboot if needed, wait for the app, back in
 * service, drop the surge. A failed step aborts where it stands: the server stays in Standby (or,
 * if it failed its checks after returning, Auto Scaling replaces it) and the surge server stays,
 * so the group is never short; the maintenance window then stops patching the rest.
 */
export function asgPatchDocument(args: { appUnit: string }): Record<string, unknown> {
    const ids = { InstanceId: "{{ InstanceId }}", AutoScalingGroupName: "{{ AutoScalingGroupName }}" };
    return {
        schemaVersion: "0.3",
        description:
            "webfleet: patch one web server of an Auto Scaling group without the group running short (lib/patching.ts)",
        assumeRole: "{{ AutomationAssumeRole }}",
        parameters: {
            InstanceId: { type: "String", allowedPattern: "^i-[0-9a-f]{8,17}$" },
            AutoScalingGroupName: { type: "String" },
            TargetGroupArn: { type: "String" },
            AutomationAssumeRole: { type: "String" },
        },
        mainSteps: [
            {
                name: "enterStandby",
                action: "aws:executeScript",
                timeoutSeconds: 120,
                onFailure: "Abort",
                inputs: script("enter_standby", ids),
                outputs: [{ Name: "Others", Selector: "$.Payload.Others", Type: "StringList" }],
            },
            {
                name: "waitForSurge",
                action: "aws:executeScript",
                timeoutSeconds: 600,
                maxAttempts: 2,
                onFailure: "Abort",
                inputs: script("wait_for_surge", {
                    ...ids,
                    TargetGroupArn: "{{ TargetGroupArn }}",
                    Others: "{{ enterStandby.Others }}",
                }),
                outputs: [{ Name: "SurgeInstanceId", Selector: "$.Payload.SurgeInstanceId", Type: "String" }],
            },
            {
                // Standby begins once the ALB has drained the server's connections.
                name: "waitForStandby",
                action: "aws:waitForAwsResourceProperty",
                timeoutSeconds: 600,
                onFailure: "Abort",
                inputs: {
                    Service: "autoscaling",
                    Api: "DescribeAutoScalingInstances",
                    InstanceIds: ["{{ InstanceId }}"],
                    PropertySelector: "$.AutoScalingInstances[0].LifecycleState",
                    DesiredValues: ["Standby"],
                },
            },
            {
                name: "patch",
                action: "aws:runCommand",
                timeoutSeconds: PATCH_COMMAND_TIMEOUT_SECONDS,
                onFailure: "Abort",
                inputs: {
                    DocumentName: "AWS-RunPatchBaseline",
                    InstanceIds: ["{{ InstanceId }}"],
                    Parameters: { Operation: "Install", RebootOption: "RebootIfNeeded" },
                },
            },
            {
                name: "waitForApp",
                action: "aws:runCommand",
                timeoutSeconds: 900,
                onFailure: "Abort",
                inputs: {
                    DocumentName: "AWS-RunShellScript",
                    InstanceIds: ["{{ InstanceId }}"],
                    Parameters: { commands: waitForUnitCommands(args.appUnit), executionTimeout: "600" },
                },
            },
            {
                name: "exitStandby",
                action: "aws:executeAwsApi",
                onFailure: "Abort",
                inputs: {
                    Service: "autoscaling",
                    Api: "ExitStandby",
                    AutoScalingGroupName: "{{ AutoScalingGroupName }}",
                    InstanceIds: ["{{ InstanceId }}"],
                },
            },
            {
                name: "waitInService",
                action: "aws:executeScript",
                timeoutSeconds: 600,
                onFailure: "Abort",
                inputs: script("wait_in_service", { ...ids, TargetGroupArn: "{{ TargetGroupArn }}" }),
            },
            {
                name: "dropSurge",
                action: "aws:executeAwsApi",
                onFailure: "Abort",
                isEnd: true,
                inputs: {
                    Service: "autoscaling",
                    Api: "TerminateInstanceInAutoScalingGroup",
                    InstanceId: "{{ waitForSurge.SurgeInstanceId }}",
                    ShouldDecrementDesiredCapacity: true,
                },
            },
        ],
    };
}
