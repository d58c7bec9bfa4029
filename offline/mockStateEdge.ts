/**
 * What AWS would answer for the stack's edge and signals: SNS topics and subscriptions, alarms and
 * the dashboard, the WAF, CloudFront, Route 53 health checks' neighbours, the SSM documents and
 * associations of the SSH access, and the tls and random providers' values. Used by
 * offline/mockState.ts, with the same stable IDs and ARN shapes.
 */
import * as crypto from "node:crypto";
import { hex } from "./fakeIds";
import type { MockState } from "./mockStateOps";

export function edgeMockState(
    type: string,
    name: string,
    inputs: Record<string, any>,
    region: string,
    account: string,
): MockState | undefined {
    const h = hex(`${type}/${name}`, 17);
    const service = (type.split(":")[1] ?? "").split("/")[0];
    const arn = (resource: string, svc = service) => `arn:aws:${svc}:${region}:${account}:${resource}`;
    switch (type) {
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
        case "aws:ssm/document:Document": {
            // A document's ID is its name; every update of its content is a new version.
            const docName = inputs.name ?? `${name}-${h.slice(0, 7)}`;
            return {
                id: docName,
                state: {
                    ...inputs,
                    name: docName,
                    arn: arn(`document/${docName}`),
                    hash: crypto
                        .createHash("sha256")
                        .update(String(inputs.content ?? ""))
                        .digest("hex"),
                    hashType: "Sha256",
                    latestVersion: "1",
                    defaultVersion: "1",
                    documentVersion: "1",
                    owner: account,
                    status: "Active",
                },
            };
        }
        case "aws:ssm/association:Association": {
            const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-8${h.slice(13, 16)}-${hex(`${h}/id`, 12)}`;
            return { id, state: { ...inputs, associationId: id, arn: arn(`association/${id}`) } };
        }
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
    return undefined;
}
