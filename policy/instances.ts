/**
 * Instance rules: instances and launch templates require IMDSv2 with a hop limit of one, get no
 * public IP (except the bastion), run with an instance profile and report one-minute metrics
 * (their volumes' encryption is ebs.ts's). A setting a launch template holds applies to the instances it
 * launches, so an instance that names a template and leaves the setting unset defers to it.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { WebfleetPolicy, configOf, resourceRule } from "./lib/rule";
import { subject } from "./lib/types";
import { entries, fromTemplate, isTrue, peek, present, roleForVerdict } from "./lib/values";

type MetadataOptions = { httpEndpoint?: string; httpTokens?: string; httpPutResponseHopLimit?: number } | undefined;

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
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
    severity: "critical",
    checks: 'metadataOptions.httpTokens is "required" (or the endpoint disabled); instances launched from a template defer to it',
    equivalents: { cdkNag: ["NIST.800.53.R5-EC2IMDSv2Enabled"], checkov: ["CKV_AWS_79"] },
    unknown: "advisory",
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
    checks: "metadataOptions.httpPutResponseHopLimit is set and at most maximumHopLimit (default 1)",
    equivalents: { checkov: ["CKV_AWS_341"] },
    unknown: "advisory",
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
    const own = roleForVerdict(lt);
    if (own) {
        return own;
    }
    for (const spec of lt.tagSpecifications ?? []) {
        if (spec.resourceType === "instance") {
            const role = roleForVerdict(spec);
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
    severity: "critical",
    checks: "associatePublicIpAddress is not true on launch templates' interfaces, instances or launch configurations, unless tagged webfleet:role=bastion",
    equivalents: {
        cdkNag: ["NIST.800.53.R5-EC2InstanceNoPublicIp", "NIST.800.53.R5-AutoScalingLaunchConfigPublicIpDisabled"],
        checkov: ["CKV_AWS_88"],
        awsguard: ["ec2-instance-no-public-ip"],
    },
    unknown: "advisory",
    unknownNote:
        "An unset associatePublicIpAddress follows the subnet's setting and is not flagged; the webfleet subnets for instances are private. Tags (or the role tag) unknown at preview are advisory: the bastion cannot be told from another instance until they are known.",
    requirement: PUBLIC_IP_FIX,
    validate: [
        validateResourceOfType(aws.ec2.LaunchTemplate, (lt, args, report) => {
            const interfaces = entries(lt.networkInterfaces);
            const publicOnes = interfaces.filter((n) => isTrue(n.associatePublicIpAddress));
            if (publicOnes.length > 0 && templateRole(lt) !== "bastion") {
                report(
                    `${who(args)} gives instances a public IP (networkInterfaces[].associatePublicIpAddress is "true"); ${PUBLIC_IP_FIX}`,
                );
            }
        }),
        validateResourceOfType(aws.ec2.Instance, (i, args, report) => {
            if (isTrue(i.associatePublicIpAddress) && roleForVerdict(i) !== "bastion") {
                report(`${who(args)} has a public IP (associatePublicIpAddress is true); ${PUBLIC_IP_FIX}`);
            }
        }),
        validateResourceOfType(aws.ec2.SpotInstanceRequest, (i, args, report) => {
            if (isTrue(i.associatePublicIpAddress) && roleForVerdict(i) !== "bastion") {
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

const PROFILE_FIX = "instances get AWS access only through their own role, never through keys on disk";

const instanceProfileAttached = resourceRule({
    name: "instance-profile-attached",
    description: "Instances run with an IAM instance profile, so they never need long-lived keys.",
    severity: "medium",
    checks: "iamInstanceProfile (arn or name) is set on launch templates, instances and launch configurations",
    equivalents: { cdkNag: ["NIST.800.53.R5-EC2InstanceProfileAttached"], checkov: ["CKV2_AWS_41"] },
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

const ec2DetailedMonitoring = resourceRule({
    name: "ec2-detailed-monitoring",
    description:
        "Instances and launch templates turn on detailed (one-minute) CloudWatch monitoring, so scaling and alarms react in time.",
    severity: "low",
    checks: "monitoring.enabled is true on launch templates; monitoring is true on instances (which defer to their launch template when unset)",
    equivalents: {
        cdkNag: ["AwsSolutions-EC28", "NIST.800.53.R5-EC2InstanceDetailedMonitoringEnabled"],
        checkov: ["CKV_AWS_126"],
        awsguard: ["ec2-instance-detailed-monitoring-enabled"],
    },
    unknown: "advisory",
    requirement: "instances should report one-minute metrics (set monitoring: { enabled: true })",
    validate: [
        validateResourceOfType(aws.ec2.LaunchTemplate, (lt, args, report) => {
            if (lt.monitoring?.enabled !== true) {
                report(
                    `${who(args)} launches instances with five-minute metrics only (monitoring.enabled is not true); scaling and alarms need one-minute metrics (set monitoring: { enabled: true })`,
                );
            }
        }),
        validateResourceOfType(aws.ec2.Instance, (i, args, report) => {
            if (i.monitoring === undefined && fromTemplate(i)) {
                return;
            }
            if (i.monitoring !== true) {
                report(
                    `${who(args)} reports five-minute metrics only (monitoring is not true); scaling and alarms need one-minute metrics (set monitoring: true)`,
                );
            }
        }),
    ],
});

export const instancePolicies: WebfleetPolicy[] = [
    imdsv2Required,
    imdsHopLimit,
    ec2NoPublicIp,
    instanceProfileAttached,
    ec2DetailedMonitoring,
];
