/**
 * The one mocks module: the offline preview and the unit tests both run the program through it,
 * so tests, CI and users see one picture. Outputs are realistic per resource type (IDs, ARNs
 * with a fixed account, one subnet per AZ, DNS names); an invoke it does not know is an error,
 * so a new data source can never silently return nothing.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { RecordedResource } from "./types";

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

function hex(seed: string, length: number): string {
    return crypto.createHash("sha256").update(seed).digest("hex").slice(0, length);
}

// Signatures of the Pulumi wire format (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SIG_SECRET = "1b47061264138c4ac30d75fd1eb44270";
const SIG_RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e";
const SIG_OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const SIG_ASSET = "c44067f5952c0a294b673a41bacd8c17";
const SIG_ARCHIVE = "0def7320c3a5731c473e5ecbe6d01bc7";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Assets and archives are recorded by their digest and size, not their (possibly megabytes of) text. */
function summarizeAsset(obj: Record<string, unknown>): Record<string, unknown> {
    if (typeof obj.text === "string") {
        return {
            asset: {
                sha256: crypto.createHash("sha256").update(obj.text).digest("hex"),
                bytes: Buffer.byteLength(obj.text),
            },
        };
    }
    return { asset: { path: obj.path, uri: obj.uri } };
}

/** Unwraps wire values: secrets become plain values (their paths noted), resource references their IDs. */
function unwrap(value: unknown, path: string, secretPaths: string[]): any {
    if (Array.isArray(value)) {
        return value.map((v, i) => unwrap(v, `${path}[${i}]`, secretPaths));
    }
    if (value === UNKNOWN) {
        return undefined;
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const obj = value as Record<string, unknown>;
    switch (obj[SIG_KEY]) {
        case SIG_SECRET:
            secretPaths.push(path);
            return unwrap(obj.value, path, []);
        case SIG_OUTPUT:
            if (obj.secret) {
                secretPaths.push(path);
            }
            return unwrap(obj.value, path, secretPaths);
        case SIG_RESOURCE:
            return obj.id ?? obj.urn;
        case SIG_ASSET:
            return summarizeAsset(obj);
        case SIG_ARCHIVE:
            if (obj.assets && typeof obj.assets === "object") {
                return {
                    archive: Object.fromEntries(
                        Object.entries(obj.assets as Record<string, unknown>).map(([k, v]) => [
                            k,
                            unwrap(v, `${path}.${k}`, secretPaths),
                        ]),
                    ),
                };
            }
            return { archive: { path: obj.path, uri: obj.uri } };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
        if (k !== SIG_KEY) {
            out[k] = unwrap(v, path ? `${path}.${k}` : k, secretPaths);
        }
    }
    return out;
}

export interface MockOptions {
    region: string;
}

/** The outputs the provider would compute for one resource. */
function mockState(
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
        case "awsx:ec2:Vpc": {
            const azs: string[] =
                inputs.availabilityZoneNames ?? mockAzNames(region).slice(0, inputs.numberOfAvailabilityZones ?? 3);
            const ids = (tier: string) => azs.map((az) => `subnet-${hex(`${name}/${tier}/${az}`, 17)}`);
            return {
                id: `vpc-${h}`,
                state: {
                    ...inputs,
                    vpcId: `vpc-${h}`,
                    publicSubnetIds: ids("public"),
                    privateSubnetIds: ids("private"),
                    isolatedSubnetIds: ids("isolated"),
                },
            };
        }
        case "aws:ec2/securityGroup:SecurityGroup":
        case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
            return { id: `sg-${h}`, state: { ...inputs, arn: arn(`security-group/sg-${h}`), ownerId: account } };
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
        case "aws:sns/topic:Topic": {
            const topicName = inputs.name ?? `${name}-${h.slice(0, 7)}`;
            return {
                id: arn(topicName, "sns"),
                state: { ...inputs, name: topicName, arn: arn(topicName, "sns"), owner: account },
            };
        }
        case "aws:sns/topicSubscription:TopicSubscription": {
            // E-mail subscriptions stay pending until someone follows the confirmation link.
            const subArn = `${inputs.topic}:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-8${hex(name, 3)}-${hex(type + name, 12)}`;
            return {
                id: subArn,
                state: {
                    ...inputs,
                    arn: subArn,
                    ownerId: account,
                    pendingConfirmation: inputs.protocol === "email" || inputs.protocol === "email-json",
                },
            };
        }
        case "aws:cloudwatch/metricAlarm:MetricAlarm": {
            const alarmName = inputs.name ?? `${name}-${h.slice(0, 7)}`;
            return {
                id: alarmName,
                state: { ...inputs, name: alarmName, arn: arn(`alarm:${alarmName}`, "cloudwatch") },
            };
        }
        case "aws:route53/healthCheck:HealthCheck": {
            // Health check IDs are UUIDs; the ARN has neither region nor account.
            const checkId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-8${hex(name, 3)}-${hex(type + name, 12)}`;
            return { id: checkId, state: { ...inputs, arn: `arn:aws:route53:::healthcheck/${checkId}` } };
        }
        case "aws:wafv2/webAcl:WebAcl": {
            const aclId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-8${hex(name, 3)}-${hex(type + name, 12)}`;
            const aclName = inputs.name ?? `${name}-${h.slice(0, 7)}`;
            const scope = inputs.scope === "CLOUDFRONT" ? "global" : "regional";
            const aclArn = `arn:aws:wafv2:${inputs.scope === "CLOUDFRONT" ? "us-east-1" : region}:${account}:${scope}/webacl/${aclName}/${aclId}`;
            return {
                id: aclId,
                state: { ...inputs, name: aclName, arn: aclArn, capacity: 1127, lockToken: hex(`lock/${name}`, 32) },
            };
        }
        case "aws:wafv2/webAclAssociation:WebAclAssociation":
            return { id: `${inputs.webAclArn},${inputs.resourceArn}`, state: { ...inputs } };
        case "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration":
            return { id: inputs.resourceArn, state: { ...inputs } };
        case "aws:cloudwatch/logResourcePolicy:LogResourcePolicy":
            return { id: inputs.policyName, state: { ...inputs } };
        case "aws:cloudfront/distribution:Distribution": {
            const distributionId = `E${h.toUpperCase().slice(0, 13)}`;
            return {
                id: distributionId,
                state: {
                    ...inputs,
                    arn: `arn:aws:cloudfront::${account}:distribution/${distributionId}`,
                    domainName: `d${h.slice(0, 13)}.cloudfront.net`,
                    // CloudFront's one hosted zone, for alias records.
                    hostedZoneId: "Z2FDTNDATAQYW2",
                    status: "Deployed",
                    etag: `E${hex(`etag/${name}`, 13).toUpperCase()}`,
                    callerReference: `terraform-${h}`,
                },
            };
        }
        case "aws:cloudfront/originAccessControl:OriginAccessControl":
            return {
                id: `E${hex(`oac/${name}`, 13).toUpperCase()}`,
                state: { ...inputs, etag: `E${hex(`etag/${name}`, 13).toUpperCase()}` },
            };
        case "aws:cloudwatch/dashboard:Dashboard":
            return {
                id: inputs.dashboardName,
                state: { ...inputs, dashboardArn: `arn:aws:cloudwatch::${account}:dashboard/${inputs.dashboardName}` },
            };
        case "tls:index/privateKey:PrivateKey":
            // Not a real key: a placeholder with the right shape, so nothing can mistake it for one.
            return {
                id: h,
                state: {
                    ...inputs,
                    privateKeyPem: `-----BEGIN PRIVATE KEY-----\nMOCK${h}\n-----END PRIVATE KEY-----\n`,
                    publicKeyPem: `-----BEGIN PUBLIC KEY-----\nMOCK${h}\n-----END PUBLIC KEY-----\n`,
                },
            };
        case "tls:index/selfSignedCert:SelfSignedCert":
            return {
                id: h,
                state: {
                    ...inputs,
                    certPem: `-----BEGIN CERTIFICATE-----\nMOCK${h}\n-----END CERTIFICATE-----\n`,
                    readyForRenewal: false,
                },
            };
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString":
            return { id: h, state: { ...inputs, result: `mock-${h}` } };
        case "random:index/randomId:RandomId":
            return { id: h, state: { ...inputs, hex: h.slice(0, (inputs.byteLength ?? 4) * 2), b64Url: h } };
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

export function mockAzNames(region: string): string[] {
    return ["a", "b", "c", "d", "e", "f"].map((s) => `${region}${s}`);
}

/** Data sources the program may call, with what AWS would answer. */
function mockInvoke(token: string, inputs: Record<string, any>, region: string): Record<string, any> {
    switch (token) {
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const names = mockAzNames(region);
            return {
                names,
                zoneIds: names.map((_, i) => `${region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`),
                state: inputs.state ?? "available",
                id: region,
                groupNames: [region],
            };
        }
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                accountId: MOCK_ACCOUNT_ID,
                arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline`,
                userId: "AIDAOFFLINE",
                id: MOCK_ACCOUNT_ID,
            };
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:ec2/getManagedPrefixList:getManagedPrefixList":
            if (inputs.name === "com.amazonaws.global.cloudfront.origin-facing") {
                // The AWS-managed list's ID differs per region; us-east-1's.
                return {
                    id: "pl-3b927c52",
                    name: inputs.name,
                    addressFamily: "IPv4",
                    maxEntries: 55,
                    ownerId: "AWS",
                    version: 1,
                    entries: [],
                    arn: `arn:aws:ec2:${region}:aws:prefix-list/pl-3b927c52`,
                    tags: {},
                };
            }
            break;
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
    }
    throw new Error(
        `offline mocks: no mock for the invoke ${token}; add one to offline/mocks.ts (what AWS would return), so a data source never silently returns nothing`,
    );
}

/**
 * Records every registration: MockMonitor gives the mocks only type, name and inputs, so the
 * recorder wraps its registerResource to also keep parent, dependencies and property
 * dependencies, which the stack policies and the resource tree need.
 */
export class Recorder {
    readonly resources: RecordedResource[] = [];
    readonly invokes: string[] = [];
}

let activeRecorder: Recorder | undefined;
let patched = false;

function patchMonitor(): void {
    if (patched) {
        return;
    }
    patched = true;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its own `this` below
    const original = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = async function (
        this: MockMonitor,
        req: any,
        callback: (err: any, res: any) => void,
    ) {
        const recorder = activeRecorder;
        return original.call(this, req, (err: any, res: any) => {
            if (!err && recorder) {
                const secretInputPaths: string[] = [];
                const inputs = unwrap(req.getObject()?.toJavaScript() ?? {}, "", secretInputPaths);
                const outputs = unwrap(res.getObject()?.toJavaScript() ?? {}, "", []);
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
                    propertyDependencies[key] = deps.getUrnsList();
                });
                recorder.resources.push({
                    urn: res.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent() || null,
                    custom: req.getCustom(),
                    inputs,
                    outputs: { id: res.getId() || undefined, ...outputs },
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                    secretInputPaths,
                    secretOutputNames: req.getAdditionalsecretoutputsList(),
                });
            }
            callback(err, res);
        });
    };
}

/**
 * Installs the mocks for one program run and returns the recorder that fills as it runs.
 * `preview` is false so every value is known, as after a deploy.
 */
export async function installMocks(project: string, stack: string, opts: MockOptions): Promise<Recorder> {
    patchMonitor();
    const recorder = new Recorder();
    activeRecorder = recorder;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => mockState(args.type, args.name, args.inputs, opts.region),
            call: (args) => {
                recorder.invokes.push(args.token);
                return mockInvoke(args.token, args.inputs, opts.region);
            },
        },
        project,
        stack,
        false,
    );
    return recorder;
}
