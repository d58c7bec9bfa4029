import { T } from "../../policy/lib/types";

import { ResourceCase, UNKNOWN, UNKNOWN_NUMBER, describeRule } from "./helpers";

const IMDS_FIX =
    'IMDSv1 lets any SSRF in the app read the instance\'s credentials (set metadataOptions.httpTokens: "required")';
const required = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 };

describe("policy: instances", () => {
    describeRule<ResourceCase>("imdsv2-required", {
        compliant: [
            {
                title: "a launch template that requires tokens",
                case: { type: T.launchTemplate, props: { metadataOptions: required } },
            },
            {
                title: "a launch template with IMDS off",
                case: { type: T.launchTemplate, props: { metadataOptions: { httpEndpoint: "disabled" } } },
            },
            {
                title: "an instance that requires tokens",
                case: { type: T.instance, props: { metadataOptions: required } },
            },
            {
                title: "an instance launched from a template defers to it",
                case: { type: T.instance, props: { launchTemplate: { id: "lt-1", version: "$Latest" } } },
            },
            {
                title: "a launch configuration that requires tokens",
                case: { type: T.launchConfiguration, props: { metadataOptions: required } },
            },
            {
                title: "a spot instance request that requires tokens",
                case: { type: T.spotInstanceRequest, props: { metadataOptions: required } },
            },
        ],
        violations: [
            {
                title: "a launch template with IMDSv1 optional",
                case: { type: T.launchTemplate, props: { metadataOptions: { httpTokens: "optional" } } },
                messages: [
                    `Launch template 'subject' does not require IMDSv2 (metadataOptions.httpTokens is "optional"); ${IMDS_FIX}`,
                ],
            },
            {
                title: "a launch template without metadata options",
                case: { type: T.launchTemplate, props: {} },
                messages: [
                    `Launch template 'subject' does not require IMDSv2 (metadataOptions.httpTokens is not set, so IMDSv1 stays available); ${IMDS_FIX}`,
                ],
            },
            {
                title: "an instance without a template or metadata options",
                case: { type: T.instance, props: { ami: "ami-1" } },
                messages: [
                    `EC2 instance 'subject' does not require IMDSv2 (metadataOptions.httpTokens is not set, so IMDSv1 stays available); ${IMDS_FIX}`,
                ],
            },
            {
                title: "a launch configuration with IMDSv1",
                case: { type: T.launchConfiguration, props: { metadataOptions: { httpTokens: "optional" } } },
                messages: [
                    `Launch configuration 'subject' does not require IMDSv2 (metadataOptions.httpTokens is "optional"); ${IMDS_FIX}`,
                ],
            },
            {
                title: "a spot instance request with IMDSv1",
                case: { type: T.spotInstanceRequest, props: { metadataOptions: { httpTokens: "optional" } } },
                messages: [
                    `Spot instance request 'subject' does not require IMDSv2 (metadataOptions.httpTokens is "optional"); ${IMDS_FIX}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown httpTokens is advisory until checked before creation",
            case: {
                type: T.launchTemplate,
                props: { metadataOptions: { httpEndpoint: "enabled", httpTokens: UNKNOWN } },
            },
            advisory: true,
        },
    });

    const HOP_FIX = "a token must not reach containers or forwarded traffic";
    describeRule<ResourceCase>("imds-hop-limit-one", {
        compliant: [
            {
                title: "a launch template with hop limit 1",
                case: { type: T.launchTemplate, props: { metadataOptions: required } },
            },
            {
                title: "a launch template with IMDS off",
                case: { type: T.launchTemplate, props: { metadataOptions: { httpEndpoint: "disabled" } } },
            },
            {
                title: "a container host allowed 2 by config",
                case: {
                    type: T.launchTemplate,
                    props: { metadataOptions: { httpPutResponseHopLimit: 2 } },
                    config: { maximumHopLimit: 2 },
                },
            },
            {
                title: "an instance launched from a template defers to it",
                case: { type: T.instance, props: { launchTemplate: { id: "lt-1" } } },
            },
        ],
        violations: [
            {
                title: "hop limit 2",
                case: {
                    type: T.launchTemplate,
                    props: { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } },
                },
                messages: [
                    `Launch template 'subject' lets IMDS tokens travel more than 1 network hop(s) (metadataOptions.httpPutResponseHopLimit is 2); ${HOP_FIX} (set metadataOptions.httpPutResponseHopLimit: 1)`,
                ],
            },
            {
                title: "hop limit not set",
                case: { type: T.launchTemplate, props: { metadataOptions: { httpTokens: "required" } } },
                messages: [
                    `Launch template 'subject' lets IMDS tokens travel more than 1 network hop(s) (metadataOptions.httpPutResponseHopLimit is not set, so the AMI's default applies, which is 2 on Amazon Linux 2023); ${HOP_FIX} (set metadataOptions.httpPutResponseHopLimit: 1)`,
                ],
            },
            {
                title: "an instance above the configured maximum",
                case: {
                    type: T.instance,
                    props: { metadataOptions: { httpPutResponseHopLimit: 3 } },
                    config: { maximumHopLimit: 2 },
                },
                messages: [
                    `EC2 instance 'subject' lets IMDS tokens travel more than 2 network hop(s) (metadataOptions.httpPutResponseHopLimit is 3); ${HOP_FIX} (set metadataOptions.httpPutResponseHopLimit: 2)`,
                ],
            },
            {
                title: "a launch configuration with hop limit 5",
                case: { type: T.launchConfiguration, props: { metadataOptions: { httpPutResponseHopLimit: 5 } } },
                messages: [
                    `Launch configuration 'subject' lets IMDS tokens travel more than 1 network hop(s) (metadataOptions.httpPutResponseHopLimit is 5); ${HOP_FIX} (set metadataOptions.httpPutResponseHopLimit: 1)`,
                ],
            },
        ],
        unknown: {
            title: "an unknown hop limit is advisory until checked before creation",
            case: {
                type: T.launchTemplate,
                props: { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: UNKNOWN_NUMBER } },
            },
            advisory: true,
        },
    });

    const PUBLIC_FIX =
        "instances stay in private subnets behind the load balancer; only the bastion (tagged webfleet:role=bastion) may have a public IP (set associatePublicIpAddress to false)";
    describeRule<ResourceCase>("ec2-no-public-ip", {
        compliant: [
            {
                title: "a private launch template",
                case: {
                    type: T.launchTemplate,
                    props: { networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false" }] },
                },
            },
            {
                title: "the bastion's launch template, tagged on the template",
                case: {
                    type: T.launchTemplate,
                    props: {
                        tags: { "webfleet:role": "bastion" },
                        networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "true" }],
                    },
                },
            },
            {
                title: "the bastion's launch template, tagged through tagSpecifications",
                case: {
                    type: T.launchTemplate,
                    props: {
                        tagSpecifications: [{ resourceType: "instance", tags: { "webfleet:role": "bastion" } }],
                        networkInterfaces: [{ associatePublicIpAddress: "true" }],
                    },
                },
            },
            {
                title: "an instance that follows its private subnet",
                case: { type: T.instance, props: { subnetId: "subnet-1" } },
            },
            {
                title: "a bastion instance",
                case: {
                    type: T.instance,
                    props: { associatePublicIpAddress: true, tags: { "webfleet:role": "bastion" } },
                },
            },
        ],
        violations: [
            {
                title: "a launch template with a public IP (string, as @pulumi/aws 7 types it)",
                case: {
                    type: T.launchTemplate,
                    props: {
                        tags: { "webfleet:role": "web" },
                        networkInterfaces: [{ associatePublicIpAddress: "true" }],
                    },
                },
                messages: [
                    `Launch template 'subject' gives instances a public IP (networkInterfaces[].associatePublicIpAddress is "true"); ${PUBLIC_FIX}`,
                ],
            },
            {
                title: "a launch template with a public IP (boolean)",
                case: { type: T.launchTemplate, props: { networkInterfaces: [{ associatePublicIpAddress: true }] } },
                messages: [
                    `Launch template 'subject' gives instances a public IP (networkInterfaces[].associatePublicIpAddress is "true"); ${PUBLIC_FIX}`,
                ],
            },
            {
                title: "an instance with a public IP",
                case: { type: T.instance, props: { associatePublicIpAddress: true } },
                messages: [`EC2 instance 'subject' has a public IP (associatePublicIpAddress is true); ${PUBLIC_FIX}`],
            },
            {
                title: "a launch configuration with a public IP",
                case: { type: T.launchConfiguration, props: { associatePublicIpAddress: true } },
                messages: [
                    `Launch configuration 'subject' gives instances a public IP (associatePublicIpAddress is true); ${PUBLIC_FIX}`,
                ],
            },
            {
                title: "a spot instance request with a public IP",
                case: { type: T.spotInstanceRequest, props: { associatePublicIpAddress: true } },
                messages: [
                    `Spot instance request 'subject' has a public IP (associatePublicIpAddress is true); ${PUBLIC_FIX}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown associatePublicIpAddress is advisory until checked before creation",
            case: { type: T.launchTemplate, props: { networkInterfaces: [{ associatePublicIpAddress: UNKNOWN }] } },
            advisory: true,
        },
    });

    const PROFILE = "instances get AWS access only through their own role, never through keys on disk";
    describeRule<ResourceCase>("instance-profile-attached", {
        compliant: [
            {
                title: "a launch template with a profile ARN",
                case: {
                    type: T.launchTemplate,
                    props: { iamInstanceProfile: { arn: "arn:aws:iam::123456789012:instance-profile/web" } },
                },
            },
            {
                title: "a launch template with a profile name",
                case: { type: T.launchTemplate, props: { iamInstanceProfile: { name: "web" } } },
            },
            { title: "an instance with a profile", case: { type: T.instance, props: { iamInstanceProfile: "web" } } },
            {
                title: "an instance launched from a template",
                case: { type: T.instance, props: { launchTemplate: { id: "lt-1" } } },
            },
            {
                title: "a launch configuration with a profile",
                case: { type: T.launchConfiguration, props: { iamInstanceProfile: "web" } },
            },
        ],
        violations: [
            {
                title: "a launch template without a profile",
                case: { type: T.launchTemplate, props: {} },
                messages: [
                    `Launch template 'subject' has no IAM instance profile; ${PROFILE} (set iamInstanceProfile: { arn: profile.arn })`,
                ],
            },
            {
                title: "an instance without a profile",
                case: { type: T.instance, props: {} },
                messages: [`EC2 instance 'subject' has no IAM instance profile; ${PROFILE} (set iamInstanceProfile)`],
            },
            {
                title: "a launch configuration without a profile",
                case: { type: T.launchConfiguration, props: { iamInstanceProfile: "" } },
                messages: [
                    `Launch configuration 'subject' has no IAM instance profile; ${PROFILE} (set iamInstanceProfile)`,
                ],
            },
        ],
        unknown: {
            title: "a profile ARN unknown at preview is a reference, so it counts as set",
            case: { type: T.launchTemplate, props: { iamInstanceProfile: { arn: UNKNOWN } } },
            passes: true,
        },
    });

    const MONITORING = "scaling and alarms need one-minute metrics";
    describeRule<ResourceCase>("ec2-detailed-monitoring", {
        compliant: [
            {
                title: "a launch template with detailed monitoring",
                case: { type: T.launchTemplate, props: { monitoring: { enabled: true } } },
            },
            { title: "an instance with detailed monitoring", case: { type: T.instance, props: { monitoring: true } } },
            {
                title: "an instance that leaves it to its launch template",
                case: { type: T.instance, props: { launchTemplate: { id: "lt-0a1", version: "$Latest" } } },
            },
        ],
        violations: [
            {
                title: "a launch template without monitoring",
                case: { type: T.launchTemplate, props: {} },
                messages: [
                    `Launch template 'subject' launches instances with five-minute metrics only (monitoring.enabled is not true); ${MONITORING} (set monitoring: { enabled: true })`,
                ],
            },
            {
                title: "a launch template that turns it off",
                case: { type: T.launchTemplate, props: { monitoring: { enabled: false } } },
                messages: [
                    `Launch template 'subject' launches instances with five-minute metrics only (monitoring.enabled is not true); ${MONITORING} (set monitoring: { enabled: true })`,
                ],
            },
            {
                title: "a standalone instance without monitoring",
                case: { type: T.instance, props: { ami: "ami-0a1" } },
                messages: [
                    `EC2 instance 'subject' reports five-minute metrics only (monitoring is not true); ${MONITORING} (set monitoring: true)`,
                ],
            },
        ],
        unknown: {
            title: "an unknown monitoring flag is advisory until checked before creation",
            case: { type: T.launchTemplate, props: { monitoring: { enabled: UNKNOWN } } },
            advisory: true,
        },
    });
});
