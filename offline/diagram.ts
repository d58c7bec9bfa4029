/**
 * The architecture diagram of the offline preview: the recorded resource graph as Graphviz DOT,
 * rendered to SVG by Graphviz compiled to WebAssembly (no system install).
 *
 * Components (ComponentResources) are clusters, the resources that matter for the picture are
 * nodes, and the edges are what the security groups allow: an arrow from A to B means A can
 * open a connection to B, labelled with the ports. Edges come from ingress rules only (standalone
 * `aws.vpc.SecurityGroupIngressRule`, legacy `aws.ec2.SecurityGroupRule`, inline `ingress` of a
 * security group); a rule's security group is drawn as the resources that use it (load
 * balancer, Auto Scaling group through its launch template, instance, RDS, Lambda), matched by
 * the IDs in their inputs, which are the security groups' IDs.
 */
import { RecordedResource } from "./types";

export interface DiagramNode {
    id: string;
    label: string;
    /** Picks the style: entry, edge (load balancers, CDN, WAF), compute, data, security, network, group. */
    kind: "entry" | "edge" | "compute" | "data" | "security" | "network" | "group";
    /** URN of the component it is drawn in, or null for the top level. */
    cluster: string | null;
}

export interface DiagramEdge {
    from: string;
    to: string;
    /** Sorted, e.g. ["80", "443"]. */
    ports: string[];
}

export interface DiagramCluster {
    urn: string;
    label: string;
    parent: string | null;
}

export interface Architecture {
    title: string;
    clusters: DiagramCluster[];
    nodes: DiagramNode[];
    edges: DiagramEdge[];
}

export const INTERNET = "internet";
export const ALLOWED_CIDRS = "allowed CIDRs";

const STACK = "pulumi:pulumi:Stack";
const SECURITY_GROUPS = ["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"];
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const ASG = "aws:autoscaling/group:Group";

const truthy = (v: unknown) => v === true || v === "true";
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** How each interesting resource type is drawn. Anything not listed is left out of the picture. */
const NODE_TYPES: Record<string, { kind: DiagramNode["kind"]; label: (r: RecordedResource, ctx: Context) => string }> =
    {
        "awsx:ec2:Vpc": {
            kind: "network",
            label: (r) => {
                const azs = r.inputs.availabilityZoneNames?.length ?? r.inputs.numberOfAvailabilityZones;
                return `VPC ${r.inputs.cidrBlock ?? ""}\n${azs ?? "?"} AZs, NAT ${r.inputs.natGateways?.strategy ?? "OnePerAz"}`;
            },
        },
        "aws:lb/loadBalancer:LoadBalancer": { kind: "edge", label: (r) => loadBalancerLabel(r) },
        "aws:alb/loadBalancer:LoadBalancer": { kind: "edge", label: (r) => loadBalancerLabel(r) },
        "aws:cloudfront/distribution:Distribution": { kind: "edge", label: () => "CloudFront distribution" },
        "aws:wafv2/webAcl:WebAcl": {
            kind: "edge",
            label: (r) => `WAF web ACL\n${(r.inputs.rules ?? []).length} rules`,
        },
        [ASG]: {
            kind: "compute",
            label: (r, ctx) => {
                const count = r.inputs.desiredCapacity ?? r.inputs.minSize;
                const type = ctx.templateOf(r)?.inputs.instanceType;
                return `Auto Scaling group\n${count ?? "?"} × ${type ?? "?"} (${r.inputs.minSize ?? "?"}-${r.inputs.maxSize ?? "?"})`;
            },
        },
        "aws:ec2/instance:Instance": { kind: "compute", label: (r) => `EC2 instance\n${r.inputs.instanceType ?? ""}` },
        "aws:lambda/function:Function": { kind: "compute", label: (r) => `Lambda\n${r.inputs.runtime ?? ""}` },
        "aws:rds/instance:Instance": {
            kind: "data",
            label: (r) =>
                `RDS ${r.inputs.engine ?? ""} ${r.inputs.engineVersion ?? ""}\n${r.inputs.instanceClass ?? ""}${truthy(r.inputs.multiAz) ? ", Multi-AZ" : ""}`,
        },
        "aws:rds/cluster:Cluster": { kind: "data", label: (r) => `RDS cluster\n${r.inputs.engine ?? ""}` },
        "aws:s3/bucket:Bucket": { kind: "data", label: () => "S3 bucket" },
        "aws:s3/bucketV2:BucketV2": { kind: "data", label: () => "S3 bucket" },
        "aws:kms/key:Key": { kind: "security", label: () => "KMS key" },
        "aws:secretsmanager/secret:Secret": { kind: "security", label: () => "Secrets Manager secret" },
    };

function loadBalancerLabel(r: RecordedResource): string {
    const type = r.inputs.loadBalancerType ?? "application";
    const name = type === "application" ? "ALB" : type === "network" ? "NLB" : `${type} LB`;
    return `${name}\n${truthy(r.inputs.internal) ? "internal" : "internet-facing"}`;
}

interface Context {
    templateOf(asg: RecordedResource): RecordedResource | undefined;
}

/** One ingress permission: traffic from `source` into the security group `target`. */
interface Ingress {
    target: string;
    source: { sg: string } | { cidr: string };
    ports: string;
}

function portLabel(protocol: unknown, from: number | undefined, to: number | undefined): string {
    const p = (typeof protocol === "string" || typeof protocol === "number" ? String(protocol) : "tcp").toLowerCase();
    if (p === "-1" || p === "all") {
        return "all";
    }
    if (p === "icmp" || p === "1" || p === "icmpv6" || p === "58") {
        return p.startsWith("icmpv6") || p === "58" ? "icmpv6" : "icmp";
    }
    const range = from === to || to === undefined ? String(from) : `${String(from)}-${to}`;
    return p === "tcp" || p === "6" ? range : `${range}/${p === "17" ? "udp" : p}`;
}

function cidrSources(v4: unknown, v6: unknown, prefixLists: unknown): { cidr: string }[] {
    return [...list(v4), ...list(v6), ...list(prefixLists)].map((cidr) => ({ cidr }));
}

/** Every ingress permission in the records, from all three ways of writing one. */
function ingressRules(resources: RecordedResource[]): Ingress[] {
    const rules: Ingress[] = [];
    for (const r of resources) {
        const i = r.inputs;
        if (r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
            const sources = i.referencedSecurityGroupId
                ? [{ sg: i.referencedSecurityGroupId }]
                : cidrSources(
                      [i.cidrIpv4].filter(Boolean),
                      [i.cidrIpv6].filter(Boolean),
                      [i.prefixListId].filter(Boolean),
                  );
            sources.forEach((source) =>
                rules.push({ target: i.securityGroupId, source, ports: portLabel(i.ipProtocol, i.fromPort, i.toPort) }),
            );
        } else if (r.type === "aws:ec2/securityGroupRule:SecurityGroupRule" && i.type === "ingress") {
            const sources = [
                ...(i.sourceSecurityGroupId ? [{ sg: i.sourceSecurityGroupId }] : []),
                ...(truthy(i.self) ? [{ sg: i.securityGroupId }] : []),
                ...cidrSources(i.cidrBlocks, i.ipv6CidrBlocks, i.prefixListIds),
            ];
            sources.forEach((source) =>
                rules.push({ target: i.securityGroupId, source, ports: portLabel(i.protocol, i.fromPort, i.toPort) }),
            );
        } else if (SECURITY_GROUPS.includes(r.type) && r.outputs.id) {
            for (const rule of Array.isArray(i.ingress) ? i.ingress : []) {
                const sources = [
                    ...list(rule.securityGroups).map((sg) => ({ sg })),
                    ...(truthy(rule.self) ? [{ sg: r.outputs.id }] : []),
                    ...cidrSources(rule.cidrBlocks, rule.ipv6CidrBlocks, rule.prefixListIds),
                ];
                sources.forEach((source) =>
                    rules.push({
                        target: r.outputs.id,
                        source,
                        ports: portLabel(rule.protocol, rule.fromPort, rule.toPort),
                    }),
                );
            }
        }
    }
    return rules.filter((rule) => typeof rule.target === "string");
}

/** The security groups each resource uses, by ID, as its inputs name them. */
function securityGroupsOf(r: RecordedResource): string[] {
    const i = r.inputs;
    switch (r.type) {
        case "aws:lb/loadBalancer:LoadBalancer":
        case "aws:alb/loadBalancer:LoadBalancer":
            return list(i.securityGroups);
        case LAUNCH_TEMPLATE:
            return [
                ...list(i.vpcSecurityGroupIds),
                ...(Array.isArray(i.networkInterfaces)
                    ? i.networkInterfaces.flatMap((n: any) => list(n?.securityGroups))
                    : []),
            ];
        case "aws:ec2/instance:Instance":
            return [...list(i.vpcSecurityGroupIds), ...list(i.securityGroups)];
        case "aws:rds/instance:Instance":
        case "aws:rds/cluster:Cluster":
            return list(i.vpcSecurityGroupIds);
        case "aws:lambda/function:Function":
            return list(i.vpcConfig?.securityGroupIds);
    }
    return [];
}

/** The launch template an Auto Scaling group launches, by ID or name. */
function templateSpecOf(asg: RecordedResource): { id?: string; name?: string } | undefined {
    const direct = asg.inputs.launchTemplate;
    if (direct) {
        return { id: direct.id, name: direct.name };
    }
    const spec = asg.inputs.mixedInstancesPolicy?.launchTemplate?.launchTemplateSpecification;
    return spec ? { id: spec.launchTemplateId, name: spec.launchTemplateName } : undefined;
}

function quote(text: string): string {
    return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

function comparePorts(a: string, b: string): number {
    return (parseInt(a, 10) || 0) - (parseInt(b, 10) || 0) || a.localeCompare(b);
}

/** The diagram's content: pure, deterministic for the same records. */
export function architecture(resources: RecordedResource[]): Architecture {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const templates = resources.filter((r) => r.type === LAUNCH_TEMPLATE);
    const ctx: Context = {
        templateOf(asg) {
            const spec = templateSpecOf(asg);
            return spec
                ? templates.find(
                      (t) =>
                          (spec.id !== undefined && t.outputs.id === spec.id) ||
                          (spec.name !== undefined && (t.outputs.name ?? t.inputs.name) === spec.name),
                  )
                : undefined;
        },
    };

    const isComponent = (r: RecordedResource) => !r.custom && r.type !== STACK && !(r.type in NODE_TYPES);
    const clusterOf = (r: RecordedResource): string | null => {
        for (let p = r.parent ? byUrn.get(r.parent) : undefined; p; p = p.parent ? byUrn.get(p.parent) : undefined) {
            if (isComponent(p)) {
                return p.urn;
            }
        }
        return null;
    };

    const nodes: DiagramNode[] = [];
    const nodeIdOf = new Map<string, string>();
    const used = new Set<string>();
    const addNode = (r: RecordedResource, kind: DiagramNode["kind"], label: string) => {
        let id = r.name;
        for (let n = 2; used.has(id); n++) {
            id = `${r.name}#${n}`;
        }
        used.add(id);
        nodeIdOf.set(r.urn, id);
        nodes.push({ id, label: `${label}\n${r.name}`, kind, cluster: clusterOf(r) });
        return id;
    };
    for (const r of resources) {
        const style = NODE_TYPES[r.type];
        if (style) {
            addNode(r, style.kind, style.label(r, ctx));
        }
    }

    // Which nodes stand for each security group.
    const sgUsers = new Map<string, string[]>();
    const use = (sg: string, nodeId: string) => sgUsers.set(sg, [...new Set([...(sgUsers.get(sg) ?? []), nodeId])]);
    for (const r of resources) {
        const groups = securityGroupsOf(r);
        if (groups.length === 0) {
            continue;
        }
        const users =
            r.type === LAUNCH_TEMPLATE
                ? resources.filter((a) => a.type === ASG && ctx.templateOf(a) === r).map((a) => nodeIdOf.get(a.urn)!)
                : [nodeIdOf.get(r.urn)!].filter(Boolean);
        // A launch template no group launches yet still marks where its instances would be.
        const targets = users.length > 0 ? users : [addNode(r, "compute", "launch template (no Auto Scaling group)")];
        groups.forEach((sg) => targets.forEach((id) => use(sg, id)));
    }

    const sgRecords = new Map(
        resources
            .filter((r) => SECURITY_GROUPS.includes(r.type) && r.outputs.id)
            .map((r) => [r.outputs.id as string, r]),
    );
    const nodesForSg = (sg: string): string[] => {
        const users = sgUsers.get(sg);
        if (users && users.length > 0) {
            return users;
        }
        // Nothing in the stack uses it (yet): draw the group itself, or mark it as someone else's.
        const record = sgRecords.get(sg);
        let id = sg;
        if (record) {
            id = addNode(record, "group", "security group (unused)");
        } else {
            used.add(sg);
            nodes.push({ id: sg, label: `security group ${sg}\n(outside this stack)`, kind: "group", cluster: null });
        }
        use(sg, id);
        return [id];
    };
    const special = (id: string, label: string) => {
        if (!nodes.some((n) => n.id === id)) {
            nodes.unshift({ id, label, kind: "entry", cluster: null });
        }
        return id;
    };

    const rules = ingressRules(resources);
    const externalCidrs = [
        ...new Set(
            rules.flatMap((rule) => ("cidr" in rule.source && !isAnywhere(rule.source.cidr) ? [rule.source.cidr] : [])),
        ),
    ].sort();
    const edgePorts = new Map<string, Set<string>>();
    for (const rule of rules) {
        const from =
            "sg" in rule.source
                ? nodesForSg(rule.source.sg)
                : isAnywhere(rule.source.cidr)
                  ? [special(INTERNET, "internet\n0.0.0.0/0")]
                  : [special(ALLOWED_CIDRS, `${ALLOWED_CIDRS}\n${externalCidrs.join("\n")}`)];
        for (const f of from) {
            for (const t of nodesForSg(rule.target)) {
                const key = JSON.stringify([f, t]);
                edgePorts.set(key, new Set([...(edgePorts.get(key) ?? []), rule.ports]));
            }
        }
    }
    const edges = [...edgePorts.entries()]
        .map(([key, ports]) => {
            const [from, to] = JSON.parse(key) as [string, string];
            return { from, to, ports: [...ports].sort(comparePorts) };
        })
        .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));

    const clusterUrns = new Set<string>();
    for (const n of nodes) {
        for (let c = n.cluster; c; c = clusterOfUrn(c)) {
            clusterUrns.add(c);
        }
    }
    function clusterOfUrn(urn: string): string | null {
        const r = byUrn.get(urn);
        return r ? clusterOf(r) : null;
    }
    const clusters = resources
        .filter((r) => clusterUrns.has(r.urn))
        .map((r) => ({ urn: r.urn, label: `${r.name}\n${r.type}`, parent: clusterOf(r) }));

    const stack = resources.find((r) => r.type === STACK);
    const [, stackName, project] = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(stack?.urn ?? "") ?? [];
    const title = stackName ? `${project} ${stackName}` : "architecture";
    return { title, clusters, nodes, edges };
}

function isAnywhere(cidr: string): boolean {
    return cidr === "0.0.0.0/0" || cidr === "::/0";
}

const STYLES: Record<DiagramNode["kind"], string> = {
    entry: 'shape=ellipse, fillcolor="#fde2e1"',
    edge: 'fillcolor="#ffe8c2"',
    compute: 'fillcolor="#dbe9ff"',
    data: 'shape=cylinder, fillcolor="#dcf3df"',
    security: 'fillcolor="#eeeeee"',
    network: 'fillcolor="#f3e8ff"',
    group: 'style="rounded,dashed,filled", fillcolor="#ffffff"',
};

/** The recorded resources as a Graphviz DOT digraph (pure). */
export function toDot(resources: RecordedResource[]): string {
    const a = architecture(resources);
    const lines = [
        "digraph architecture {",
        // Padding and margins leave room for fonts wider than the Helvetica metrics Graphviz lays out with.
        `  graph [label=${quote(`${a.title}\nboxes: components; arrows: security-group ingress (may connect), labelled with ports`)}, labelloc=t, fontname="Helvetica", fontsize=12, rankdir=TB, nodesep=0.5, ranksep=0.6, pad=0.4];`,
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, margin="0.2,0.08"];',
        '  edge [fontname="Helvetica", fontsize=9, color="#444444"];',
    ];
    const nodeLine = (n: DiagramNode, indent: string) =>
        `${indent}${quote(n.id)} [label=${quote(n.label)}, ${STYLES[n.kind]}];`;
    const emit = (cluster: string | null, indent: string) => {
        for (const n of a.nodes.filter((x) => x.cluster === cluster)) {
            lines.push(nodeLine(n, indent));
        }
        a.clusters
            .filter((c) => c.parent === cluster)
            .forEach((c) => {
                lines.push(`${indent}subgraph ${quote(`cluster_${a.clusters.indexOf(c)}`)} {`);
                lines.push(
                    `${indent}  label=${quote(c.label)}; style="rounded"; color="#888888"; fontname="Helvetica"; fontsize=10; margin=14;`,
                );
                emit(c.urn, indent + "  ");
                lines.push(`${indent}}`);
            });
    };
    emit(null, "  ");
    for (const e of a.edges) {
        lines.push(`  ${quote(e.from)} -> ${quote(e.to)} [label=${quote(e.ports.join(", "))}];`);
    }
    lines.push("}");
    return lines.join("\n") + "\n";
}

/** Renders DOT to SVG with Graphviz compiled to WebAssembly. */
export async function renderSvg(dot: string): Promise<string> {
    // Loaded only when a diagram is asked for: the WASM module is a few MB.
    const { Graphviz } = await import("@hpcc-js/wasm-graphviz");
    const graphviz = await Graphviz.load();
    return graphviz.dot(dot, "svg");
}
