/**
 * Network ACL rules: a network ACL the stack declares does not admit remote administration
 * (SSH, RDP) from the internet. Security groups are the real gate (securityGroups.ts); a NACL
 * that lets the internet reach port 22 at the subnet boundary is one security group mistake
 * away from an open server, which is why CIS AWS Foundations 5.1, Checkov and tfsec flag it.
 *
 * A NACL is judged as AWS evaluates it: its ingress entries in rule-number order, the first
 * matching entry deciding. An allow from a world-wide range is a finding unless an earlier
 * entry denies the whole address family (0.0.0.0/0 or ::/0) on that port. Entries come inline
 * (aws.ec2.NetworkAcl / DefaultNetworkAcl `ingress`) or as aws.ec2.NetworkAclRule resources
 * traced to their ACL by networkAclId; a rule whose ACL cannot be traced is judged on its own.
 * After a deploy an ACL's `ingress` output also lists its standalone rules, so inline entries
 * that repeat a standalone rule's number are dropped (judged once, on the rule resource).
 */
import { PolicyResource, ReportViolation } from "@pulumi/policy";
import { ofType, resolveRef } from "./lib/graph";
import { WebfleetPolicy, configOf, stackRule } from "./lib/rule";
import { describePorts, internetScope, isExactlyTcpPort, isWorldCidr, Ports, reachesTcpPort } from "./lib/ports";
import { reportAdvisory } from "./lib/report";
import { T, subject } from "./lib/types";
import { Peeked, attempt, declaredButUnknown, peek, peekNumber } from "./lib/values";

const DEFAULT_ADMIN_PORTS = [22, 3389];
const ACL_TYPES = [T.networkAcl, T.defaultNetworkAcl];

interface AclEntry extends Ports {
    declaredBy: PolicyResource;
    ruleNo: Peeked<number | undefined>;
    action: Peeked<string | undefined>;
    ipv4: Peeked<string | undefined>;
    ipv6: Peeked<string | undefined>;
}

function entryFrom(declaredBy: PolicyResource, block: unknown, keys: { ruleNo: string; action: string }): AclEntry {
    return {
        declaredBy,
        ruleNo: peekNumber(block, keys.ruleNo),
        action: peek<string>(block, keys.action),
        protocol: peek<string>(block, "protocol"),
        fromPort: peekNumber(block, "fromPort"),
        toPort: peekNumber(block, "toPort"),
        ipv4: peek<string>(block, "cidrBlock"),
        ipv6: peek<string>(block, "ipv6CidrBlock"),
    };
}

/**
 * The inline ingress entries of an ACL; undefined when it declares none: absent, or wholly unknown
 * with no property dependency (the provider's computed list). A wholly unknown list that depends
 * on other resources was built from their outputs: one entry, every part unknown.
 */
function inlineEntries(acl: PolicyResource): AclEntry[] | undefined {
    const list = peek<unknown>(acl.props, "ingress");
    if (!list.known && !declaredButUnknown(acl, "ingress")) {
        return undefined;
    }
    if (list.known && (list.value === undefined || list.value === null)) {
        return undefined;
    }
    const items: unknown[] = list.known ? (Array.isArray(list.value) ? list.value : [list.value]) : [undefined];
    const out: AclEntry[] = [];
    // Index by length: iterating would touch (and throw on) unknown elements.
    for (let i = 0; i < items.length; i++) {
        const item: Peeked<unknown> = list.known ? attempt((): unknown => items[i]) : list;
        out.push(entryFrom(acl, item.known ? item.value : undefined, { ruleNo: "ruleNo", action: "action" }));
        if (!item.known) {
            const unknown = { known: false as const, path: item.path };
            Object.assign(out[out.length - 1], {
                ruleNo: unknown,
                action: unknown,
                protocol: unknown,
                fromPort: unknown,
                toPort: unknown,
                ipv4: unknown,
                ipv6: unknown,
            });
        }
    }
    return out;
}

/** Each ACL of the stack with its ingress entries, plus each standalone rule whose ACL is untraceable. */
function aclsWithEntries(resources: PolicyResource[]): { acl?: PolicyResource; entries: AclEntry[] }[] {
    const acls = ofType(resources, ...ACL_TYPES);
    const byAcl = new Map<string, AclEntry[]>(acls.map((a) => [a.urn, []]));
    const alone: { entries: AclEntry[] }[] = [];
    for (const rule of ofType(resources, T.networkAclRule)) {
        const egress = peek<boolean>(rule.props, "egress");
        if (egress.known && egress.value === true) {
            continue;
        }
        const entry = entryFrom(rule, rule.props, { ruleNo: "ruleNumber", action: "ruleAction" });
        const owner = resolveRef(rule, "networkAclId", acls);
        if (owner.kind === "resolved") {
            owner.targets.forEach((t) => byAcl.get(t.urn)!.push(entry));
        } else {
            alone.push({ entries: [entry] });
        }
    }
    const out: { acl?: PolicyResource; entries: AclEntry[] }[] = [];
    for (const acl of acls) {
        const standalone = byAcl.get(acl.urn)!;
        const numbers = new Set(standalone.map((e) => (e.ruleNo.known ? e.ruleNo.value : undefined)));
        numbers.delete(undefined);
        const inline = (inlineEntries(acl) ?? []).filter((e) => !(e.ruleNo.known && numbers.has(e.ruleNo.value)));
        out.push({ acl, entries: [...inline, ...standalone] });
    }
    return [...out, ...alone];
}

/** Rule-number order; an entry whose number is unknown cannot be shown to come after anything, so it goes first. */
function inEvaluationOrder(entries: AclEntry[]): AclEntry[] {
    const rank = (e: AclEntry) => (e.ruleNo.known && typeof e.ruleNo.value === "number" ? e.ruleNo.value : -1);
    return [...entries].sort((a, b) => rank(a) - rank(b));
}

type Outcome = { kind: "open"; entry: AclEntry; cidr: string } | { kind: "unknown"; entry: AclEntry } | undefined;

/** What internet traffic of one address family to TCP `port` meets first in the ACL. */
function firstMatch(entries: AclEntry[], family: "ipv4" | "ipv6", port: number): Outcome {
    for (const e of inEvaluationOrder(entries)) {
        if (!reachesTcpPort(e, port)) {
            continue;
        }
        const source = e[family];
        if (source.known && (source.value === undefined || source.value === null || source.value === "")) {
            continue;
        }
        const portsKnown = e.protocol.known && e.fromPort.known && e.toPort.known;
        if (!source.known || !e.action.known) {
            if (e.action.known && String(e.action.value).toLowerCase() === "deny") {
                continue;
            }
            return { kind: "unknown", entry: e };
        }
        const cidr = String(source.value);
        const action = String(e.action.value).toLowerCase();
        if (action === "deny") {
            if (portsKnown && /\/0$/.test(cidr.trim())) {
                return undefined;
            }
            continue;
        }
        if (action === "allow" && isWorldCidr(cidr)) {
            return portsKnown ? { kind: "open", entry: e, cidr } : { kind: "unknown", entry: e };
        }
    }
    return undefined;
}

function where(e: AclEntry): string {
    const n = e.ruleNo.known && e.ruleNo.value !== undefined ? ` (ingress rule ${e.ruleNo.value})` : "";
    return `${subject(e.declaredBy.type, e.declaredBy.name)}${n}`;
}

const naclNoPublicAdminPorts = stackRule({
    name: "nacl-no-public-admin-ports",
    description:
        "Network ACLs do not admit remote administration (SSH 22, RDP 3389) from 0.0.0.0/0 or ::/0, so the subnet boundary backs up the security groups.",
    severity: "medium",
    resources: [T.networkAcl, T.defaultNetworkAcl, T.networkAclRule],
    checks: "In rule-number order, internet traffic (IPv4 and IPv6) to each of adminPorts (default 22, 3389) meets a deny for 0.0.0.0/0 or ::/0 before any allow from a world-wide range, in inline entries and aws.ec2.NetworkAclRule resources alike",
    equivalents: {
        checkov: ["CKV_AWS_231", "CKV_AWS_232"],
        cdkNag: ["NIST.800.53.R5-EC2RestrictedCommonPorts"],
    },
    unknown: "advisory",
    unknownNote:
        "An entry whose source, action, protocol or ports are unknown at preview, and that could admit the internet first, is an advisory note, as is an inline list wholly unknown at preview that depends on other resources (built from their outputs; without a dependency it is the provider's computed list); a rule whose networkAclId cannot be traced is judged on its own.",
    config: {
        adminPorts: {
            type: "array",
            items: { type: "integer", minimum: 0, maximum: 65535 },
            default: DEFAULT_ADMIN_PORTS,
            description: "TCP ports the internet must not reach through a network ACL (add 20 and 21 for FTP).",
        },
    },
    validate: (args, report: ReportViolation) => {
        const { adminPorts } = configOf(args, { adminPorts: DEFAULT_ADMIN_PORTS });
        for (const { entries } of aclsWithEntries(args.resources)) {
            const open = new Map<AclEntry, { cidrs: Set<string>; ports: Set<number> }>();
            const unknown = new Set<AclEntry>();
            for (const family of ["ipv4", "ipv6"] as const) {
                for (const port of adminPorts) {
                    const outcome = firstMatch(entries, family, port);
                    if (outcome?.kind === "open") {
                        const found = open.get(outcome.entry) ?? { cidrs: new Set(), ports: new Set() };
                        found.cidrs.add(outcome.cidr);
                        found.ports.add(port);
                        open.set(outcome.entry, found);
                    } else if (outcome?.kind === "unknown") {
                        unknown.add(outcome.entry);
                    }
                }
            }
            for (const [e, { cidrs, ports }] of open) {
                const from = [...cidrs].map((c) => `${c} (${internetScope(c)})`).join(" and ");
                const list = [...ports].join(" and ");
                const ephemeral = [...ports].some((p) => !isExactlyTcpPort(e, p))
                    ? "; for return traffic, allow only the ephemeral range 32768-65535"
                    : "";
                report(
                    `${where(e)} allows ${describePorts(e)} from ${from}, which admits remote administration (tcp port(s) ${list}) from the internet at the subnet boundary; a network ACL must not open administration ports to the internet (narrow the CIDR, or deny tcp ${list} from 0.0.0.0/0 and ::/0 in a lower-numbered rule${ephemeral})`,
                    e.declaredBy.urn,
                );
            }
            for (const e of unknown) {
                if (open.has(e)) {
                    continue;
                }
                reportAdvisory(
                    report,
                    `${where(e)} has a source, action, protocol or ports unknown during preview, so it cannot be ruled out that it admits tcp port(s) ${adminPorts.join(", ")} from the internet; it is checked again on the real values (a network ACL must not open administration ports to the internet)`,
                    e.declaredBy.urn,
                );
            }
        }
    },
});

export const networkAclPolicies: WebfleetPolicy[] = [naclNoPublicAdminPorts];
