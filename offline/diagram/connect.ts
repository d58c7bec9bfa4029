/**
 * The security-group edges: an arrow from A to B means A may open a connection to B, labelled
 * with the ports. A rule's security group is drawn as the resources that use it; 0.0.0.0/0 and
 * ::/0 as the internet, other CIDRs and prefix lists as "allowed CIDRs", except CloudFront's
 * origin-facing prefix list on a load balancer CloudFront uses as origin, drawn as CloudFront.
 */
import { RecordedResource } from "../types";
import { ALLOWED_CIDRS, GraphBuilder, INTERNET } from "./graph";
import { DISTRIBUTION, LOAD_BALANCERS } from "./place";
import { ASG, comparePorts, Ingress, ingressRules, isAnywhere, securityGroupsOf, templateOf } from "./reachability";

/** The load balancers a CloudFront distribution uses as origins, by their DNS names. */
export function originsOf(d: RecordedResource, resources: RecordedResource[]): RecordedResource[] {
    const domains = (Array.isArray(d.inputs.origins) ? d.inputs.origins : []).map((o: any) => o?.domainName);
    return resources.filter((lb) => LOAD_BALANCERS.includes(lb.type) && domains.includes(lb.outputs.dnsName));
}

export function connectSecurityGroups(g: GraphBuilder): void {
    const users = new Map<string, string[]>();
    for (const r of g.resources) {
        const who = r.type.endsWith("/launchTemplate:LaunchTemplate")
            ? g.ofType(ASG).filter((a) => templateOf(a, g.resources) === r)
            : [r];
        for (const sg of securityGroupsOf(r)) {
            const drawn = who.filter((u) => g.copies.has(u.urn)).map((u) => u.urn);
            users.set(sg, [...new Set([...(users.get(sg) ?? []), ...drawn])]);
        }
    }
    const groups = g.ofType("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    const keysFor = (sg: string): string[] => {
        const found = users.get(sg) ?? [];
        if (found.length > 0) {
            return found;
        }
        // Nothing in the stack uses it (yet): the group itself, or someone else's.
        const record = groups.find((r) => r.outputs.id === sg);
        if (!record) {
            return [g.special(sg, ["security group", sg, "(outside this stack)"], "group")];
        }
        if (!g.copies.has(record.urn)) {
            const lines = ["security group (unused)", record.name];
            g.add(record.name, { lines, kind: "group", where: { area: "outside" }, urn: record.urn }, record.urn);
        }
        return [record.urn];
    };

    const rules = ingressRules(g.resources);
    const listed = (s: Ingress["source"]) =>
        "cidr" in s && !isAnywhere(s.cidr) ? [s.cidr] : "prefixList" in s ? [`prefix list ${s.prefixList}`] : [];
    const allowed = [...new Set(rules.flatMap((rule) => listed(rule.source)))].sort();
    const distributions = g.ofType(DISTRIBUTION);
    const sourcesOf = (source: Ingress["source"], to: string): string[] => {
        if ("sg" in source) {
            return keysFor(source.sg);
        }
        if ("cidr" in source && isAnywhere(source.cidr)) {
            return [g.special(INTERNET, ["internet", "0.0.0.0/0"])];
        }
        const cloudFront = distributions.filter((d) => originsOf(d, g.resources).some((lb) => lb.urn === to));
        return "prefixList" in source && cloudFront.length > 0
            ? cloudFront.map((d) => d.urn)
            : [g.special(ALLOWED_CIDRS, [ALLOWED_CIDRS, ...allowed])];
    };

    const ports = new Map<string, Set<string>>();
    for (const rule of rules) {
        for (const to of keysFor(rule.target)) {
            for (const from of sourcesOf(rule.source, to)) {
                const key = JSON.stringify([from, to]);
                ports.set(key, new Set([...(ports.get(key) ?? []), rule.ports]));
            }
        }
    }
    for (const [key, set] of ports) {
        const [fromKey, toKey] = JSON.parse(key) as [string, string];
        const from = g.copies.get(fromKey) ?? [];
        const to = g.reachable.get(toKey) ?? g.copies.get(toKey) ?? [];
        // Between two groups drawn in several AZs, an arrow within each AZ says it without a thicket.
        const sameAz = from.flatMap((f) =>
            to.filter((t) => g.azOf(f) !== undefined && g.azOf(f) === g.azOf(t)).map((t) => [f, t]),
        );
        const all = from.flatMap((f) => to.map((t) => [f, t]));
        const pairs = from.length > 1 && to.length > 1 && sameAz.length > 0 ? sameAz : all;
        const label = [...set].sort(comparePorts).join(", ");
        pairs.forEach(([f, t]) => g.connect(f, t, "connect", label));
    }
}
