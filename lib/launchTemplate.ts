/**
 * What every launch template of the stack shares (the web servers' and the bastion's), so the
 * hardening is written once: IMDSv2 only, and an encrypted gp3 root volume that goes with the
 * instance.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Instance metadata with session tokens only (IMDSv2), one network hop (so a container on the
 * host cannot reach it), and no instance tags in it.
 */
export const IMDSV2_ONLY: aws.types.input.ec2.LaunchTemplateMetadataOptions = {
    httpEndpoint: "enabled",
    httpTokens: "required",
    httpPutResponseHopLimit: 1,
    instanceMetadataTags: "disabled",
};

/** The AL2023 root volume: gp3, encrypted (with the stack key when given), deleted with the instance. */
export function encryptedRootVolume(
    sizeGb: number,
    kmsKeyArn?: pulumi.Input<string>,
): aws.types.input.ec2.LaunchTemplateBlockDeviceMapping {
    return {
        deviceName: "/dev/xvda",
        ebs: {
            volumeSize: sizeGb,
            volumeType: "gp3",
            encrypted: "true",
            kmsKeyId: kmsKeyArn,
            deleteOnTermination: "true",
        },
    };
}
