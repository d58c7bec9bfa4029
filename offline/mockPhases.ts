/**
 * The state a resource has in each phase of the offline preview: after `pulumi up` (every value
 * the provider computes, offline/mockState.ts), or in a first preview, where only what Pulumi
 * names itself is known and everything the provider computes is unknown.
 */
import { AWSX_VPC, vpcOutputs } from "./awsxVpc";
import { mockState } from "./mockState";
import { Phase, UNKNOWN } from "./types";

/**
 * The property Pulumi itself names when the program does not (autonaming: the logical name plus a
 * random suffix, chosen in the provider's Check, so already known in a first preview). Everything
 * else a provider computes (IDs, ARNs, endpoints, generated values) is unknown until the resource
 * exists.
 */
export const AUTONAMED: Record<string, string> = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:iam/role:Role": "name",
    "aws:iam/policy:Policy": "name",
    "aws:iam/instanceProfile:InstanceProfile": "name",
    "aws:iam/rolePolicy:RolePolicy": "name",
    "aws:iam/user:User": "name",
    "aws:ec2/securityGroup:SecurityGroup": "name",
    "aws:ec2/launchTemplate:LaunchTemplate": "name",
    "aws:ec2/keyPair:KeyPair": "keyName",
    "aws:autoscaling/group:Group": "name",
    "aws:autoscaling/policy:Policy": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": "alarmName",
    "aws:lb/loadBalancer:LoadBalancer": "name",
    "aws:alb/loadBalancer:LoadBalancer": "name",
    "aws:lb/targetGroup:TargetGroup": "name",
    "aws:alb/targetGroup:TargetGroup": "name",
    "aws:lambda/function:Function": "name",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/subnetGroup:SubnetGroup": "name",
    "aws:rds/parameterGroup:ParameterGroup": "name",
    "aws:sns/topic:Topic": "name",
    "aws:sqs/queue:Queue": "name",
    "aws:secretsmanager/secret:Secret": "name",
    "aws:wafv2/webAcl:WebAcl": "name",
    "aws:ssm/document:Document": "name",
    "aws:ssm/parameter:Parameter": "name",
    "aws:backup/vault:Vault": "name",
    "aws:backup/plan:Plan": "name",
    "aws:backup/selection:Selection": "name",
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": "name",
    "aws:cloudwatch/eventRule:EventRule": "name",
    "aws:synthetics/canary:Canary": "name",
};

/**
 * What a first `pulumi preview` knows of a resource that does not exist yet: the inputs the
 * program gave (those themselves unknown stay unknown), the autonamed name, and nothing the
 * provider computes: the ID and every other output are the engine's unknown value.
 */
export function previewState(
    type: string,
    inputs: Record<string, unknown>,
    full: { id: string; state: Record<string, unknown> },
    name: string,
    region: string,
): { id: string; state: Record<string, unknown> } {
    if (type === AWSX_VPC) {
        return { id: "", state: { ...inputs, ...vpcOutputs(name, inputs, region, "preview") } };
    }
    if (type.startsWith("pulumi:providers:")) {
        return full; // the engine configures providers before it previews anything
    }
    const autonamed = AUTONAMED[type];
    const state: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(full.state)) {
        state[key] = key in inputs ? inputs[key] : key === autonamed ? value : UNKNOWN;
    }
    return { id: "", state };
}

/** The state the mocks return for one registration in one phase. */
export function stateFor(
    phase: Phase,
    type: string,
    name: string,
    inputs: Record<string, any>,
    region: string,
): { id: string; state: Record<string, unknown> } {
    const full = mockState(type, name, inputs, region);
    return phase === "update" ? full : previewState(type, inputs, full, name, region);
}
