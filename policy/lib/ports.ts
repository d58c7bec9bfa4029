/**
 * Ports and address ranges as security group permissions state them: which protocol and port
 * range a permission covers, how it reads in a message, and how much of the internet a CIDR
 * opens to. Pure; values unknown during preview arrive as Peeked.
 */
import { Peeked } from "./values";

/** The protocol and port range of one permission. */
export interface Ports {
    protocol: Peeked<string | undefined>;
    fromPort: Peeked<number | undefined>;
    toPort: Peeked<number | undefined>;
}

/**
 * How much of the internet a CIDR opens to: "/0" is all of it, and a prefix shorter than /8
 * (IPv4) or /16 (IPv6) can only be a large part of it (every private range is narrower), so
 * splitting 0.0.0.0/0 into 0.0.0.0/1 and 128.0.0.0/1 does not get around the rules.
 */
export function internetScope(cidr: string): "the whole internet" | "a large part of the internet" | undefined {
    const m = /\/(\d+)$/.exec(cidr.trim());
    if (!m) {
        return undefined;
    }
    const prefix = Number(m[1]);
    if (prefix === 0) {
        return "the whole internet";
    }
    const v6 = cidr.includes(":");
    return prefix < (v6 ? 16 : 8) ? "a large part of the internet" : undefined;
}

export function isWorldCidr(cidr: string): boolean {
    return internetScope(cidr) !== undefined;
}

export function normalizeProtocol(p: string | undefined): string | undefined {
    if (p === undefined) {
        return undefined;
    }
    const v = String(p).toLowerCase();
    if (v === "-1" || v === "all") {
        return "-1";
    }
    if (v === "6") {
        return "tcp";
    }
    if (v === "17") {
        return "udp";
    }
    return v;
}

/**
 * Whether a permission reaches `port` over TCP. Unknown protocol or ports count as reaching
 * it: a rule that cannot be read cannot be trusted to stay away from the port.
 */
export function reachesTcpPort(g: Ports, port: number): boolean {
    if (!g.protocol.known) {
        return true;
    }
    const protocol = normalizeProtocol(g.protocol.value);
    if (protocol === "-1") {
        return true;
    }
    if (protocol !== "tcp") {
        return false;
    }
    if (!g.fromPort.known || !g.toPort.known) {
        return true;
    }
    const from = g.fromPort.value ?? 0;
    const to = g.toPort.value ?? 65535;
    return from <= port && port <= to;
}

/** Whether the permission is exactly TCP `port` (a single-port rule). */
export function isExactlyTcpPort(g: Ports, port: number): boolean {
    return (
        g.protocol.known &&
        normalizeProtocol(g.protocol.value) === "tcp" &&
        g.fromPort.known &&
        g.toPort.known &&
        g.fromPort.value === port &&
        g.toPort.value === port
    );
}

export function describePorts(g: Ports): string {
    if (!g.protocol.known || !g.fromPort.known || !g.toPort.known) {
        return "ports unknown during preview";
    }
    const protocol = normalizeProtocol(g.protocol.value);
    if (protocol === "-1") {
        return "all traffic";
    }
    const from = g.fromPort.value;
    const to = g.toPort.value;
    return from === to ? `${protocol} port ${from}` : `${protocol} ports ${from}-${to}`;
}
