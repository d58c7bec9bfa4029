/**
 * The EBS rule (policy/ebs.ts): every volume encrypted, unset encryption accepted only where the
 * account's encryption by default is on (said in the rule's config), an explicit false refused
 * either way, and a stack that manages encryption by default never turns it off.
 */
import { T } from "../../policy/lib/types";
import { ResourceCase, UNKNOWN, describeRule } from "./helpers";

describe("policy: EBS", () => {
    const EBS = "volumes must be encrypted at rest";
    const BY_DEFAULT =
        'or, when the account has EBS encryption by default on, say so in this rule\'s config: "encryptedByDefault": true';
    const byDefault = { encryptedByDefault: true };
    describeRule<ResourceCase>("ebs-encrypted", {
        compliant: [
            {
                title: "an encrypted root mapping (string)",
                case: {
                    type: T.launchTemplate,
                    props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }] },
                },
            },
            {
                title: "an encrypted mapping (boolean) next to an instance-store volume",
                case: {
                    type: T.launchTemplate,
                    props: {
                        blockDeviceMappings: [
                            { deviceName: "/dev/xvda", ebs: { encrypted: true } },
                            { deviceName: "/dev/sdb", virtualName: "ephemeral0" },
                        ],
                    },
                },
            },
            {
                title: "an instance with an encrypted root",
                case: {
                    type: T.instance,
                    props: {
                        rootBlockDevice: { encrypted: true },
                        ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true }],
                    },
                },
            },
            {
                title: "an instance launched from a template",
                case: { type: T.instance, props: { launchTemplate: { id: "lt-1" } } },
            },
            {
                title: "a launch configuration with an encrypted root",
                case: { type: T.launchConfiguration, props: { rootBlockDevice: { encrypted: true } } },
            },
            {
                title: "an encrypted volume",
                case: { type: T.ebsVolume, props: { availabilityZone: "us-east-1a", encrypted: true } },
            },
            {
                title: "an account with encryption by default: a template without mappings",
                case: { type: T.launchTemplate, props: {}, config: byDefault },
            },
            {
                title: "an account with encryption by default: an instance and a volume that leave it unset",
                case: {
                    type: T.instance,
                    props: { ami: "ami-1", ebsBlockDevices: [{ deviceName: "/dev/sdf" }] },
                    config: byDefault,
                },
            },
            {
                title: "an account with encryption by default: a volume that leaves it unset",
                case: { type: T.ebsVolume, props: { availabilityZone: "us-east-1a" }, config: byDefault },
            },
            {
                title: "the stack turns encryption by default on",
                case: { type: T.ebsEncryptionByDefault, props: { enabled: true } },
            },
        ],
        violations: [
            {
                title: "a launch template without block device mappings",
                case: { type: T.launchTemplate, props: {} },
                messages: [
                    `Launch template 'subject' declares no block device mappings, so the root volume's encryption depends on the AMI and the account default; ${EBS} (add blockDeviceMappings for the root device with ebs.encrypted: "true", ${BY_DEFAULT})`,
                ],
            },
            {
                title: "an unencrypted mapping",
                case: {
                    type: T.launchTemplate,
                    props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] },
                },
                messages: [
                    `Launch template 'subject' sets encrypted to false on blockDeviceMappings /dev/xvda; ${EBS} (set encrypted: "true")`,
                ],
            },
            {
                title: "an instance without a root block device",
                case: { type: T.instance, props: { ami: "ami-1" } },
                messages: [
                    `EC2 instance 'subject' declares no rootBlockDevice, so the root volume's encryption depends on the AMI and the account default; ${EBS} (set rootBlockDevice.encrypted: true, ${BY_DEFAULT})`,
                ],
            },
            {
                title: "an instance with an unencrypted data volume",
                case: {
                    type: T.instance,
                    props: { rootBlockDevice: { encrypted: true }, ebsBlockDevices: [{ deviceName: "/dev/sdf" }] },
                },
                messages: [
                    `EC2 instance 'subject' has an unencrypted volume (ebsBlockDevices /dev/sdf); ${EBS} (set encrypted: true, ${BY_DEFAULT})`,
                ],
            },
            {
                title: "a launch configuration without a root block device",
                case: { type: T.launchConfiguration, props: {} },
                messages: [
                    `Launch configuration 'subject' declares no rootBlockDevice, so the root volume's encryption depends on the AMI and the account default; ${EBS} (set rootBlockDevice.encrypted: true, ${BY_DEFAULT})`,
                ],
            },
            {
                title: "an unencrypted volume",
                case: { type: T.ebsVolume, props: { availabilityZone: "us-east-1a" } },
                messages: [
                    `EBS volume 'subject' has an unencrypted volume (the volume itself); ${EBS} (set encrypted: true, ${BY_DEFAULT})`,
                ],
            },
            {
                title: "a volume written encrypted: false, even in an account with encryption by default",
                case: {
                    type: T.launchConfiguration,
                    props: { rootBlockDevice: { encrypted: false } },
                    config: byDefault,
                },
                messages: [
                    `Launch configuration 'subject' sets encrypted to false on rootBlockDevice; ${EBS} (set encrypted: true)`,
                ],
            },
            {
                title: "the stack turns the account's encryption by default off",
                case: { type: T.ebsEncryptionByDefault, props: { enabled: false } },
                messages: [
                    `EBS encryption-by-default setting 'subject' turns EBS encryption by default off for the account and region, so every volume that leaves encryption unset is created in plain text; ${EBS} (set enabled: true, or remove the resource)`,
                ],
            },
        ],
        unknown: {
            title: "an unknown encrypted flag is advisory until checked before creation",
            case: {
                type: T.launchTemplate,
                props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: UNKNOWN } }] },
            },
            advisory: true,
        },
    });
});
