/**
 * What each drawn resource says about itself: a label's first line names the kind of thing,
 * the middle lines what a reviewer checks (size, exposure, listeners), the last its logical name.
 */
import { RecordedResource } from "../types";
import { truthy } from "./reachability";

const known = (v: unknown): string => (typeof v === "string" || typeof v === "number" ? String(v) : "?");

/** One listener as a line: "443 HTTPS" or "80 HTTP → 301 to HTTPS 443". */
function listenerLine(l: RecordedResource): string {
    const head = `${known(l.inputs.port)} ${known(l.inputs.protocol)}`;
    const actions: any[] = Array.isArray(l.inputs.defaultActions) ? l.inputs.defaultActions : [];
    const redirect = actions.find((a) => a?.type === "redirect")?.redirect;
    if (redirect) {
        const status = known(redirect.statusCode).replace(/^HTTP_/, "");
        return `${head} → ${status} to ${known(redirect.protocol)} ${known(redirect.port)}`;
    }
    return head;
}

export function loadBalancerLines(lb: RecordedResource, listeners: RecordedResource[]): string[] {
    const type = lb.inputs.loadBalancerType ?? "application";
    const name = type === "application" ? "ALB" : type === "network" ? "NLB" : `${known(type)} LB`;
    const byPort = [...listeners].sort((a, b) => (Number(b.inputs.port) || 0) - (Number(a.inputs.port) || 0));
    return [
        `${name}, ${truthy(lb.inputs.internal) ? "internal" : "internet-facing"}`,
        ...byPort.map(listenerLine),
        lb.name,
    ];
}

/** How the instances of a group spread over `azCount` AZs: Auto Scaling keeps the AZs balanced. */
export function perAz(count: number | undefined, azCount: number): string {
    if (count === undefined) {
        return "?";
    }
    const low = Math.floor(count / azCount);
    const high = Math.ceil(count / azCount);
    return low === high ? String(low) : `${low}-${high}`;
}

export function autoScalingLines(asg: RecordedResource, instanceType: unknown, azCount: number): string[] {
    const i = asg.inputs;
    const desired = i.desiredCapacity ?? i.minSize;
    const max = perAz(i.maxSize, azCount);
    const here = perAz(desired, azCount);
    return [
        "Auto Scaling group",
        `${here} × ${known(instanceType)}${max !== here ? `, up to ${max}` : ""}`,
        azCount > 1 ? `${asg.name} (${desired ?? "?"} in ${azCount} AZs)` : asg.name,
    ];
}

export function databaseLines(db: RecordedResource, role: "primary" | "standby" | undefined): string[] {
    const i = db.inputs;
    if (role === "standby") {
        return ["RDS standby", "Multi-AZ, synchronous copy", db.name];
    }
    return [
        `RDS ${known(i.engine)} ${known(i.engineVersion)}`,
        `${known(i.instanceClass)}${role === "primary" ? ", primary" : ""}`,
        db.name,
    ];
}

/** The few kinds drawn as one node with a fixed title; everything else is left out of the picture. */
export const SIMPLE_NODES: Record<string, (r: RecordedResource) => string[]> = {
    "aws:ec2/instance:Instance": (r) => ["EC2 instance", known(r.inputs.instanceType), r.name],
    "aws:lambda/function:Function": (r) => ["Lambda", known(r.inputs.runtime), r.name],
    "aws:rds/cluster:Cluster": (r) => ["RDS cluster", known(r.inputs.engine), r.name],
    "aws:ec2/natGateway:NatGateway": (r) => [
        "NAT gateway",
        r.inputs.connectivityType === "private" ? "private" : "with Elastic IP",
        r.name,
    ],
    "aws:cloudfront/distribution:Distribution": (r) => [
        "CloudFront",
        ...(Array.isArray(r.inputs.aliases) && r.inputs.aliases.length > 0 ? [r.inputs.aliases.join(", ")] : []),
        r.name,
    ],
    "aws:wafv2/webAcl:WebAcl": (r) => [
        "WAF web ACL",
        `${Array.isArray(r.inputs.rules) ? r.inputs.rules.length : 0} rules`,
        r.name,
    ],
    "aws:s3/bucket:Bucket": (r) => ["S3 bucket", r.name],
    "aws:s3/bucketV2:BucketV2": (r) => ["S3 bucket", r.name],
    "aws:kms/key:Key": (r) => ["KMS key", truthy(r.inputs.enableKeyRotation) ? "rotation on" : "no rotation", r.name],
    "aws:secretsmanager/secret:Secret": (r) => ["Secrets Manager secret", r.name],
};
