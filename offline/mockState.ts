/**
 * What AWS would answer for each resource the program creates: realistic IDs, ARNs (with the
 * mocks' fixed account), names and DNS names, per resource type. The update phase of the offline
 * preview records these as they are; the preview phase keeps of them only what is known before
 * anything exists (previewState below).
 */
import * as crypto from "node:crypto";
import { hex } from "./fakeIds";
import { AWSX_VPC, AwsxVpcInputs, vpcOutputs } from "./awsxVpc";
import { edgeMockState } from "./mockStateEdge";
import { opsMockState } from "./mockStateOps";

export const MOCK_ACCOUNT_ID = "123456789012";

/** Hosted zone IDs of ALBs per region (AWS publishes them; used for alias records). */
const ALB_ZONE_IDS: Record<string, string> = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
};

/** The outputs the provider would compute for one resource. */
export function mockState(
    type: string,
    name: string,
    inputs: Record<string, any>,
    region: string,
): { id: string; state: Record<string, any> } {
    const h = hex(`${type}/${name}`, 17);
    const account = MOCK_ACCOUNT_ID;
    const [pkg, modAndType] = type.split(":");
    const service = (modAndType ?? "").split("/")[0];
    const arn = (resource: string, svc = service) => `arn:aws:${svc}:${region}:${account}:${resource}`;
    switch (type) {
        case AWSX_VPC: {
            // The component's outputs are its children's IDs (offline/awsxVpc.ts registers them).
            const outputs = vpcOutputs(name, inputs as AwsxVpcInputs, region, "update");
            return { id: outputs.vpcId, state: { ...inputs, ...outputs } };
        }
        case "aws:ec2/securityGroup:SecurityGroup":
        case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
            return {
                id: `sg-${h}`,
                state: {
                    ...inputs,
                    // Autonamed like the provider does (the default group is always "default").
                    name: type.includes("defaultSecurityGroup")
                        ? "default"
                        : (inputs.name ?? `${name}-${h.slice(0, 7)}`),
                    arn: arn(`security-group/sg-${h}`),
                    ownerId: account,
                },
            };
        case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
            return {
                id: `sgr-${h}`,
                state: { ...inputs, securityGroupRuleId: `sgr-${h}`, arn: arn(`security-group-rule/sgr-${h}`) },
            };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return {
                id: `lt-${h}`,
                state: { ...inputs, arn: arn(`launch-template/lt-${h}`), latestVersion: 1, defaultVersion: 1 },
            };
        case "aws:ec2/eip:Eip":
            return {
                id: `eipalloc-${h}`,
                state: {
                    ...inputs,
                    allocationId: `eipalloc-${h}`,
                    publicIp: `203.0.113.${(parseInt(h.slice(0, 2), 16) % 250) + 1}`,
                    arn: arn(`elastic-ip/eipalloc-${h}`),
                },
            };
        case "aws:ec2/keyPair:KeyPair":
            return {
                id: inputs.keyName ?? `${name}-${h.slice(0, 7)}`,
                state: {
                    ...inputs,
                    keyName: inputs.keyName ?? `${name}-${h.slice(0, 7)}`,
                    arn: arn(`key-pair/${name}`),
                },
            };
        case "aws:autoscaling/group:Group":
            return {
                id: inputs.name ?? `${name}-${h.slice(0, 7)}`,
                state: {
                    ...inputs,
                    name: inputs.name ?? `${name}-${h.slice(0, 7)}`,
                    arn: arn(`autoScalingGroup:${h}:autoScalingGroupName/${name}`, "autoscaling"),
                },
            };
        case "aws:iam/role:Role":
        case "aws:iam/instanceProfile:InstanceProfile":
        case "aws:iam/policy:Policy": {
            const kind = type
                .split(":")[2]
                .replace(/^./, (c) => c.toLowerCase())
                .replace("instanceProfile", "instance-profile");
            const resourceName = inputs.name ?? `${name}-${h.slice(0, 7)}`;
            return {
                id: resourceName,
                state: {
                    ...inputs,
                    name: resourceName,
                    arn: `arn:aws:iam::${account}:${kind}/${resourceName}`,
                    uniqueId: `AROA${h.toUpperCase()}`,
                },
            };
        }
        case "aws:route53/healthCheck:HealthCheck": {
            // Health check IDs are UUIDs; the ARN has neither region nor account.
            const checkId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-8${hex(name, 3)}-${hex(type + name, 12)}`;
            return { id: checkId, state: { ...inputs, arn: `arn:aws:route53:::healthcheck/${checkId}` } };
        }
        case "aws:iam/serviceLinkedRole:ServiceLinkedRole": {
            // IAM names a service's role itself: AWSServiceRoleFor<Service> under its service path.
            const service: string = inputs.awsServiceName ?? "example.amazonaws.com";
            const roleName =
                service === "autoscaling.amazonaws.com" ? "AWSServiceRoleForAutoScaling" : `AWSServiceRoleFor${h}`;
            const path = `/aws-service-role/${service}/`;
            return {
                id: `arn:aws:iam::${account}:role${path}${roleName}`,
                state: {
                    ...inputs,
                    name: roleName,
                    path,
                    arn: `arn:aws:iam::${account}:role${path}${roleName}`,
                    uniqueId: `AROA${h.toUpperCase()}`,
                },
            };
        }
        case "aws:cloudwatch/logGroup:LogGroup": {
            const groupName = inputs.name ?? `${name}-${h.slice(0, 7)}`;
            return { id: groupName, state: { ...inputs, name: groupName, arn: arn(`log-group:${groupName}`, "logs") } };
        }
        case "aws:lb/loadBalancer:LoadBalancer":
        case "aws:alb/loadBalancer:LoadBalancer": {
            const lbName = (inputs.name ?? name).slice(0, 20);
            const lbArn = arn(`loadbalancer/app/${lbName}/${h.slice(0, 16)}`, "elasticloadbalancing");
            return {
                id: lbArn,
                state: {
                    ...inputs,
                    arn: lbArn,
                    arnSuffix: `app/${lbName}/${h.slice(0, 16)}`,
                    dnsName: `${lbName}-${parseInt(h.slice(0, 8), 16)}.${region}.elb.amazonaws.com`,
                    zoneId: ALB_ZONE_IDS[region] ?? "Z35SXDOTRQ7X7K",
                },
            };
        }
        case "aws:lb/targetGroup:TargetGroup":
        case "aws:alb/targetGroup:TargetGroup": {
            const tgArn = arn(`targetgroup/${name.slice(0, 20)}/${h.slice(0, 16)}`, "elasticloadbalancing");
            return {
                id: tgArn,
                state: { ...inputs, arn: tgArn, arnSuffix: `targetgroup/${name.slice(0, 20)}/${h.slice(0, 16)}` },
            };
        }
        case "aws:lb/listener:Listener":
        case "aws:alb/listener:Listener": {
            const lArn = arn(`listener/app/${name.slice(0, 20)}/${h.slice(0, 16)}`, "elasticloadbalancing");
            return { id: lArn, state: { ...inputs, arn: lArn } };
        }
        case "aws:acm/certificate:Certificate": {
            const certArn = arn(`certificate/${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}`, "acm");
            const domains: string[] = inputs.domainName
                ? [inputs.domainName, ...(inputs.subjectAlternativeNames ?? [])]
                : [];
            return {
                id: certArn,
                state: {
                    ...inputs,
                    arn: certArn,
                    domainValidationOptions: domains.map((d) => ({
                        domainName: d,
                        resourceRecordName: `_${hex(d, 32)}.${d}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: `_${hex(`v/${d}`, 32)}.acm-validations.aws.`,
                    })),
                },
            };
        }
        case "aws:acm/certificateValidation:CertificateValidation":
            // The provider's ID is the certificate's issue time.
            return { id: "2026-01-01 00:00:00 +0000 UTC", state: { ...inputs } };
        case "aws:route53/record:Record": {
            const fqdn = String(inputs.name ?? name)
                .replace(/\.$/, "")
                .toLowerCase();
            return { id: `${inputs.zoneId}_${fqdn}_${inputs.type}`, state: { ...inputs, fqdn } };
        }
        case "aws:s3/bucketObjectv2:BucketObjectv2": {
            const etag =
                inputs.serverSideEncryption === "aws:kms"
                    ? hex(`etag/${inputs.key}`, 32)
                    : crypto
                          .createHash("md5")
                          .update(inputs.content ?? "")
                          .digest("hex");
            return {
                id: inputs.key,
                state: {
                    ...inputs,
                    arn: `arn:aws:s3:::${inputs.bucket}/${inputs.key}`,
                    etag,
                    versionId: `v${h}`,
                    storageClass: inputs.storageClass ?? "STANDARD",
                },
            };
        }
        case "aws:autoscaling/policy:Policy": {
            const policyName = inputs.name ?? `${name}-${h.slice(0, 7)}`;
            return {
                id: policyName,
                state: {
                    ...inputs,
                    name: policyName,
                    arn: arn(
                        `scalingPolicy:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}:autoScalingGroupName/${inputs.autoscalingGroupName}:policyName/${policyName}`,
                    ),
                },
            };
        }
        case "aws:kms/key:Key": {
            const keyId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-8${hex(name, 3)}-${hex(type + name, 12)}`;
            return { id: keyId, state: { ...inputs, keyId, arn: arn(`key/${keyId}`) } };
        }
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? `${(inputs.bucketPrefix ?? name).toLowerCase()}${h.slice(0, 12)}`;
            return {
                id: bucket,
                state: {
                    ...inputs,
                    bucket,
                    arn: `arn:aws:s3:::${bucket}`,
                    bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
                    region,
                },
            };
        }
        case "aws:rds/instance:Instance": {
            const identifier = inputs.identifier ?? `${name}-${h.slice(0, 7)}`;
            const address = `${identifier}.c${h.slice(0, 11)}.${region}.rds.amazonaws.com`;
            return {
                id: identifier,
                state: {
                    ...inputs,
                    identifier,
                    address,
                    endpoint: `${address}:5432`,
                    port: inputs.port ?? 5432,
                    resourceId: `db-${h.toUpperCase().slice(0, 26)}`,
                    arn: arn(`db:${identifier}`, "rds"),
                    masterUserSecrets: inputs.manageMasterUserPassword
                        ? [
                              {
                                  secretArn: arn(`secret:rds!db-${h}-AbCdEf`, "secretsmanager"),
                                  kmsKeyId: inputs.masterUserSecretKmsKeyId,
                                  secretStatus: "active",
                              },
                          ]
                        : [],
                },
            };
        }
        case "aws:secretsmanager/secret:Secret":
            return {
                id: arn(`secret:${name}-AbCdEf`, "secretsmanager"),
                state: { ...inputs, arn: arn(`secret:${name}-AbCdEf`, "secretsmanager") },
            };
        case "aws:lambda/function:Function": {
            // Pulumi autonames functions (logical name plus a random suffix).
            const fnName = inputs.name ?? `${name}-${h.slice(0, 7)}`;
            const fnArn = arn(`function:${fnName}`, "lambda");
            return {
                id: fnName,
                state: {
                    ...inputs,
                    name: fnName,
                    arn: fnArn,
                    qualifiedArn: `${fnArn}:$LATEST`,
                    invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${fnArn}/invocations`,
                    version: "$LATEST",
                },
            };
        }
        case "aws:lambda/invocation:Invocation": {
            // What the migration function (app/lambda/migrate.ts) answers for a database that is
            // already up to date: the hash and role it was invoked with, nothing applied.
            let payload: Record<string, unknown>;
            try {
                payload = JSON.parse(inputs.input ?? "{}");
            } catch {
                payload = {};
            }
            const result = {
                applied: [],
                version: 1,
                role: payload.appUser ?? "webfleet_app",
                roleCreated: false,
                iamAuth: true,
                migrationsHash: payload.migrationsHash ?? "",
            };
            return {
                id: `${inputs.functionName}_${inputs.qualifier ?? "$LATEST"}_${h}`,
                state: { ...inputs, qualifier: inputs.qualifier ?? "$LATEST", result: JSON.stringify(result) },
            };
        }
        case "aws:kms/alias:Alias":
            return {
                id: inputs.name,
                state: {
                    ...inputs,
                    arn: arn(inputs.name ?? `alias/${name}`, "kms"),
                    targetKeyArn: arn(`key/${inputs.targetKeyId}`, "kms"),
                },
            };
        case "aws:rds/subnetGroup:SubnetGroup":
        case "aws:rds/parameterGroup:ParameterGroup": {
            // Autonamed like the provider does: lower case, logical name plus a suffix.
            const groupName = inputs.name ?? `${name}-${h.slice(0, 7)}`.toLowerCase();
            const kind = type === "aws:rds/subnetGroup:SubnetGroup" ? "subgrp" : "pg";
            return { id: groupName, state: { ...inputs, name: groupName, arn: arn(`${kind}:${groupName}`, "rds") } };
        }
    }
    const more =
        edgeMockState(type, name, inputs, region, account) ?? opsMockState(type, name, inputs, region, account);
    if (more) {
        return more;
    }
    if (pkg === "aws") {
        // Anything else AWS: a stable ID and an ARN in the resource's own service namespace.
        const kind = (modAndType ?? "").split(":").pop() ?? "resource";
        return {
            id: `${name}-${h.slice(0, 7)}`,
            state: { ...inputs, arn: inputs.arn ?? arn(`${kind.toLowerCase()}/${name}`) },
        };
    }
    return { id: `${name}-${h.slice(0, 7)}`, state: { ...inputs } };
}
