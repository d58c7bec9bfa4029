/**
 * Security group rules: what may reach what. Internet traffic only to the load balancer on
 * 80/443, SSH only through the bastion, and security groups written one way, with descriptions.
 * sg-no-public-ingress also checks each group and rule on its own before it is created, for what
 * needs no graph: a world CIDR on a port that is never public is wrong on any group.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { ofType } from "./lib/graph";
import { WebfleetPolicy, configOf, resourceRule, stackRule } from "./lib/rule";
import {
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
    STANDALONE_RULE_TYPES,
    standaloneGrants,
} from "./lib/securityGroups";
import { loadBalancerGroups, ownedBy, sourceIsOneOf, where } from "./lib/sgGraph";
import { reportAdvisory } from "./lib/report";
import {
    BEFORE_CREATE_REQUIREMENT,
    DEFAULT_PUBLIC_PORTS,
    checkCidrsBeforeCreate,
    worldOnPrivatePort,
} from "./lib/sgBeforeCreate";
import { T, subject } from "./lib/types";
import { entries, peek, text } from "./lib/values";

const SSH_PORT = 22;

const sgNoPublicIngress = stackRule({
    name: "sg-no-public-ingress",
    description:
        "Security groups accept no ingress from 0.0.0.0/0 or ::/0 (or any range wide enough to be most of the internet), except the load balancer's security group on the public ports (80 and 443).",
    severity: "critical",
    resources: [T.securityGroup, T.defaultSecurityGroup, T.securityGroupRule, T.ingressRule],
    checks: "No ingress from 0.0.0.0/0, ::/0 or prefixes shorter than /8 (IPv4) or /16 (IPv6), inline, legacy or standalone, except the ALB's group on tcp 80/443; world CIDRs on other ports are refused per resource before creation",
    equivalents: {
        cdkNag: ["AwsSolutions-EC23", "NIST.800.53.R5-EC2RestrictedCommonPorts", "NIST.800.53.R5-EC2RestrictedInbound"],
        checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"],
    },
    unknown: "violation",
    unknownNote:
        "Each group and rule is checked before creation on its real inputs: a known world CIDR is refused even next to unknown entries, sources or group IDs, and what is unknown is advisory at preview. In the graph, an inline list wholly unknown at preview counts as declared when it depends on other resources (the program built it from their outputs), as absent otherwise (the provider's computed list); an unknown CIDR on the load balancer's group is advisory (checked before creation); on any other group, or a rule whose group cannot be traced, it is a violation.",
    requirement: BEFORE_CREATE_REQUIREMENT,
    config: {
        publicPorts: {
            type: "array",
            items: { type: "integer", minimum: 1, maximum: 65535 },
            default: DEFAULT_PUBLIC_PORTS,
            description: "Ports the load balancer's group may open to the internet.",
        },
    },
    beforeCreate: [
        validateResourceOfType(aws.ec2.SecurityGroup, (_sg, args, report) => checkCidrsBeforeCreate(args, report)),
        validateResourceOfType(aws.ec2.DefaultSecurityGroup, (_sg, args, report) =>
            checkCidrsBeforeCreate(args, report),
        ),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (_r, args, report) => checkCidrsBeforeCreate(args, report)),
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (_r, args, report) =>
            checkCidrsBeforeCreate(args, report),
        ),
    ],
    validate: (args, report: ReportViolation) => {
        const { publicPorts } = configOf(args, { publicPorts: DEFAULT_PUBLIC_PORTS });
        const resources = args.resources;
        const albGroups = loadBalancerGroups(resources);
        const ports = publicPorts.join(" and ");
        for (const g of grants(resources, "ingress")) {
            if (g.sourceKind !== "cidr") {
                continue;
            }
            if (!g.source.known) {
                const text = `${where(g)} has an ingress source unknown during preview, so it cannot be ruled out that ${describePorts(g)} is open to the internet`;
                if (ownedBy(g, albGroups)) {
                    reportAdvisory(
                        report,
                        `${text}; it is checked on the real value before the rule is created (only ports ${ports} may be open to the internet)`,
                        g.declaredBy.urn,
                    );
                } else {
                    report(
                        `${text}; sources must be known at preview on groups other than the load balancer's (set cidrIpv4/cidrIpv6 to literal CIDRs or reference a security group)`,
                        g.declaredBy.urn,
                    );
                }
                continue;
            }
            const cidr = String(g.source.value);
            if (!isWorldCidr(cidr)) {
                continue;
            }
            const portsKnown = g.protocol.known && g.fromPort.known && g.toPort.known;
            if (portsKnown && worldOnPrivatePort(g, cidr, publicPorts)) {
                // Reported by the pre-creation check of the resource that declares it.
                continue;
            }
            const onAlb = ownedBy(g, albGroups);
            if (onAlb && publicPorts.some((p) => isExactlyTcpPort(g, p))) {
                continue;
            }
            if (g.owner.kind === "unresolved") {
                report(
                    `${where(g)} allows ${describePorts(g)} from ${cidr}, but its security group cannot be shown to be the load balancer's; only the load balancer's security group may accept internet traffic, on ports ${ports} (make securityGroupId traceable to the load balancer's group, or use a private CIDR)`,
                    g.declaredBy.urn,
                );
            } else if (onAlb) {
                report(
                    `${where(g)} allows ${describePorts(g)} from ${cidr}; the load balancer's security group may accept internet traffic only on tcp ports ${ports}, one port per rule (narrow the rule to those ports)`,
                    g.declaredBy.urn,
                );
            } else {
                report(
                    `${where(g)} allows ${describePorts(g)} from ${cidr}, ${internetScope(cidr)}; only the load balancer's security group may accept internet traffic, on ports ${ports} (reference a security group or a private CIDR instead)`,
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
    resources: [T.securityGroup, T.defaultSecurityGroup, T.securityGroupRule, T.ingressRule],
    checks: "Every ingress reaching tcp 22 references the bastion's group (tag webfleet:role=bastion); the bastion's own SSH sources are non-world CIDRs (optionally an allow-list); no CIDR or prefix list on 22 anywhere else",
    equivalents: { cdkNag: ["NIST.800.53.R5-EC2RestrictedSSH"], checkov: ["CKV_AWS_24"] },
    unknown: "violation",
    unknownNote:
        "References are followed by ID offline and through property dependencies in a real preview; a source or group that neither can place is a violation, as is an inline list wholly unknown at preview that depends on other resources (built from their outputs).",
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

const sgDescriptionRequired = resourceRule({
    name: "sg-description-required",
    description: "Security groups and their rules carry a description that says why they exist.",
    severity: "low",
    checks: "Security groups (not the default 'Managed by Pulumi'), inline entries and standalone rules have a description",
    equivalents: { cdkNag: ["AwsSolutions-EC27"], checkov: ["CKV_AWS_23"] },
    unknown: "advisory",
    requirement: "security groups and rules need a description (set description)",
    validate: [
        validateResourceOfType(aws.ec2.SecurityGroup, (sg, args, report) => {
            const description = sg.description;
            if (text(description).trim() === "" || description === "Managed by Pulumi") {
                report(
                    `${subject(args.type, args.name)} has ${description ? `the default description "${description}"` : "no description"}; security groups need a description that says what they admit (set description)`,
                );
            }
            for (const direction of ["ingress", "egress"] as const) {
                const missing = entries(sg[direction]).filter((e) => text(e.description).trim() === "").length;
                if (missing > 0) {
                    report(
                        `${subject(args.type, args.name)} has ${missing} inline ${direction} rule(s) without a description; every rule needs a description that says why it exists (set description on each entry)`,
                    );
                }
            }
        }),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, args, report) => {
            if (text(rule.description).trim() === "") {
                report(
                    `${subject(args.type, args.name)} has no description; every rule needs a description that says why it exists (set description)`,
                );
            }
        }),
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, args, report) => {
            if (text(rule.description).trim() === "") {
                report(
                    `${subject(args.type, args.name)} has no description; every rule needs a description that says why it exists (set description)`,
                );
            }
        }),
        validateResourceOfType(aws.vpc.SecurityGroupEgressRule, (rule, args, report) => {
            if (text(rule.description).trim() === "") {
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
    resources: [T.securityGroup, T.defaultSecurityGroup, T.securityGroupRule, T.ingressRule, T.egressRule],
    checks: "No group declares inline ingress/egress (an explicit [] included) while standalone rules target it",
    equivalents: {},
    unknown: "advisory",
    unknownNote:
        "A standalone rule whose group cannot be traced gets an advisory note; a wholly unknown inline list at preview counts as not declared (the provider's computed list) unless it depends on other resources: then the program built it from their outputs, and it is declared.",
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

export const securityGroupPolicies: WebfleetPolicy[] = [
    sgNoPublicIngress,
    sshOnlyFromBastion,
    sgDescriptionRequired,
    sgNoMixedRuleStyles,
];
