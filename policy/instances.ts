/**
 * Compute rules: instances and launch templates (IMDSv2, hop limit, public IPs, encrypted
 * volumes, an instance profile, no secrets in user data) and Auto Scaling groups (launch
 * templates, ELB health checks, more than one AZ).
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { WebfleetPolicy, configOf, resourceRule } from "./lib/rule";
import { findSecrets } from "./lib/secrets";
import { subject } from "./lib/types";
import { Peeked, decodeUserData, isTrue, peek, roleOf } from "./lib/values";

type MetadataOptions = { httpEndpoint?: string; httpTokens?: string; httpPutResponseHopLimit?: number } | undefined;

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

/** An instance launched from a launch template takes the template's settings for what it leaves unset. */
function fromTemplate(props: { launchTemplate?: unknown }): boolean {
    const lt = peek(props, "launchTemplate");
    return !lt.known || (lt.value !== undefined && lt.value !== null);
}

function checkImdsTokens(md: MetadataOptions, args: ResourceValidationArgs, report: ReportViolation): void {
    if (md?.httpEndpoint === "disabled") {
        return;
    }
    const tokens = md?.httpTokens;
    if (tokens !== "required") {
        const state =
            tokens === undefined
                ? "metadataOptions.httpTokens is not set, so IMDSv1 stays available"
                : `metadataOptions.httpTokens is "${tokens}"`;
        report(
            `${who(args)} does not require IMDSv2 (${state}); IMDSv1 lets any SSRF in the app read the instance's credentials (set metadataOptions.httpTokens: "required")`,
        );
    }
}

function checkHopLimit(md: MetadataOptions, max: number, args: ResourceValidationArgs, report: ReportViolation): void {
    if (md?.httpEndpoint === "disabled") {
        return;
    }
    const limit = md?.httpPutResponseHopLimit;
    if (limit === undefined || limit === null || limit > max) {
        const state =
            limit === undefined || limit === null
                ? "metadataOptions.httpPutResponseHopLimit is not set, so the AMI's default applies, which is 2 on Amazon Linux 2023"
                : `metadataOptions.httpPutResponseHopLimit is ${limit}`;
        report(
            `${who(args)} lets IMDS tokens travel more than ${max} network hop(s) (${state}); a token must not reach containers or forwarded traffic (set metadataOptions.httpPutResponseHopLimit: ${max})`,
        );
    }
}

const imdsv2Required = resourceRule({
    name: "imdsv2-required",
    description:
        "Instances and launch templates require IMDSv2 session tokens, so a request forgery in the app cannot read the instance's credentials.",
    severity: "high",
    enforcementLevel: "mandatory",
    checks: 'metadataOptions.httpTokens is "required" (or the endpoint disabled); instances launched from a template defer to it',
    equivalents: ["CKV_AWS_79", "NIST.800.53.R5-EC2IMDSv2Enabled"],
    unknown: "violation",
    requirement: 'instances must require IMDSv2 (set metadataOptions.httpTokens: "required" as a literal)',
    validate: [
        validateResourceOfType(aws.ec2.LaunchTemplate, (lt, args, report) =>
            checkImdsTokens(lt.metadataOptions, args, report),
        ),
        validateResourceOfType(aws.ec2.Instance, (i, args, report) => {
            if (i.metadataOptions === undefined && fromTemplate(i)) {
                return;
            }
            checkImdsTokens(i.metadataOptions, args, report);
        }),
        validateResourceOfType(aws.ec2.SpotInstanceRequest, (i, args, report) => {
            if (i.metadataOptions === undefined && fromTemplate(i)) {
                return;
            }
            checkImdsTokens(i.metadataOptions, args, report);
        }),
        validateResourceOfType(aws.ec2.LaunchConfiguration, (lc, args, report) =>
            checkImdsTokens(lc.metadataOptions, args, report),
        ),
    ],
});

const imdsHopLimit = resourceRule({
    name: "imds-hop-limit-one",
    description: "The IMDS token hop limit is 1, so tokens cannot be relayed beyond the instance itself.",
    severity: "medium",
    enforcementLevel: "mandatory",
    checks: "metadataOptions.httpPutResponseHopLimit is set and at most maximumHopLimit (default 1)",
    equivalents: ["CKV_AWS_341"],
    unknown: "violation",
    requirement: "IMDS tokens must stay on the instance (set metadataOptions.httpPutResponseHopLimit: 1 as a literal)",
    config: {
        maximumHopLimit: {
            type: "integer",
            minimum: 1,
            maximum: 64,
            default: 1,
            description: "Highest hop limit allowed (2 for container hosts that need IMDS).",
        },
    },
    validate: [
        validateResourceOfType(aws.ec2.LaunchTemplate, (lt, args, report) =>
            checkHopLimit(lt.metadataOptions, configOf(args, { maximumHopLimit: 1 }).maximumHopLimit, args, report),
        ),
        validateResourceOfType(aws.ec2.Instance, (i, args, report) => {
            if (i.metadataOptions === undefined && fromTemplate(i)) {
                return;
            }
            checkHopLimit(i.metadataOptions, configOf(args, { maximumHopLimit: 1 }).maximumHopLimit, args, report);
        }),
        validateResourceOfType(aws.ec2.LaunchConfiguration, (lc, args, report) =>
            checkHopLimit(lc.metadataOptions, configOf(args, { maximumHopLimit: 1 }).maximumHopLimit, args, report),
        ),
    ],
});

/** The bastion role, from the template's own tags or the tags it gives instances. */
function templateRole(lt: {
    tags?: Record<string, string>;
    tagSpecifications?: { resourceType?: string; tags?: Record<string, string> }[];
}): string | undefined {
    const own = roleOf(lt);
    if (own) {
        return own;
    }
    for (const spec of lt.tagSpecifications ?? []) {
        if (spec.resourceType === "instance") {
            const role = roleOf(spec);
            if (role) {
                return role;
            }
        }
    }
    return undefined;
}

const PUBLIC_IP_FIX =
    "instances stay in private subnets behind the load balancer; only the bastion (tagged webfleet:role=bastion) may have a public IP (set associatePublicIpAddress to false)";

const ec2NoPublicIp = resourceRule({
    name: "ec2-no-public-ip",
    description: "Instances get no public IP address, except the bastion.",
    severity: "high",
    enforcementLevel: "mandatory",
    checks: "associatePublicIpAddress is not true on launch templates' interfaces, instances or launch configurations, unless tagged webfleet:role=bastion",
    equivalents: [
        "CKV_AWS_88",
        "NIST.800.53.R5-EC2InstanceNoPublicIp",
        "NIST.800.53.R5-AutoScalingLaunchConfigPublicIpDisabled",
        "awsguard ec2-instance-no-public-ip",
    ],
    unknown: "violation",
    unknownNote:
        "An unset associatePublicIpAddress follows the subnet's setting and is not flagged; the webfleet subnets for instances are private.",
    requirement: PUBLIC_IP_FIX,
    validate: [
        validateResourceOfType(aws.ec2.LaunchTemplate, (lt, args, report) => {
            const interfaces = lt.networkInterfaces ?? [];
            const publicOnes = interfaces.filter((n) => isTrue(n.associatePublicIpAddress));
            if (publicOnes.length > 0 && templateRole(lt) !== "bastion") {
                report(
                    `${who(args)} gives instances a public IP (networkInterfaces[].associatePublicIpAddress is "true"); ${PUBLIC_IP_FIX}`,
                );
            }
        }),
        validateResourceOfType(aws.ec2.Instance, (i, args, report) => {
            if (isTrue(i.associatePublicIpAddress) && roleOf(i) !== "bastion") {
                report(`${who(args)} has a public IP (associatePublicIpAddress is true); ${PUBLIC_IP_FIX}`);
            }
        }),
        validateResourceOfType(aws.ec2.SpotInstanceRequest, (i, args, report) => {
            if (isTrue(i.associatePublicIpAddress) && roleOf(i) !== "bastion") {
                report(`${who(args)} has a public IP (associatePublicIpAddress is true); ${PUBLIC_IP_FIX}`);
            }
        }),
        validateResourceOfType(aws.ec2.LaunchConfiguration, (lc, args, report) => {
            if (isTrue(lc.associatePublicIpAddress)) {
                report(`${who(args)} gives instances a public IP (associatePublicIpAddress is true); ${PUBLIC_IP_FIX}`);
            }
        }),
    ],
});

const EBS_FIX = "volumes must be encrypted at rest";

function checkVolumes(
    args: ResourceValidationArgs,
    report: ReportViolation,
    volumes: { label: string; encrypted: unknown }[],
): void {
    for (const v of volumes) {
        if (!isTrue(v.encrypted)) {
            report(
                `${who(args)} has an unencrypted volume (${v.label}); ${EBS_FIX} (set encrypted: ${args.type.includes("launchTemplate") ? '"true"' : "true"})`,
            );
        }
    }
}

const ebsEncrypted = resourceRule({
    name: "ebs-encrypted",
    description:
        "Every EBS volume an instance, launch template, launch configuration or the stack creates is encrypted.",
    severity: "high",
    enforcementLevel: "mandatory",
    checks: "Block device mappings / root and EBS block devices / aws.ebs.Volume set encrypted; a template or instance must declare its root volume",
    equivalents: ["AwsSolutions-EC26", "CKV_AWS_8", "CKV_AWS_3", "awsguard encrypted-volumes"],
    unknown: "violation",
    requirement: `${EBS_FIX} (set encrypted to a literal true)`,
    validate: [
        validateResourceOfType(aws.ec2.LaunchTemplate, (lt, args, report) => {
            const mappings = (lt.blockDeviceMappings ?? []).filter((m) => !m.noDevice && !m.virtualName);
            if (mappings.length === 0) {
                report(
                    `${who(args)} declares no block device mappings, so the root volume's encryption depends on the AMI and the account default; ${EBS_FIX} (add blockDeviceMappings for the root device with ebs.encrypted: "true")`,
                );
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
            if (i.rootBlockDevice === undefined && !fromTemplate(i)) {
                report(
                    `${who(args)} declares no rootBlockDevice, so the root volume's encryption depends on the AMI and the account default; ${EBS_FIX} (set rootBlockDevice.encrypted: true)`,
                );
            } else if (i.rootBlockDevice !== undefined) {
                checkVolumes(args, report, [{ label: "rootBlockDevice", encrypted: i.rootBlockDevice.encrypted }]);
            }
            checkVolumes(
                args,
                report,
                (i.ebsBlockDevices ?? []).map((d) => ({
                    label: `ebsBlockDevices ${d.deviceName}`,
                    encrypted: d.encrypted,
                })),
            );
        }),
        validateResourceOfType(aws.ec2.LaunchConfiguration, (lc, args, report) => {
            if (lc.rootBlockDevice === undefined) {
                report(
                    `${who(args)} declares no rootBlockDevice, so the root volume's encryption depends on the AMI and the account default; ${EBS_FIX} (set rootBlockDevice.encrypted: true)`,
                );
            } else {
                checkVolumes(args, report, [{ label: "rootBlockDevice", encrypted: lc.rootBlockDevice.encrypted }]);
            }
            checkVolumes(
                args,
                report,
                (lc.ebsBlockDevices ?? []).map((d) => ({
                    label: `ebsBlockDevices ${d.deviceName}`,
                    encrypted: d.encrypted,
                })),
            );
        }),
        validateResourceOfType(aws.ebs.Volume, (v, args, report) => {
            if (!isTrue(v.encrypted)) {
                report(`${who(args)} is not encrypted; ${EBS_FIX} (set encrypted: true)`);
            }
        }),
    ],
});

/** Set, or a reference still unknown at preview (which is set by definition). */
function present(p: Peeked<unknown>): boolean {
    return !p.known || (p.value !== undefined && p.value !== null && p.value !== "");
}

const PROFILE_FIX = "instances get AWS access only through their own role, never through keys on disk";

const instanceProfileAttached = resourceRule({
    name: "instance-profile-attached",
    description: "Instances run with an IAM instance profile, so they never need long-lived keys.",
    severity: "medium",
    enforcementLevel: "mandatory",
    checks: "iamInstanceProfile (arn or name) is set on launch templates, instances and launch configurations",
    equivalents: ["NIST.800.53.R5-EC2InstanceProfileAttached", "CKV2_AWS_41"],
    unknown: "reference",
    unknownNote: "An instance profile that is an unknown reference at preview counts as set.",
    requirement: PROFILE_FIX,
    validate: [
        validateResourceOfType(aws.ec2.LaunchTemplate, (lt, args, report) => {
            if (!present(peek(lt, "iamInstanceProfile", "arn")) && !present(peek(lt, "iamInstanceProfile", "name"))) {
                report(
                    `${who(args)} has no IAM instance profile; ${PROFILE_FIX} (set iamInstanceProfile: { arn: profile.arn })`,
                );
            }
        }),
        validateResourceOfType(aws.ec2.Instance, (i, args, report) => {
            if (!present(peek(i, "iamInstanceProfile")) && !fromTemplate(i)) {
                report(`${who(args)} has no IAM instance profile; ${PROFILE_FIX} (set iamInstanceProfile)`);
            }
        }),
        validateResourceOfType(aws.ec2.LaunchConfiguration, (lc, args, report) => {
            if (!present(peek(lc, "iamInstanceProfile"))) {
                report(`${who(args)} has no IAM instance profile; ${PROFILE_FIX} (set iamInstanceProfile)`);
            }
        }),
    ],
});

function checkUserData(
    args: ResourceValidationArgs,
    report: ReportViolation,
    raw: string | undefined,
    base64: boolean,
): void {
    if (!raw) {
        return;
    }
    const found = findSecrets(decodeUserData(raw, base64));
    if (found.length > 0) {
        report(
            `${who(args)} has user data containing what looks like ${found.join(" and ")}; user data is readable by anyone who can describe the instance and by every process on it (read secrets at boot from Secrets Manager or SSM Parameter Store with the instance role)`,
        );
    }
}

const userDataNoSecrets = resourceRule({
    name: "user-data-no-secrets",
    description:
        "User data carries no secrets (keys, passwords, tokens), because it is readable through the EC2 API and IMDS.",
    severity: "critical",
    enforcementLevel: "mandatory",
    checks: "Decoded (base64, gzip) user data has no AWS keys, private keys, URLs with passwords, tokens or PASSWORD=/SECRET=/TOKEN= literals",
    equivalents: ["CKV_AWS_46"],
    unknown: "advisory",
    unknownNote:
        "User data built from other resources' outputs is unknown at preview: the engine notes it as advisory and the rule runs on the real text at `pulumi up`, before the resource is created.",
    requirement: "user data must not contain secrets",
    validate: [
        validateResourceOfType(aws.ec2.LaunchTemplate, (lt, args, report) =>
            checkUserData(args, report, lt.userData, true),
        ),
        validateResourceOfType(aws.ec2.Instance, (i, args, report) => {
            checkUserData(args, report, i.userData, false);
            checkUserData(args, report, i.userDataBase64, true);
        }),
        validateResourceOfType(aws.ec2.SpotInstanceRequest, (i, args, report) => {
            checkUserData(args, report, i.userData, false);
            checkUserData(args, report, i.userDataBase64, true);
        }),
        validateResourceOfType(aws.ec2.LaunchConfiguration, (lc, args, report) => {
            checkUserData(args, report, lc.userData, false);
            checkUserData(args, report, lc.userDataBase64, true);
        }),
    ],
});

const asgLaunchTemplate = resourceRule({
    name: "asg-launch-template",
    description:
        "Auto Scaling groups launch from a launch template, not a launch configuration, so IMDSv2, encryption and instance refresh are available.",
    severity: "medium",
    enforcementLevel: "mandatory",
    checks: "launchTemplate or mixedInstancesPolicy is set and launchConfiguration is not",
    equivalents: ["CKV_AWS_315"],
    unknown: "violation",
    unknownNote: "A launch configuration that is an unknown reference at preview is still a launch configuration.",
    requirement: "Auto Scaling groups launch from a launch template (set launchTemplate: { id, version })",
    validate: [
        validateResourceOfType(aws.autoscaling.Group, (asg, args, report) => {
            if (present(peek(asg, "launchConfiguration"))) {
                report(
                    `${who(args)} uses a launch configuration; launch configurations are deprecated by AWS and get no new EC2 features (set launchTemplate: { id, version } and remove launchConfiguration)`,
                );
            } else if (!present(peek(asg, "launchTemplate")) && !present(peek(asg, "mixedInstancesPolicy"))) {
                report(
                    `${who(args)} has no launch template; Auto Scaling groups launch from a launch template (set launchTemplate: { id, version })`,
                );
            }
        }),
    ],
});

const asgElbHealthCheck = resourceRule({
    name: "asg-elb-health-check",
    description:
        "Auto Scaling groups behind a load balancer use its health checks, so an instance that stops serving is replaced.",
    severity: "medium",
    enforcementLevel: "mandatory",
    checks: 'healthCheckType is "ELB" when targetGroupArns or loadBalancers are set',
    equivalents: ["CKV2_AWS_15", "NIST.800.53.R5-AutoScalingGroupELBHealthCheckRequired"],
    unknown: "violation",
    requirement: 'a group behind a load balancer must use its health checks (set healthCheckType: "ELB")',
    validate: [
        validateResourceOfType(aws.autoscaling.Group, (asg, args, report) => {
            if (asg.healthCheckType === "ELB") {
                return;
            }
            const attached = (asg.targetGroupArns ?? []).length > 0 || (asg.loadBalancers ?? []).length > 0;
            if (attached) {
                report(
                    `${who(args)} is attached to a load balancer but uses ${asg.healthCheckType ?? "EC2"} health checks, so an instance that stops serving stays in service; a group behind a load balancer must use its health checks (set healthCheckType: "ELB")`,
                );
            }
        }),
    ],
});

const asgMultiAz = resourceRule({
    name: "asg-multi-az",
    description: "Auto Scaling groups span at least two subnets (one per AZ), so an AZ outage leaves capacity running.",
    severity: "medium",
    enforcementLevel: "mandatory",
    checks: "vpcZoneIdentifiers (or availabilityZones) has at least minimumSubnets entries (default 2)",
    equivalents: [],
    unknown: "advisory",
    unknownNote:
        "Subnet lists from the VPC are unknown at a first preview: the engine notes it as advisory and the rule runs on the real list at `pulumi up`. Counts subnets, as a resource rule cannot see their AZs.",
    requirement: "groups must span at least two AZs",
    config: {
        minimumSubnets: {
            type: "integer",
            minimum: 1,
            maximum: 6,
            default: 2,
            description: "Fewest subnets (one per AZ) a group may span.",
        },
    },
    validate: [
        validateResourceOfType(aws.autoscaling.Group, (asg, args, report) => {
            const { minimumSubnets } = configOf(args, { minimumSubnets: 2 });
            const subnets = asg.vpcZoneIdentifiers?.length ?? 0;
            const zones = asg.availabilityZones?.length ?? 0;
            const spread = Math.max(subnets, zones);
            if (spread < minimumSubnets) {
                report(
                    `${who(args)} spans ${spread} subnet(s); groups must span at least ${minimumSubnets} AZs so an AZ outage leaves capacity running (set vpcZoneIdentifiers to one subnet in each of ${minimumSubnets} or more AZs)`,
                );
            }
        }),
    ],
});

export const computePolicies: WebfleetPolicy[] = [
    imdsv2Required,
    imdsHopLimit,
    ec2NoPublicIp,
    ebsEncrypted,
    instanceProfileAttached,
    userDataNoSecrets,
    asgLaunchTemplate,
    asgElbHealthCheck,
    asgMultiAz,
];
