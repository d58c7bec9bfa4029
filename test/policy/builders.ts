/** Small builders for stack-rule cases (StackResource shapes, as the offline preview records them). */
import { T } from "../../policy/lib/types";
import { StackResource } from "./helpers";

export function sg(name: string, id: string, role?: string, extra: Record<string, unknown> = {}): StackResource {
    return {
        type: T.securityGroup,
        name,
        props: {
            id,
            description: `${name} group`,
            vpcId: "vpc-0a1",
            ...(role ? { tags: { "webfleet:role": role } } : {}),
            ...extra,
        },
    };
}

export function ingressRule(
    name: string,
    group: [string, string] | undefined,
    port: number | [number, number],
    source: Record<string, unknown>,
    opts: { protocol?: unknown; sourceDep?: string; ownerDep?: boolean } = {},
): StackResource {
    const [from, to] = Array.isArray(port) ? port : [port, port];
    return {
        type: T.ingressRule,
        name,
        props: {
            securityGroupId: group ? group[1] : undefined,
            ipProtocol: opts.protocol ?? "tcp",
            fromPort: from,
            toPort: to,
            description: name,
            ...source,
        },
        deps: {
            ...(group && opts.ownerDep !== false ? { securityGroupId: [group[0]] } : {}),
            ...(opts.sourceDep ? { referencedSecurityGroupId: [opts.sourceDep] } : {}),
        },
    };
}

export function egressRule(
    name: string,
    group: [string, string],
    port: number,
    source: Record<string, unknown>,
): StackResource {
    return {
        type: T.egressRule,
        name,
        props: {
            securityGroupId: group[1],
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description: name,
            ...source,
        },
        deps: { securityGroupId: [group[0]] },
    };
}

export function legacyRule(
    name: string,
    group: [string, string],
    type: "ingress" | "egress",
    port: number,
    source: Record<string, unknown>,
): StackResource {
    return {
        type: T.securityGroupRule,
        name,
        props: {
            securityGroupId: group[1],
            type,
            protocol: "tcp",
            fromPort: port,
            toPort: port,
            description: name,
            ...source,
        },
        deps: { securityGroupId: [group[0]] },
    };
}

export const ALB: [string, string] = ["alb-sg", "sg-0a1b2c3d4e5f6d001"];
export const WEB: [string, string] = ["web-sg", "sg-0a1b2c3d4e5f6d002"];
export const BASTION: [string, string] = ["bastion-sg", "sg-0a1b2c3d4e5f6d003"];
export const DB: [string, string] = ["db-sg", "sg-0a1b2c3d4e5f6d004"];

/** The four tagged groups of a webfleet stack. */
export function groups(): StackResource[] {
    return [
        sg(ALB[0], ALB[1], "alb"),
        sg(WEB[0], WEB[1], "web"),
        sg(BASTION[0], BASTION[1], "bastion"),
        sg(DB[0], DB[1], "database"),
    ];
}

export function awsxVpc(name = "vpc", id = "vpc-0a1"): StackResource {
    return { type: T.awsxVpc, name, props: { id, vpcId: id, privateSubnetIds: ["subnet-1", "subnet-2"] } };
}

export function bucket(name: string, id: string): StackResource {
    return { type: T.bucket, name, props: { id, bucket: id, arn: `arn:aws:s3:::${id}` } };
}

export function companion(
    type: string,
    name: string,
    bucketName: string,
    bucketId: string,
    props: Record<string, unknown>,
): StackResource {
    return { type, name, props: { bucket: bucketId, ...props }, deps: { bucket: [bucketName] } };
}
