/**
 * Public exposure: nothing of the stack is open to everyone. No public bucket or object ACL; no
 * resource policy (bucket, access point, secret, topic, queue, repository, log delivery, file
 * system, Lambda function, permission or layer) that allows Principal "*" without a condition
 * confining it to fixed values (lib/fixedConditions.ts); no snapshot or AMI shared with all
 * accounts; no Lambda function URL without authentication.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { isFixedValue, openToEveryone } from "./lib/fixedConditions";
import { PUBLIC_NEEDS, parsePolicy, statementLabel } from "./lib/iamDoc";
import { WebfleetPolicy, resourceRule } from "./lib/rule";
import { subject } from "./lib/types";
import { entries, text } from "./lib/values";

/** Nouns for the types this file alone judges (lib/types.ts names the shared ones). */
const NOUNS: Record<string, string> = {
    "aws:lambda/resourcePolicy:ResourcePolicy": "Lambda resource policy",
    "aws:lambda/layerVersionPermission:LayerVersionPermission": "Lambda layer permission",
    "aws:s3/accessPoint:AccessPoint": "S3 access point",
    "aws:s3control/accessPointPolicy:AccessPointPolicy": "S3 access point policy",
    "aws:s3control/bucketPolicy:BucketPolicy": "S3 Control bucket policy",
};

function who(args: ResourceValidationArgs): string {
    return NOUNS[args.type] ? `${NOUNS[args.type]} '${args.name}'` : subject(args.type, args.name);
}

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GRANTEES = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/;
const OBJECT_ACL_FIX =
    "objects must never be public (drop the acl, keep BucketOwnerEnforced ownership, and serve public content through CloudFront with origin access control)";
const ACL_FIX =
    "buckets must never be public (use the private ACL, or better BucketOwnerEnforced ownership and no ACLs)";

type AclProps = { acl?: string; accessControlPolicy?: { grants?: { grantee?: { uri?: string } }[] } };
type InlineAcl = { acl?: string; grants?: { uri?: string }[] };

/** A bucket's deprecated inline acl and grants (aws.s3.Bucket and aws.s3.BucketV2 both accept them). */
function checkInlineAcl(b: InlineAcl, args: ResourceValidationArgs, report: ReportViolation): void {
    if (b.acl && PUBLIC_ACLS.includes(b.acl)) {
        report(`${who(args)} uses the canned ACL "${b.acl}"; ${ACL_FIX}`);
    }
    if (entries(b.grants).some((g) => PUBLIC_GRANTEES.test(text(g.uri)))) {
        report(`${who(args)} grants access to AllUsers or AuthenticatedUsers; ${ACL_FIX}`);
    }
}

function checkAcl(acl: AclProps, args: ResourceValidationArgs, report: ReportViolation): void {
    if (typeof acl.acl === "string" && PUBLIC_ACLS.includes(acl.acl)) {
        report(`${who(args)} uses the canned ACL "${acl.acl}"; ${ACL_FIX}`);
    }
    const grants = entries(acl.accessControlPolicy?.grants);
    if (grants.some((g) => PUBLIC_GRANTEES.test(text(g.grantee?.uri)))) {
        report(`${who(args)} grants access to AllUsers or AuthenticatedUsers; ${ACL_FIX}`);
    }
}

const s3NoPublicAcl = resourceRule({
    name: "s3-no-public-acl",
    description: "No bucket or object ACL grants access to everyone or to every AWS account.",
    severity: "critical",
    checks: "Bucket and BucketV2 inline acl/grants, BucketAcl(V2) and objects (BucketObject, BucketObjectv2 acl) use no public canned ACL and no AllUsers/AuthenticatedUsers grantee",
    equivalents: {
        cdkNag: ["NIST.800.53.R5-S3BucketPublicReadProhibited", "NIST.800.53.R5-S3BucketPublicWriteProhibited"],
        checkov: ["CKV_AWS_20", "CKV_AWS_57"],
    },
    unknown: "advisory",
    requirement: ACL_FIX,
    validate: [
        validateResourceOfType(aws.s3.Bucket, checkInlineAcl),
        validateResourceOfType(aws.s3.BucketV2, checkInlineAcl),
        validateResourceOfType(aws.s3.BucketAcl, checkAcl),
        validateResourceOfType(aws.s3.BucketAclV2, checkAcl),
        validateResourceOfType(aws.s3.BucketObject, (o, args, report) => {
            if (o.acl && PUBLIC_ACLS.includes(o.acl)) {
                report(
                    `${who(args)} is uploaded with the canned ACL "${o.acl}", readable by anyone; ${OBJECT_ACL_FIX}`,
                );
            }
        }),
        validateResourceOfType(aws.s3.BucketObjectv2, (o, args, report) => {
            if (o.acl && PUBLIC_ACLS.includes(o.acl)) {
                report(
                    `${who(args)} is uploaded with the canned ACL "${o.acl}", readable by anyone; ${OBJECT_ACL_FIX}`,
                );
            }
        }),
    ],
});

const POLICY_FIX =
    'resource policies name who may use the resource (name accounts, roles or services, or confine Principal "*" with aws:PrincipalOrgID, aws:SourceArn, aws:SourceAccount or aws:SourceVpce set to fixed values, without wildcards)';

function checkResourcePolicy(doc: unknown, args: ResourceValidationArgs, report: ReportViolation): void {
    if (doc === undefined || doc === null || doc === "") {
        return;
    }
    const parsed = parsePolicy(doc, PUBLIC_NEEDS);
    if (!parsed.ok) {
        report(
            `${who(args)} has a resource policy that is ${parsed.error}; it must be a valid policy document (fix the JSON)`,
        );
        return;
    }
    parsed.statements.forEach((s, i) => {
        const open = openToEveryone(s);
        if (open) {
            const actions = s.actions.length > 0 ? s.actions.join(", ") : "every action but NotAction";
            report(
                `${who(args)} has a policy whose ${statementLabel(s, i)} allows ${actions} to Principal "*" ${open}, so anyone can use it; ${POLICY_FIX}`,
            );
        }
    });
}

/** Resource types and the property that holds their resource policy. */
const POLICY_HOLDERS: [unknown, string][] = [
    [aws.s3.BucketPolicy, "policy"],
    [aws.s3.Bucket, "policy"],
    [aws.secretsmanager.SecretPolicy, "policy"],
    [aws.secretsmanager.Secret, "policy"],
    [aws.sns.TopicPolicy, "policy"],
    [aws.sns.Topic, "policy"],
    [aws.sqs.QueuePolicy, "policy"],
    [aws.sqs.Queue, "policy"],
    [aws.ecr.RepositoryPolicy, "policy"],
    [aws.cloudwatch.LogResourcePolicy, "policyDocument"],
    [aws.efs.FileSystemPolicy, "policy"],
    [aws.lambda.ResourcePolicy, "policy"],
    [aws.s3.AccessPoint, "policy"],
    [aws.s3control.AccessPointPolicy, "policy"],
    [aws.s3control.BucketPolicy, "policy"],
];

/** A confining value the caller set: unknown at preview (a reference) or a fixed value. */
function confines(value: string | undefined, key: string): boolean {
    return !!value && isFixedValue(key, value);
}

const lambdaPermissionPublic = validateResourceOfType(aws.lambda.Permission, (p, args, report) => {
    const open = p.principal === "*" || p.principal === "arn:aws:iam::*:root";
    const confined =
        confines(p.sourceArn, "aws:SourceArn") ||
        confines(p.sourceAccount, "aws:SourceAccount") ||
        confines(p.principalOrgId, "aws:PrincipalOrgID");
    if (open && !confined) {
        report(
            `${who(args)} lets Principal "*" call the function (${p.action}) with no sourceArn, sourceAccount or principalOrgId naming a fixed caller, so anyone can invoke it; ${POLICY_FIX} (set principal to the calling service and sourceArn to the caller)`,
        );
    }
});

const layerPermissionPublic = validateResourceOfType(aws.lambda.LayerVersionPermission, (p, args, report) => {
    if (p.principal === "*" && !p.organizationId) {
        report(
            `${who(args)} shares the layer version with every AWS account (principal "*" and no organizationId), so anyone can download its code; ${POLICY_FIX} (set principal to an account ID, or keep "*" with organizationId)`,
        );
    }
});

const resourcePolicyNoPublicPrincipal = resourceRule({
    name: "resource-policy-no-public-principal",
    description:
        'Resource policies of buckets, access points, secrets, topics, queues, repositories, log delivery, file systems, Lambda functions and layers never allow Principal "*" without a condition confining it to fixed values.',
    severity: "critical",
    checks: 'No Allow statement with Principal "*" (or NotPrincipal) and no condition confining it to fixed values (aws:PrincipalOrgID, aws:SourceArn, aws:SourceAccount, aws:SourceVpce, …; "o-*", "arn:aws:s3:::*", 0.0.0.0/0 or ForAllValues confine nothing) in BucketPolicy, SecretPolicy, TopicPolicy, QueuePolicy, RepositoryPolicy, LogResourcePolicy, FileSystemPolicy, Lambda ResourcePolicy, S3 access point policies or inline policies; no Lambda Permission for "*" without sourceArn/sourceAccount/principalOrgId; no LayerVersionPermission for "*" without organizationId. KMS keys: kms-no-wildcard-principal',
    equivalents: {
        cdkNag: ["AwsSolutions-S5", "AwsSolutions-ECR1", "NIST.800.53.R5-S3BucketPublicReadProhibited"],
        checkov: ["CKV_AWS_70", "CKV_AWS_168", "CKV_AWS_169", "CKV_AWS_32", "CKV_AWS_301", "CKV_AWS_72"],
    },
    unknown: "advisory",
    unknownNote:
        "Policy documents built from ARNs are unknown at preview: an advisory note, and the rule runs on the real document at `pulumi up`, before the policy is created.",
    requirement: POLICY_FIX,
    validate: [
        ...POLICY_HOLDERS.map(([cls, prop]) =>
            validateResourceOfType(cls as typeof aws.s3.BucketPolicy, (r, args, report) =>
                checkResourcePolicy((r as unknown as Record<string, unknown>)[prop], args, report),
            ),
        ),
        lambdaPermissionPublic,
        layerPermissionPublic,
    ],
});

const SHARE_FIX =
    'snapshots and images are shared only with named accounts or organizations (list account IDs, never "all")';

const snapshotsNotPublic = resourceRule({
    name: "snapshots-not-public",
    description: "Database snapshots and machine images are never shared with every AWS account.",
    severity: "critical",
    checks: 'RDS Snapshot, ClusterSnapshot and SnapshotCopy sharedAccounts has no "all"; no AmiLaunchPermission with group "all"',
    equivalents: {},
    unknown: "advisory",
    requirement: SHARE_FIX,
    validate: [
        ...[aws.rds.Snapshot, aws.rds.ClusterSnapshot, aws.rds.SnapshotCopy].map((cls) =>
            validateResourceOfType(cls as typeof aws.rds.Snapshot, (s, args, report) => {
                if (entries(s.sharedAccounts).some((a) => text(a).toLowerCase() === "all")) {
                    report(
                        `${who(args)} is shared with "all", so every AWS account can restore the data; ${SHARE_FIX}`,
                    );
                }
            }),
        ),
        validateResourceOfType(aws.ec2.AmiLaunchPermission, (p, args, report) => {
            if (text(p.group).toLowerCase() === "all") {
                report(
                    `${who(args)} makes the image public (group "all"), so anyone can launch it and read its disks; ${SHARE_FIX}`,
                );
            }
        }),
    ],
});

const lambdaUrlAuth = resourceRule({
    name: "lambda-url-auth",
    description:
        "Lambda function URLs require IAM authentication, so the function is not callable by anyone on the internet.",
    severity: "critical",
    checks: 'aws.lambda.FunctionUrl authorizationType is "AWS_IAM" (not "NONE")',
    equivalents: { checkov: ["CKV_AWS_258"] },
    unknown: "advisory",
    requirement: 'function URLs require IAM auth (set authorizationType: "AWS_IAM")',
    validate: [
        validateResourceOfType(aws.lambda.FunctionUrl, (u, args, report) => {
            if (u.authorizationType !== "AWS_IAM") {
                report(
                    `${who(args)} has authorizationType ${JSON.stringify(u.authorizationType)}, so anyone on the internet can invoke the function; function URLs require IAM auth (set authorizationType: "AWS_IAM", or put API Gateway or CloudFront with origin access control in front)`,
                );
            }
        }),
    ],
});

export const publicExposurePolicies: WebfleetPolicy[] = [
    s3NoPublicAcl,
    resourcePolicyNoPublicPrincipal,
    snapshotsNotPublic,
    lambdaUrlAuth,
];
