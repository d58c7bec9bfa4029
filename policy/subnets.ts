/**
 * Rules about the VPC's own resources (what awsx's Vpc registers, or the same written by
 * hand): isolated subnets have no way to the internet, only public subnets give instances
 * public IPs, and in prod every AZ's private subnets leave through their own AZ's NAT gateway.
 * Subnets, tables, routes and gateways are related by value or through property dependencies,
 * so a first preview, where every ID is unknown, is read the same as a deployed stack.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { lineage, ofType, resolveRef } from "./lib/graph";
import { reportAdvisory } from "./lib/report";
import { WebfleetPolicy, stackRule } from "./lib/rule";
import { RouteView, isDefaultRoute, routeTablesOf, routesOf, tierOf, zoneOf } from "./lib/routing";
import { T, subject } from "./lib/types";
import { isTrue, peek } from "./lib/values";

const ROUTING_TYPES = [T.subnet, T.routeTable, T.route, T.routeTableAssociation, T.internetGateway, T.natGateway];

function routesOfSubnet(subnet: PolicyResource, resources: PolicyResource[]): RouteView[] {
    return routeTablesOf(subnet, resources).flatMap((t) => routesOf(t, resources));
}

function routeLabel(r: RouteView): string {
    return r.declaredBy.type === T.route
        ? `route '${r.declaredBy.name}'`
        : `inline route in table '${r.declaredBy.name}'`;
}

const subnetIsolatedNoInternetRoute = stackRule({
    name: "subnet-isolated-no-internet-route",
    description:
        "Isolated subnets (the database tier) have no route to an internet gateway, a NAT gateway or an egress-only gateway.",
    severity: "high",
    resources: ROUTING_TYPES,
    checks: "Subnets tagged SubnetType=Isolated use route tables (associated, or the VPC's main table) with no route through an internet, NAT, egress-only or carrier gateway",
    equivalents: {},
    unknown: "violation",
    unknownNote:
        "Tables, routes and gateways are traced through property dependencies at preview; a route whose gateway can be traced neither way is a violation on an isolated subnet.",
    validate: (args, report: ReportViolation) => {
        for (const subnet of ofType(args.resources, T.subnet)) {
            if (tierOf(subnet) !== "isolated") {
                continue;
            }
            for (const r of routesOfSubnet(subnet, args.resources)) {
                const fix =
                    "isolated subnets must have no way to the internet (remove the route, or move the workload that needs egress to a private subnet)";
                if (r.target.kind === "internet" || r.target.kind === "nat") {
                    report(
                        `${subject(subnet.type, subnet.name)} is isolated but its ${routeLabel(r)} leads to the internet through ${r.target.via}; ${fix}`,
                        subnet.urn,
                    );
                } else if (r.target.kind === "unknown") {
                    report(
                        `${subject(subnet.type, subnet.name)} is isolated but its ${routeLabel(r)} has a target unknown during preview (${r.target.via}) that cannot be traced; ${fix}`,
                        subnet.urn,
                    );
                }
            }
        }
    },
});

/** Public by tag, or (untagged) by a default route to an internet gateway. */
function isPublic(subnet: PolicyResource, resources: PolicyResource[]): boolean {
    const tier = tierOf(subnet);
    if (tier !== undefined) {
        return tier === "public";
    }
    return routesOfSubnet(subnet, resources).some((r) => isDefaultRoute(r) && r.target.kind === "internet");
}

const PUBLIC_IP_FIX =
    "only public subnets may give instances a public IP (set mapPublicIpOnLaunch: false; put internet-facing hosts in a public subnet)";

const subnetPublicIpOnlyPublic = stackRule({
    name: "subnet-public-ip-only-public",
    description: "Only public subnets give the instances launched in them a public IP address.",
    severity: "high",
    resources: ROUTING_TYPES,
    checks: "mapPublicIpOnLaunch is true only on subnets tagged SubnetType=Public, or (untagged) routed to an internet gateway; tagged Private/Isolated subnets are refused before creation",
    equivalents: {
        cdkNag: ["NIST.800.53.R5-VPCSubnetAutoAssignPublicIpDisabled"],
        checkov: ["CKV_AWS_130"],
    },
    unknown: "advisory",
    unknownNote:
        "A tagged subnet's mapPublicIpOnLaunch is checked before it is created; an unknown value in the graph is advisory.",
    requirement: PUBLIC_IP_FIX,
    beforeCreate: [
        validateResourceOfType(aws.ec2.Subnet, (subnet, args, report) => {
            const tier = (subnet.tags?.SubnetType ?? "").toLowerCase();
            if ((tier === "private" || tier === "isolated") && isTrue(subnet.mapPublicIpOnLaunch)) {
                report(`${subject(args.type, args.name)} is ${tier} but maps public IPs on launch; ${PUBLIC_IP_FIX}`);
            }
        }),
    ],
    validate: (args, report: ReportViolation) => {
        for (const subnet of ofType(args.resources, T.subnet)) {
            const map = peek<unknown>(subnet.props, "mapPublicIpOnLaunch");
            const tier = tierOf(subnet);
            if (tier !== undefined && tier !== "public" && map.known) {
                // A tagged subnet is judged before creation (beforeCreate).
                continue;
            }
            if (!map.known) {
                reportAdvisory(
                    report,
                    `${subject(subnet.type, subnet.name)} has a mapPublicIpOnLaunch unknown during preview, so it cannot be verified yet; ${PUBLIC_IP_FIX}`,
                    subnet.urn,
                );
            } else if (isTrue(map.value) && !isPublic(subnet, args.resources)) {
                report(
                    `${subject(subnet.type, subnet.name)} maps public IPs on launch but has no default route to an internet gateway, so it is not a public subnet; ${PUBLIC_IP_FIX}`,
                    subnet.urn,
                );
            }
        }
    },
});

/** The AZ a NAT gateway sits in: its subnet's. */
function natZone(nat: PolicyResource, subnets: PolicyResource[]): string | undefined {
    const s = resolveRef(nat, "subnetId", subnets);
    if (s.kind !== "resolved") {
        return undefined;
    }
    const z = zoneOf(s.targets[0]);
    return z.known ? z.value : undefined;
}

function isPrivate(subnet: PolicyResource, routes: RouteView[]): boolean {
    const tier = tierOf(subnet);
    return tier !== undefined ? tier === "private" : routes.some((r) => isDefaultRoute(r) && r.target.kind === "nat");
}

/** awsx:ec2:Vpc components whose subnets the stack does not show: judged by their NAT strategy. */
function checkComponentStrategy(resources: PolicyResource[], report: ReportViolation): void {
    for (const vpc of ofType(resources, T.awsxVpc)) {
        if (ofType(resources, T.subnet).some((s) => lineage(s).some((a) => a.urn === vpc.urn))) {
            continue;
        }
        const strategy = peek<string>(vpc.props, "natGateways", "strategy");
        const zones = peek<unknown[]>(vpc.props, "availabilityZoneNames");
        const count = peek<number>(vpc.props, "numberOfAvailabilityZones");
        const azs =
            zones.known && Array.isArray(zones.value) ? zones.value.length : count.known ? (count.value ?? 3) : 3;
        const s = strategy.known ? (strategy.value ?? "OnePerAz") : undefined;
        if (s === undefined) {
            report(
                `${subject(vpc.type, vpc.name)} has a NAT gateway strategy unknown during preview; every AZ must leave through its own NAT gateway (set natGateways.strategy: "OnePerAz")`,
                vpc.urn,
            );
        } else if (s.toLowerCase() === "single" && azs > 1) {
            report(
                `${subject(vpc.type, vpc.name)} uses one NAT gateway for ${azs} AZs, so an outage of its AZ cuts every AZ's private subnets off the internet; every AZ must leave through its own NAT gateway (set natGateways.strategy: "OnePerAz")`,
                vpc.urn,
            );
        }
    }
}

const natGatewayPerAz = stackRule({
    name: "nat-gateway-per-az",
    description:
        "Private subnets leave through a NAT gateway in their own AZ, so one AZ's outage does not cut the others off the internet.",
    severity: "high",
    prodOnly: true,
    resources: [...ROUTING_TYPES, T.awsxVpc],
    checks: "Each private subnet's default route goes to a NAT gateway whose subnet is in the same AZ; an awsx.ec2.Vpc whose subnets are not in the plan must not use the Single NAT strategy over several AZs",
    equivalents: {},
    unknown: "violation",
    unknownNote:
        "NAT gateways and their subnets are traced through property dependencies at preview; a NAT gateway whose AZ cannot be placed is a violation.",
    validate: (args, report: ReportViolation) => {
        const subnets = ofType(args.resources, T.subnet);
        for (const subnet of subnets) {
            const routes = routesOfSubnet(subnet, args.resources);
            if (!isPrivate(subnet, routes)) {
                continue;
            }
            const zone = zoneOf(subnet);
            const egress = routes.filter(
                (x) => isDefaultRoute(x) && (x.target.kind === "nat" || x.target.kind === "unknown"),
            );
            for (const r of egress) {
                const nat = r.target.kind === "nat" ? r.target.gateway : undefined;
                const natAz = nat ? natZone(nat, subnets) : undefined;
                const fix = `every AZ must leave through its own NAT gateway (point ${routeLabel(r)} at the NAT gateway in ${zone.known ? (zone.value ?? "its AZ") : "its AZ"}; awsx: natGateways.strategy "OnePerAz")`;
                if (!nat || natAz === undefined || !zone.known) {
                    report(
                        `${subject(subnet.type, subnet.name)} routes to the internet through ${r.target.via}, whose AZ cannot be determined; ${fix}`,
                        subnet.urn,
                    );
                } else if (natAz !== zone.value) {
                    report(
                        `${subject(subnet.type, subnet.name)} in ${zone.value} routes to the internet through NAT gateway '${nat.name}' in ${natAz}, so an outage of ${natAz} cuts it off; ${fix}`,
                        subnet.urn,
                    );
                }
            }
        }
        checkComponentStrategy(args.resources, report);
    },
});

export const subnetPolicies: WebfleetPolicy[] = [
    subnetIsolatedNoInternetRoute,
    subnetPublicIpOnlyPublic,
    natGatewayPerAz,
];
