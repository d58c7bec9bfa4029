/**
 * sg-no-public-ingress's check of one group or rule on its own inputs, run before the resource is
 * created: a world CIDR on a port that is never public is wrong on any group, graph or not. Each
 * part is read on its own, so a known world CIDR is refused even next to an entry, a CIDR or a
 * group ID unknown during preview; what is unknown is an advisory note at preview, and the engine
 * runs the check again on the real inputs before it creates the resource.
 */
import { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { reportAdvisory } from "./report";
import { configOf } from "./rule";
import {
    Grant,
    describePorts,
    internetScope,
    isExactlyTcpPort,
    isWorldCidr,
    normalizeProtocol,
} from "./securityGroups";
import { cidrPermissions } from "./sgGraph";
import { subject } from "./types";

export const BEFORE_CREATE_REQUIREMENT =
    "only the load balancer's security group may accept internet traffic, on ports 80 and 443";
export const DEFAULT_PUBLIC_PORTS = [80, 443];

/** A world CIDR on anything but exactly one public TCP port: wrong on any group, graph or not. */
export function worldOnPrivatePort(
    p: Pick<Grant, "protocol" | "fromPort" | "toPort">,
    cidr: string,
    publicPorts: number[],
) {
    return isWorldCidr(cidr) && !publicPorts.some((port) => isExactlyTcpPort(p, port));
}

/** "tcp port 443" or "tcp ports 80 and 443". */
function portsText(ports: number[]): string {
    return ports.length === 1 ? `tcp port ${ports[0]}` : `tcp ports ${ports.join(" and ")}`;
}

export function checkCidrsBeforeCreate(args: ResourceValidationArgs, report: ReportViolation): void {
    const { publicPorts } = configOf(args, { publicPorts: DEFAULT_PUBLIC_PORTS });
    const { known, unknown } = cidrPermissions(args.type, args.props, "ingress");
    const unsure: string[] = [...unknown];
    for (const p of known) {
        if (!isWorldCidr(p.cidr)) {
            continue;
        }
        const portsKnown = p.protocol.known && p.fromPort.known && p.toPort.known;
        // A world CIDR on ports unknown at preview may yet be 443 on the load balancer's group.
        if (!portsKnown && !(p.protocol.known && normalizeProtocol(p.protocol.value) !== "tcp")) {
            unsure.push(p.where ? `the ports of ${p.where}` : "the ports");
            continue;
        }
        if (worldOnPrivatePort(p, p.cidr, publicPorts)) {
            const at = p.where ? ` (${p.where})` : "";
            report(
                `${subject(args.type, args.name)}${at} allows ${describePorts(p)} from ${p.cidr}, ${internetScope(p.cidr)}; internet traffic may reach only the load balancer's security group, and only on ${portsText(publicPorts)}, one port per rule (reference a security group or a private CIDR instead)`,
            );
        }
    }
    const paths = [...new Set(unsure)];
    if (paths.length > 0) {
        const one = paths.length === 1;
        reportAdvisory(
            report,
            `${subject(args.type, args.name)} has ${one ? "a value" : "values"} unknown during preview at ${paths.join(", ")}, so ${one ? "it" : "they"} cannot be verified yet; ${one ? "it is" : "they are"} checked on the real ${one ? "value" : "values"} before the resource is created (${BEFORE_CREATE_REQUIREMENT})`,
            args.urn,
        );
    }
}
