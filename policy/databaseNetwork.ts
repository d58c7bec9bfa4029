/**
 * Who may reach the database, and where it may reach: only the app's and the migration
 * function's security groups get in (never a CIDR, never any other group), and the database's
 * own group sends nothing to the internet. Plus the hygiene rule for every group: no egress of
 * all traffic to the whole internet.
 */
import { PolicyResource, ReportViolation } from "@pulumi/policy";
import { ofType } from "./lib/graph";
import { reportAdvisory } from "./lib/report";
import { WebfleetPolicy, configOf, stackRule } from "./lib/rule";
import { describePorts, describeSource, Grant, grants, isWorldCidr, normalizeProtocol } from "./lib/securityGroups";
import {
    COMPUTE_GROUP_PATHS,
    databaseGroups,
    groupsAt,
    loadBalancerGroups,
    ownedBy,
    proxyGroups,
    uniqueResources,
    where,
} from "./lib/sgGraph";
import { T } from "./lib/types";
import { ROLE_TAG, roleOf } from "./lib/values";

const dbSgNoCidrIngress = stackRule({
    name: "db-sg-no-cidr-ingress",
    description:
        "Database security groups accept connections only from other security groups, never from a CIDR or prefix list.",
    severity: "high",
    resources: [T.securityGroup, T.securityGroupRule, T.ingressRule, T.rdsInstance, T.rdsCluster, T.rdsProxy],
    checks: "Groups tagged webfleet:role=database or attached to an RDS instance/cluster or RDS proxy have only security-group sources",
    equivalents: { cdkNag: ["AwsSolutions-RDS8"] },
    unknown: "violation",
    validate: (args, report: ReportViolation) => {
        const dbGroups = uniqueResources([...databaseGroups(args.resources), ...proxyGroups(args.resources)]);
        if (dbGroups.length === 0) {
            return;
        }
        for (const g of grants(args.resources, "ingress")) {
            if (!ownedBy(g, dbGroups) || g.sourceKind === "securityGroup" || g.sourceKind === "self") {
                continue;
            }
            const src = g.source.known ? describeSource(g) : "a source unknown during preview";
            report(
                `${where(g)} admits ${describePorts(g)} from ${src} into the database's security group; the database accepts connections only from the app's security groups (reference the web or migrations security group instead of a CIDR)`,
                g.declaredBy.urn,
            );
        }
    },
});

/** Groups that compute of the stack runs in (launch templates, instances, Lambda, ECS services). */
function computeGroups(resources: PolicyResource[]): Set<string> {
    const urns = new Set<string>();
    for (const [type, path] of COMPUTE_GROUP_PATHS) {
        for (const g of groupsAt(resources, ofType(resources, type), path)) {
            urns.add(g.urn);
        }
    }
    return urns;
}

/** Why a source group may not reach the database, or undefined when it is an allowed client. */
function refusal(
    source: PolicyResource,
    allowedRoles: string[],
    compute: Set<string>,
    albGroups: PolicyResource[],
    dbGroups: PolicyResource[],
    proxies: PolicyResource[],
): string | undefined {
    // The database's RDS proxy connects on its clients' behalf; whom the proxy admits is held to
    // this same rule (its groups are judged as the database's).
    if (proxies.some((p) => p.urn === source.urn) && !dbGroups.some((d) => d.urn === source.urn)) {
        return undefined;
    }
    if (dbGroups.some((d) => d.urn === source.urn)) {
        return `its own security group '${source.name}'`;
    }
    const role = roleOf(source.props);
    if (role !== undefined) {
        return allowedRoles.includes(role) ? undefined : `security group '${source.name}' (${ROLE_TAG}=${role})`;
    }
    if (albGroups.some((a) => a.urn === source.urn)) {
        return `the load balancer's security group '${source.name}'`;
    }
    return compute.has(source.urn)
        ? undefined
        : `security group '${source.name}', which no app server or function of the stack runs in`;
}

const dbSgAllowedSources = stackRule({
    name: "db-sg-allowed-sources",
    description:
        "The database accepts connections only from an allow-list of security groups (the app servers' and the migration function's), not from any group.",
    severity: "high",
    resources: [T.securityGroup, T.securityGroupRule, T.ingressRule, T.rdsInstance, T.rdsCluster, T.rdsProxy],
    checks: "Every security-group source of a database group (or of its RDS proxy's group) is tagged with a role in allowedSourceRoles (default web, migrations), is untagged and attached to the stack's compute (launch template, instance, Lambda, ECS service) and not to a load balancer, or is the group of the stack's RDS proxy in front of the database; never self, the load balancer's, the bastion's, or a group outside the stack",
    equivalents: { checkov: ["CKV2_AWS_5"] },
    unknown: "violation",
    unknownNote:
        "A source group that cannot be traced by ID or property dependency cannot be shown to be an allowed client, so it is a violation.",
    config: {
        allowedSourceRoles: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: ["web", "migrations"],
            description: "webfleet:role tags of the security groups that may reach the database.",
        },
    },
    validate: (args, report: ReportViolation) => {
        const { allowedSourceRoles } = configOf(args, { allowedSourceRoles: ["web", "migrations"] as string[] });
        const resources = args.resources;
        const dbGroups = databaseGroups(resources);
        const proxies = proxyGroups(resources);
        const guarded = uniqueResources([...dbGroups, ...proxies]);
        if (guarded.length === 0) {
            return;
        }
        const compute = computeGroups(resources);
        const albGroups = loadBalancerGroups(resources);
        const fix = `only the app's and the migration function's security groups may reach the database (reference a group tagged ${ROLE_TAG} = ${allowedSourceRoles.join(" or ")})`;
        for (const g of grants(resources, "ingress")) {
            if (!ownedBy(g, guarded) || (g.sourceKind !== "securityGroup" && g.sourceKind !== "self")) {
                continue;
            }
            const sg = g.sourceGroup;
            if (g.sourceKind === "self") {
                report(
                    `${where(g)} admits ${describePorts(g)} from the database's own group (self); ${fix}`,
                    g.declaredBy.urn,
                );
            } else if (!sg || sg.kind === "unresolved" || sg.kind === "absent") {
                report(
                    `${where(g)} admits ${describePorts(g)} from a security group unknown during preview that cannot be traced; ${fix}`,
                    g.declaredBy.urn,
                );
            } else if (sg.kind === "external") {
                report(
                    `${where(g)} admits ${describePorts(g)} from security group ${sg.value}, which is not in this stack; ${fix}`,
                    g.declaredBy.urn,
                );
            } else {
                for (const source of sg.targets) {
                    const why = refusal(source, allowedSourceRoles, compute, albGroups, dbGroups, proxies);
                    if (why) {
                        report(`${where(g)} admits ${describePorts(g)} from ${why}; ${fix}`, g.declaredBy.urn);
                    }
                }
            }
        }
    },
});

/**
 * Every protocol and port, or every port of TCP/UDP; "unknown" when the protocol or a port is
 * unknown during preview and the rest does not already decide it.
 */
function allPorts(g: Pick<Grant, "protocol" | "fromPort" | "toPort">): boolean | "unknown" {
    if (!g.protocol.known) {
        return "unknown";
    }
    const p = normalizeProtocol(g.protocol.value);
    if (p === "-1") {
        return true;
    }
    if (!g.fromPort.known || !g.toPort.known) {
        return "unknown";
    }
    return (g.fromPort.value ?? 0) <= 0 && (g.toPort.value ?? 65535) >= 65535;
}

function worldEgress(g: Grant): boolean {
    return g.sourceKind === "cidr" && (!g.source.known || isWorldCidr(String(g.source.value)));
}

const dbSgNoOpenEgress = stackRule({
    name: "db-sg-no-open-egress",
    description:
        "The database's security group sends nothing to the internet, so a compromised database has no way out.",
    severity: "high",
    resources: [T.securityGroup, T.securityGroupRule, T.egressRule, T.rdsInstance, T.rdsCluster],
    checks: "Database groups (tagged or attached to RDS) have no egress to 0.0.0.0/0, ::/0 or another world-wide range, and no all-traffic egress to anything",
    equivalents: { checkov: ["CKV_AWS_382"] },
    unknown: "violation",
    validate: (args, report: ReportViolation) => {
        const dbGroups = databaseGroups(args.resources);
        for (const g of grants(args.resources, "egress")) {
            if (!ownedBy(g, dbGroups)) {
                continue;
            }
            // Ports unknown at preview may be every port: that cannot be shown not to be.
            if (worldEgress(g) || allPorts(g) !== false) {
                const dest = g.source.known ? describeSource(g) : "a destination unknown during preview";
                report(
                    `${where(g)} lets the database send ${describePorts(g)} to ${dest}; a database answers its clients and needs no egress rule (remove the egress rule; security groups are stateful, so replies need none)`,
                    g.declaredBy.urn,
                );
            }
        }
    },
});

const sgNoAllTrafficEgress = stackRule({
    name: "sg-no-all-traffic-egress",
    description:
        "No security group allows all traffic on every port out to the whole internet; egress names the ports it needs.",
    severity: "low",
    resources: [T.securityGroup, T.securityGroupRule, T.egressRule],
    checks: "No egress with protocol -1 (or every port) to 0.0.0.0/0 or ::/0",
    equivalents: { checkov: ["CKV_AWS_382"], cdkNag: ["NIST.800.53.R5-EC2RestrictedCommonPorts"] },
    unknown: "advisory",
    validate: (args, report: ReportViolation) => {
        const dbGroups = databaseGroups(args.resources);
        for (const g of grants(args.resources, "egress")) {
            // The database's groups are db-sg-no-open-egress's, at a higher severity.
            const every = allPorts(g);
            if (ownedBy(g, dbGroups) || g.sourceKind !== "cidr" || every === false) {
                continue;
            }
            if (every === "unknown" && (!g.source.known || isWorldCidr(String(g.source.value)))) {
                const dest = g.source.known ? String(g.source.value) : "a destination unknown during preview";
                reportAdvisory(
                    report,
                    `${where(g)} allows ports unknown during preview out to ${dest}, so it cannot be verified yet; egress should name the ports it needs`,
                    g.declaredBy.urn,
                );
            } else if (every === "unknown") {
                continue;
            } else if (!g.source.known) {
                reportAdvisory(
                    report,
                    `${where(g)} allows ${describePorts(g)} out to a destination unknown during preview, so it cannot be verified yet; egress should name the ports it needs`,
                    g.declaredBy.urn,
                );
            } else if (isWorldCidr(String(g.source.value))) {
                report(
                    `${where(g)} allows ${describePorts(g)} out to ${String(g.source.value)}; egress should name the ports it needs, e.g. tcp 443 for AWS APIs and package repositories (replace the rule with per-port rules)`,
                    g.declaredBy.urn,
                );
            }
        }
    },
});

export const databaseNetworkPolicies: WebfleetPolicy[] = [
    dbSgNoCidrIngress,
    dbSgAllowedSources,
    dbSgNoOpenEgress,
    sgNoAllTrafficEgress,
];
