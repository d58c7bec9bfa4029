import { T } from "../../policy/lib/types";
import { ALB, BASTION, DB, WEB, egressRule, groups, ingressRule, legacyRule, sg, withComputed } from "./builders";
import { StackCase, ResourceCase, UNKNOWN, UNKNOWN_ARRAY, UNKNOWN_NUMBER, describeRule } from "./helpers";

/** What the pre-creation check says about a world CIDR on a port that is never public. */
const BEFORE_CREATE =
    "internet traffic may reach only the load balancer's security group, and only on tcp ports 80 and 443, one port per rule (reference a security group or a private CIDR instead)";

const ANYWHERE =
    "the whole internet; only the load balancer's security group may accept internet traffic, on ports 80 and 443 (reference a security group or a private CIDR instead)";

describe("policy: network", () => {
    describeRule<StackCase>("sg-no-public-ingress", {
        compliant: [
            {
                title: "the ALB's group takes 80 and 443 from anywhere, everything else by reference",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule("alb-http", ALB, 80, { cidrIpv4: "0.0.0.0/0" }),
                        ingressRule("alb-https", ALB, 443, { cidrIpv4: "0.0.0.0/0" }),
                        ingressRule("alb-https-v6", ALB, 443, { cidrIpv6: "::/0" }),
                        ingressRule(
                            "web-from-alb",
                            WEB,
                            8080,
                            { referencedSecurityGroupId: ALB[1] },
                            { sourceDep: ALB[0] },
                        ),
                    ],
                },
            },
            {
                title: "an untagged group attached to a load balancer is the load balancer's",
                case: {
                    resources: [
                        sg("lb-sg", "sg-0ff1"),
                        { type: T.lbLoadBalancer, name: "lb", props: { securityGroups: ["sg-0ff1"] } },
                        ingressRule("lb-https", ["lb-sg", "sg-0ff1"], 443, { cidrIpv4: "0.0.0.0/0" }),
                    ],
                },
            },
            {
                title: "real preview: a source group unknown at preview is a reference, not an internet source",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule(
                            "web-from-alb",
                            [WEB[0], UNKNOWN],
                            8080,
                            { referencedSecurityGroupId: UNKNOWN },
                            { sourceDep: ALB[0] },
                        ),
                    ],
                },
            },
            {
                title: "real preview: IDs unknown, the rule traced to the ALB's group through property dependencies",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule("alb-https", [ALB[0], UNKNOWN], 443, { cidrIpv4: "0.0.0.0/0" }),
                    ],
                },
            },
            {
                title: "private and narrow public CIDRs",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule("web-from-vpc", WEB, 8080, { cidrIpv4: "10.0.0.0/8" }),
                        ingressRule("web-from-partner", WEB, 8443, { cidrIpv4: "198.51.100.0/24" }),
                        ingressRule("web-v6", WEB, 8080, { cidrIpv6: "2001:db8::/32" }),
                    ],
                },
            },
            {
                title: "a group's computed ingress list at preview",
                case: { resources: [withComputed(sg("web-sg", UNKNOWN, "web"), { ingress: UNKNOWN_ARRAY })] },
            },
        ],
        violations: [
            {
                title: "SSH from 0.0.0.0/0 on the web servers' group",
                case: { resources: [...groups(), ingressRule("ssh-world", WEB, 22, { cidrIpv4: "0.0.0.0/0" })] },
                messages: [
                    `Security group ingress rule 'ssh-world' allows tcp port 22 from 0.0.0.0/0, the whole internet; ${BEFORE_CREATE}`,
                ],
            },
            {
                title: "the ALB's group on another port from ::/0",
                case: { resources: [...groups(), ingressRule("alb-8080", ALB, 8080, { cidrIpv6: "::/0" })] },
                messages: [
                    `Security group ingress rule 'alb-8080' allows tcp port 8080 from ::/0, the whole internet; ${BEFORE_CREATE}`,
                ],
            },
            {
                title: "the ALB's group on a port range spanning 80 to 443",
                case: { resources: [...groups(), ingressRule("alb-range", ALB, [80, 443], { cidrIpv4: "0.0.0.0/0" })] },
                messages: [
                    `Security group ingress rule 'alb-range' allows tcp ports 80-443 from 0.0.0.0/0, the whole internet; ${BEFORE_CREATE}`,
                ],
            },
            {
                title: "an inline ingress entry on a security group",
                case: {
                    resources: [
                        sg("legacy-sg", "sg-0ee1", "web", {
                            ingress: [
                                {
                                    protocol: "tcp",
                                    fromPort: 3389,
                                    toPort: 3389,
                                    cidrBlocks: ["0.0.0.0/0"],
                                    description: "rdp",
                                },
                            ],
                        }),
                    ],
                },
                messages: [
                    `Security group 'legacy-sg' (inline ingress[0]) allows tcp port 3389 from 0.0.0.0/0, the whole internet; ${BEFORE_CREATE}`,
                ],
            },
            {
                title: "a legacy aws.ec2.SecurityGroupRule opening all traffic",
                case: {
                    resources: [
                        ...groups(),
                        legacyRule("open-all", WEB, "ingress", 0, { protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }),
                    ],
                },
                messages: [
                    `Security group rule 'open-all' allows all traffic from 0.0.0.0/0, the whole internet; ${BEFORE_CREATE}`,
                ],
            },
            {
                title: "a group managed outside the stack",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule(
                            "elsewhere",
                            ["none", "sg-0elsewhere"],
                            443,
                            { cidrIpv4: "0.0.0.0/0" },
                            { ownerDep: false },
                        ),
                    ],
                },
                messages: [
                    `Security group ingress rule 'elsewhere' on security group sg-0elsewhere (not in this stack) allows tcp port 443 from 0.0.0.0/0, ${ANYWHERE}`,
                ],
            },
            {
                title: "a group that cannot be traced at preview",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule("untraced", ["none", UNKNOWN], 443, { cidrIpv4: "0.0.0.0/0" }, { ownerDep: false }),
                    ],
                },
                messages: [
                    "Security group ingress rule 'untraced' on a security group unknown during preview allows tcp port 443 from 0.0.0.0/0, but its security group cannot be shown to be the load balancer's; only the load balancer's security group may accept internet traffic, on ports 80 and 443 (make securityGroupId traceable to the load balancer's group, or use a private CIDR)",
                ],
            },
            {
                title: "0.0.0.0/0 split into halves",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule("half-1", WEB, 8080, { cidrIpv4: "0.0.0.0/1" }),
                        ingressRule("half-2", WEB, 8080, { cidrIpv4: "128.0.0.0/1" }),
                    ],
                },
                messages: [
                    `Security group ingress rule 'half-1' allows tcp port 8080 from 0.0.0.0/1, a large part of the internet; ${BEFORE_CREATE}`,
                    `Security group ingress rule 'half-2' allows tcp port 8080 from 128.0.0.0/1, a large part of the internet; ${BEFORE_CREATE}`,
                ],
            },
            {
                title: "all global IPv6 unicast (2000::/3)",
                case: { resources: [...groups(), ingressRule("v6-wide", WEB, 8080, { cidrIpv6: "2000::/3" })] },
                messages: [
                    `Security group ingress rule 'v6-wide' allows tcp port 8080 from 2000::/3, a large part of the internet; ${BEFORE_CREATE}`,
                ],
            },
            {
                title: "publicPorts narrowed to 443 by config",
                case: {
                    resources: [...groups(), ingressRule("alb-http", ALB, 80, { cidrIpv4: "0.0.0.0/0" })],
                    config: { publicPorts: [443] },
                },
                messages: [
                    "Security group ingress rule 'alb-http' allows tcp port 80 from 0.0.0.0/0, the whole internet; internet traffic may reach only the load balancer's security group, and only on tcp port 443, one port per rule (reference a security group or a private CIDR instead)",
                ],
            },
        ],
        unknown: {
            title: "a CIDR unknown during preview: a violation off the ALB's group, and checked again before creation",
            case: { resources: [...groups(), ingressRule("mystery", WEB, 443, { cidrIpv4: UNKNOWN })] },
            messages: [
                "Security group ingress rule 'mystery' on security group 'web-sg' has an ingress source unknown during preview, so it cannot be ruled out that tcp port 443 is open to the internet; sources must be known at preview on groups other than the load balancer's (set cidrIpv4/cidrIpv6 to literal CIDRs or reference a security group)",
            ],
            notes: [
                "Security group ingress rule 'mystery' has a value unknown during preview at cidrIpv4, so it cannot be verified yet; it is checked on the real value before the resource is created (only the load balancer's security group may accept internet traffic, on ports 80 and 443)",
            ],
        },
    });

    const FIX =
        "SSH must come only through the bastion (use the bastion's security group, tagged webfleet:role=bastion, as the only source)";
    describeRule<StackCase>("ssh-only-from-bastion", {
        compliant: [
            {
                title: "the bastion takes SSH from a configured CIDR, the web servers only from the bastion's group",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule("bastion-ssh-in-0", BASTION, 22, { cidrIpv4: "203.0.113.0/24" }),
                        ingressRule(
                            "bastion-ssh-to-web",
                            WEB,
                            22,
                            { referencedSecurityGroupId: BASTION[1] },
                            { sourceDep: BASTION[0] },
                        ),
                    ],
                },
            },
            {
                title: "real preview: both groups unknown, traced through property dependencies",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule(
                            "bastion-ssh-to-web",
                            [WEB[0], UNKNOWN],
                            22,
                            { referencedSecurityGroupId: UNKNOWN },
                            { sourceDep: BASTION[0] },
                        ),
                    ],
                },
            },
            {
                title: "the bastion takes SSH from a managed prefix list",
                case: { resources: [...groups(), ingressRule("bastion-pl", BASTION, 22, { prefixListId: "pl-0abc" })] },
            },
            {
                title: "the bastion's CIDR is in bastionAllowedCidrs",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule("bastion-ssh-in-0", BASTION, 22, { cidrIpv4: "203.0.113.0/24" }),
                    ],
                    config: { bastionAllowedCidrs: ["203.0.113.0/24"] },
                },
            },
            {
                title: "other ports are not this rule's business",
                case: { resources: [...groups(), ingressRule("db-from-vpc", DB, 5432, { cidrIpv4: "10.0.0.0/16" })] },
            },
        ],
        violations: [
            {
                title: "SSH from a CIDR on the web servers",
                case: { resources: [...groups(), ingressRule("ssh-vpc", WEB, 22, { cidrIpv4: "10.0.0.0/8" })] },
                messages: [
                    `Security group ingress rule 'ssh-vpc' on security group 'web-sg' allows SSH (tcp port 22) from 10.0.0.0/8; ${FIX}, never a CIDR or prefix list`,
                ],
            },
            {
                title: "SSH from another group than the bastion's",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule(
                            "ssh-from-alb",
                            WEB,
                            22,
                            { referencedSecurityGroupId: ALB[1] },
                            { sourceDep: ALB[0] },
                        ),
                    ],
                },
                messages: [
                    `Security group ingress rule 'ssh-from-alb' on security group 'web-sg' allows SSH (tcp port 22) from security group 'alb-sg', which is not the bastion's security group; ${FIX}`,
                ],
            },
            {
                title: "an inline all-traffic entry from a prefix list",
                case: {
                    resources: [
                        sg("db-sg", "sg-0db", "database", {
                            ingress: [
                                {
                                    protocol: "-1",
                                    fromPort: 0,
                                    toPort: 0,
                                    prefixListIds: ["pl-0123"],
                                    description: "corp",
                                },
                            ],
                        }),
                    ],
                },
                messages: [
                    `Security group 'db-sg' allows all traffic, which includes SSH port 22, from prefix list pl-0123; ${FIX}, never a CIDR or prefix list`,
                ],
            },
            {
                title: "a legacy rule over all TCP ports from its own members",
                case: {
                    resources: [...groups(), legacyRule("web-self", WEB, "ingress", 0, { toPort: 65535, self: true })],
                },
                messages: [
                    `Security group rule 'web-self' on security group 'web-sg' allows tcp ports 0-65535, which includes SSH port 22, from its own members (self), which is not the bastion's security group; ${FIX}`,
                ],
            },
            {
                title: "the bastion open to the internet",
                case: {
                    resources: [...groups(), ingressRule("bastion-ssh-world", BASTION, 22, { cidrIpv4: "0.0.0.0/0" })],
                },
                messages: [
                    "Security group ingress rule 'bastion-ssh-world' on security group 'bastion-sg' allows SSH (tcp port 22) to the bastion from 0.0.0.0/0, the whole internet; the bastion accepts SSH only from the configured CIDRs (list your office or VPN ranges, or none and use SSM Session Manager)",
                ],
            },
            {
                title: "the bastion taking SSH from a security group",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule(
                            "bastion-from-web",
                            BASTION,
                            22,
                            { referencedSecurityGroupId: WEB[1] },
                            { sourceDep: WEB[0] },
                        ),
                    ],
                },
                messages: [
                    "Security group ingress rule 'bastion-from-web' on security group 'bastion-sg' allows SSH (tcp port 22) to the bastion from security group 'web-sg'; the bastion accepts SSH only from the configured CIDRs (remove the security group source)",
                ],
            },
            {
                title: "the bastion taking SSH from a CIDR outside bastionAllowedCidrs",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule("bastion-ssh-in-1", BASTION, 22, { cidrIpv4: "198.51.100.0/24" }),
                    ],
                    config: { bastionAllowedCidrs: ["203.0.113.0/24"] },
                },
                messages: [
                    "Security group ingress rule 'bastion-ssh-in-1' on security group 'bastion-sg' allows SSH (tcp port 22) to the bastion from 198.51.100.0/24, which is not in bastionAllowedCidrs (203.0.113.0/24); the bastion accepts SSH only from the configured CIDRs (use a listed range or add it to the stack's policy config)",
                ],
            },
            {
                title: "SSH by reference in a stack without a bastion",
                case: {
                    resources: [
                        sg(WEB[0], WEB[1], "web"),
                        sg(ALB[0], ALB[1], "alb"),
                        ingressRule(
                            "ssh-from-alb",
                            WEB,
                            22,
                            { referencedSecurityGroupId: ALB[1] },
                            { sourceDep: ALB[0] },
                        ),
                    ],
                },
                messages: [
                    `Security group ingress rule 'ssh-from-alb' on security group 'web-sg' allows SSH (tcp port 22) from security group 'alb-sg', which is not the bastion's security group (the stack has no security group tagged webfleet:role=bastion); ${FIX}`,
                ],
            },
            {
                title: "ports unknown at preview from a CIDR",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule("web-range", WEB, [22, 22], { cidrIpv4: "10.0.0.0/8", fromPort: UNKNOWN_NUMBER }),
                    ],
                },
                messages: [
                    `Security group ingress rule 'web-range' on security group 'web-sg' allows ports unknown during preview, possibly SSH port 22, from 10.0.0.0/8; ${FIX}, never a CIDR or prefix list`,
                ],
            },
        ],
        unknown: {
            title: "a source group that cannot be traced is a violation",
            case: {
                resources: [...groups(), ingressRule("ssh-mystery", WEB, 22, { referencedSecurityGroupId: UNKNOWN })],
            },
            messages: [
                `Security group ingress rule 'ssh-mystery' on security group 'web-sg' allows SSH (tcp port 22) from a source unknown during preview that cannot be traced to the bastion's security group; ${FIX}`,
            ],
        },
    });

    const RULE_FIX = "every rule needs a description that says why it exists (set description)";
    describeRule<ResourceCase>("sg-description-required", {
        compliant: [
            {
                title: "a described group with described inline entries",
                case: {
                    type: T.securityGroup,
                    props: {
                        description: "web servers",
                        ingress: [{ protocol: "tcp", fromPort: 1, toPort: 1, description: "x" }],
                    },
                },
            },
            {
                title: "a described standalone ingress rule",
                case: {
                    type: T.ingressRule,
                    props: { securityGroupId: "sg-1", ipProtocol: "tcp", description: "app port from the ALB" },
                },
            },
            {
                title: "a described egress rule",
                case: {
                    type: T.egressRule,
                    props: { securityGroupId: "sg-1", ipProtocol: "tcp", description: "HTTPS out" },
                },
            },
            {
                title: "a described legacy rule",
                case: {
                    type: T.securityGroupRule,
                    props: {
                        securityGroupId: "sg-1",
                        type: "ingress",
                        protocol: "tcp",
                        fromPort: 1,
                        toPort: 1,
                        description: "x",
                    },
                },
            },
        ],
        violations: [
            {
                title: "a group without a description",
                case: { type: T.securityGroup, props: {} },
                messages: [
                    "Security group 'subject' has no description; security groups need a description that says what they admit (set description)",
                ],
            },
            {
                title: "a group with Pulumi's default description",
                case: { type: T.securityGroup, props: { description: "Managed by Pulumi" } },
                messages: [
                    "Security group 'subject' has the default description \"Managed by Pulumi\"; security groups need a description that says what they admit (set description)",
                ],
            },
            {
                title: "inline entries without descriptions",
                case: {
                    type: T.securityGroup,
                    props: {
                        description: "x",
                        ingress: [
                            { protocol: "tcp", fromPort: 1, toPort: 1 },
                            { protocol: "tcp", fromPort: 2, toPort: 2, description: " " },
                        ],
                    },
                },
                messages: [
                    "Security group 'subject' has 2 inline ingress rule(s) without a description; every rule needs a description that says why it exists (set description on each entry)",
                ],
            },
            {
                title: "an ingress rule without a description",
                case: { type: T.ingressRule, props: { ipProtocol: "tcp" } },
                messages: [`Security group ingress rule 'subject' has no description; ${RULE_FIX}`],
            },
            {
                title: "an egress rule without a description",
                case: { type: T.egressRule, props: { ipProtocol: "tcp" } },
                messages: [`Security group egress rule 'subject' has no description; ${RULE_FIX}`],
            },
            {
                title: "a legacy rule without a description",
                case: { type: T.securityGroupRule, props: { type: "ingress" } },
                messages: [`Security group rule 'subject' has no description; ${RULE_FIX}`],
            },
        ],
        unknown: {
            title: "an unknown description is the engine's advisory note",
            case: { type: T.securityGroup, props: { description: UNKNOWN } },
            advisory: true,
        },
    });

    const MIXED =
        "the provider treats the inline list as the whole rule set and removes the others on the next update (use standalone aws.vpc.SecurityGroupIngressRule/EgressRule resources only and drop the inline lists)";
    describeRule<StackCase>("sg-no-mixed-rule-styles", {
        compliant: [
            {
                title: "standalone rules only",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule("web-from-alb", WEB, 8080, { referencedSecurityGroupId: ALB[1] }),
                        egressRule("web-out", WEB, 443, { cidrIpv4: "0.0.0.0/0" }),
                    ],
                },
            },
            {
                title: "inline rules only",
                case: {
                    resources: [
                        sg("solo-sg", "sg-0so", "web", {
                            ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/8"] }],
                            egress: [],
                        }),
                    ],
                },
            },
            {
                title: "after a deploy: the group's ingress output echoes its standalone rules",
                case: {
                    resources: [
                        ...groups().filter((g) => g.name !== WEB[0]),
                        sg(WEB[0], WEB[1], "web", {
                            ingress: [
                                {
                                    protocol: "tcp",
                                    fromPort: 8080,
                                    toPort: 8080,
                                    securityGroups: [ALB[1]],
                                    cidrBlocks: [],
                                    ipv6CidrBlocks: [],
                                    prefixListIds: [],
                                    self: false,
                                    description: "x",
                                },
                            ],
                            egress: [
                                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], self: false },
                            ],
                        }),
                        ingressRule("web-from-alb", WEB, 8080, { referencedSecurityGroupId: ALB[1] }),
                        egressRule("web-out", WEB, 443, { cidrIpv4: "0.0.0.0/0" }),
                    ],
                },
            },
        ],
        violations: [
            {
                title: "inline ingress and a standalone rule",
                case: {
                    resources: [
                        sg(ALB[0], ALB[1], "alb"),
                        sg(WEB[0], WEB[1], "web", {
                            ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/8"] }],
                        }),
                        ingressRule("web-app-from-alb", WEB, 8080, { referencedSecurityGroupId: ALB[1] }),
                    ],
                },
                messages: [
                    `Security group 'web-sg' declares inline ingress rules and also has standalone rule(s) 'web-app-from-alb'; ${MIXED}`,
                ],
            },
            {
                title: "an explicit empty egress list and a standalone egress rule",
                case: {
                    resources: [
                        sg(WEB[0], WEB[1], "web", { egress: [] }),
                        egressRule("web-https-out", WEB, 443, { cidrIpv4: "0.0.0.0/0" }),
                    ],
                },
                messages: [
                    `Security group 'web-sg' declares an explicit empty egress list and also has standalone rule(s) 'web-https-out'; ${MIXED}`,
                ],
            },
            {
                title: "inline egress and a legacy aws.ec2.SecurityGroupRule",
                case: {
                    resources: [
                        sg(WEB[0], WEB[1], "web", {
                            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
                        }),
                        legacyRule("web-legacy", WEB, "ingress", 8080, { cidrBlocks: ["10.0.0.0/8"] }),
                    ],
                },
                messages: [
                    `Security group 'web-sg' declares inline egress rules and also has standalone rule(s) 'web-legacy'; ${MIXED}`,
                ],
            },
        ],
        unknown: {
            title: "a rule whose group cannot be traced gets an advisory note",
            case: {
                resources: [
                    ...groups(),
                    ingressRule("untraced", ["none", UNKNOWN], 8080, { cidrIpv4: "10.0.0.0/8" }, { ownerDep: false }),
                ],
            },
            advisory: true,
        },
    });
});
