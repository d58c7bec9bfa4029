/**
 * Where security groups sit in the stack's graph: which group a grant belongs to and how to
 * name it in a message, the groups a load balancer, a database or compute runs in (by ID, or
 * through property dependencies at preview), and the CIDR permissions of one resource's own
 * inputs for checks made before it is created.
 */
import { PolicyResource } from "@pulumi/policy";
import { identifiersOf, ofType } from "./graph";
import { Direction, Grant, SECURITY_GROUP_TYPES, groupsWithRole, securityGroups } from "./securityGroups";
import { T, subject } from "./types";
import { Peeked, attempt, peek, peekNumber } from "./values";

/** One CIDR permission of a single resource's inputs, for checks made before it is created. */
export interface CidrPermission {
    protocol: Peeked<string | undefined>;
    fromPort: Peeked<number | undefined>;
    toPort: Peeked<number | undefined>;
    cidr: string;
    /** "inline ingress[2]" or "" for a standalone rule. */
    where: string;
}

export interface CidrPermissions {
    /** The permissions whose CIDR is known (their ports may still be unknown). */
    known: CidrPermission[];
    /** Where a list, an entry or a CIDR is unknown during preview (e.g. "ingress.0.cidrBlocks"). */
    unknown: string[];
}

/**
 * The CIDR sources of one resource's ingress (or egress) permissions, read from its inputs: a
 * group's inline entries, a legacy rule, or a standalone rule. Every part is read on its own, so
 * a known world CIDR is found even next to an entry, a source or a group ID unknown during
 * preview; what is unknown is listed, for the rule to say it cannot verify it yet (the engine runs
 * the check again on the real inputs before creating the resource).
 */
export function cidrPermissions(type: string, props: Record<string, unknown>, direction: Direction): CidrPermissions {
    const out: CidrPermissions = { known: [], unknown: [] };
    const note = (p: Peeked<unknown>): p is { known: false; path: string } => {
        if (!p.known) {
            out.unknown.push(p.path);
        }
        return !p.known;
    };
    const fromBlock = (block: unknown, protocolKey: string, keys: string[], where: string) => {
        const ports = {
            protocol: peek<string>(block, protocolKey),
            fromPort: peekNumber(block, "fromPort"),
            toPort: peekNumber(block, "toPort"),
        };
        for (const key of keys) {
            const v = peek<unknown>(block, key);
            if (note(v)) {
                continue;
            }
            const single = !Array.isArray(v.value);
            const count = single
                ? v.value === undefined || v.value === null || v.value === ""
                    ? 0
                    : 1
                : (v.value as unknown[]).length;
            // Index by length: iterating would touch (and throw on) an unknown element.
            for (let i = 0; i < count; i++) {
                const cidr = single ? v : peek<unknown>(block, key, i);
                if (!note(cidr)) {
                    out.known.push({ ...ports, cidr: String(cidr.value), where });
                }
            }
        }
    };
    if (type === T.securityGroup || type === T.defaultSecurityGroup) {
        const entries = peek<unknown>(props, direction);
        if (note(entries) || entries.value === undefined || entries.value === null) {
            return out;
        }
        const list = Array.isArray(entries.value) ? entries.value : [entries.value];
        for (let i = 0; i < list.length; i++) {
            const entry = attempt((): unknown => list[i]);
            if (note(entry) || entry.value === null || typeof entry.value !== "object") {
                continue; // unknown (noted), or an empty entry, which admits nothing
            }
            fromBlock(entry.value, "protocol", ["cidrBlocks", "ipv6CidrBlocks"], `inline ${direction}[${i}]`);
        }
    } else if (type === T.securityGroupRule) {
        const ruleType = peek<string>(props, "type");
        if (!note(ruleType) && ruleType.value === direction) {
            fromBlock(props, "protocol", ["cidrBlocks", "ipv6CidrBlocks"], "");
        }
    } else if (type === (direction === "ingress" ? T.ingressRule : T.egressRule)) {
        fromBlock(props, "ipProtocol", ["cidrIpv4", "cidrIpv6"], "");
    }
    return out;
}

/** "Security group ingress rule 'x' on security group 'web-sg'", or the group itself for inline rules. */
export function where(g: Grant): string {
    const declared = subject(g.declaredBy.type, g.declaredBy.name);
    if (g.inline) {
        return declared;
    }
    switch (g.owner.kind) {
        case "resolved":
            return `${declared} on security group ${g.owner.targets.map((t) => `'${t.name}'`).join(", ")}`;
        case "external":
            return `${declared} on security group ${g.owner.value} (not in this stack)`;
        default:
            return `${declared} on a security group unknown during preview`;
    }
}

export function ownedBy(g: Grant, groups: PolicyResource[]): boolean {
    const urns = new Set(groups.map((x) => x.urn));
    return g.owner.kind === "resolved" && g.owner.targets.every((t) => urns.has(t.urn));
}

export function sourceIsOneOf(g: Grant, groups: PolicyResource[]): boolean {
    const urns = new Set(groups.map((x) => x.urn));
    return g.sourceGroup?.kind === "resolved" && g.sourceGroup.targets.every((t) => urns.has(t.urn));
}

/** Security groups attached to resources of `types` through list property `prop` (by ID or dependency). */
export function groupsAttachedTo(resources: PolicyResource[], types: string[], prop: string): PolicyResource[] {
    const groups = securityGroups(resources);
    const found = new Map<string, PolicyResource>();
    for (const r of ofType(resources, ...types)) {
        const list = peek<unknown[]>(r.props, prop);
        if (list.known && Array.isArray(list.value)) {
            for (let i = 0; i < list.value.length; i++) {
                const id = peek<string>(r.props, prop, i);
                if (id.known && typeof id.value === "string") {
                    for (const g of groups.filter((x) => identifiersOf(x).includes(id.value as string))) {
                        found.set(g.urn, g);
                    }
                }
            }
        }
        for (const d of r.propertyDependencies?.[prop] ?? []) {
            if (SECURITY_GROUP_TYPES.includes(d.type as never)) {
                found.set(d.urn, d);
            }
        }
    }
    return [...found.values()];
}

export function uniqueResources(list: PolicyResource[]): PolicyResource[] {
    return [...new Map(list.map((r) => [r.urn, r])).values()];
}

export const LB_TYPES = [T.lbLoadBalancer, T.albLoadBalancer];
export const RDS_TYPES = [T.rdsInstance, T.rdsCluster];

/** The load balancer's groups: tagged webfleet:role=alb, or attached to a load balancer. */
export function loadBalancerGroups(resources: PolicyResource[]): PolicyResource[] {
    return uniqueResources([
        ...groupsWithRole(resources, "alb"),
        ...groupsAttachedTo(resources, LB_TYPES, "securityGroups"),
    ]);
}

/** The database's groups: tagged webfleet:role=database, or attached to an RDS instance or cluster. */
export function databaseGroups(resources: PolicyResource[]): PolicyResource[] {
    return uniqueResources([
        ...groupsWithRole(resources, "database"),
        ...groupsAttachedTo(resources, RDS_TYPES, "vpcSecurityGroupIds"),
    ]);
}

/**
 * The groups of the stack's RDS proxies (aws.rds.Proxy vpcSecurityGroupIds): a proxy is the
 * database's front door, so its groups are held to the database's ingress rules, and the
 * database may admit them as a client.
 */
export function proxyGroups(resources: PolicyResource[]): PolicyResource[] {
    return groupsAttachedTo(resources, [T.rdsProxy], "vpcSecurityGroupIds");
}

/** Values at a path where "*" stands for every element of a list (unknowns are skipped). */
export function valuesAt(obj: unknown, path: (string | number)[]): unknown[] {
    if (path.length === 0) {
        return [obj];
    }
    const [head, ...rest] = path;
    if (head === "*") {
        const list = attempt(() => (Array.isArray(obj) ? obj.length : 0));
        if (!list.known) {
            return [];
        }
        const out: unknown[] = [];
        for (let i = 0; i < list.value; i++) {
            const item = peek(obj, i);
            if (item.known) {
                out.push(...valuesAt(item.value, rest));
            }
        }
        return out;
    }
    const next = peek(obj, head);
    return next.known && next.value !== undefined && next.value !== null ? valuesAt(next.value, rest) : [];
}

/**
 * Security groups a resource of `types` runs in, named at `path` of its props (e.g.
 * ["vpcConfig", "securityGroupIds", "*"]): by ID when known, else through the property
 * dependencies of the path's first property.
 */
export function groupsAt(
    resources: PolicyResource[],
    of: PolicyResource[],
    path: (string | number)[],
): PolicyResource[] {
    const groups = securityGroups(resources);
    const found = new Map<string, PolicyResource>();
    for (const r of of) {
        for (const id of valuesAt(r.props, path)) {
            if (typeof id === "string") {
                for (const g of groups.filter((x) => identifiersOf(x).includes(id))) {
                    found.set(g.urn, g);
                }
            }
        }
        for (const d of r.propertyDependencies?.[String(path[0])] ?? []) {
            if (SECURITY_GROUP_TYPES.includes(d.type as never)) {
                found.set(d.urn, d);
            }
        }
    }
    return [...found.values()];
}

/** Where each kind of compute names its security groups. */
export const COMPUTE_GROUP_PATHS: [string, (string | number)[]][] = [
    [T.launchTemplate, ["vpcSecurityGroupIds", "*"]],
    [T.launchTemplate, ["networkInterfaces", "*", "securityGroups", "*"]],
    [T.instance, ["vpcSecurityGroupIds", "*"]],
    [T.instance, ["securityGroups", "*"]],
    [T.lambdaFunction, ["vpcConfig", "securityGroupIds", "*"]],
    ["aws:ecs/service:Service", ["networkConfiguration", "securityGroups", "*"]],
];
