/**
 * Network rules: what may reach what. Internet traffic only to the load balancer on 80/443,
 * SSH only through the bastion, the database only from the app's security groups, the default
 * security group closed, flow logs on every VPC, and security groups written one way.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { identifiersOf, lineage, ofType, resolveRef } from "./lib/graph";
import { WebfleetPolicy, configOf, resourceRule, stackRule } from "./lib/rule";
import {
    Grant,
    STANDALONE_RULE_TYPES,
    SECURITY_GROUP_TYPES,
    describePorts,
    describeSource,
    grants,
    groupsWithRole,
    inlineGrants,
    internetScope,
    isExactlyTcpPort,
    isWorldCidr,
    ownerOf,
    reachesTcpPort,
    securityGroups,
    standaloneGrants,
} from "./lib/securityGroups";
import { reportAdvisory } from "./lib/report";
import { T, subject } from "./lib/types";
import { peek } from "./lib/values";

const SSH_PORT = 22;
const LB_TYPES = [T.lbLoadBalancer, T.albLoadBalancer];
const RDS_TYPES = [T.rdsInstance, T.rdsCluster];

/** "Security group ingress rule 'x' on security group 'web-sg'", or the group itself for inline rules. */
function where(g: Grant): string {
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

function ownedBy(g: Grant, groups: PolicyResource[]): boolean {
    const urns = new Set(groups.map((x) => x.urn));
    return g.owner.kind === "resolved" && g.owner.targets.every((t) => urns.has(t.urn));
}

function sourceIsOneOf(g: Grant, groups: PolicyResource[]): boolean {
    const urns = new Set(groups.map((x) => x.urn));
    return g.sourceGroup?.kind === "resolved" && g.sourceGroup.targets.every((t) => urns.has(t.urn));
}

/** Security groups attached to resources of `types` through list property `prop`. */
function groupsAttachedTo(resources: PolicyResource[], types: string[], prop: string): PolicyResource[] {
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

function unique(list: PolicyResource[]): PolicyResource[] {
    return [...new Map(list.map((r) => [r.urn, r])).values()];
}

const sgNoPublicIngress = stackRule({
    name: "sg-no-public-ingress",
    description:
        "Security groups accept no ingress from 0.0.0.0/0 or ::/0 (or any range wide enough to be most of the internet), except the load balancer's security group on the public ports (80 and 443).",
    severity: "critical",
    enforcementLevel: "mandatory",
    resources: [T.securityGroup, T.defaultSecurityGroup, T.securityGroupRule, T.ingressRule],
    checks: "No ingress from 0.0.0.0/0, ::/0 or prefixes shorter than /8 (IPv4) or /16 (IPv6), inline, legacy or standalone, except the ALB's group on tcp 80/443",
    equivalents: [
        "AwsSolutions-EC23",
        "CKV_AWS_24",
        "CKV_AWS_25",
        "CKV_AWS_260",
        "NIST.800.53.R5-EC2RestrictedCommonPorts",
    ],
    unknown: "violation",
    unknownNote:
        "An unknown CIDR, port or owning group is a violation; a group's wholly unknown `ingress` list at preview is the provider's computed list of a group without inline rules and is skipped.",
    config: {
        publicPorts: {
            type: "array",
            items: { type: "integer", minimum: 1, maximum: 65535 },
            default: [80, 443],
            description: "Ports the load balancer's group may open to the internet.",
        },
    },
    validate: (args, report: ReportViolation) => {
        const { publicPorts } = configOf(args, { publicPorts: [80, 443] as number[] });
        const resources = args.resources;
        const albGroups = unique([
            ...groupsWithRole(resources, "alb"),
            ...groupsAttachedTo(resources, LB_TYPES, "securityGroups"),
        ]);
        for (const g of grants(resources, "ingress")) {
            if (g.sourceKind !== "cidr") {
                continue;
            }
            if (!g.source.known) {
                report(
                    `${where(g)} has an ingress source unknown during preview, so it cannot be ruled out that ${describePorts(g)} is open to the internet; sources must be known at preview (set cidrIpv4/cidrIpv6 to literal CIDRs or reference a security group)`,
                    g.declaredBy.urn,
                );
                continue;
            }
            if (!isWorldCidr(String(g.source.value))) {
                continue;
            }
            const onAlb = ownedBy(g, albGroups);
            const publicPort = publicPorts.some((p) => isExactlyTcpPort(g, p));
            if (onAlb && publicPort) {
                continue;
            }
            const ports = publicPorts.join(" and ");
            if (g.owner.kind === "unresolved") {
                report(
                    `${where(g)} allows ${describePorts(g)} from ${g.source.value}, but its security group cannot be shown to be the load balancer's; only the load balancer's security group may accept internet traffic, on ports ${ports} (make securityGroupId traceable to the load balancer's group, or use a private CIDR)`,
                    g.declaredBy.urn,
                );
            } else if (onAlb) {
                report(
                    `${where(g)} allows ${describePorts(g)} from ${g.source.value}; the load balancer's security group may accept internet traffic only on tcp ports ${ports}, one port per rule (narrow the rule to those ports)`,
                    g.declaredBy.urn,
                );
            } else {
                report(
                    `${where(g)} allows ${describePorts(g)} from ${g.source.value}, ${internetScope(String(g.source.value))}; only the load balancer's security group may accept internet traffic, on ports ${ports} (reference a security group or a private CIDR instead)`,
                    g.declaredBy.urn,
                );
            }
        }
    },
});

const sshOnlyFromBastion = stackRule({
    name: "ssh-only-from-bastion",
    description:
        "SSH (port 22) reaches a security group only from the bastion's security group, and the bastion's group accepts SSH only from the configured CIDRs, never from the internet.",
    severity: "critical",
    enforcementLevel: "mandatory",
    resources: [T.securityGroup, T.defaultSecurityGroup, T.securityGroupRule, T.ingressRule],
    checks: "Every ingress reaching tcp 22 references the bastion's group (tag webfleet:role=bastion); the bastion's own SSH sources are non-world CIDRs (optionally an allow-list); no CIDR or prefix list on 22 anywhere else",
    equivalents: ["NIST.800.53.R5-EC2RestrictedSSH", "CKV_AWS_24"],
    unknown: "violation",
    unknownNote:
        "References are followed by ID offline and through property dependencies in a real preview; a source or group that neither can place is a violation.",
    config: {
        bastionAllowedCidrs: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: [],
            description:
                "When non-empty, the only CIDRs (or prefix lists) the bastion may accept SSH from; empty accepts any CIDR that is not world-open.",
        },
    },
    validate: (args, report: ReportViolation) => {
        const { bastionAllowedCidrs } = configOf(args, { bastionAllowedCidrs: [] as string[] });
        const resources = args.resources;
        const bastion = groupsWithRole(resources, "bastion");
        for (const g of grants(resources, "ingress")) {
            if (!reachesTcpPort(g, SSH_PORT)) {
                continue;
            }
            const portsKnown = g.protocol.known && g.fromPort.known && g.toPort.known;
            const what = isExactlyTcpPort(g, SSH_PORT)
                ? "SSH (tcp port 22)"
                : portsKnown
                  ? `${describePorts(g)}, which includes SSH port 22,`
                  : "ports unknown during preview, possibly SSH port 22,";
            const src = describeSource(g);
            if (bastion.length > 0 && ownedBy(g, bastion)) {
                if (g.sourceKind === "cidr" && g.source.known && isWorldCidr(String(g.source.value))) {
                    report(
                        `${where(g)} allows ${what} to the bastion from ${src}, ${internetScope(String(g.source.value))}; the bastion accepts SSH only from the configured CIDRs (list your office or VPN ranges, or none and use SSM Session Manager)`,
                        g.declaredBy.urn,
                    );
                } else if (!g.source.known) {
                    report(
                        `${where(g)} allows ${what} to the bastion from a source unknown during preview, so it cannot be verified; the bastion accepts SSH only from the configured CIDRs (set the CIDR as a literal value)`,
                        g.declaredBy.urn,
                    );
                } else if (g.sourceKind === "securityGroup" || g.sourceKind === "self") {
                    report(
                        `${where(g)} allows ${what} to the bastion from ${src}; the bastion accepts SSH only from the configured CIDRs (remove the security group source)`,
                        g.declaredBy.urn,
                    );
                } else if (bastionAllowedCidrs.length > 0 && !bastionAllowedCidrs.includes(String(g.source.value))) {
                    report(
                        `${where(g)} allows ${what} to the bastion from ${src}, which is not in bastionAllowedCidrs (${bastionAllowedCidrs.join(", ")}); the bastion accepts SSH only from the configured CIDRs (use a listed range or add it to the stack's policy config)`,
                        g.declaredBy.urn,
                    );
                }
                continue;
            }
            if (g.sourceKind === "securityGroup" && bastion.length > 0 && sourceIsOneOf(g, bastion)) {
                continue;
            }
            const fix =
                "SSH must come only through the bastion (use the bastion's security group, tagged webfleet:role=bastion, as the only source)";
            if (!g.source.known || (g.sourceKind === "securityGroup" && g.sourceGroup?.kind === "unresolved")) {
                report(
                    `${where(g)} allows ${what} from a source unknown during preview that cannot be traced to the bastion's security group; ${fix}`,
                    g.declaredBy.urn,
                );
            } else if (g.sourceKind === "securityGroup" || g.sourceKind === "self") {
                const noBastion =
                    bastion.length === 0 ? " (the stack has no security group tagged webfleet:role=bastion)" : "";
                report(
                    `${where(g)} allows ${what} from ${src}, which is not the bastion's security group${noBastion}; ${fix}`,
                    g.declaredBy.urn,
                );
            } else {
                report(`${where(g)} allows ${what} from ${src}; ${fix}, never a CIDR or prefix list`, g.declaredBy.urn);
            }
        }
    },
});

const dbSgNoCidrIngress = stackRule({
    name: "db-sg-no-cidr-ingress",
    description:
        "Database security groups accept connections only from other security groups, never from a CIDR or prefix list.",
    severity: "high",
    enforcementLevel: "mandatory",
    resources: [T.securityGroup, T.securityGroupRule, T.ingressRule, T.rdsInstance, T.rdsCluster],
    checks: "Groups tagged webfleet:role=database or attached to an RDS instance/cluster have only security-group sources",
    equivalents: [],
    unknown: "violation",
    validate: (args, report: ReportViolation) => {
        const resources = args.resources;
        const dbGroups = unique([
            ...groupsWithRole(resources, "database"),
            ...groupsAttachedTo(resources, RDS_TYPES, "vpcSecurityGroupIds"),
        ]);
        if (dbGroups.length === 0) {
            return;
        }
        for (const g of grants(resources, "ingress")) {
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

const sgDescriptionRequired = resourceRule({
    name: "sg-description-required",
    description: "Security groups and their rules carry a description that says why they exist.",
    severity: "low",
    enforcementLevel: "advisory",
    checks: "Security groups (not the default 'Managed by Pulumi'), inline entries and standalone rules have a description",
    equivalents: ["AwsSolutions-EC27", "CKV_AWS_23"],
    unknown: "advisory",
    requirement: "security groups and rules need a description (set description)",
    validate: [
        validateResourceOfType(aws.ec2.SecurityGroup, (sg, args, report) => {
            const description = sg.description;
            if (!description || description.trim() === "" || description === "Managed by Pulumi") {
                report(
                    `${subject(args.type, args.name)} has ${description ? `the default description "${description}"` : "no description"}; security groups need a description that says what they admit (set description)`,
                );
            }
            for (const direction of ["ingress", "egress"] as const) {
                const entries = sg[direction] ?? [];
                const missing = entries.filter((e) => !e.description || e.description.trim() === "").length;
                if (missing > 0) {
                    report(
                        `${subject(args.type, args.name)} has ${missing} inline ${direction} rule(s) without a description; every rule needs a description that says why it exists (set description on each entry)`,
                    );
                }
            }
        }),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, args, report) => {
            if (!rule.description || rule.description.trim() === "") {
                report(
                    `${subject(args.type, args.name)} has no description; every rule needs a description that says why it exists (set description)`,
                );
            }
        }),
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, args, report) => {
            if (!rule.description || rule.description.trim() === "") {
                report(
                    `${subject(args.type, args.name)} has no description; every rule needs a description that says why it exists (set description)`,
                );
            }
        }),
        validateResourceOfType(aws.vpc.SecurityGroupEgressRule, (rule, args, report) => {
            if (!rule.description || rule.description.trim() === "") {
                report(
                    `${subject(args.type, args.name)} has no description; every rule needs a description that says why it exists (set description)`,
                );
            }
        }),
    ],
});

const sgNoMixedRuleStyles = stackRule({
    name: "sg-no-mixed-rule-styles",
    description:
        "A security group's rules are either all inline or all standalone resources, because the provider manages an inline list as the whole rule set and removes the other rules.",
    severity: "medium",
    enforcementLevel: "mandatory",
    resources: [T.securityGroup, T.defaultSecurityGroup, T.securityGroupRule, T.ingressRule, T.egressRule],
    checks: "No group declares inline ingress/egress (an explicit [] included) while standalone rules target it",
    equivalents: [],
    unknown: "advisory",
    unknownNote:
        "A standalone rule whose group cannot be traced gets an advisory note; a wholly unknown inline list at preview is the provider's computed list and counts as not declared.",
    validate: (args, report: ReportViolation) => {
        const resources = args.resources;
        const groups = securityGroups(resources);
        const standaloneRules = ofType(resources, ...STANDALONE_RULE_TYPES);
        const standalone = {
            ingress: standaloneGrants(resources, "ingress"),
            egress: standaloneGrants(resources, "egress"),
        };
        for (const r of standaloneRules) {
            if (ownerOf(r, groups).kind === "unresolved") {
                reportAdvisory(
                    report,
                    `${subject(r.type, r.name)} has a securityGroupId unknown during preview that cannot be traced to a group of the stack, so its group cannot be checked for inline rules; a group's rules must be all standalone (make securityGroupId traceable, e.g. securityGroupId: group.id)`,
                    r.urn,
                );
            }
        }
        for (const sg of groups) {
            const attached = standaloneRules.filter((r) => {
                const owner = ownerOf(r, groups);
                return owner.kind === "resolved" && owner.targets.some((t) => t.urn === sg.urn);
            });
            if (attached.length === 0) {
                continue;
            }
            const inlineParts: string[] = [];
            for (const direction of ["ingress", "egress"] as const) {
                const inline = inlineGrants(sg, direction, resources, standalone[direction]);
                if (inline === undefined) {
                    continue;
                }
                const declared = peek<unknown[]>(sg.props, direction);
                const empty = declared.known && Array.isArray(declared.value) && declared.value.length === 0;
                const sameDirection = standalone[direction].some(
                    (g) => g.owner.kind === "resolved" && g.owner.targets.some((t) => t.urn === sg.urn),
                );
                if (inline.length > 0) {
                    inlineParts.push(`inline ${direction} rules`);
                } else if (empty && sameDirection) {
                    inlineParts.push(`an explicit empty ${direction} list`);
                }
            }
            if (inlineParts.length > 0) {
                report(
                    `${subject(sg.type, sg.name)} declares ${inlineParts.join(" and ")} and also has standalone rule(s) ${attached.map((r) => `'${r.name}'`).join(", ")}; the provider treats the inline list as the whole rule set and removes the others on the next update (use standalone aws.vpc.SecurityGroupIngressRule/EgressRule resources only and drop the inline lists)`,
                    sg.urn,
                );
            }
        }
    },
});

interface VpcGroup {
    /** The resource reported on: the awsx:ec2:Vpc component, or a standalone aws:ec2/vpc:Vpc. */
    head: PolicyResource;
    members: PolicyResource[];
}

/** Logical VPCs: an awsx:ec2:Vpc with its aws:ec2/vpc:Vpc child (a real preview) is one. */
export function vpcGroups(resources: PolicyResource[]): VpcGroup[] {
    const groups: VpcGroup[] = ofType(resources, T.awsxVpc).map((head) => ({ head, members: [head] }));
    for (const vpc of ofType(resources, T.vpc)) {
        const owner = groups.find((g) => lineage(vpc).some((a) => a.urn === g.head.urn));
        if (owner) {
            owner.members.push(vpc);
        } else {
            groups.push({ head: vpc, members: [vpc] });
        }
    }
    return groups;
}

function covers(r: PolicyResource, group: VpcGroup): boolean {
    const res = resolveRef(r, "vpcId", group.members);
    return res.kind === "resolved";
}

const defaultSgClosed = stackRule({
    name: "default-sg-closed",
    description:
        "Every VPC's default security group is adopted by the stack and has no rules, so nothing launched without an explicit group gets AWS's allow-all default.",
    severity: "high",
    enforcementLevel: "mandatory",
    resources: [T.vpc, T.awsxVpc, T.defaultSecurityGroup, T.securityGroupRule, T.ingressRule, T.egressRule],
    checks: "Each VPC (aws.ec2.Vpc or awsx:ec2:Vpc) has an aws.ec2.DefaultSecurityGroup with no inline or standalone rules",
    equivalents: ["CKV2_AWS_12", "NIST.800.53.R5-VPCDefaultSecurityGroupClosed"],
    unknown: "violation",
    unknownNote:
        "A default group whose vpcId cannot be traced covers no VPC (the VPC is reported); its wholly unknown rule list at preview counts as empty (adoption removes every rule AWS had).",
    validate: (args, report: ReportViolation) => {
        const resources = args.resources;
        const defaults = ofType(resources, T.defaultSecurityGroup);
        for (const sg of defaults) {
            for (const direction of ["ingress", "egress"] as const) {
                const entries = peek<unknown[]>(sg.props, direction);
                if (entries.known && Array.isArray(entries.value) && entries.value.length > 0) {
                    report(
                        `${subject(sg.type, sg.name)} has ${entries.value.length} ${direction} rule(s); the default security group must stay closed (set ${direction}: [] and give resources their own security groups)`,
                        sg.urn,
                    );
                }
            }
        }
        for (const rule of ofType(resources, ...STANDALONE_RULE_TYPES)) {
            const owner = ownerOf(rule, defaults);
            if (owner.kind === "resolved") {
                report(
                    `${subject(rule.type, rule.name)} adds a rule to the default security group '${owner.targets[0].name}'; the default security group must stay closed (attach the rule to a purpose-made security group)`,
                    rule.urn,
                );
            }
        }
        const untraced = defaults.filter((d) => resolveRef(d, "vpcId", []).kind === "unresolved");
        const note =
            untraced.length > 0
                ? ` (default security group(s) ${untraced.map((d) => `'${d.name}'`).join(", ")} could not be traced to a VPC during preview)`
                : "";
        for (const vpc of vpcGroups(resources)) {
            if (!defaults.some((d) => covers(d, vpc))) {
                report(
                    `${subject(vpc.head.type, vpc.head.name)} has no aws.ec2.DefaultSecurityGroup in the stack${note}, so its default security group keeps AWS's allow-all rules; adopt it with no rules (new aws.ec2.DefaultSecurityGroup with vpcId set to this VPC, ingress: [] and egress: [])`,
                    vpc.head.urn,
                );
            }
        }
    },
});

const vpcFlowLogsEnabled = stackRule({
    name: "vpc-flow-logs-enabled",
    description: "Every VPC has a flow log recording all traffic, so incidents can be investigated.",
    severity: "medium",
    enforcementLevel: "mandatory",
    resources: [T.vpc, T.awsxVpc, T.flowLog],
    checks: "Each VPC (aws.ec2.Vpc or awsx:ec2:Vpc) is covered by an aws.ec2.FlowLog whose vpcId matches (by ID, or through property dependencies at preview) with an allowed trafficType",
    equivalents: ["AwsSolutions-VPC7", "CKV2_AWS_11", "NIST.800.53.R5-VPCFlowLogsEnabled"],
    unknown: "violation",
    unknownNote:
        "A flow log whose vpcId is unknown and has no property dependency covers nothing; an unknown trafficType is a violation.",
    config: {
        trafficTypes: {
            type: "array",
            items: { type: "string", enum: ["ALL", "ACCEPT", "REJECT"] },
            minItems: 1,
            default: ["ALL"],
            description: "Accepted flow log traffic types.",
        },
    },
    validate: (args, report: ReportViolation) => {
        const { trafficTypes } = configOf(args, { trafficTypes: ["ALL"] as string[] });
        const resources = args.resources;
        const flowLogs = ofType(resources, T.flowLog);
        for (const vpc of vpcGroups(resources)) {
            const covering = flowLogs.filter((f) => covers(f, vpc));
            if (covering.length === 0) {
                const untraced = flowLogs.filter((f) => resolveRef(f, "vpcId", []).kind === "unresolved");
                const note =
                    untraced.length > 0
                        ? ` (flow log(s) ${untraced.map((f) => `'${f.name}'`).join(", ")} could not be traced to a VPC during preview)`
                        : "";
                report(
                    `${subject(vpc.head.type, vpc.head.name)} has no flow log${note}; every VPC's traffic must be recorded for incident response (add an aws.ec2.FlowLog with vpcId set to this VPC and trafficType "${trafficTypes[0]}")`,
                    vpc.head.urn,
                );
                continue;
            }
            const types = covering.map((f) => ({ f, t: peek<string>(f.props, "trafficType") }));
            if (types.some(({ t }) => t.known && typeof t.value === "string" && trafficTypes.includes(t.value))) {
                continue;
            }
            const unknown = types.find(({ t }) => !t.known);
            if (unknown) {
                report(
                    `${subject(unknown.f.type, unknown.f.name)} has a trafficType unknown during preview, so the flow logs of ${subject(vpc.head.type, vpc.head.name)} cannot be verified; flow logs must record ${trafficTypes.join(" or ")} traffic (set trafficType to a literal value)`,
                    unknown.f.urn,
                );
            } else {
                const got = types
                    .map(({ f, t }) => `'${f.name}' (${t.known ? String(t.value ?? "unset") : "unknown"})`)
                    .join(", ");
                report(
                    `${subject(vpc.head.type, vpc.head.name)} is covered only by flow log(s) ${got}; flow logs must record ${trafficTypes.join(" or ")} traffic (set trafficType: "${trafficTypes[0]}")`,
                    vpc.head.urn,
                );
            }
        }
    },
});

export const networkPolicies: WebfleetPolicy[] = [
    sgNoPublicIngress,
    sshOnlyFromBastion,
    dbSgNoCidrIngress,
    sgDescriptionRequired,
    sgNoMixedRuleStyles,
    defaultSgClosed,
    vpcFlowLogsEnabled,
];
