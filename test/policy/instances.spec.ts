import * as zlib from "zlib";
import { T } from "../../policy/lib/types";
import { b64 } from "./fixtures";
import { ResourceCase, UNKNOWN, UNKNOWN_ARRAY, UNKNOWN_NUMBER, describeRule } from "./helpers";

const IMDS_FIX =
    'IMDSv1 lets any SSRF in the app read the instance\'s credentials (set metadataOptions.httpTokens: "required")';
const required = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 };

describe("policy: compute", () => {
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
            title: "an unknown httpTokens is a violation",
            case: {
                type: T.launchTemplate,
                props: { metadataOptions: { httpEndpoint: "enabled", httpTokens: UNKNOWN } },
            },
            messages: [
                "Launch template 'subject' has a value unknown during preview at metadataOptions.httpTokens, so it cannot be verified; instances must require IMDSv2 (set metadataOptions.httpTokens: \"required\" as a literal)",
            ],
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
            title: "an unknown hop limit is a violation",
            case: {
                type: T.launchTemplate,
                props: { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: UNKNOWN_NUMBER } },
            },
            messages: [
                "Launch template 'subject' has a value unknown during preview at metadataOptions.httpPutResponseHopLimit, so it cannot be verified; IMDS tokens must stay on the instance (set metadataOptions.httpPutResponseHopLimit: 1 as a literal)",
            ],
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
            title: "an unknown associatePublicIpAddress is a violation",
            case: { type: T.launchTemplate, props: { networkInterfaces: [{ associatePublicIpAddress: UNKNOWN }] } },
            messages: [
                `Launch template 'subject' has a value unknown during preview at networkInterfaces.0.associatePublicIpAddress, so it cannot be verified; ${PUBLIC_FIX}`,
            ],
        },
    });

    const EBS = "volumes must be encrypted at rest";
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
        ],
        violations: [
            {
                title: "a launch template without block device mappings",
                case: { type: T.launchTemplate, props: {} },
                messages: [
                    `Launch template 'subject' declares no block device mappings, so the root volume's encryption depends on the AMI and the account default; ${EBS} (add blockDeviceMappings for the root device with ebs.encrypted: "true")`,
                ],
            },
            {
                title: "an unencrypted mapping",
                case: {
                    type: T.launchTemplate,
                    props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] },
                },
                messages: [
                    `Launch template 'subject' has an unencrypted volume (blockDeviceMappings /dev/xvda); ${EBS} (set encrypted: "true")`,
                ],
            },
            {
                title: "an instance without a root block device",
                case: { type: T.instance, props: { ami: "ami-1" } },
                messages: [
                    `EC2 instance 'subject' declares no rootBlockDevice, so the root volume's encryption depends on the AMI and the account default; ${EBS} (set rootBlockDevice.encrypted: true)`,
                ],
            },
            {
                title: "an instance with an unencrypted data volume",
                case: {
                    type: T.instance,
                    props: { rootBlockDevice: { encrypted: true }, ebsBlockDevices: [{ deviceName: "/dev/sdf" }] },
                },
                messages: [
                    `EC2 instance 'subject' has an unencrypted volume (ebsBlockDevices /dev/sdf); ${EBS} (set encrypted: true)`,
                ],
            },
            {
                title: "a launch configuration without a root block device",
                case: { type: T.launchConfiguration, props: {} },
                messages: [
                    `Launch configuration 'subject' declares no rootBlockDevice, so the root volume's encryption depends on the AMI and the account default; ${EBS} (set rootBlockDevice.encrypted: true)`,
                ],
            },
            {
                title: "an unencrypted volume",
                case: { type: T.ebsVolume, props: { availabilityZone: "us-east-1a" } },
                messages: [`EBS volume 'subject' is not encrypted; ${EBS} (set encrypted: true)`],
            },
        ],
        unknown: {
            title: "an unknown encrypted flag is a violation",
            case: {
                type: T.launchTemplate,
                props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: UNKNOWN } }] },
            },
            messages: [
                `Launch template 'subject' has a value unknown during preview at blockDeviceMappings.0.ebs.encrypted, so it cannot be verified; ${EBS} (set encrypted to a literal true)`,
            ],
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

    const SECRETS =
        "user data is readable by anyone who can describe the instance and by every process on it (read secrets at boot from Secrets Manager or SSM Parameter Store with the instance role)";
    const bastionUserData = [
        "#!/bin/bash",
        "set -euo pipefail",
        "PasswordAuthentication no",
        "token=$(curl -fsS -X PUT \"$IMDS/api/token\" -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')",
        'instance_id=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" "$IMDS/meta-data/instance-id")',
        "readonly EIP_ALLOCATION_ID='eipalloc-0123456789abcdef0'",
    ].join("\n");
    describeRule<ResourceCase>("user-data-no-secrets", {
        compliant: [
            {
                title: "the bastion's bootstrap (base64), which fetches IMDS tokens at run time",
                case: { type: T.launchTemplate, props: { userData: b64(bastionUserData) } },
            },
            {
                title: "plain user data that reads the password from Secrets Manager",
                case: {
                    type: T.instance,
                    props: { userData: 'DB_PASSWORD="$(aws secretsmanager get-secret-value --secret-id db)"' },
                },
            },
            {
                title: "gzip-compressed clean user data",
                case: {
                    type: T.instance,
                    props: { userDataBase64: zlib.gzipSync(Buffer.from(bastionUserData)).toString("base64") },
                },
            },
            { title: "no user data", case: { type: T.launchConfiguration, props: {} } },
        ],
        violations: [
            {
                title: "an AWS access key and secret in a launch template",
                case: {
                    type: T.launchTemplate,
                    props: {
                        userData: b64(
                            "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
                        ),
                    },
                },
                messages: [
                    `Launch template 'subject' has user data containing what looks like an AWS access key ID and an AWS secret access key; ${SECRETS}`,
                ],
            },
            {
                title: "a literal password in plain user data",
                case: { type: T.instance, props: { userData: "#!/bin/bash\nexport DB_PASSWORD=hunter2hunter2\n" } },
                messages: [
                    `EC2 instance 'subject' has user data containing what looks like a password or token assignment; ${SECRETS}`,
                ],
            },
            {
                title: "a private key in gzip-compressed base64 user data",
                case: {
                    type: T.instance,
                    props: {
                        userDataBase64: zlib
                            .gzipSync(
                                Buffer.from(
                                    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----\n",
                                ),
                            )
                            .toString("base64"),
                    },
                },
                messages: [`EC2 instance 'subject' has user data containing what looks like a private key; ${SECRETS}`],
            },
            {
                title: "a connection string with a password in a launch configuration",
                case: {
                    type: T.launchConfiguration,
                    props: { userData: "DATABASE_URL=postgres://app:s3cretpass@db.internal:5432/app" },
                },
                messages: [
                    `Launch configuration 'subject' has user data containing what looks like a URL with an embedded password; ${SECRETS}`,
                ],
            },
        ],
        unknown: {
            title: "user data built from outputs is the engine's advisory note",
            case: { type: T.launchTemplate, props: { userData: UNKNOWN } },
            advisory: true,
        },
    });

    describeRule<ResourceCase>("asg-launch-template", {
        compliant: [
            {
                title: "a launch template",
                case: { type: T.autoscalingGroup, props: { launchTemplate: { id: "lt-1", version: "1" } } },
            },
            {
                title: "a mixed instances policy",
                case: {
                    type: T.autoscalingGroup,
                    props: {
                        mixedInstancesPolicy: {
                            launchTemplate: { launchTemplateSpecification: { launchTemplateId: "lt-1" } },
                        },
                    },
                },
            },
        ],
        violations: [
            {
                title: "a launch configuration",
                case: { type: T.autoscalingGroup, props: { launchConfiguration: "web-lc" } },
                messages: [
                    "Auto Scaling group 'subject' uses a launch configuration; launch configurations are deprecated by AWS and get no new EC2 features (set launchTemplate: { id, version } and remove launchConfiguration)",
                ],
            },
            {
                title: "nothing to launch from",
                case: { type: T.autoscalingGroup, props: { minSize: 1 } },
                messages: [
                    "Auto Scaling group 'subject' has no launch template; Auto Scaling groups launch from a launch template (set launchTemplate: { id, version })",
                ],
            },
        ],
        unknown: {
            title: "a launch configuration unknown at preview is still a launch configuration",
            case: { type: T.autoscalingGroup, props: { launchConfiguration: UNKNOWN } },
            messages: [
                "Auto Scaling group 'subject' uses a launch configuration; launch configurations are deprecated by AWS and get no new EC2 features (set launchTemplate: { id, version } and remove launchConfiguration)",
            ],
        },
    });

    const ELB = 'a group behind a load balancer must use its health checks (set healthCheckType: "ELB")';
    describeRule<ResourceCase>("asg-elb-health-check", {
        compliant: [
            {
                title: "ELB health checks behind a target group",
                case: { type: T.autoscalingGroup, props: { healthCheckType: "ELB", targetGroupArns: ["arn:tg"] } },
            },
            {
                title: "EC2 health checks without a load balancer (the bastion)",
                case: { type: T.autoscalingGroup, props: { healthCheckType: "EC2" } },
            },
        ],
        violations: [
            {
                title: "EC2 health checks behind a target group",
                case: { type: T.autoscalingGroup, props: { healthCheckType: "EC2", targetGroupArns: ["arn:tg"] } },
                messages: [
                    `Auto Scaling group 'subject' is attached to a load balancer but uses EC2 health checks, so an instance that stops serving stays in service; ${ELB}`,
                ],
            },
            {
                title: "the default health check behind a classic load balancer",
                case: { type: T.autoscalingGroup, props: { loadBalancers: ["legacy-elb"] } },
                messages: [
                    `Auto Scaling group 'subject' is attached to a load balancer but uses EC2 health checks, so an instance that stops serving stays in service; ${ELB}`,
                ],
            },
        ],
        unknown: {
            title: "EC2 health checks with target groups unknown at preview is a violation",
            case: { type: T.autoscalingGroup, props: { healthCheckType: "EC2", targetGroupArns: UNKNOWN_ARRAY } },
            messages: [
                `Auto Scaling group 'subject' has a value unknown during preview at targetGroupArns, so it cannot be verified; ${ELB}`,
            ],
        },
    });

    describeRule<ResourceCase>("asg-multi-az", {
        compliant: [
            {
                title: "two private subnets",
                case: { type: T.autoscalingGroup, props: { vpcZoneIdentifiers: ["subnet-1", "subnet-2"] } },
            },
            {
                title: "three subnets when config asks for three",
                case: {
                    type: T.autoscalingGroup,
                    props: { vpcZoneIdentifiers: ["subnet-1", "subnet-2", "subnet-3"] },
                    config: { minimumSubnets: 3 },
                },
            },
            {
                title: "two availability zones",
                case: { type: T.autoscalingGroup, props: { availabilityZones: ["us-east-1a", "us-east-1b"] } },
            },
            {
                title: "a known list of subnets whose IDs are unknown at preview",
                case: { type: T.autoscalingGroup, props: { vpcZoneIdentifiers: [UNKNOWN, UNKNOWN] } },
            },
        ],
        violations: [
            {
                title: "one subnet",
                case: { type: T.autoscalingGroup, props: { vpcZoneIdentifiers: ["subnet-1"] } },
                messages: [
                    "Auto Scaling group 'subject' spans 1 subnet(s); groups must span at least 2 AZs so an AZ outage leaves capacity running (set vpcZoneIdentifiers to one subnet in each of 2 or more AZs)",
                ],
            },
            {
                title: "two subnets when config asks for three",
                case: {
                    type: T.autoscalingGroup,
                    props: { vpcZoneIdentifiers: ["subnet-1", "subnet-2"] },
                    config: { minimumSubnets: 3 },
                },
                messages: [
                    "Auto Scaling group 'subject' spans 2 subnet(s); groups must span at least 3 AZs so an AZ outage leaves capacity running (set vpcZoneIdentifiers to one subnet in each of 3 or more AZs)",
                ],
            },
        ],
        unknown: {
            title: "a subnet list unknown at a first preview is the engine's advisory note",
            case: { type: T.autoscalingGroup, props: { vpcZoneIdentifiers: UNKNOWN_ARRAY } },
            advisory: true,
        },
    });
});
