/**
 * One model of every ingress permission in a stack, however it is written: inline `ingress`
 * on aws.ec2.SecurityGroup / DefaultSecurityGroup, legacy aws.ec2.SecurityGroupRule, and the
 * modern aws.vpc.SecurityGroupIngressRule. Each permission is flattened to one source
 * ("grant"), with the security group it opens resolved through the stack graph.
 *
 * Stack policies see outputs, and after a deploy a security group's `ingress` output lists
 * every rule AWS holds for it, standalone ones included. Entries that repeat a standalone
 * rule of the stack are therefore dropped from the inline view, so one permission is judged
 * (and reported) once, on the resource that declares it.
 */
import { PolicyResource } from "@pulumi/policy";
import { Resolution, identifiersOf, ofType, resolveRef } from "./graph";
import { T } from "./types";
import { Peeked, attempt, declaredButUnknown, peek, peekNumber, roleOf } from "./values";
import { Ports, normalizeProtocol } from "./ports";

export {
    describePorts,
    internetScope,
    isExactlyTcpPort,
    isWorldCidr,
    normalizeProtocol,
    reachesTcpPort,
} from "./ports";

export type SourceKind = "cidr" | "prefixList" | "securityGroup" | "self";

export interface Grant extends Ports {
    /** The resource that declares the permission (the group itself, or the standalone rule). */
    declaredBy: PolicyResource;
    inline: boolean;
    /** The security group the permission opens. */
    owner: Resolution;
    sourceKind: SourceKind;
    /** CIDR, prefix list ID or security group ID; unknown when not visible at preview. */
    source: Peeked<string | undefined>;
    /** For security group sources: what the reference resolves to. */
    sourceGroup?: Resolution;
}

export const SECURITY_GROUP_TYPES = [T.securityGroup, T.defaultSecurityGroup];
export const STANDALONE_RULE_TYPES = [T.securityGroupRule, T.ingressRule, T.egressRule];

export function securityGroups(resources: PolicyResource[]): PolicyResource[] {
    return ofType(resources, ...SECURITY_GROUP_TYPES);
}

/** The group a standalone rule belongs to. */
export function ownerOf(rule: PolicyResource, groups: PolicyResource[]): Resolution {
    return resolveRef(rule, "securityGroupId", groups);
}

function listOf(obj: unknown, key: string): Peeked<unknown[]> {
    const v = peek<unknown>(obj, key);
    if (!v.known) {
        return v;
    }
    return {
        known: true,
        value: Array.isArray(v.value) ? v.value : v.value === undefined || v.value === null ? [] : [v.value],
    };
}

/** Splits one inline entry or legacy rule into one grant per source. */
function grantsFromBlock(
    declaredBy: PolicyResource,
    inline: boolean,
    owner: Resolution,
    block: unknown,
    groups: PolicyResource[],
    keys: { protocol: string; cidr4: string; cidr6: string; prefixLists: string; groups: string },
): Grant[] {
    const base = {
        declaredBy,
        inline,
        owner,
        protocol: peek<string>(block, keys.protocol),
        fromPort: peekNumber(block, "fromPort"),
        toPort: peekNumber(block, "toPort"),
    };
    const out: Grant[] = [];
    const addList = (key: string, kind: SourceKind) => {
        const list = listOf(block, key);
        if (!list.known) {
            out.push({ ...base, sourceKind: kind, source: { known: false, path: list.path } });
            return;
        }
        // Index by length: iterating would touch (and throw on) unknown elements.
        for (let i = 0; i < list.value.length; i++) {
            const source = peek<string>(block, key, i);
            const grant: Grant = { ...base, sourceKind: kind, source };
            if (kind === "securityGroup") {
                grant.sourceGroup = resolveGroupValue(declaredBy, source, key, groups);
            }
            out.push(grant);
        }
    };
    addList(keys.cidr4, "cidr");
    addList(keys.cidr6, "cidr");
    addList(keys.prefixLists, "prefixList");
    if (keys.groups === "sourceSecurityGroupId") {
        const sg = peek<string>(block, "sourceSecurityGroupId");
        if (!sg.known || sg.value) {
            out.push({
                ...base,
                sourceKind: "securityGroup",
                source: sg,
                sourceGroup: resolveRef(declaredBy, "sourceSecurityGroupId", groups),
            });
        }
    } else {
        addList(keys.groups, "securityGroup");
    }
    const self = peek<boolean>(block, "self");
    if (!self.known || self.value === true) {
        out.push({ ...base, sourceKind: "self", source: { known: true, value: undefined }, sourceGroup: owner });
    }
    return out;
}

/**
 * A security group ID inside a list (inline `securityGroups`): matched by value when known;
 * when unknown, the property's dependencies are all the list can tell, so it resolves only
 * when they point at groups of the stack.
 */
function resolveGroupValue(
    declaredBy: PolicyResource,
    source: Peeked<string | undefined>,
    prop: string,
    groups: PolicyResource[],
): Resolution {
    if (source.known && typeof source.value === "string") {
        const hits = groups.filter((g) => identifiersOf(g).includes(source.value as string));
        return hits.length > 0 ? { kind: "resolved", targets: hits } : { kind: "external", value: source.value };
    }
    const deps = (declaredBy.propertyDependencies?.[prop] ?? declaredBy.propertyDependencies?.["ingress"] ?? []).filter(
        (d) => SECURITY_GROUP_TYPES.includes(d.type as never),
    );
    return deps.length > 0 ? { kind: "resolved", targets: deps } : { kind: "unresolved" };
}

function key(g: Grant): string | undefined {
    if (!g.protocol.known || !g.fromPort.known || !g.toPort.known || !g.source.known) {
        return undefined;
    }
    return [
        normalizeProtocol(g.protocol.value),
        g.fromPort.value,
        g.toPort.value,
        g.sourceKind,
        g.source.value ?? "",
    ].join("|");
}

export type Direction = "ingress" | "egress";

/** Every ingress grant in the stack. */
export function ingressGrants(resources: PolicyResource[]): Grant[] {
    return grants(resources, "ingress");
}

/** Standalone rules (of either style) of one direction, flattened, with the group each opens. */
export function standaloneGrants(resources: PolicyResource[], direction: Direction): Grant[] {
    const groups = securityGroups(resources);
    const out: Grant[] = [];
    for (const r of ofType(resources, direction === "ingress" ? T.ingressRule : T.egressRule)) {
        const owner = ownerOf(r, groups);
        const base = {
            declaredBy: r,
            inline: false,
            owner,
            protocol: peek<string>(r.props, "ipProtocol"),
            fromPort: peekNumber(r.props, "fromPort"),
            toPort: peekNumber(r.props, "toPort"),
        };
        const sources: [string, SourceKind][] = [
            ["cidrIpv4", "cidr"],
            ["cidrIpv6", "cidr"],
            ["prefixListId", "prefixList"],
            ["referencedSecurityGroupId", "securityGroup"],
        ];
        let any = false;
        for (const [prop, kind] of sources) {
            const source = peek<string>(r.props, prop);
            if (source.known && (source.value === undefined || source.value === null || source.value === "")) {
                continue;
            }
            any = true;
            out.push({
                ...base,
                sourceKind: kind,
                source,
                sourceGroup: kind === "securityGroup" ? resolveRef(r, prop, groups) : undefined,
            });
        }
        if (!any) {
            // No visible source at all: treat as unknown rather than as harmless.
            out.push({ ...base, sourceKind: "cidr", source: { known: false, path: "cidrIpv4" } });
        }
    }
    for (const r of ofType(resources, T.securityGroupRule)) {
        const type = peek<string>(r.props, "type");
        if (type.known && type.value !== direction) {
            continue;
        }
        out.push(
            ...grantsFromBlock(r, false, ownerOf(r, groups), r.props, groups, {
                protocol: "protocol",
                cidr4: "cidrBlocks",
                cidr6: "ipv6CidrBlocks",
                prefixLists: "prefixListIds",
                groups: "sourceSecurityGroupId",
            }),
        );
    }
    return out;
}

/** A grant whose every part is unknown at preview (an unknown entry, or a whole list). */
function unknownGrant(group: PolicyResource, path: string): Grant {
    const unknown = { known: false as const, path };
    return {
        declaredBy: group,
        inline: true,
        owner: { kind: "resolved", targets: [group] },
        protocol: unknown,
        fromPort: unknown,
        toPort: unknown,
        sourceKind: "cidr",
        source: unknown,
    };
}

/**
 * Inline entries of `group` in one direction, without those that only echo a standalone rule
 * (see the header). `undefined` when the group declares none: absent, or wholly unknown at
 * preview with no property dependency, which is how the provider shows the computed list of a
 * group without inline rules. A wholly unknown list that depends on other resources is one the
 * program built from their outputs (e.g. with apply): it is declared, and unknown, never absent.
 */
export function inlineGrants(
    group: PolicyResource,
    direction: Direction,
    resources: PolicyResource[],
    standalone?: Grant[],
): Grant[] | undefined {
    const groups = securityGroups(resources);
    const entries = peek<unknown>(group.props, direction);
    if (!entries.known) {
        return declaredButUnknown(group, direction) ? [unknownGrant(group, entries.path)] : undefined;
    }
    if (entries.value === undefined || entries.value === null) {
        return undefined;
    }
    const list = Array.isArray(entries.value) ? entries.value : [entries.value];
    const echoes = new Set<string>();
    for (const g of standalone ?? standaloneGrants(resources, direction)) {
        const k = key(g);
        if (k && g.owner.kind === "resolved" && g.owner.targets.some((t) => t.urn === group.urn)) {
            echoes.add(k);
        }
    }
    const self: Resolution = { kind: "resolved", targets: [group] };
    const out: Grant[] = [];
    // Index by length: iterating would touch (and throw on) unknown elements.
    for (let i = 0; i < list.length; i++) {
        const entry = attempt((): unknown => list[i]);
        const found: Grant[] = entry.known
            ? grantsFromBlock(group, true, self, entry.value, groups, {
                  protocol: "protocol",
                  cidr4: "cidrBlocks",
                  cidr6: "ipv6CidrBlocks",
                  prefixLists: "prefixListIds",
                  groups: "securityGroups",
              })
            : [unknownGrant(group, entry.path)];
        out.push(
            ...found.filter((g) => {
                const k = key(g);
                return !(k && echoes.has(k));
            }),
        );
    }
    return out;
}

/** Every grant of one direction in the stack: inline (echoes removed) and standalone. */
export function grants(resources: PolicyResource[], direction: Direction): Grant[] {
    const standalone = standaloneGrants(resources, direction);
    const inline = securityGroups(resources).flatMap((g) => inlineGrants(g, direction, resources, standalone) ?? []);
    return [...inline, ...standalone];
}

/** Security groups tagged `webfleet:role` = `role`. */
export function groupsWithRole(resources: PolicyResource[], role: string): PolicyResource[] {
    return securityGroups(resources).filter((g) => roleOf(g.props) === role);
}

/** How a grant's source reads in a message: "0.0.0.0/0", "prefix list pl-…", "security group 'web-sg'". */
export function describeSource(g: Grant): string {
    if (g.sourceKind === "self") {
        return "its own members (self)";
    }
    if (!g.source.known) {
        return "a source unknown during preview";
    }
    if (g.sourceKind === "cidr") {
        return String(g.source.value);
    }
    if (g.sourceKind === "prefixList") {
        return `prefix list ${g.source.value}`;
    }
    if (g.sourceGroup?.kind === "resolved") {
        return `security group ${g.sourceGroup.targets.map((t) => `'${t.name}'`).join(", ")}`;
    }
    return `security group ${g.source.value}`;
}
