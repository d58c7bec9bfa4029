/**
 * Actions of sensitive services that hand over the account or its secrets on their own: change
 * who may do what (policies, trusts, credentials, roles passed to compute), read every secret,
 * run code or commands as someone else, or blind the account's detection. A wildcard that covers
 * one of them on every resource is as good as the service's "*". Sources: Rhino Security Labs'
 * IAM privilege-escalation methods, Checkov's CKV_AWS_286/287 (cloudsplaining) lists, and the
 * Service Authorization Reference for what each action does.
 */
import type { Statement } from "./iamDoc";

/**
 * The IAM takeovers that escalate on their own when named exactly on Resource "*" (Rhino Security
 * Labs' methods): hand any role to a service, rewrite or attach any policy, mint credentials for
 * anyone, rewrite any trust, or drop a permissions boundary. Named one by one they are as bad as
 * the wildcard that covers them; iam:CreateRole/CreateUser need another of these to escalate.
 */
const ESCALATION_ACTIONS = [
    "iam:PassRole",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
];

export const TAKEOVER_ACTIONS = [
    // Policies, trusts and credentials: the classic privilege escalations.
    ...ESCALATION_ACTIONS,
    "iam:CreateUser",
    "iam:CreateRole",
    "sts:AssumeRole",
    "sts:GetFederationToken",
    // Keys and secrets: read them all, or take the key away from its owners.
    "kms:Decrypt",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:PutSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    // Code and commands run with other identities' permissions.
    "ssm:SendCommand",
    "ssm:StartSession",
    "ssm:StartAutomationExecution",
    "lambda:CreateFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "lambda:AddPermission",
    // Identity Center: give anyone any permission set.
    "sso:CreateAccountAssignment",
    "sso:AttachManagedPolicyToPermissionSet",
    "sso:PutInlinePolicyToPermissionSet",
    "identitystore:CreateGroupMembership",
    // Detection and governance switched off.
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
    "config:StopConfigurationRecorder",
    "config:DeleteConfigurationRecorder",
    "config:DeleteDeliveryChannel",
    "guardduty:DeleteDetector",
    "guardduty:UpdateDetector",
    "securityhub:DisableSecurityHub",
    "organizations:LeaveOrganization",
    "organizations:DetachPolicy",
    "organizations:DeletePolicy",
    "ram:CreateResourceShare",
];

/** The actions whose iam:PermissionsBoundary condition confines what they can grant (delegated administration). */
const BOUNDED_ACTIONS = ["iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:PutRolePolicy", "iam:PutUserPolicy"];

/** A positive condition pinning iam:PermissionsBoundary to fixed policy ARNs. */
function requiresBoundary(s: Statement): boolean {
    return Object.entries(s.conditions).some(
        ([op, kv]) =>
            /^(String|Arn)(Equals|Like)(IgnoreCase)?$/i.test(op) &&
            Object.entries(kv).some(
                ([k, values]) =>
                    k.toLowerCase() === "iam:permissionsboundary" &&
                    values.length > 0 &&
                    values.every((v) => !/^[*?]*$/.test(v.trim())),
            ),
    );
}

/** The escalation actions a statement names exactly ("iam:PassRole"), that no boundary condition confines. */
export function escalationsNamed(s: Statement, sensitiveServices: string[]): string[] {
    if (!sensitiveServices.includes("iam")) {
        return [];
    }
    const bounded = requiresBoundary(s);
    return s.actions.filter((a) => {
        const hit = ESCALATION_ACTIONS.find((e) => e.toLowerCase() === a.trim().toLowerCase());
        return hit !== undefined && !(bounded && BOUNDED_ACTIONS.includes(hit));
    });
}

/** Actions that may use Resource "*" by default (iam-resource-wildcard's ignoredActions). */
export const DEFAULT_IGNORED_ACTIONS = [
    // Actions that support no resource-level permission: "*" is the only Resource they accept.
    "cloudwatch:PutMetricData",
    "ec2:Describe*",
    "ssm:UpdateInstanceInformation",
    "ssmmessages:*",
    "ec2messages:*",
    // The SSM agent's own State Manager calls about the instance it runs on (AWS's managed
    // instance policies grant them on "*"); the document an association runs is named instead.
    "ssm:ListInstanceAssociations",
    "ssm:UpdateInstanceAssociationStatus",
    "ssm:PutComplianceItems",
    // Patch Manager on the instance, and what a patch window follows: none of these takes a
    // resource ARN (the Service Authorization Reference lists no resource type for them).
    "ssm:GetDeployablePatchSnapshotForInstance",
    "ssm:PutInventory",
    "ssm:ListCommands",
    "ssm:ListCommandInvocations",
    "ssm:GetCommandInvocation",
    "ssm:DescribeInstanceInformation",
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeInstanceRefreshes",
    "elasticloadbalancing:DescribeTargetHealth",
    "logs:DescribeLogGroups",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "sts:GetCallerIdentity",
    // What hand-written least-privilege roles need on "*" because the Service Authorization
    // Reference lists no resource type for them: the ECR registry token (every image pull), X-Ray's
    // central sampling (the SDKs and the daemon call it; AWSXRayDaemonWriteAccess), Cloud Map
    // discovery, the rotation functions' GetRandomPassword, read-only listings, and the log
    // deliveries that vended logs (WAF, Step Functions, CloudFront) are set up through.
    "ecr:GetAuthorizationToken",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
    "servicediscovery:DiscoverInstances",
    "secretsmanager:GetRandomPassword",
    "secretsmanager:ListSecrets",
    "ssm:DescribeParameters",
    "kms:ListAliases",
    "kms:ListKeys",
    "s3:ListAllMyBuckets",
    "cloudwatch:GetMetricData",
    "cloudwatch:GetMetricStatistics",
    "cloudwatch:ListMetrics",
    "elasticloadbalancing:Describe*",
    "autoscaling:Describe*",
    "tag:GetResources",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:DescribeResourcePolicies",
    // Finding a hosted zone by name, as DNS automation does (external-dns, cert-manager's DNS-01
    // solver, ACM validation scripts): Route 53's zone listings act on no resource, so AWS's own
    // policies grant them on "*"; record changes and record listings name the zone instead.
    "route53:ListHostedZones",
    "route53:ListHostedZonesByName",
    // A Lambda function in a VPC manages its ENIs; AWSLambdaVPCAccessExecutionRole grants these on "*".
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
];
