/**
 * EBS rules: every volume an instance, launch template, launch configuration or the stack creates
 * is encrypted, and a stack that manages the account's EBS encryption-by-default setting leaves it
 * on. An account whose encryption by default is on (commonly set once by a landing zone) encrypts
 * every new volume whatever a program leaves unset, so the rule's `encryptedByDefault` setting
 * accepts unset encryption there; a volume written `encrypted: false` is refused either way.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { WebfleetPolicy, configOf, resourceRule } from "./lib/rule";
import { subject } from "./lib/types";
import { entries, fromTemplate, isFalse, isTrue } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

const EBS_FIX = "volumes must be encrypted at rest";
const BY_DEFAULT =
    'or, when the account has EBS encryption by default on, say so in this rule\'s config: "encryptedByDefault": true';

function byDefault(args: ResourceValidationArgs): boolean {
    return configOf(args, { encryptedByDefault: false }).encryptedByDefault;
}

function checkVolumes(
    args: ResourceValidationArgs,
    report: ReportViolation,
    volumes: { label: string; encrypted: unknown }[],
): void {
    const literal = args.type.includes("launchTemplate") ? '"true"' : "true";
    for (const v of volumes) {
        if (isTrue(v.encrypted)) {
            continue;
        }
        if (isFalse(v.encrypted)) {
            report(`${who(args)} sets encrypted to false on ${v.label}; ${EBS_FIX} (set encrypted: ${literal})`);
        } else if (!byDefault(args)) {
            report(
                `${who(args)} has an unencrypted volume (${v.label}); ${EBS_FIX} (set encrypted: ${literal}, ${BY_DEFAULT})`,
            );
        }
    }
}

/** A template or instance that declares no root volume: its encryption is the AMI's and the account's. */
function undeclaredRoot(args: ResourceValidationArgs, report: ReportViolation, fix: string): void {
    if (!byDefault(args)) {
        report(
            `${who(args)} ${fix.startsWith("add") ? "declares no block device mappings" : "declares no rootBlockDevice"}, so the root volume's encryption depends on the AMI and the account default; ${EBS_FIX} (${fix}, ${BY_DEFAULT})`,
        );
    }
}

const ebsEncrypted = resourceRule({
    name: "ebs-encrypted",
    description:
        "Every EBS volume an instance, launch template, launch configuration or the stack creates is encrypted, and EBS encryption by default, where the stack manages it, stays on.",
    severity: "high",
    checks: "Block device mappings / root and EBS block devices / aws.ebs.Volume set encrypted (unset passes only with encryptedByDefault: true); a template or instance declares its root volume; aws.ebs.EncryptionByDefault is not disabled",
    equivalents: {
        cdkNag: ["AwsSolutions-EC26", "NIST.800.53.R5-EC2EBSVolumeEncrypted"],
        checkov: ["CKV_AWS_8", "CKV_AWS_3", "CKV_AWS_106"],
        awsguard: ["encrypted-volumes"],
    },
    unknown: "advisory",
    requirement: `${EBS_FIX} (set encrypted to a literal true)`,
    config: {
        encryptedByDefault: {
            type: "boolean",
            default: false,
            description:
                "The target account and region have EBS encryption by default on (`aws ec2 get-ebs-encryption-by-default`), so a volume that leaves encryption unset is encrypted anyway.",
        },
    },
    validate: [
        validateResourceOfType(aws.ec2.LaunchTemplate, (lt, args, report) => {
            const mappings = entries(lt.blockDeviceMappings).filter((m) => !m.noDevice && !m.virtualName);
            if (mappings.length === 0) {
                undeclaredRoot(args, report, 'add blockDeviceMappings for the root device with ebs.encrypted: "true"');
                return;
            }
            checkVolumes(
                args,
                report,
                mappings.map((m) => ({
                    label: `blockDeviceMappings ${m.deviceName ?? "(no device name)"}`,
                    encrypted: m.ebs?.encrypted,
                })),
            );
        }),
        validateResourceOfType(aws.ec2.Instance, (i, args, report) => {
            if (!i.rootBlockDevice && !fromTemplate(i)) {
                undeclaredRoot(args, report, "set rootBlockDevice.encrypted: true");
            } else if (i.rootBlockDevice) {
                checkVolumes(args, report, [{ label: "rootBlockDevice", encrypted: i.rootBlockDevice.encrypted }]);
            }
            checkVolumes(
                args,
                report,
                entries(i.ebsBlockDevices).map((d) => ({
                    label: `ebsBlockDevices ${d.deviceName}`,
                    encrypted: d.encrypted,
                })),
            );
        }),
        validateResourceOfType(aws.ec2.LaunchConfiguration, (lc, args, report) => {
            if (!lc.rootBlockDevice) {
                undeclaredRoot(args, report, "set rootBlockDevice.encrypted: true");
            } else {
                checkVolumes(args, report, [{ label: "rootBlockDevice", encrypted: lc.rootBlockDevice.encrypted }]);
            }
            checkVolumes(
                args,
                report,
                entries(lc.ebsBlockDevices).map((d) => ({
                    label: `ebsBlockDevices ${d.deviceName}`,
                    encrypted: d.encrypted,
                })),
            );
        }),
        validateResourceOfType(aws.ebs.Volume, (v, args, report) => {
            checkVolumes(args, report, [{ label: "the volume itself", encrypted: v.encrypted }]);
        }),
        validateResourceOfType(aws.ebs.EncryptionByDefault, (e, args, report) => {
            if (isFalse(e.enabled)) {
                report(
                    `${who(args)} turns EBS encryption by default off for the account and region, so every volume that leaves encryption unset is created in plain text; ${EBS_FIX} (set enabled: true, or remove the resource)`,
                );
            }
        }),
    ],
});

export const ebsPolicies: WebfleetPolicy[] = [ebsEncrypted];
