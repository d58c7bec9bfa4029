/**
 * What AWS would answer for the resources that keep the stack running for years: AWS Backup
 * (vaults, plans, selections, restore testing), Systems Manager (patch baselines, maintenance
 * windows, documents) and the EventBridge rules and Lambda permissions around them. IDs and ARNs
 * have the shapes the real services give, so a policy, an IAM statement or an event pattern built
 * from them reads as it will in AWS. Used by offline/mockState.ts.
 */
import { hex } from "./fakeIds";

export type MockState = { id: string; state: Record<string, any> };

/** A version-4 UUID derived from the seed (AWS Backup and SSM name plans and targets so). */
function uuid(seed: string): string {
    const h = hex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function opsMockState(
    type: string,
    name: string,
    inputs: Record<string, any>,
    region: string,
    account: string,
): MockState | undefined {
    const seed = `${type}/${name}`;
    switch (type) {
        case "aws:backup/vault:Vault": {
            const vault = inputs.name ?? `${name}-${hex(seed, 7)}`;
            return {
                id: vault,
                state: {
                    ...inputs,
                    name: vault,
                    arn: `arn:aws:backup:${region}:${account}:backup-vault:${vault}`,
                    recoveryPoints: 0,
                },
            };
        }
        case "aws:backup/vaultLockConfiguration:VaultLockConfiguration":
            return {
                id: inputs.backupVaultName,
                state: {
                    ...inputs,
                    backupVaultArn: `arn:aws:backup:${region}:${account}:backup-vault:${inputs.backupVaultName}`,
                },
            };
        case "aws:backup/plan:Plan": {
            const id = uuid(seed);
            return {
                id,
                state: {
                    ...inputs,
                    name: inputs.name ?? `${name}-${hex(seed, 7)}`,
                    arn: `arn:aws:backup:${region}:${account}:backup-plan:${id}`,
                    version: hex(`version/${seed}`, 32),
                },
            };
        }
        case "aws:backup/selection:Selection":
            return { id: uuid(seed), state: { ...inputs, name: inputs.name ?? `${name}-${hex(seed, 7)}` } };
        case "aws:backup/restoreTestingPlan:RestoreTestingPlan": {
            // AWS Backup appends a random suffix to the plan's name in its ARN.
            const plan = inputs.name ?? `${name.replace(/-/g, "_")}_${hex(seed, 7)}`;
            return {
                id: plan,
                state: {
                    ...inputs,
                    name: plan,
                    arn: `arn:aws:backup:${region}:${account}:restore-testing-plan:${plan}-${hex(seed, 6)}`,
                },
            };
        }
        case "aws:backup/restoreTestingSelection:RestoreTestingSelection":
            return { id: `${inputs.restoreTestingPlanName}:${inputs.name}`, state: { ...inputs } };
        case "aws:ssm/patchBaseline:PatchBaseline": {
            const id = `pb-0${hex(seed, 16)}`;
            return { id, state: { ...inputs, arn: `arn:aws:ssm:${region}:${account}:patchbaseline/${id}` } };
        }
        case "aws:ssm/patchGroup:PatchGroup":
            return { id: `${inputs.patchGroup},${inputs.baselineId}`, state: { ...inputs } };
        case "aws:ssm/maintenanceWindow:MaintenanceWindow": {
            const id = `mw-0${hex(seed, 16)}`;
            return { id, state: { ...inputs, arn: `arn:aws:ssm:${region}:${account}:maintenancewindow/${id}` } };
        }
        case "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget":
            return { id: uuid(seed), state: { ...inputs } };
        case "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": {
            const id = uuid(seed);
            return {
                id,
                state: {
                    ...inputs,
                    windowTaskId: id,
                    arn: `arn:aws:ssm:${region}:${account}:windowtask/${id}`,
                },
            };
        }
        case "aws:ssm/document:Document":
            return {
                id: inputs.name,
                state: {
                    ...inputs,
                    arn: `arn:aws:ssm:${region}:${account}:document/${inputs.name}`,
                    owner: account,
                    status: "Active",
                    defaultVersion: "1",
                    latestVersion: "1",
                },
            };
        case "aws:cloudwatch/eventRule:EventRule": {
            const rule = inputs.name ?? `${name}-${hex(seed, 7)}`;
            return {
                id: rule,
                state: { ...inputs, name: rule, arn: `arn:aws:events:${region}:${account}:rule/${rule}` },
            };
        }
        case "aws:cloudwatch/eventTarget:EventTarget":
            return { id: `${inputs.rule}-${inputs.targetId ?? name}`, state: { ...inputs } };
        case "aws:lambda/permission:Permission":
            return { id: inputs.statementId ?? `${name}-${hex(seed, 7)}`, state: { ...inputs } };
        case "aws:cloudwatch/logMetricFilter:LogMetricFilter":
            return { id: inputs.name, state: { ...inputs } };
    }
    return undefined;
}
