/**
 * Who may open a connection to whom, from the security groups in the records: every ingress
 * permission (standalone `aws.vpc.SecurityGroupIngressRule`, legacy `aws.ec2.SecurityGroupRule`,
 * inline `ingress` of a security group) and the security groups each resource uses, matched by
 * the group IDs in the resources' inputs (known in the update phase's records).
 */
import { RecordedResource } from "../types";

export const SECURITY_GROUPS = [
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
];
export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
export const ASG = "aws:autoscaling/group:Group";
export const RESTORE_TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection";

export const truthy = (v: unknown) => v === true || v === "true";
export const list = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

/** One ingress permission: traffic from `source` into the security group `target`. */
export interface Ingress {
    target: string;
    source: { sg: string } | { cidr: string } | { prefixList: string };
    ports: string;
}

export function portLabel(protocol: unknown, from: number | undefined, to: number | undefined): string {
    const p = (typeof protocol === "string" || typeof protocol === "number" ? String(protocol) : "tcp").toLowerCase();
    if (p === "-1" || p === "all") {
        return "all";
    }
    if (p === "icmp" || p === "1" || p === "icmpv6" || p === "58") {
        return p.startsWith("icmpv6") || p === "58" ? "icmpv6" : "icmp";
    }
    const range = from === to || to === undefined ? String(from) : `${String(from)}-${to}`;
    return p === "tcp" || p === "6" ? range : `${range}/${p === "17" ? "udp" : p}`;
}

export function comparePorts(a: string, b: string): number {
    return (parseInt(a, 10) || 0) - (parseInt(b, 10) || 0) || a.localeCompare(b);
}

export function isAnywhere(cidr: string): boolean {
    return cidr === "0.0.0.0/0" || cidr === "::/0";
}

function otherSources(v4: unknown, v6: unknown, prefixLists: unknown): Ingress["source"][] {
    return [
        ...[...list(v4), ...list(v6)].map((cidr) => ({ cidr })),
        ...list(prefixLists).map((prefixList) => ({ prefixList })),
    ];
}

/** Every ingress permission in the records, from all three ways of writing one. */
export function ingressRules(resources: RecordedResource[]): Ingress[] {
    const rules: Ingress[] = [];
    const add = (target: unknown, sources: Ingress["source"][], ports: string) => {
        if (typeof target === "string") {
            sources.forEach((source) => rules.push({ target, source, ports }));
        }
    };
    for (const r of resources) {
        const i = r.inputs;
        if (r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
            const sources = i.referencedSecurityGroupId
                ? [{ sg: i.referencedSecurityGroupId as string }]
                : otherSources([i.cidrIpv4], [i.cidrIpv6], [i.prefixListId]);
            add(i.securityGroupId, sources, portLabel(i.ipProtocol, i.fromPort, i.toPort));
        } else if (r.type === "aws:ec2/securityGroupRule:SecurityGroupRule" && i.type === "ingress") {
            const sources = [
                ...(i.sourceSecurityGroupId ? [{ sg: i.sourceSecurityGroupId as string }] : []),
                ...(truthy(i.self) ? [{ sg: i.securityGroupId as string }] : []),
                ...otherSources(i.cidrBlocks, i.ipv6CidrBlocks, i.prefixListIds),
            ];
            add(i.securityGroupId, sources, portLabel(i.protocol, i.fromPort, i.toPort));
        } else if (SECURITY_GROUPS.includes(r.type) && r.outputs.id) {
            for (const rule of Array.isArray(i.ingress) ? i.ingress : []) {
                const sources = [
                    ...list(rule.securityGroups).map((sg) => ({ sg })),
                    ...(truthy(rule.self) ? [{ sg: r.outputs.id as string }] : []),
                    ...otherSources(rule.cidrBlocks, rule.ipv6CidrBlocks, rule.prefixListIds),
                ];
                add(r.outputs.id, sources, portLabel(rule.protocol, rule.fromPort, rule.toPort));
            }
        }
    }
    return rules;
}

/** The security groups a resource uses, by ID, as its inputs name them. */
export function securityGroupsOf(r: RecordedResource): string[] {
    const i = r.inputs;
    switch (r.type) {
        case "aws:lb/loadBalancer:LoadBalancer":
        case "aws:alb/loadBalancer:LoadBalancer":
            return list(i.securityGroups);
        case LAUNCH_TEMPLATE:
            return [
                ...list(i.vpcSecurityGroupIds),
                ...(Array.isArray(i.networkInterfaces)
                    ? i.networkInterfaces.flatMap((n: any) => list(n?.securityGroups))
                    : []),
            ];
        case "aws:ec2/instance:Instance":
            return [...list(i.vpcSecurityGroupIds), ...list(i.securityGroups)];
        case "aws:rds/instance:Instance":
        case "aws:rds/cluster:Cluster":
            return list(i.vpcSecurityGroupIds);
        case "aws:lambda/function:Function":
            return list(i.vpcConfig?.securityGroupIds);
        case RESTORE_TESTING_SELECTION:
            // The groups AWS Backup puts the restored instance in: a JSON list among the overrides.
            return list(parseJsonList(i.restoreMetadataOverrides?.vpcSecurityGroupIds));
    }
    return [];
}

function parseJsonList(text: unknown): unknown {
    try {
        return typeof text === "string" ? JSON.parse(text) : undefined;
    } catch {
        return undefined;
    }
}

/** The launch template an Auto Scaling group launches, found by ID or name. */
export function templateOf(asg: RecordedResource, resources: RecordedResource[]): RecordedResource | undefined {
    const direct = asg.inputs.launchTemplate;
    const mixed = asg.inputs.mixedInstancesPolicy?.launchTemplate?.launchTemplateSpecification;
    const spec = direct
        ? { id: direct.id, name: direct.name }
        : mixed
          ? { id: mixed.launchTemplateId, name: mixed.launchTemplateName }
          : undefined;
    if (!spec) {
        return undefined;
    }
    return resources.find(
        (t) =>
            t.type === LAUNCH_TEMPLATE &&
            ((spec.id !== undefined && t.outputs.id === spec.id) ||
                (spec.name !== undefined && (t.outputs.name ?? t.inputs.name) === spec.name)),
    );
}
