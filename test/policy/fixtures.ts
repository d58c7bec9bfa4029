/**
 * A synthetic "whole stack" as the offline preview records it: the shapes the webfleet
 * program registers (awsx VPC, default SG adopted, flow logs, role-tagged security groups with
 * standalone rules, bastion and web launch templates and ASGs, ALB with a redirecting HTTP
 * listener and a TLS 1.3 HTTPS listener, RDS with a TLS-forcing parameter group, KMS, Secrets
 * Manager, IAM, an artifact bucket and an access-log bucket with their companions), all
 * compliant; plus broken variants of it. IDs look like the mocks' (sg-…, account 123456789012).
 */
import { RecordedResource } from "../../offline/types";
import { recordedOptions } from "./helpers";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const STACK = "prod";

export const IDS = {
    vpc: "vpc-0a1b2c3d4e5f60001",
    publicSubnets: ["subnet-0a1b2c3d4e5f6a001", "subnet-0a1b2c3d4e5f6a002", "subnet-0a1b2c3d4e5f6a003"],
    privateSubnets: ["subnet-0a1b2c3d4e5f6b001", "subnet-0a1b2c3d4e5f6b002", "subnet-0a1b2c3d4e5f6b003"],
    isolatedSubnets: ["subnet-0a1b2c3d4e5f6c001", "subnet-0a1b2c3d4e5f6c002", "subnet-0a1b2c3d4e5f6c003"],
    defaultSg: "sg-0a1b2c3d4e5f6d000",
    albSg: "sg-0a1b2c3d4e5f6d001",
    webSg: "sg-0a1b2c3d4e5f6d002",
    bastionSg: "sg-0a1b2c3d4e5f6d003",
    dbSg: "sg-0a1b2c3d4e5f6d004",
    migrationsSg: "sg-0a1b2c3d4e5f6d005",
    keyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/2ccbf1d3-c5da-4e41-8932-608ff6ef778e`,
    artifactBucket: "web-artifact-bucket3e5618141e38",
    logBucket: "web-lb-logs6a1f0c2d9e11",
    albArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/web-lb-alb/65f3fa481168d463`,
    tgArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/web-lb-tg/0046d9dd4f039bee`,
    httpsListenerArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/web-lb-alb/65f3fa481168d463/aa11`,
    httpListenerArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/web-lb-alb/65f3fa481168d463/bb22`,
    certArn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9`,
    pgName: "database-pg17-986f900",
    webProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/web-profile-153ed7f`,
    bastionProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/bastion-profile-8d1e0a2`,
    webLt: "lt-0a1b2c3d4e5f6e001",
    webAclArn: `arn:aws:wafv2:${REGION}:${ACCOUNT}:regional/webacl/webfleet-prod-web/1f2e`,
    bastionLt: "lt-0a1b2c3d4e5f6e002",
};

const WEB_USER_DATA = `#!/bin/bash
# webfleet web server bootstrap: Node.js from the distribution, the app bundle from S3.
set -euo pipefail
readonly ARTIFACT_URI='s3://${IDS.artifactBucket}/app/b4bad7c185ba8656.js'
token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
aws s3 cp "$ARTIFACT_URI" /opt/webfleet/app.js
systemctl enable --now webfleet
`;

const BASTION_USER_DATA = `#!/bin/bash
set -euo pipefail
cat > /etc/ssh/sshd_config.d/10-webfleet-hardening.conf <<'SSHD'
PermitRootLogin no
PasswordAuthentication no
AllowUsers ec2-user
SSHD
sshd -t && systemctl reload sshd
`;

export function b64(text: string): string {
    return Buffer.from(text, "utf8").toString("base64");
}

const COMPONENTS: Record<string, string> = {
    network: "webfleet:network:Network",
    bastion: "webfleet:network:Bastion",
    secrets: "webfleet:secrets:Secrets",
    database: "webfleet:database:Database",
    web: "webfleet:web:WebTier",
    "web-lb": "webfleet:web:LoadBalancer",
};

function urn(type: string, name: string, parent?: string): string {
    const chain = parent
        ? parent === "web-lb"
            ? `${COMPONENTS.web}$${COMPONENTS["web-lb"]}$`
            : `${COMPONENTS[parent]}$`
        : "";
    return `urn:pulumi:${STACK}::webfleet::${chain}${type}::${name}`;
}

interface Spec {
    type: string;
    name: string;
    parent?: string;
    inputs: Record<string, unknown>;
    /** Outputs the mocks add (the ID first). */
    outputs?: Record<string, unknown>;
    /** Property → names of the resources its value came from. */
    deps?: Record<string, string[]>;
    /** Resource options the program sets (protect, retainOnDelete), as the offline preview records them. */
    options?: RecordedResource["options"];
}

const tags = (role: string, name: string) => ({ Name: name, "webfleet:role": role });

function trust(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}

function ingress(
    name: string,
    parent: string,
    sg: [string, string],
    port: number,
    source: Record<string, string>,
    description: string,
    sourceDep?: string,
): Spec {
    return {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name,
        parent,
        inputs: { securityGroupId: sg[1], ipProtocol: "tcp", fromPort: port, toPort: port, description, ...source },
        outputs: { id: `sgr-${name.replace(/[^a-z0-9]/g, "").slice(0, 17)}` },
        deps: { securityGroupId: [sg[0]], ...(sourceDep ? { referencedSecurityGroupId: [sourceDep] } : {}) },
    };
}

function egress(
    name: string,
    parent: string,
    sg: [string, string],
    port: number,
    source: Record<string, string>,
    description: string,
): Spec {
    return {
        type: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        name,
        parent,
        inputs: { securityGroupId: sg[1], ipProtocol: "tcp", fromPort: port, toPort: port, description, ...source },
        outputs: { id: `sgr-${name.replace(/[^a-z0-9]/g, "").slice(0, 17)}` },
        deps: { securityGroupId: [sg[0]] },
    };
}

function bucketWithCompanions(
    prefix: string,
    parent: string,
    bucket: string,
    sse: Record<string, unknown>,
    extraStatements: unknown[] = [],
): Spec[] {
    const arn = `arn:aws:s3:::${bucket}`;
    const b = `${prefix}-bucket`;
    return [
        {
            type: "aws:s3/bucket:Bucket",
            name: b,
            parent,
            inputs: { bucketPrefix: prefix, forceDestroy: false },
            outputs: { id: bucket, bucket, arn },
        },
        {
            type: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            name: `${prefix}-ownership`,
            parent,
            inputs: { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
            deps: { bucket: [b] },
        },
        {
            type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            name: `${prefix}-public-access`,
            parent,
            inputs: {
                bucket,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            deps: { bucket: [b] },
        },
        {
            type: "aws:s3/bucketVersioning:BucketVersioning",
            name: `${prefix}-versioning`,
            parent,
            inputs: { bucket, versioningConfiguration: { status: "Enabled" } },
            deps: { bucket: [b] },
        },
        {
            type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            name: `${prefix}-encryption`,
            parent,
            inputs: { bucket, rules: [{ applyServerSideEncryptionByDefault: sse, bucketKeyEnabled: true }] },
            deps: { bucket: [b] },
        },
        {
            type: "aws:s3/bucketPolicy:BucketPolicy",
            name: `${prefix}-policy`,
            parent,
            inputs: {
                bucket,
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: { AWS: "*" },
                            Action: "s3:*",
                            Resource: [arn, `${arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                        ...extraStatements,
                    ],
                }),
            },
            deps: { bucket: [b] },
        },
    ];
}

function specs(): Spec[] {
    const sg = (name: string, role: string, id: string, description: string, parent: string): Spec => ({
        type: "aws:ec2/securityGroup:SecurityGroup",
        name,
        parent,
        inputs: { vpcId: IDS.vpc, description, tags: tags(role, name) },
        outputs: { id, arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${id}`, ownerId: ACCOUNT },
        deps: { vpcId: ["network-vpc"] },
    });
    const alb: [string, string] = ["web-lb-sg", IDS.albSg];
    const web: [string, string] = ["web-sg", IDS.webSg];
    const bastion: [string, string] = ["bastion-sg", IDS.bastionSg];
    const db: [string, string] = ["database-sg", IDS.dbSg];
    const migrations: [string, string] = ["migrations-sg", IDS.migrationsSg];
    const lt = (
        name: string,
        parent: string,
        id: string,
        role: string,
        profileArn: string,
        sgId: string,
        publicIp: boolean,
        userData: string,
    ): Spec => ({
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        name,
        parent,
        inputs: {
            description: `webfleet ${role}`,
            imageId: "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
            instanceType: "t4g.small",
            iamInstanceProfile: { arn: profileArn },
            monitoring: { enabled: true },
            metadataOptions: {
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 1,
                instanceMetadataTags: "disabled",
            },
            networkInterfaces: [
                {
                    deviceIndex: 0,
                    associatePublicIpAddress: publicIp ? "true" : "false",
                    deleteOnTermination: "true",
                    securityGroups: [sgId],
                },
            ],
            blockDeviceMappings: [
                {
                    deviceName: "/dev/xvda",
                    ebs: {
                        volumeSize: 20,
                        volumeType: "gp3",
                        encrypted: "true",
                        kmsKeyId: IDS.keyArn,
                        deleteOnTermination: "true",
                    },
                },
            ],
            userData: b64(userData),
            tagSpecifications: [{ resourceType: "instance", tags: tags(role, `${role}-instance`) }],
            updateDefaultVersion: true,
            tags: tags(role, name),
        },
        outputs: {
            id,
            arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/${id}`,
            latestVersion: 1,
            defaultVersion: 1,
        },
    });
    const kmsPolicy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministers",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "LogsEncrypt",
                Effect: "Allow",
                Principal: { Service: `logs.${REGION}.amazonaws.com` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${REGION}:${ACCOUNT}:*` } },
            },
        ],
    });
    return [
        { type: "webfleet:network:Network", name: "network", inputs: {} },
        { type: "webfleet:network:Bastion", name: "bastion", inputs: {} },
        { type: "webfleet:secrets:Secrets", name: "secrets", inputs: {} },
        { type: "webfleet:database:Database", name: "database", inputs: {} },
        { type: "webfleet:web:WebTier", name: "web", inputs: {} },
        { type: "webfleet:web:LoadBalancer", name: "web-lb", parent: "web", inputs: {} },
        {
            type: "awsx:ec2:Vpc",
            name: "network-vpc",
            parent: "network",
            inputs: {
                cidrBlock: "10.20.0.0/16",
                availabilityZoneNames: ["us-east-1a", "us-east-1b", "us-east-1c"],
                natGateways: { strategy: "OnePerAz" },
                subnetStrategy: "Auto",
            },
            outputs: {
                id: IDS.vpc,
                vpcId: IDS.vpc,
                publicSubnetIds: IDS.publicSubnets,
                privateSubnetIds: IDS.privateSubnets,
                isolatedSubnetIds: IDS.isolatedSubnets,
            },
        },
        {
            type: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
            name: "network-default-sg",
            parent: "network",
            inputs: { vpcId: IDS.vpc, ingress: [], egress: [], tags: { Name: "network-default-closed" } },
            outputs: { id: IDS.defaultSg },
            deps: { vpcId: ["network-vpc"] },
        },
        {
            type: "aws:cloudwatch/logGroup:LogGroup",
            name: "network-flow-logs",
            parent: "network",
            inputs: { retentionInDays: 365, kmsKeyId: IDS.keyArn },
            outputs: {
                id: "network-flow-logs-ab1df77",
                name: "network-flow-logs-ab1df77",
                arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:network-flow-logs-ab1df77`,
            },
        },
        {
            type: "aws:iam/role:Role",
            name: "network-flow-logs",
            parent: "network",
            inputs: { assumeRolePolicy: trust("vpc-flow-logs.amazonaws.com"), description: "VPC flow logs delivery" },
            outputs: { id: "network-flow-logs-4eee6ad", arn: `arn:aws:iam::${ACCOUNT}:role/network-flow-logs-4eee6ad` },
        },
        {
            type: "aws:iam/rolePolicy:RolePolicy",
            name: "network-flow-logs-policy",
            parent: "network",
            inputs: {
                role: "network-flow-logs-4eee6ad",
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [
                                `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:network-flow-logs-ab1df77`,
                                `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:network-flow-logs-ab1df77:*`,
                            ],
                        },
                    ],
                }),
            },
        },
        {
            type: "aws:ec2/flowLog:FlowLog",
            name: "network-flow-log",
            parent: "network",
            inputs: {
                vpcId: IDS.vpc,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:network-flow-logs-ab1df77`,
                maxAggregationInterval: 60,
            },
            outputs: { id: "fl-0a1b2c3d4e5f60001" },
            deps: { vpcId: ["network-vpc"], logDestination: ["network-flow-logs"] },
        },
        {
            type: "aws:kms/key:Key",
            name: "secrets-key",
            parent: "secrets",
            inputs: {
                description: "webfleet prod",
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: kmsPolicy,
            },
            outputs: {
                id: "2ccbf1d3-c5da-4e41-8932-608ff6ef778e",
                keyId: "2ccbf1d3-c5da-4e41-8932-608ff6ef778e",
                arn: IDS.keyArn,
            },
        },
        {
            type: "aws:kms/alias:Alias",
            name: "secrets-alias",
            parent: "secrets",
            inputs: { name: "alias/webfleet-prod", targetKeyId: IDS.keyArn },
            deps: { targetKeyId: ["secrets-key"] },
        },
        {
            type: "aws:secretsmanager/secret:Secret",
            name: "secrets-app-config",
            parent: "secrets",
            inputs: { description: "webfleet app settings", kmsKeyId: IDS.keyArn, recoveryWindowInDays: 30 },
            outputs: { id: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:secrets-app-config-AbCdEf` },
            deps: { kmsKeyId: ["secrets-key"] },
        },

        {
            type: "aws:secretsmanager/secretRotation:SecretRotation",
            name: "secrets-app-config-rotation",
            parent: "secrets",
            inputs: {
                secretId: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:secrets-app-config-AbCdEf`,
                rotationLambdaArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rotate-app-config`,
                rotationRules: { automaticallyAfterDays: 30 },
            },
            deps: { secretId: ["secrets-app-config"] },
        },
        {
            type: "aws:wafv2/webAcl:WebAcl",
            name: "waf-acl",
            parent: "web-lb",
            inputs: {
                scope: "REGIONAL",
                defaultAction: { allow: {} },
                rules: [
                    {
                        name: "common",
                        priority: 1,
                        overrideAction: { none: {} },
                        statement: {
                            managedRuleGroupStatement: { name: "AWSManagedRulesCommonRuleSet", vendorName: "AWS" },
                        },
                        visibilityConfig: {
                            cloudwatchMetricsEnabled: true,
                            metricName: "common",
                            sampledRequestsEnabled: true,
                        },
                    },
                ],
                visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "web", sampledRequestsEnabled: true },
            },
            outputs: { id: "1f2e", arn: IDS.webAclArn },
        },
        {
            type: "aws:wafv2/webAclAssociation:WebAclAssociation",
            name: "waf-alb",
            parent: "web-lb",
            inputs: { resourceArn: IDS.albArn, webAclArn: IDS.webAclArn },
            deps: { resourceArn: ["web-lb-alb"], webAclArn: ["waf-acl"] },
        },
        {
            type: "aws:cloudwatch/logGroup:LogGroup",
            name: "waf-logs",
            parent: "web-lb",
            inputs: { name: "aws-waf-logs-webfleet-prod", retentionInDays: 365, kmsKeyId: IDS.keyArn },
        },
        {
            type: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
            name: "waf-logging",
            parent: "web-lb",
            inputs: {
                resourceArn: IDS.webAclArn,
                logDestinationConfigs: [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:aws-waf-logs-webfleet-prod`],
            },
            deps: { resourceArn: ["waf-acl"], logDestinationConfigs: ["waf-logs"] },
        },
        {
            type: "aws:s3/bucketLogging:BucketLogging",
            name: "web-artifact-logging",
            parent: "web",
            inputs: { bucket: IDS.artifactBucket, targetBucket: IDS.logBucket, targetPrefix: "s3/artifact/" },
            deps: { bucket: ["web-artifact-bucket"], targetBucket: ["web-lb-logs-bucket"] },
        },

        sg("web-lb-sg", "alb", IDS.albSg, "webfleet load balancer: HTTP and HTTPS from the internet", "web-lb"),
        sg("web-sg", "web", IDS.webSg, "webfleet web servers: the app port from the load balancer only", "web"),
        sg("bastion-sg", "bastion", IDS.bastionSg, "webfleet bastion: SSH from the allowed CIDRs only", "bastion"),
        sg("database-sg", "database", IDS.dbSg, "webfleet database: PostgreSQL from the app only", "database"),
        sg("migrations-sg", "migrations", IDS.migrationsSg, "webfleet migrations: PostgreSQL out only", "database"),
        ingress(
            "web-lb-http-in",
            "web-lb",
            alb,
            80,
            { cidrIpv4: "0.0.0.0/0" },
            "HTTP from the internet (redirected to HTTPS)",
        ),
        ingress("web-lb-https-in", "web-lb", alb, 443, { cidrIpv4: "0.0.0.0/0" }, "HTTPS from the internet"),
        ingress("web-lb-https-in-v6", "web-lb", alb, 443, { cidrIpv6: "::/0" }, "HTTPS from the internet (IPv6)"),
        egress(
            "web-lb-app-out",
            "web-lb",
            alb,
            8443,
            { referencedSecurityGroupId: IDS.webSg },
            "To the web servers' app port",
        ),
        ingress(
            "web-app-from-alb",
            "web",
            web,
            8443,
            { referencedSecurityGroupId: IDS.albSg },
            "App port from the load balancer",
            "web-lb-sg",
        ),
        egress(
            "web-https-out",
            "web",
            web,
            443,
            { cidrIpv4: "0.0.0.0/0" },
            "HTTPS for SSM, S3 and package repositories",
        ),
        ingress(
            "bastion-ssh-in-0",
            "bastion",
            bastion,
            22,
            { cidrIpv4: "203.0.113.0/24" },
            "SSH from allowed CIDR 203.0.113.0/24",
        ),
        egress("bastion-ssh-out", "bastion", bastion, 22, { cidrIpv4: "10.20.0.0/16" }, "SSH to instances in the VPC"),
        ingress(
            "bastion-ssh-to-web",
            "bastion",
            web,
            22,
            { referencedSecurityGroupId: IDS.bastionSg },
            "SSH from the bastion only",
            "bastion-sg",
        ),
        ingress(
            "database-from-web",
            "database",
            db,
            5432,
            { referencedSecurityGroupId: IDS.webSg },
            "PostgreSQL from the web servers",
            "web-sg",
        ),
        ingress(
            "database-from-migrations",
            "database",
            db,
            5432,
            { referencedSecurityGroupId: IDS.migrationsSg },
            "PostgreSQL from the migration function",
            "migrations-sg",
        ),
        egress(
            "migrations-db-out",
            "database",
            migrations,
            5432,
            { referencedSecurityGroupId: IDS.dbSg },
            "PostgreSQL to the database",
        ),

        ...bucketWithCompanions("web-artifact", "web", IDS.artifactBucket, {
            sseAlgorithm: "aws:kms",
            kmsMasterKeyId: IDS.keyArn,
        }),
        // ELB delivers access logs only to SSE-S3 buckets.
        ...bucketWithCompanions("web-lb-logs", "web-lb", IDS.logBucket, { sseAlgorithm: "AES256" }, [
            {
                Sid: "ElbLogDelivery",
                Effect: "Allow",
                Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `arn:aws:s3:::${IDS.logBucket}/AWSLogs/${ACCOUNT}/*`,
            },
        ]),

        {
            type: "aws:lb/loadBalancer:LoadBalancer",
            name: "web-lb-alb",
            parent: "web-lb",
            inputs: {
                loadBalancerType: "application",
                internal: false,
                securityGroups: [IDS.albSg],
                subnets: IDS.publicSubnets,
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "strictest",
                enableDeletionProtection: true,
                accessLogs: { bucket: IDS.logBucket, enabled: true },
                tags: tags("alb", "web-lb-alb"),
            },
            outputs: { id: IDS.albArn, arn: IDS.albArn, dnsName: "web-lb-alb-1710488136.us-east-1.elb.amazonaws.com" },
            deps: { securityGroups: ["web-lb-sg"], accessLogs: ["web-lb-logs-bucket"] },
        },
        {
            type: "aws:lb/targetGroup:TargetGroup",
            name: "web-lb-tg",
            parent: "web-lb",
            inputs: {
                port: 8443,
                protocol: "HTTPS",
                targetType: "instance",
                vpcId: IDS.vpc,
                healthCheck: { enabled: true, protocol: "HTTPS", path: "/healthz", matcher: "200" },
            },
            outputs: { id: IDS.tgArn, arn: IDS.tgArn },
        },
        {
            type: "aws:lb/listener:Listener",
            name: "web-lb-http",
            parent: "web-lb",
            inputs: {
                loadBalancerArn: IDS.albArn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [
                    {
                        type: "redirect",
                        redirect: {
                            protocol: "HTTPS",
                            port: "443",
                            statusCode: "HTTP_301",
                            host: "#{host}",
                            path: "/#{path}",
                            query: "#{query}",
                        },
                    },
                ],
            },
            outputs: { id: IDS.httpListenerArn, arn: IDS.httpListenerArn },
            deps: { loadBalancerArn: ["web-lb-alb"] },
        },
        {
            type: "aws:lb/listener:Listener",
            name: "web-lb-https",
            parent: "web-lb",
            inputs: {
                loadBalancerArn: IDS.albArn,
                port: 443,
                protocol: "HTTPS",
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                certificateArn: IDS.certArn,
                defaultActions: [{ type: "forward", targetGroupArn: IDS.tgArn }],
            },
            outputs: { id: IDS.httpsListenerArn, arn: IDS.httpsListenerArn },
            deps: { loadBalancerArn: ["web-lb-alb"], defaultActions: ["web-lb-tg"] },
        },

        {
            type: "aws:iam/role:Role",
            name: "web-role",
            parent: "web",
            inputs: { assumeRolePolicy: trust("ec2.amazonaws.com"), description: "webfleet web servers" },
            outputs: { id: "web-role-1f2e3d4", arn: `arn:aws:iam::${ACCOUNT}:role/web-role-1f2e3d4` },
        },
        {
            type: "aws:iam/rolePolicy:RolePolicy",
            name: "web-role-policy",
            parent: "web",
            inputs: {
                role: "web-role-1f2e3d4",
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "ReadAppArtifact",
                            Effect: "Allow",
                            Action: "s3:GetObject",
                            Resource: `arn:aws:s3:::${IDS.artifactBucket}/app/*`,
                        },
                        { Sid: "DecryptArtifact", Effect: "Allow", Action: "kms:Decrypt", Resource: IDS.keyArn },
                        {
                            Sid: "ConnectAsAppUser",
                            Effect: "Allow",
                            Action: "rds-db:connect",
                            Resource: `arn:aws:rds-db:${REGION}:${ACCOUNT}:dbuser:db-08864EE4C3D2FA415/webfleet_app`,
                        },
                    ],
                }),
            },
        },
        {
            type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            name: "web-ssm",
            parent: "web",
            inputs: { role: "web-role-1f2e3d4", policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" },
        },
        {
            type: "aws:iam/instanceProfile:InstanceProfile",
            name: "web-profile",
            parent: "web",
            inputs: { role: "web-role-1f2e3d4" },
            outputs: { id: "web-profile-153ed7f", arn: IDS.webProfileArn },
        },
        {
            type: "aws:iam/role:Role",
            name: "bastion-role",
            parent: "bastion",
            inputs: { assumeRolePolicy: trust("ec2.amazonaws.com") },
            outputs: { id: "bastion-role-77aa001", arn: `arn:aws:iam::${ACCOUNT}:role/bastion-role-77aa001` },
        },
        {
            type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            name: "bastion-ssm",
            parent: "bastion",
            inputs: { role: "bastion-role-77aa001", policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" },
        },
        {
            type: "aws:iam/instanceProfile:InstanceProfile",
            name: "bastion-profile",
            parent: "bastion",
            inputs: { role: "bastion-role-77aa001" },
            outputs: { id: "bastion-profile-8d1e0a2", arn: IDS.bastionProfileArn },
        },

        lt("web-lt", "web", IDS.webLt, "web", IDS.webProfileArn, IDS.webSg, false, WEB_USER_DATA),
        lt(
            "bastion-lt",
            "bastion",
            IDS.bastionLt,
            "bastion",
            IDS.bastionProfileArn,
            IDS.bastionSg,
            true,
            BASTION_USER_DATA,
        ),
        {
            type: "aws:autoscaling/group:Group",
            name: "web-asg",
            parent: "web",
            inputs: {
                minSize: 3,
                maxSize: 6,
                desiredCapacity: 3,
                vpcZoneIdentifiers: IDS.privateSubnets,
                launchTemplate: { id: IDS.webLt, version: "1" },
                healthCheckType: "ELB",
                healthCheckGracePeriod: 300,
                targetGroupArns: [IDS.tgArn],
            },
            outputs: { id: "web-asg-4cc0c2b" },
            deps: { targetGroupArns: ["web-lb-tg"], launchTemplate: ["web-lt"] },
        },
        {
            type: "aws:autoscaling/group:Group",
            name: "bastion-asg",
            parent: "bastion",
            inputs: {
                minSize: 1,
                maxSize: 1,
                desiredCapacity: 1,
                vpcZoneIdentifiers: IDS.publicSubnets,
                launchTemplate: { id: IDS.bastionLt, version: "1" },
                healthCheckType: "EC2",
                healthCheckGracePeriod: 120,
            },
            outputs: { id: "bastion-asg-9f8e7d6" },
            deps: { launchTemplate: ["bastion-lt"] },
        },

        {
            type: "aws:rds/parameterGroup:ParameterGroup",
            name: "database-pg17",
            parent: "database",
            inputs: {
                family: "postgres17",
                description: "webfleet PostgreSQL 17: TLS forced",
                parameters: [
                    { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
                    { name: "ssl_min_protocol_version", value: "TLSv1.2", applyMethod: "immediate" },
                ],
                tags: tags("database", "database-pg17"),
            },
            outputs: { id: IDS.pgName, name: IDS.pgName },
        },
        {
            type: "aws:rds/subnetGroup:SubnetGroup",
            name: "database-subnets",
            parent: "database",
            inputs: { subnetIds: IDS.isolatedSubnets },
            outputs: { id: "database-subnets-41c60e8", name: "database-subnets-41c60e8" },
        },
        {
            type: "aws:cloudwatch/logGroup:LogGroup",
            name: "database-log-postgresql",
            parent: "database",
            inputs: {
                name: "/aws/rds/instance/webfleet-prod-310fe249/postgresql",
                retentionInDays: 365,
                kmsKeyId: IDS.keyArn,
            },
        },
        {
            type: "aws:rds/instance:Instance",
            name: "database-db",
            parent: "database",
            inputs: {
                identifier: "webfleet-prod-310fe249",
                engine: "postgres",
                engineVersion: "17",
                instanceClass: "db.m7g.large",
                allocatedStorage: 20,
                dbSubnetGroupName: "database-subnets-41c60e8",
                vpcSecurityGroupIds: [IDS.dbSg],
                parameterGroupName: IDS.pgName,
                publiclyAccessible: false,
                storageEncrypted: true,
                kmsKeyId: IDS.keyArn,
                manageMasterUserPassword: true,
                masterUserSecretKmsKeyId: IDS.keyArn,
                username: "webfleet_admin",
                iamDatabaseAuthenticationEnabled: true,
                enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                backupRetentionPeriod: 14,
                deletionProtection: true,
                multiAz: true,
                autoMinorVersionUpgrade: true,
                performanceInsightsEnabled: true,
                performanceInsightsKmsKeyId: IDS.keyArn,
                monitoringInterval: 60,
                monitoringRoleArn: `arn:aws:iam::${ACCOUNT}:role/database-monitoring-8b42ca0`,
                tags: tags("database", "database-db"),
            },
            outputs: {
                id: "webfleet-prod-310fe249",
                address: "webfleet-prod-310fe249.c08864ee4c3d.us-east-1.rds.amazonaws.com",
                port: 5432,
            },
            deps: {
                parameterGroupName: ["database-pg17"],
                vpcSecurityGroupIds: ["database-sg"],
                kmsKeyId: ["secrets-key"],
                dbSubnetGroupName: ["database-subnets"],
            },
        },
    ];
}

/** What prod protects (issue 10): the database, the stack key (also retained), the ALB, the log bucket. */
const OPTIONS: Record<string, RecordedResource["options"]> = {
    "database-db": recordedOptions({ protect: true }),
    "secrets-key": recordedOptions({ protect: true, retainOnDelete: true }),
    "web-lb-alb": recordedOptions({ protect: true }),
    "web-lb-logs-bucket": recordedOptions({ protect: true }),
};

function toRecorded(list: Spec[]): RecordedResource[] {
    const byName = new Map(list.map((s) => [s.name, s]));
    const urnFor = (name: string) => {
        const s = byName.get(name);
        if (!s) {
            throw new Error(`fixture: no resource named ${name}`);
        }
        return urn(s.type, s.name, s.parent);
    };
    const stackUrn = `urn:pulumi:${STACK}::webfleet::pulumi:pulumi:Stack::webfleet-${STACK}`;
    return [
        {
            urn: stackUrn,
            type: "pulumi:pulumi:Stack",
            name: `webfleet-${STACK}`,
            parent: null,
            custom: false,
            inputs: {},
            outputs: {},
            dependencies: [],
            propertyDependencies: {},
            secretInputPaths: [],
        },
        ...list.map((s): RecordedResource => {
            const propertyDependencies: Record<string, string[]> = {};
            for (const [k, names] of Object.entries(s.deps ?? {})) {
                propertyDependencies[k] = names.map(urnFor);
            }
            const custom = !s.type.startsWith("webfleet:") && !s.type.startsWith("awsx:");
            return {
                urn: urnFor(s.name),
                type: s.type,
                name: s.name,
                parent: s.parent ? urnFor(s.parent) : stackUrn,
                custom,
                inputs: s.inputs,
                outputs: { ...s.inputs, ...(s.outputs ?? { id: `${s.name}-0a1b2c3` }) },
                dependencies: [...new Set(Object.values(propertyDependencies).flat())],
                propertyDependencies,
                secretInputPaths: [],
                ...((OPTIONS[s.name] ?? s.options) ? { options: OPTIONS[s.name] ?? s.options } : {}),
            };
        }),
    ];
}

/** The compliant stack. */
export function wholeStack(): RecordedResource[] {
    return toRecorded(specs());
}

/** Changes one resource's inputs (and the outputs that mirror them). */
function patch(
    resources: RecordedResource[],
    name: string,
    change: (inputs: Record<string, any>) => void,
): RecordedResource[] {
    const copy: RecordedResource[] = JSON.parse(JSON.stringify(resources));
    const r = copy.find((x) => x.name === name);
    if (!r) {
        throw new Error(`fixture: no resource named ${name}`);
    }
    change(r.inputs);
    change(r.outputs);
    return copy;
}

export const broken = {
    /** The database is reachable from the internet. */
    publicDatabase(): RecordedResource[] {
        return patch(wholeStack(), "database-db", (p) => {
            p.publiclyAccessible = true;
        });
    },
    /** Someone opened SSH on the web servers to the world. */
    sshFromWorld(): RecordedResource[] {
        const list = wholeStack();
        const web = list.find((r) => r.name === "web-sg")!;
        const rule = JSON.parse(JSON.stringify(list.find((r) => r.name === "bastion-ssh-to-web")!)) as RecordedResource;
        rule.name = "web-ssh-debug";
        rule.urn = rule.urn.replace(/bastion-ssh-to-web$/, "web-ssh-debug");
        for (const p of [rule.inputs, rule.outputs]) {
            delete p.referencedSecurityGroupId;
            p.cidrIpv4 = "0.0.0.0/0";
            p.description = "SSH for debugging";
        }
        rule.propertyDependencies = { securityGroupId: [web.urn] };
        rule.dependencies = [web.urn];
        list.push(rule);
        return list;
    },
    /** The HTTP listener forwards to the servers instead of redirecting. */
    forwardingHttpListener(): RecordedResource[] {
        return patch(wholeStack(), "web-lb-http", (p) => {
            p.defaultActions = [{ type: "forward", targetGroupArn: IDS.tgArn }];
        });
    },
    /** The web servers' launch template allows IMDSv1. */
    imdsV1(): RecordedResource[] {
        return patch(wholeStack(), "web-lt", (p) => {
            p.metadataOptions = { ...p.metadataOptions, httpTokens: "optional" };
        });
    },
};

export { patch };
