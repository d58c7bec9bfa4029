/**
 * The routing of a VPC as the pack reads it: which route tables a subnet uses (its explicit
 * association, else the VPC's main table), which routes those tables hold (aws.ec2.Route
 * resources and inline `routes`), and where each route leads (an internet gateway, a NAT
 * gateway, something else). Every reference is followed by value when known and through
 * property dependencies when not, so a first preview, where every ID is unknown, reads the
 * same as the state after a deploy.
 */
import { PolicyResource } from "@pulumi/policy";
import { identifiersOf, ofType, resolveRef } from "./graph";
import { T } from "./types";
import { Peeked, attempt, peek } from "./values";

export type RouteTarget =
    | { kind: "internet"; via: string; gateway?: PolicyResource }
    | { kind: "nat"; via: string; gateway?: PolicyResource }
    | { kind: "other"; via: string }
    | { kind: "unknown"; via: string };

export interface RouteView {
    /** The aws.ec2.Route, or the table for an inline route. */
    declaredBy: PolicyResource;
    /** "0.0.0.0/0", "::/0", a prefix list, or undefined when unknown. */
    destination: Peeked<string | undefined>;
    target: RouteTarget;
}

const TARGET_KEYS = [
    "gatewayId",
    "natGatewayId",
    "egressOnlyGatewayId",
    "carrierGatewayId",
    "transitGatewayId",
    "vpcEndpointId",
    "vpcPeeringConnectionId",
    "networkInterfaceId",
    "localGatewayId",
    "coreNetworkArn",
];

function describeVia(key: string, value: Peeked<unknown>, gateway?: PolicyResource): string {
    if (gateway) {
        return `${key} '${gateway.name}'`;
    }
    return value.known ? `${key} ${String(value.value)}` : `${key} unknown during preview`;
}

/** Targets that lead to the internet when set, and whose absence must be known. */
const DECISIVE = ["gatewayId", "natGatewayId", "egressOnlyGatewayId", "carrierGatewayId"];

function classify(
    key: string,
    value: Peeked<string | undefined>,
    deps: PolicyResource[],
    resources: PolicyResource[],
): RouteTarget {
    const id = value.known ? String(value.value) : undefined;
    const byValue = (type: string) =>
        id ? ofType(resources, type).find((r) => identifiersOf(r).includes(id)) : undefined;
    const byDep = (type: string) => deps.find((d) => d.type === type);
    if (key === "gatewayId") {
        const igw = byValue(T.internetGateway) ?? byDep(T.internetGateway);
        if (igw || id?.startsWith("igw-")) {
            return { kind: "internet", via: describeVia(key, value, igw), gateway: igw };
        }
        return { kind: id === undefined && deps.length === 0 ? "unknown" : "other", via: describeVia(key, value) };
    }
    if (key === "natGatewayId") {
        const nat = byValue(T.natGateway) ?? byDep(T.natGateway);
        return { kind: "nat", via: describeVia(key, value, nat), gateway: nat };
    }
    if (key === "egressOnlyGatewayId" || key === "carrierGatewayId") {
        return { kind: "internet", via: describeVia(key, value) };
    }
    return { kind: "other", via: describeVia(key, value) };
}

/** The resource types a target key can name, for tracing an inline entry's unknown target. */
const TARGET_TYPES: Record<string, string[]> = {
    gatewayId: [T.internetGateway, "aws:ec2/vpnGateway:VpnGateway"],
    natGatewayId: [T.natGateway],
    egressOnlyGatewayId: [T.egressOnlyInternetGateway],
};

/**
 * What an inline route entry's unknown `key` depends on: the engine records dependencies per
 * input property, so only the table's `routes` as a whole, for every entry. An unknown value
 * comes from a resource `routes` depends on, so when exactly one of them is of a type `key` can
 * name, that is the one (a table's inline default route to its AZ's NAT gateway, at a first
 * preview); with several, the entry stays untraced.
 */
function inlineDeps(table: PolicyResource, key: string): PolicyResource[] {
    const types = TARGET_TYPES[key];
    if (!types) {
        return [];
    }
    const candidates = (table.propertyDependencies?.routes ?? []).filter((d) => types.includes(d.type));
    return candidates.length === 1 ? candidates : [];
}

/**
 * Where a route (or inline route entry `entry` of `owner`) leads: the first target set to a
 * known value, else the first unknown one that property dependencies trace. A decisive target
 * (gateway, NAT) that is unknown and untraceable makes the route "unknown"; other targets the
 * provider computes (networkInterfaceId) do not.
 */
function targetOf(owner: PolicyResource, entry: unknown, inline: boolean, resources: PolicyResource[]): RouteTarget {
    const values = TARGET_KEYS.map((key) => ({ key, value: peek<string>(entry, key) }));
    const deps = (key: string) => (inline ? inlineDeps(owner, key) : (owner.propertyDependencies?.[key] ?? []));
    const known = values.find(({ value }) => value.known && typeof value.value === "string" && value.value !== "");
    if (known) {
        return classify(known.key, known.value, deps(known.key), resources);
    }
    const traced = values.find(({ key, value }) => !value.known && deps(key).length > 0);
    if (traced) {
        return classify(traced.key, traced.value, deps(traced.key), resources);
    }
    const blind = values.find(({ key, value }) => !value.known && DECISIVE.includes(key));
    return blind ? { kind: "unknown", via: describeVia(blind.key, blind.value) } : { kind: "other", via: "no target" };
}

function destinationOf(entry: unknown, keys: string[]): Peeked<string | undefined> {
    for (const key of keys) {
        const v = peek<string>(entry, key);
        if (!v.known || (typeof v.value === "string" && v.value !== "")) {
            return v;
        }
    }
    return { known: true, value: undefined };
}

/** Every route a table holds: its aws.ec2.Route resources and its inline routes. */
export function routesOf(table: PolicyResource, resources: PolicyResource[]): RouteView[] {
    const out: RouteView[] = [];
    for (const route of ofType(resources, T.route)) {
        if (resolveRef(route, "routeTableId", [table]).kind !== "resolved") {
            continue;
        }
        out.push({
            declaredBy: route,
            destination: destinationOf(route.props, [
                "destinationCidrBlock",
                "destinationIpv6CidrBlock",
                "destinationPrefixListId",
            ]),
            target: targetOf(route, route.props, false, resources),
        });
    }
    const inline = peek<unknown[]>(table.props, "routes");
    if (!inline.known) {
        // `routes` is computed: a table that sets none reads as unknown at a first preview, with
        // no dependencies (its routes are the aws.ec2.Route resources above). Routes the program
        // sets from other resources' outputs depend on them: each gateway they name is a route.
        for (const dep of table.propertyDependencies?.routes ?? []) {
            const target: RouteTarget =
                dep.type === T.internetGateway || dep.type === T.egressOnlyInternetGateway
                    ? { kind: "internet", via: `an inline route to '${dep.name}'`, gateway: dep }
                    : dep.type === T.natGateway
                      ? { kind: "nat", via: `an inline route to NAT gateway '${dep.name}'`, gateway: dep }
                      : { kind: "other", via: `an inline route depending on '${dep.name}'` };
            out.push({ declaredBy: table, destination: { known: false, path: inline.path }, target });
        }
    } else {
        const n = Array.isArray(inline.value) ? inline.value.length : 0;
        for (let i = 0; i < n; i++) {
            const entry = attempt(() => (inline.value as unknown[])[i]);
            out.push({
                declaredBy: table,
                destination: entry.known
                    ? destinationOf(entry.value, ["cidrBlock", "ipv6CidrBlock", "destinationPrefixListId"])
                    : entry,
                target: entry.known
                    ? targetOf(table, entry.value, true, resources)
                    : { kind: "unknown", via: "an inline route unknown during preview" },
            });
        }
    }
    return out;
}

/**
 * The route tables a subnet uses: those its associations name; without any, the VPC's main
 * table (a MainRouteTableAssociation's or an adopted DefaultRouteTable), when the stack holds it.
 */
export function routeTablesOf(subnet: PolicyResource, resources: PolicyResource[]): PolicyResource[] {
    const tables = ofType(resources, T.routeTable, T.defaultRouteTable);
    const found = new Map<string, PolicyResource>();
    for (const assoc of ofType(resources, T.routeTableAssociation)) {
        if (resolveRef(assoc, "subnetId", [subnet]).kind !== "resolved") {
            continue;
        }
        const table = resolveRef(assoc, "routeTableId", tables);
        if (table.kind === "resolved") {
            table.targets.forEach((t) => found.set(t.urn, t));
        }
    }
    if (found.size > 0) {
        return [...found.values()];
    }
    const vpcs = ofType(resources, T.vpc, T.awsxVpc);
    const vpc = resolveRef(subnet, "vpcId", vpcs);
    const inVpc = (r: PolicyResource, prop: string) => {
        const v = resolveRef(r, prop, vpcs);
        return vpc.kind === "resolved" && v.kind === "resolved" && v.targets.some((t) => vpc.targets.includes(t));
    };
    for (const main of ofType(resources, T.mainRouteTableAssociation)) {
        const table = resolveRef(main, "routeTableId", tables);
        if (inVpc(main, "vpcId") && table.kind === "resolved") {
            return table.targets;
        }
    }
    return ofType(resources, T.defaultRouteTable).filter((t) => inVpc(t, "defaultRouteTableId") || inVpc(t, "vpcId"));
}

/** The tier awsx gives a subnet (tag SubnetType: Public, Private, Isolated), lower case. */
export function tierOf(subnet: PolicyResource): string | undefined {
    for (const key of ["tags", "tagsAll"]) {
        const t = peek<string>(subnet.props, key, "SubnetType");
        if (t.known && typeof t.value === "string") {
            return t.value.toLowerCase();
        }
    }
    return undefined;
}

/** A default route (0.0.0.0/0 or ::/0); an unknown destination may be one. */
export function isDefaultRoute(r: RouteView): boolean {
    return !r.destination.known || r.destination.value === "0.0.0.0/0" || r.destination.value === "::/0";
}

/** The subnet's availability zone (name or ID). */
export function zoneOf(subnet: PolicyResource): Peeked<string | undefined> {
    const name = peek<string>(subnet.props, "availabilityZone");
    if (name.known && name.value) {
        return name;
    }
    const id = peek<string>(subnet.props, "availabilityZoneId");
    return id.known && id.value ? id : name;
}
