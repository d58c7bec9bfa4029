import { T } from "../../policy/lib/types";
import { StackCase, StackResource, UNKNOWN, describeRule } from "./helpers";

describe("policy: network ACLs", () => {
    const FIX = "a network ACL must not open administration ports to the internet";
    const acl = (ingress?: unknown[], props: Record<string, unknown> = {}): StackResource => ({
        type: T.networkAcl,
        name: "acl",
        props: { id: "acl-0a1", vpcId: "vpc-0a1", ...(ingress ? { ingress } : {}), ...props },
    });
    const entry = (ruleNo: number, action: string, ports: [string, number, number], cidr: Record<string, string>) => ({
        ruleNo,
        action,
        protocol: ports[0],
        fromPort: ports[1],
        toPort: ports[2],
        ...cidr,
    });
    const aclRule = (
        name: string,
        ruleNumber: number,
        ruleAction: string,
        ports: [string, number, number],
        cidr: Record<string, unknown>,
        extra: Record<string, unknown> = {},
    ): StackResource => ({
        type: T.networkAclRule,
        name,
        props: {
            networkAclId: UNKNOWN,
            ruleNumber,
            ruleAction,
            protocol: ports[0],
            fromPort: ports[1],
            toPort: ports[2],
            ...cidr,
            ...extra,
        },
        deps: { networkAclId: ["acl"] },
    });
    const V4 = { cidrBlock: "0.0.0.0/0" };
    const V6 = { ipv6CidrBlock: "::/0" };

    describeRule<StackCase>("nacl-no-public-admin-ports", {
        compliant: [
            {
                title: "HTTPS and the ephemeral range 32768-65535 from the world, SSH from the office only",
                case: {
                    resources: [
                        acl([
                            entry(100, "allow", ["tcp", 443, 443], V4),
                            entry(101, "allow", ["tcp", 443, 443], V6),
                            entry(110, "allow", ["tcp", 32768, 65535], V4),
                            entry(120, "allow", ["tcp", 22, 22], { cidrBlock: "203.0.113.0/24" }),
                        ]),
                    ],
                },
            },
            {
                title: "standalone rules: SSH and RDP denied from 0.0.0.0/0 and ::/0 before an allow-all (rules traced by dependency)",
                case: {
                    resources: [
                        acl(),
                        aclRule("deny-ssh", 10, "deny", ["tcp", 22, 22], V4),
                        aclRule("deny-ssh-6", 11, "deny", ["6", 22, 22], V6),
                        aclRule("deny-rdp", 20, "deny", ["tcp", 3389, 3389], V4),
                        aclRule("deny-rdp-6", 21, "deny", ["tcp", 3389, 3389], V6),
                        aclRule("allow-all", 100, "allow", ["-1", 0, 0], V4),
                        aclRule("allow-all-6", 101, "allow", ["-1", 0, 0], V6),
                    ],
                },
            },
            {
                title: "an egress allow-all and a wholly unknown inline list at preview (the provider's computed list)",
                case: {
                    resources: [
                        acl(undefined, { ingress: UNKNOWN }),
                        aclRule("out", 100, "allow", ["-1", 0, 0], V4, { egress: true }),
                    ],
                },
            },
            {
                title: "inline entries that repeat a standalone rule's number after a deploy are judged once, on the rule",
                case: {
                    resources: [
                        acl([entry(10, "deny", ["tcp", 0, 65535], V4), entry(100, "allow", ["-1", 0, 0], V4)]),
                        aclRule("deny-all-tcp", 10, "deny", ["tcp", 0, 65535], V4),
                        aclRule("allow-rest", 100, "allow", ["-1", 0, 0], V4),
                    ],
                },
            },
        ],
        violations: [
            {
                title: "a standalone rule allowing SSH from 0.0.0.0/0, its ACL outside the stack",
                case: {
                    resources: [
                        {
                            ...aclRule("ssh-in", 100, "allow", ["tcp", 22, 22], V4, { networkAclId: "acl-0ext" }),
                            deps: undefined,
                        },
                    ],
                },
                messages: [
                    `Network ACL rule 'ssh-in' (ingress rule 100) allows tcp port 22 from 0.0.0.0/0 (the whole internet), which admits remote administration (tcp port(s) 22) from the internet at the subnet boundary; ${FIX} (narrow the CIDR, or deny tcp 22 from 0.0.0.0/0 and ::/0 in a lower-numbered rule)`,
                ],
            },
            {
                title: "an inline allow of every TCP port, its SSH deny numbered after it (the allow matches first)",
                case: {
                    resources: [
                        acl([entry(200, "deny", ["tcp", 22, 22], V4), entry(100, "allow", ["tcp", 0, 65535], V4)]),
                    ],
                },
                messages: [
                    `Network ACL 'acl' (ingress rule 100) allows tcp ports 0-65535 from 0.0.0.0/0 (the whole internet), which admits remote administration (tcp port(s) 22 and 3389) from the internet at the subnet boundary; ${FIX} (narrow the CIDR, or deny tcp 22 and 3389 from 0.0.0.0/0 and ::/0 in a lower-numbered rule; for return traffic, allow only the ephemeral range 32768-65535)`,
                ],
            },
            {
                title: "IPv4 denied first, but every protocol allowed from ::/0",
                case: {
                    resources: [
                        acl(),
                        aclRule("deny-v4", 50, "deny", ["-1", 0, 0], V4),
                        aclRule("all-v6", 100, "allow", ["-1", 0, 0], V6),
                    ],
                },
                messages: [
                    `Network ACL rule 'all-v6' (ingress rule 100) allows all traffic from ::/0 (the whole internet), which admits remote administration (tcp port(s) 22 and 3389) from the internet at the subnet boundary; ${FIX} (narrow the CIDR, or deny tcp 22 and 3389 from 0.0.0.0/0 and ::/0 in a lower-numbered rule; for return traffic, allow only the ephemeral range 32768-65535)`,
                ],
            },
            {
                title: "a deny narrower than the world does not close the port; the adopted default ACL's allow-all",
                case: {
                    resources: [
                        {
                            type: T.defaultNetworkAcl,
                            name: "default-acl",
                            props: {
                                defaultNetworkAclId: "acl-0def",
                                ingress: [
                                    entry(50, "deny", ["tcp", 3389, 3389], { cidrBlock: "198.51.100.0/24" }),
                                    entry(100, "allow", ["6", 3389, 3389], { cidrBlock: "0.0.0.0/1" }),
                                ],
                            },
                        },
                    ],
                },
                messages: [
                    `Default network ACL 'default-acl' (ingress rule 100) allows tcp port 3389 from 0.0.0.0/1 (a large part of the internet), which admits remote administration (tcp port(s) 3389) from the internet at the subnet boundary; ${FIX} (narrow the CIDR, or deny tcp 3389 from 0.0.0.0/0 and ::/0 in a lower-numbered rule)`,
                ],
            },
            {
                title: "FTP ports added to adminPorts by config",
                case: {
                    resources: [acl([entry(100, "allow", ["tcp", 21, 21], V4)])],
                    config: { adminPorts: [21, 22, 3389] },
                },
                messages: [
                    `Network ACL 'acl' (ingress rule 100) allows tcp port 21 from 0.0.0.0/0 (the whole internet), which admits remote administration (tcp port(s) 21) from the internet at the subnet boundary; ${FIX} (narrow the CIDR, or deny tcp 21 from 0.0.0.0/0 and ::/0 in a lower-numbered rule)`,
                ],
            },
        ],
        unknown: {
            title: "an SSH allow whose CIDR is unknown at preview (advisory, checked again on the real values)",
            case: { resources: [acl(), aclRule("ssh-in", 100, "allow", ["tcp", 22, 22], { cidrBlock: UNKNOWN })] },
            advisory: true,
        },
    });
});
