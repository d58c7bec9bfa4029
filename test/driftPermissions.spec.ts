/**
 * The drift check's `pulumi preview --refresh` reads every resource of the stack with the
 * read-only role (docs/ci-iam.md). REFRESH_READS says which calls the AWS provider makes to read
 * each resource type; these tests hold the role's policy to it for every type either stack
 * creates, with every optional feature on, and keep data (secret values, log events, KMS
 * decrypts, the access logs) out of it. A resource type new to the program fails here until it
 * is listed and the role can read it.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import { ProgramRun, REPO_ROOT } from "../offline/program";
import { runStack, sharedRun } from "./support/program";

type Reads = readonly string[] | { refused: string };

/** Per resource type, the IAM actions of the provider's read of one resource. */
const REFRESH_READS: Record<string, Reads> = {
    // Engine-side or computed locally: refreshing them calls no AWS API.
    "pulumi:providers:aws": [],
    "random:index/randomId:RandomId": [],
    "random:index/randomPassword:RandomPassword": [],
    "tls:index/privateKey:PrivateKey": [],
    "tls:index/selfSignedCert:SelfSignedCert": [],
    // The provider keeps an invocation's result in state and never reads it back.
    "aws:lambda/invocation:Invocation": [],
    "aws:acm/certificate:Certificate": ["acm:DescribeCertificate", "acm:ListTagsForCertificate", "acm:GetCertificate"],
    "aws:acm/certificateValidation:CertificateValidation": ["acm:DescribeCertificate"],
    "aws:autoscaling/group:Group": [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeLifecycleHooks",
        "autoscaling:DescribeTrafficSources",
        "autoscaling:DescribeWarmPool",
    ],
    "aws:autoscaling/policy:Policy": ["autoscaling:DescribePolicies"],
    "aws:backup/plan:Plan": ["backup:GetBackupPlan", "backup:ListTags"],
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": ["backup:GetRestoreTestingPlan", "backup:ListTags"],
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": ["backup:GetRestoreTestingSelection"],
    "aws:backup/selection:Selection": ["backup:GetBackupSelection"],
    "aws:backup/vault:Vault": ["backup:DescribeBackupVault", "backup:ListTags"],
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": ["backup:DescribeBackupVault"],
    "aws:cloudwatch/eventRule:EventRule": ["events:DescribeRule", "events:ListTagsForResource"],
    "aws:cloudwatch/eventTarget:EventTarget": ["events:ListTargetsByRule"],
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": ["logs:DescribeMetricFilters"],
    "aws:lambda/permission:Permission": ["lambda:GetPolicy"],
    // The SSH-access document holds public keys only (docs/ssh-access.md).
    "aws:ssm/association:Association": ["ssm:DescribeAssociation"],
    "aws:ssm/document:Document": [
        "ssm:DescribeDocument",
        "ssm:GetDocument",
        "ssm:DescribeDocumentPermission",
        "ssm:ListTagsForResource",
    ],
    "aws:ssm/maintenanceWindow:MaintenanceWindow": ["ssm:GetMaintenanceWindow", "ssm:ListTagsForResource"],
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": ["ssm:DescribeMaintenanceWindowTargets"],
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": ["ssm:GetMaintenanceWindowTask"],
    "aws:ssm/patchBaseline:PatchBaseline": ["ssm:GetPatchBaseline", "ssm:ListTagsForResource"],
    "aws:ssm/patchGroup:PatchGroup": ["ssm:DescribePatchGroups"],
    "aws:cloudfront/distribution:Distribution": ["cloudfront:GetDistribution", "cloudfront:ListTagsForResource"],
    "aws:cloudfront/originAccessControl:OriginAccessControl": ["cloudfront:GetOriginAccessControl"],
    "aws:cloudwatch/dashboard:Dashboard": ["cloudwatch:GetDashboard"],
    "aws:cloudwatch/logGroup:LogGroup": ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": ["logs:DescribeResourcePolicies"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ["ec2:DescribeSecurityGroups"],
    "aws:ec2/eip:Eip": ["ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute"],
    "aws:ec2/flowLog:FlowLog": ["ec2:DescribeFlowLogs"],
    "aws:ec2/internetGateway:InternetGateway": ["ec2:DescribeInternetGateways"],
    "aws:ec2/keyPair:KeyPair": ["ec2:DescribeKeyPairs"],
    "aws:ec2/launchTemplate:LaunchTemplate": ["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
    "aws:ec2/natGateway:NatGateway": ["ec2:DescribeNatGateways"],
    "aws:ec2/route:Route": ["ec2:DescribeRouteTables"],
    "aws:ec2/routeTable:RouteTable": ["ec2:DescribeRouteTables"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["ec2:DescribeRouteTables"],
    "aws:ec2/securityGroup:SecurityGroup": ["ec2:DescribeSecurityGroups"],
    "aws:ec2/subnet:Subnet": ["ec2:DescribeSubnets"],
    "aws:ec2/vpc:Vpc": ["ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeNetworkAcls"],
    "aws:iam/instanceProfile:InstanceProfile": ["iam:GetInstanceProfile"],
    "aws:iam/role:Role": ["iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"],
    "aws:iam/rolePolicy:RolePolicy": ["iam:GetRolePolicy"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["iam:ListAttachedRolePolicies"],
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": ["iam:GetRole"],
    "aws:kms/alias:Alias": ["kms:ListAliases"],
    "aws:kms/key:Key": ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
    "aws:lambda/function:Function": [
        "lambda:GetFunction",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:ListVersionsByFunction",
    ],
    "aws:lb/listener:Listener": ["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeTags"],
    "aws:lb/listenerRule:ListenerRule": ["elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTags"],
    "aws:lb/loadBalancer:LoadBalancer": [
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
    ],
    "aws:lb/targetGroup:TargetGroup": [
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
    ],
    "aws:rds/instance:Instance": ["rds:DescribeDBInstances", "rds:ListTagsForResource"],
    "aws:rds/parameterGroup:ParameterGroup": ["rds:DescribeDBParameterGroups", "rds:DescribeDBParameters"],
    "aws:rds/subnetGroup:SubnetGroup": ["rds:DescribeDBSubnetGroups"],
    "aws:route53/healthCheck:HealthCheck": ["route53:GetHealthCheck", "route53:ListTagsForResource"],
    "aws:route53/record:Record": ["route53:ListResourceRecordSets", "route53:GetHostedZone"],
    "aws:s3/bucket:Bucket": [
        "s3:ListBucket", // HeadBucket
        "s3:GetBucketPolicy",
        "s3:GetBucketAcl",
        "s3:GetBucketCORS",
        "s3:GetBucketWebsite",
        "s3:GetBucketVersioning",
        "s3:GetAccelerateConfiguration",
        "s3:GetBucketRequestPayment",
        "s3:GetBucketLogging",
        "s3:GetLifecycleConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketObjectLockConfiguration",
        "s3:GetBucketTagging",
    ],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["s3:GetLifecycleConfiguration"],
    // HeadObject and the object's tags: on the object itself, see objectArns().
    "aws:s3/bucketObjectv2:BucketObjectv2": ["s3:GetObject", "s3:GetObjectTagging"],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["s3:GetBucketOwnershipControls"],
    "aws:s3/bucketPolicy:BucketPolicy": ["s3:GetBucketPolicy"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["s3:GetBucketPublicAccessBlock"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
        "s3:GetEncryptionConfiguration",
    ],
    "aws:s3/bucketVersioning:BucketVersioning": ["s3:GetBucketVersioning"],
    "aws:secretsmanager/secret:Secret": ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
    "aws:secretsmanager/secretVersion:SecretVersion": {
        refused:
            "reading it returns the secret value (secretsmanager:GetSecretValue), which the read-only role must never get",
    },
    "aws:sns/topic:Topic": ["sns:GetTopicAttributes", "sns:ListTagsForResource"],
    "aws:sns/topicPolicy:TopicPolicy": ["sns:GetTopicAttributes"],
    "aws:sns/topicSubscription:TopicSubscription": ["sns:GetSubscriptionAttributes"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["ec2:DescribeSecurityGroupRules"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["ec2:DescribeSecurityGroupRules"],
    "aws:wafv2/webAcl:WebAcl": ["wafv2:GetWebACL", "wafv2:ListTagsForResource"],
    "aws:wafv2/webAclAssociation:WebAclAssociation": ["wafv2:GetWebACLForResource"],
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ["wafv2:GetLoggingConfiguration"],
};

/** Calls that return data, not configuration: never for the read-only role, on anything. */
const DATA_READS = [
    "secretsmanager:GetSecretValue",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "logs:GetQueryResults",
    "logs:StartLiveTail",
    "s3:GetObjectVersion",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "wafv2:GetSampledRequests",
    "rds:DownloadDBLogFilePortion",
    "rds-db:connect",
    "lambda:InvokeFunction",
    "ec2:GetPasswordData",
    "ec2:GetConsoleOutput",
];

interface Statement {
    Sid: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
}

/** The read-only role's two inline policies, as docs/ci-iam.md gives them, as one. */
function readOnlyPolicy(): Statement[] {
    const text = fs.readFileSync(path.join(REPO_ROOT, "docs", "ci-iam.md"), "utf8");
    const docs = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
    return ["DataSourcesAndPreflight", "RefreshReadsTheStacksResources"].flatMap((sid) => {
        const policy = docs.find((d) => d.Statement?.some((s: Statement) => s.Sid === sid));
        expect(policy, `docs/ci-iam.md has the policy with ${sid}`).to.not.equal(undefined);
        return policy.Statement as Statement[];
    });
}

/** IAM's matching: `*` and `?` wildcards, actions case-insensitive. */
function matches(pattern: string, value: string, ignoreCase: boolean): boolean {
    const re = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${re}$`, ignoreCase ? "i" : "").test(value);
}

function allows(policy: Statement[], action: string, resource: string): boolean {
    return policy.some(
        (s) =>
            s.Effect === "Allow" &&
            [s.Action].flat().some((a) => matches(a, action, true)) &&
            [s.Resource].flat().some((r) => matches(r, resource, false)),
    );
}

/** Real bucket names are the logical name, a dash and seven random characters. */
const realBucket = (logical: string) => `${logical}-0a1b2c3`;

/** Every object the stack uploads, by the ARN it will have in AWS. */
function objectArns(run: ProgramRun): string[] {
    return run.resources
        .filter((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2")
        .map((o) => {
            const bucket = run.resources.find(
                (b) => b.type === "aws:s3/bucket:Bucket" && b.outputs.bucket === o.inputs.bucket,
            );
            expect(bucket, `the bucket of ${o.name}`).to.not.equal(undefined);
            return `arn:aws:s3:::${realBucket(bucket!.name)}/${o.inputs.key as string}`;
        });
}

describe("drift check: the read-only role can refresh every resource, and read no data", () => {
    let runs: ProgramRun[];
    const policy = readOnlyPolicy();

    before(async () => {
        // Every optional resource on: a domain (DNS certificate, CDN), the bastion's SSH key and
        // ingress, and the Auto Scaling service-linked role.
        const everything = await runStack("prod", {
            "webfleet:web": { domain: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
            "webfleet:bastion": {
                sshPublicKey:
                    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKsBcFVbIi5LoM/ymf3na+27ES8+Km0U/xIusbUCuR8C operator@example",
                allowedCidrs: ["203.0.113.0/24"],
            },
            "webfleet:account": { createAutoScalingServiceLinkedRole: true },
        });
        runs = [await sharedRun("dev"), await sharedRun("prod"), everything];
    });

    it("knows how every resource type either stack can create is read", () => {
        const types = new Set(runs.flatMap((run) => run.resources.map((r) => r.type)));
        expect(types).to.include("aws:cloudfront/distribution:Distribution");
        for (const type of types) {
            // Components hold no cloud state of their own.
            if (/^(webfleet|awsx):/.test(type) || type === "pulumi:pulumi:Stack") {
                continue;
            }
            const reads = REFRESH_READS[type];
            expect(reads, `${type}: list the calls its refresh makes in REFRESH_READS`).to.not.equal(undefined);
            expect(reads, `${type} is in a stack, but ${(reads as { refused?: string }).refused}`).to.be.an("array");
        }
    });

    it("knows every AWS resource class the code constructs, used by a stack or not", () => {
        const sources = ["index.ts", ...["components", "lib"].flatMap((d) => listTs(path.join(REPO_ROOT, d)))];
        const classes = new Set(
            sources.flatMap((file) => [
                ...fs.readFileSync(path.resolve(REPO_ROOT, file), "utf8").matchAll(/new aws\.(\w+)\.(\w+)\(/g),
            ]),
        );
        expect(classes.size).to.be.greaterThan(30);
        for (const [, module, name] of classes) {
            const sdk = aws as unknown as Record<string, Record<string, { __pulumiType: string }>>;
            const type = sdk[module][name].__pulumiType;
            expect(REFRESH_READS, `aws.${module}.${name} (${type})`).to.have.property(type);
        }
    });

    it("allows each of those reads", () => {
        for (const type of new Set(runs.flatMap((run) => run.resources.map((r) => r.type)))) {
            const reads = REFRESH_READS[type];
            for (const action of Array.isArray(reads) ? reads : []) {
                if (action.startsWith("s3:GetObject")) {
                    continue; // per object, below
                }
                expect(allows(policy, action, "*"), `${type}: ${action}`).to.equal(true);
            }
        }
    });

    it("reads the objects the stack uploads (app bundles, error pages) and no others", () => {
        const arns = [...new Set(runs.flatMap(objectArns))];
        expect(arns.some((a) => a.includes("/app/"))).to.equal(true);
        expect(arns.some((a) => a.includes("/_errors/"))).to.equal(true);
        for (const arn of arns) {
            for (const action of REFRESH_READS["aws:s3/bucketObjectv2:BucketObjectv2"] as string[]) {
                expect(allows(policy, action, arn), `${action} ${arn}`).to.equal(true);
            }
        }
        // The ALB's access logs (client addresses, request lines) stay unread, as does anything
        // else in the artifact bucket.
        const logs = runs[1].resources.find((r) => r.type === "aws:s3/bucket:Bucket" && /access-logs/.test(r.name))!;
        const artifact = arns.find((a) => a.includes("/app/"))!.split("/app/")[0];
        for (const arn of [
            `arn:aws:s3:::${realBucket(logs.name)}/AWSLogs/123456789012/elasticloadbalancing/x.log.gz`,
            `${artifact}/other/file`,
            "*",
        ]) {
            expect(allows(policy, "s3:GetObject", arn), arn).to.equal(false);
        }
    });

    it("grants reads only, and none that return data", () => {
        for (const s of policy) {
            expect(s.Effect, s.Sid).to.equal("Allow");
            for (const action of [s.Action].flat()) {
                expect(action, s.Sid).to.match(/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*\*?$/);
            }
        }
        for (const action of DATA_READS) {
            expect(allows(policy, action, "*"), action).to.equal(false);
        }
        // Parameters: only AWS's public ones (the AMI ids), never this account's.
        expect(allows(policy, "ssm:GetParameter", "arn:aws:ssm:us-east-1:123456789012:parameter/webfleet/x")).to.equal(
            false,
        );
    });
});

function listTs(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? listTs(full) : e.name.endsWith(".ts") ? [path.relative(REPO_ROOT, full)] : [];
    });
}
