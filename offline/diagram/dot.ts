/**
 * The architecture as Graphviz DOT (pure): the VPC as a box holding one column per AZ, each with
 * its public, private and isolated subnets (AWS's own colours for them) and what runs there; the
 * way in above it; the services beside it; a legend below. Laid out with DejaVu Sans, the widest
 * of the fonts the SVG names, so every label fits whichever of them a viewer has (render.ts).
 */
import { Architecture, DiagramEdge, DiagramNode, EdgeKind, NodeKind } from "./graph";
import { SubnetView, Tier, TIERS } from "./network";

export const LAYOUT_FONT = "DejaVu Sans";

const STYLE: Record<NodeKind, { fill: string; border: string; shape?: string; what: string }> = {
    entry: { fill: "#ffffff", border: "#232f3e", shape: "ellipse", what: "outside AWS" },
    edge: { fill: "#ede4ff", border: "#8c4fff", what: "load balancer, CloudFront" },
    network: { fill: "#ede4ff", border: "#8c4fff", what: "NAT gateway" },
    firewall: { fill: "#fde2e4", border: "#dd344c", shape: "octagon", what: "WAF web ACL" },
    compute: { fill: "#fdebd9", border: "#ed7100", what: "servers, Lambda" },
    database: { fill: "#e6e9fa", border: "#3b48cc", shape: "cylinder", what: "database" },
    storage: { fill: "#e9f3da", border: "#7aa116", what: "S3 bucket" },
    security: { fill: "#fde2e4", border: "#dd344c", what: "KMS key, secret" },
    group: { fill: "#ffffff", border: "#888888", what: "security group only" },
};

const SUBNET: Record<Tier, { fill: string; border: string }> = {
    public: { fill: "#f2f6e8", border: "#7aa116" },
    private: { fill: "#e6f6f7", border: "#00a4a6" },
    isolated: { fill: "#f1f3f5", border: "#7d8998" },
};

const PATH_COLOR = "#1a5fb4";
const EDGE_STYLE: Record<DiagramEdge["kind"], string> = {
    connect: 'color="#444444"',
    forward: `color="${PATH_COLOR}"`,
    guard: 'color="#dd344c", style=dashed, arrowhead=odot, constraint=false',
    route: 'color="#6b7b8c", style=dotted, arrowhead=vee, constraint=false',
    replication: 'color="#3b48cc", style=dashed, constraint=false',
};

const html = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const quote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** First line bold (what it is), last line small and grey (its logical name). */
function htmlLabel(lines: string[]): string {
    const parts = lines.map((line, i) =>
        i === 0
            ? `<B>${html(line)}</B>`
            : i === lines.length - 1
              ? `<FONT POINT-SIZE="9" COLOR="#555555">${html(line)}</FONT>`
              : html(line),
    );
    return `<${parts.join("<BR/>")}>`;
}

function nodeLine(n: DiagramNode, indent: string): string {
    const s = STYLE[n.kind];
    const style = n.optional || n.kind === "group" ? '"rounded,filled,dashed"' : '"rounded,filled"';
    const shape = s.shape ? `, shape=${s.shape}` : "";
    return `${indent}${quote(n.id)} [label=${htmlLabel(n.lines)}${shape}, style=${style}, fillcolor="${s.fill}", color="${s.border}"];`;
}

function clusterHead(indent: string, name: string, label: string, attrs: string): string[] {
    return [`${indent}subgraph ${quote(name)} {`, `${indent}  label=${htmlLabel([label])}; ${attrs}`];
}

export const subnetCluster = (s: SubnetView) => `cluster_subnet_${s.id}`;

export function toDot(a: Architecture): string {
    const out: string[] = [
        "digraph architecture {",
        `  graph [label=${htmlLabel([`${a.title}: architecture`])}, labelloc=t, fontname="${LAYOUT_FONT}", fontsize=13, rankdir=TB, newrank=true, compound=true, nodesep=0.3, ranksep=0.45, pad=0.3];`,
        `  node [shape=box, fontname="${LAYOUT_FONT}", fontsize=10, margin="0.14,0.06", penwidth=1.2];`,
        `  edge [fontname="${LAYOUT_FONT}", fontsize=9, fontcolor="#333333", penwidth=1.1, arrowsize=0.7];`,
    ];
    const at = (pred: (n: DiagramNode) => boolean) => a.nodes.filter(pred);
    // The way in, above everything.
    for (const n of at((n) => n.where.area === "outside" || n.where.area === "edge")) {
        out.push(nodeLine(n, "  "));
    }
    const rows: Record<Tier, string[]> = { public: [], private: [], isolated: [] };
    const firstIn = new Map<string, string>();
    a.vpcs.forEach((vpc, v) => {
        out.push(
            ...clusterHead(
                "  ",
                `cluster_vpc_${v}`,
                `VPC ${vpc.name} ${vpc.cidr}`,
                'style="rounded"; color="#8c4fff"; penwidth=2; margin=12; labeljust=l;',
            ),
        );
        for (const n of at((n) => n.where.area === "vpc" && n.where.id === vpc.id)) {
            out.push(nodeLine(n, "    "));
        }
        vpc.azs.forEach((az, z) => {
            out.push(
                ...clusterHead(
                    "    ",
                    `cluster_az_${v}_${z}`,
                    az,
                    'style="rounded,dashed"; color="#147eba"; margin=10;',
                ),
            );
            for (const s of a.subnets.filter((x) => x.vpc === vpc.id && x.az === az)) {
                const c = SUBNET[s.tier];
                out.push(
                    ...clusterHead(
                        "      ",
                        subnetCluster(s),
                        `${s.tier} ${s.cidr}`,
                        `style="filled"; fillcolor="${c.fill}"; color="${c.border}"; margin=8;`,
                    ),
                );
                const inside = at((n) => n.where.area === "subnet" && n.where.id === s.id);
                inside.forEach((n) => out.push(nodeLine(n, "        ")));
                if (inside.length === 0) {
                    // An empty cluster is not drawn at all: a note keeps the subnet in the picture.
                    out.push(
                        `        ${quote(`empty ${s.id}`)} [label=${htmlLabel(["nothing here", s.name])}, style="filled", fillcolor="${c.fill}", color="${c.fill}", fontcolor="#555555"];`,
                    );
                }
                const first = inside[0]?.id ?? `empty ${s.id}`;
                firstIn.set(s.id, first);
                rows[s.tier].push(...(inside.length > 0 ? inside.map((n) => n.id) : [first]));
                out.push("      }");
            }
            out.push("    }");
        });
        out.push("  }");
    });
    const services = at((n) => n.where.area === "services");
    if (services.length > 0) {
        out.push(
            ...clusterHead(
                "  ",
                "cluster_services",
                "beside the VPC (regional services)",
                'style="rounded"; color="#888888"; margin=10;',
            ),
        );
        services.forEach((n) => out.push(nodeLine(n, "    ")));
        out.push("  }");
    }
    // AZ columns: the tiers in rows, public on top; the VPC's own nodes (load balancers) above them.
    for (const tier of TIERS) {
        if (rows[tier].length > 0) {
            out.push(`  { rank=same; ${rows[tier].map(quote).join("; ")}; }`);
        }
    }
    for (const vpc of a.vpcs) {
        for (const az of vpc.azs) {
            const chain = TIERS.flatMap((t) =>
                a.subnets.filter((s) => s.vpc === vpc.id && s.az === az && s.tier === t),
            ).map((s) => firstIn.get(s.id)!);
            const top = at((n) => n.where.area === "vpc" && n.where.id === vpc.id).map((n) => n.id);
            const links = [...top.map((t) => [t, chain[0]]), ...chain.slice(1).map((c, i) => [chain[i], c])];
            links
                .filter(([f, t]) => f && t)
                .forEach(([f, t]) => out.push(`  ${quote(f)} -> ${quote(t)} [style=invis, weight=4];`));
        }
    }
    // Services stacked in a column.
    services.slice(1).forEach((n, i) => out.push(`  ${quote(services[i].id)} -> ${quote(n.id)} [style=invis];`));
    // Arrows converging on one node with the same ports say them once (a label each is a thicket).
    const fanIn = (e: DiagramEdge) => JSON.stringify([e.to, e.kind, e.label]);
    const said = new Set<string>();
    for (const e of a.edges) {
        const key = fanIn(e);
        const how = e.kind === "route" || said.has(key) ? "none" : "label";
        out.push(edgeLine(e, a, firstIn, how));
        said.add(key);
    }
    const bottom = [...rows.public, ...rows.private, ...rows.isolated].at(-1);
    out.push(...legend(a, bottom));
    out.push("}");
    return out.join("\n") + "\n";
}

function edgeLine(e: DiagramEdge, a: Architecture, firstIn: Map<string, string>, how: "label" | "none"): string {
    const style = e.path ? `color="${PATH_COLOR}", penwidth=2.2, fontcolor="${PATH_COLOR}"` : EDGE_STYLE[e.kind];
    if (e.kind === "route") {
        const subnet = a.subnets.find((s) => s.id === e.from)!;
        return `  ${quote(firstIn.get(e.from)!)} -> ${quote(e.to)} [ltail=${quote(subnetCluster(subnet))}, ${style}];`;
    }
    const label = e.label && how === "label" ? `label=${quote(e.label)}, ` : "";
    return `  ${quote(e.from)} -> ${quote(e.to)} [${label}${style}];`;
}

/** The node kinds in this picture and what each line style means, in a grid under everything. */
function legend(a: Architecture, below: string | undefined): string[] {
    const out = [...clusterHead("  ", "cluster_legend", "legend", 'style="rounded"; color="#888888"; margin=10;')];
    const sample = (id: string, what: string, s: (typeof STYLE)[NodeKind], style = "rounded,filled") => {
        const shape = s.shape ? `, shape=${s.shape}` : "";
        out.push(
            `    ${quote(id)} [label=${quote(what)}${shape}, style="${style}", fillcolor="${s.fill}", color="${s.border}"];`,
        );
        return id;
    };
    const kinds = (Object.keys(STYLE) as NodeKind[]).filter((k) => a.nodes.some((n) => n.kind === k));
    const samples = kinds.map((k) => sample(`legend ${k}`, STYLE[k].what, STYLE[k]));
    if (a.nodes.some((n) => n.optional)) {
        samples.push(
            sample("legend optional", "dashed: may have none in this AZ", STYLE.compute, "rounded,filled,dashed"),
        );
    }
    const used = new Set(a.edges.map((e) => (e.path ? "path" : e.kind)));
    const lines: [EdgeKind | "path", string, string][] = [
        ["path", `color="${PATH_COLOR}", penwidth=2.2`, "request path (with ports)"],
        ["connect", EDGE_STYLE.connect, "may connect (security group), with ports"],
        ["guard", EDGE_STYLE.guard, "WAF inspects the requests"],
        ["route", EDGE_STYLE.route, "default route (0.0.0.0/0) to a NAT gateway"],
        ["replication", EDGE_STYLE.replication, "RDS replication to the standby"],
    ];
    const shown = lines.filter(([k]) => used.has(k));
    for (const [k, style, what] of shown) {
        out.push(`    ${quote(`legend ${k}`)} [label="", shape=point, width=0.05, color="#444444"];`);
        out.push(
            `    ${quote(`legend ${k} means`)} [label=${quote(what)}, style="filled", fillcolor="#ffffff", color="#ffffff"];`,
        );
        const plain = style.replace(", constraint=false", "");
        out.push(`    ${quote(`legend ${k}`)} -> ${quote(`legend ${k} means`)} [${plain}, minlen=2];`);
    }
    // Node kinds four to a row, line styles two to a row.
    const chunk = <T>(items: T[], n: number): T[][] =>
        items.flatMap((_, i) => (i % n === 0 ? [items.slice(i, i + n)] : []));
    const rows = [
        ...chunk(samples, 4),
        ...chunk(shown, 2).map((pair) => pair.flatMap(([k]) => [`legend ${k}`, `legend ${k} means`])),
    ];
    rows.forEach((row) => out.push(`    { rank=same; ${row.map(quote).join("; ")}; }`));
    rows.slice(1).forEach((row, i) => out.push(`    ${quote(rows[i][0])} -> ${quote(row[0])} [style=invis];`));
    out.push("  }");
    if (below) {
        out.push(`  ${quote(below)} -> ${quote(rows[0][0])} [style=invis];`);
    }
    return out;
}
