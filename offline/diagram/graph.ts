/** The diagram's content as data, and the builder the model's steps share. */
import { RecordedResource } from "../types";
import { SubnetView, VpcView } from "./network";

export const INTERNET = "internet";
export const ALLOWED_CIDRS = "allowed CIDRs";

export type NodeKind =
    "entry" | "edge" | "firewall" | "compute" | "database" | "storage" | "security" | "network" | "group";

/** Where a node is drawn: in a subnet or a VPC (by ID), on the way in, beside the VPC, or elsewhere. */
export type Where =
    | { area: "subnet"; id: string }
    | { area: "vpc"; id: string }
    | { area: "edge" }
    | { area: "services" }
    | { area: "outside" };

export interface DiagramNode {
    id: string;
    lines: string[];
    kind: NodeKind;
    where: Where;
    /** The record it stands for; a group's copies in several AZs share it. */
    urn?: string;
    /** An AZ where the group may hold no instance at all (drawn dashed). */
    optional?: boolean;
}

/**
 * connect: a security group lets `from` open connections to `to` (label: the ports);
 * forward: a service sends requests on with no security group in between (CloudFront);
 * guard: a WAF web ACL inspects the requests `to` receives;
 * route: the subnet `from` (a subnet ID) sends 0.0.0.0/0 through the NAT gateway `to`;
 * replication: RDS copies the primary `from` to its standby `to`.
 */
export type EdgeKind = "connect" | "forward" | "guard" | "route" | "replication";

export interface DiagramEdge {
    from: string;
    to: string;
    kind: EdgeKind;
    label: string;
    /** On a visitor's request path. */
    path: boolean;
}

export interface Architecture {
    title: string;
    vpcs: VpcView[];
    subnets: SubnetView[];
    nodes: DiagramNode[];
    edges: DiagramEdge[];
    /** Who handles a visitor's request, stage by stage: node IDs, from the internet inwards. */
    requestPath: string[][];
}

/** The graph under construction: nodes by the record (or special ID) they stand for. */
export class GraphBuilder {
    readonly nodes: DiagramNode[] = [];
    readonly edges: DiagramEdge[] = [];
    /** Record URN (or special ID) → the nodes drawn for it. */
    readonly copies = new Map<string, string[]>();
    /** Where connections to a record arrive, when not at every copy (RDS: the primary only). */
    readonly reachable = new Map<string, string[]>();
    private readonly used = new Set<string>();
    readonly subnetById: Map<string, SubnetView>;

    constructor(
        readonly resources: RecordedResource[],
        readonly vpcs: VpcView[],
        readonly subnets: SubnetView[],
    ) {
        this.subnetById = new Map(subnets.map((s) => [s.id, s]));
    }

    ofType(...types: string[]): RecordedResource[] {
        return this.resources.filter((r) => types.includes(r.type));
    }

    /** Adds a node under a unique ID (`base`, else `base#2`, …), as a copy of `key`'s when given. */
    add(base: string, node: Omit<DiagramNode, "id">, key?: string): string {
        let id = base;
        for (let n = 2; this.used.has(id); n++) {
            id = `${base}#${n}`;
        }
        this.used.add(id);
        this.nodes.push({ id, ...node });
        if (key) {
            this.copies.set(key, [...(this.copies.get(key) ?? []), id]);
        }
        return id;
    }

    /** A node that stands for no record (the internet, allowed CIDRs), added once. */
    special(id: string, lines: string[], kind: NodeKind = "entry"): string {
        if (!this.used.has(id)) {
            this.add(id, { lines, kind, where: { area: "outside" } }, id);
        }
        return id;
    }

    first(r: RecordedResource): string | undefined {
        return this.copies.get(r.urn)?.[0];
    }

    azOf(id: string): string | undefined {
        const where = this.nodes.find((n) => n.id === id)?.where;
        return where?.area === "subnet" ? this.subnetById.get(where.id)?.az : undefined;
    }

    connect(from: string, to: string, kind: EdgeKind, label: string, path = false): void {
        this.edges.push({ from, to, kind, label, path });
    }
}
