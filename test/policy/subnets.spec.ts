import { T } from "../../policy/lib/types";
import { awsxNetwork } from "./builders";
import { StackCase, StackResource, UNKNOWN, UNKNOWN_BOOL, describeRule } from "./helpers";

/** The awsx network with one resource changed (found by type and name). */
function changed(
    resources: StackResource[],
    type: string,
    name: string,
    change: (r: StackResource) => StackResource,
): StackResource[] {
    let hit = false;
    const out = resources.map((r) => {
        if (r.type === type && r.name === name) {
            hit = true;
            return change(r);
        }
        return r;
    });
    if (!hit) {
        throw new Error(`no ${type} ${name}`);
    }
    return out;
}

const ISOLATED =
    "isolated subnets must have no way to the internet (remove the route, or move the workload that needs egress to a private subnet)";

/** A route added to a subnet's table, the way a team would write it by hand. */
function extraRoute(
    subnet: string,
    target: Record<string, unknown>,
    deps: Record<string, string[]>,
    preview = false,
): StackResource {
    return {
        type: T.route,
        name: `${subnet}-extra`,
        props: {
            routeTableId: preview ? UNKNOWN : `rtb-${subnet.split("-").slice(-2).join("-")}`,
            destinationCidrBlock: "0.0.0.0/0",
            ...target,
        },
        deps: { routeTableId: [`${T.routeTable}::${subnet}`], ...deps },
    };
}

describe("policy: subnets", () => {
    describeRule<StackCase>("subnet-isolated-no-internet-route", {
        compliant: [
            { title: "what awsx registers (OnePerAz), every value known", case: { resources: awsxNetwork() } },
            {
                title: "a first preview: every ID unknown, followed through property dependencies",
                case: { resources: awsxNetwork({ preview: true }) },
            },
            {
                title: "an isolated subnet's table with a route to a VPC endpoint (no internet)",
                case: {
                    resources: [
                        ...awsxNetwork({ azs: ["us-east-1a"] }),
                        extraRoute("network-vpc-isolated-1", { vpcEndpointId: "vpce-0a1" }, {}),
                    ],
                },
            },
        ],
        violations: [
            {
                title: "a route to the internet gateway added to an isolated subnet's table, at preview (traced by dependency)",
                case: {
                    resources: [
                        ...awsxNetwork({ azs: ["us-east-1a"], preview: true }),
                        extraRoute(
                            "network-vpc-isolated-1",
                            { gatewayId: UNKNOWN },
                            { gatewayId: [`${T.internetGateway}::network-vpc`] },
                            true,
                        ),
                    ],
                },
                messages: [
                    `Subnet 'network-vpc-isolated-1' is isolated but its route 'network-vpc-isolated-1-extra' leads to the internet through gatewayId 'network-vpc'; ${ISOLATED}`,
                ],
            },
            {
                title: "at a first preview, inline routes (unknown) that depend on the internet gateway",
                case: {
                    resources: awsxNetwork({ azs: ["us-east-1a"], preview: true }).map((r) =>
                        r.type === T.routeTable && r.name === "network-vpc-isolated-1"
                            ? { ...r, deps: { ...r.deps, routes: [`${T.internetGateway}::network-vpc`] } }
                            : r,
                    ),
                },
                messages: [
                    `Subnet 'network-vpc-isolated-1' is isolated but its inline route in table 'network-vpc-isolated-1' leads to the internet through an inline route to 'network-vpc'; ${ISOLATED}`,
                ],
            },
            {
                title: "a NAT route on an isolated subnet's table, by ID",
                case: {
                    resources: [
                        ...awsxNetwork({ azs: ["us-east-1a"] }),
                        extraRoute("network-vpc-isolated-1", { natGatewayId: "nat-01" }, {}),
                    ],
                },
                messages: [
                    `Subnet 'network-vpc-isolated-1' is isolated but its route 'network-vpc-isolated-1-extra' leads to the internet through natGatewayId 'network-vpc-1'; ${ISOLATED}`,
                ],
            },
            {
                title: "an isolated subnet associated with the private subnet's table (inline routes, another team's style)",
                case: {
                    resources: [
                        {
                            type: T.subnet,
                            name: "data-a",
                            props: {
                                id: "subnet-0d1",
                                availabilityZone: "eu-west-1a",
                                tags: { SubnetType: "Isolated" },
                            },
                        },
                        {
                            type: T.routeTable,
                            name: "shared",
                            props: { id: "rtb-0s1", routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-0abc" }] },
                        },
                        {
                            type: T.routeTableAssociation,
                            name: "data-a-shared",
                            props: { subnetId: "subnet-0d1", routeTableId: "rtb-0s1" },
                        },
                    ],
                },
                messages: [
                    `Subnet 'data-a' is isolated but its inline route in table 'shared' leads to the internet through gatewayId igw-0abc; ${ISOLATED}`,
                ],
            },
            {
                title: "an IPv6 egress-only gateway route",
                case: {
                    resources: [
                        ...awsxNetwork({ azs: ["us-east-1a"] }),
                        {
                            ...extraRoute("network-vpc-isolated-1", { egressOnlyGatewayId: "eigw-0a1" }, {}),
                            props: {
                                routeTableId: "rtb-isolated-1",
                                destinationIpv6CidrBlock: "::/0",
                                egressOnlyGatewayId: "eigw-0a1",
                            },
                        },
                    ],
                },
                messages: [
                    `Subnet 'network-vpc-isolated-1' is isolated but its route 'network-vpc-isolated-1-extra' leads to the internet through egressOnlyGatewayId eigw-0a1; ${ISOLATED}`,
                ],
            },
        ],
        unknown: {
            title: "a route on an isolated subnet's table whose gateway is unknown and untraceable is a violation",
            case: {
                resources: [
                    ...awsxNetwork({ azs: ["us-east-1a"] }),
                    extraRoute("network-vpc-isolated-1", { gatewayId: UNKNOWN }, {}),
                ],
            },
            messages: [
                `Subnet 'network-vpc-isolated-1' is isolated but its route 'network-vpc-isolated-1-extra' has a target unknown during preview (gatewayId unknown during preview) that cannot be traced; ${ISOLATED}`,
            ],
        },
    });

    const PUBLIC_IP =
        "only public subnets may give instances a public IP (set mapPublicIpOnLaunch: false; put internet-facing hosts in a public subnet)";
    describeRule<StackCase>("subnet-public-ip-only-public", {
        compliant: [
            { title: "what awsx registers: only public subnets map public IPs", case: { resources: awsxNetwork() } },
            { title: "at a first preview", case: { resources: awsxNetwork({ preview: true }) } },
            {
                title: "an untagged subnet routed to an internet gateway is public",
                case: {
                    resources: [
                        { type: T.internetGateway, name: "igw", props: { id: "igw-0a1" } },
                        { type: T.subnet, name: "dmz", props: { id: "subnet-0d1", mapPublicIpOnLaunch: true } },
                        {
                            type: T.routeTable,
                            name: "dmz",
                            props: { id: "rtb-0d1", routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-0a1" }] },
                        },
                        {
                            type: T.routeTableAssociation,
                            name: "dmz-assoc",
                            props: { subnetId: "subnet-0d1", routeTableId: "rtb-0d1" },
                        },
                    ],
                },
            },
        ],
        violations: [
            {
                title: "a private subnet that maps public IPs (refused before it is created)",
                case: {
                    resources: changed(
                        awsxNetwork({ azs: ["us-east-1a"] }),
                        T.subnet,
                        "network-vpc-private-1",
                        (r) => ({
                            ...r,
                            props: { ...r.props, mapPublicIpOnLaunch: true },
                        }),
                    ),
                },
                messages: [`Subnet 'network-vpc-private-1' is private but maps public IPs on launch; ${PUBLIC_IP}`],
            },
            {
                title: "an isolated subnet that maps public IPs",
                case: {
                    resources: changed(
                        awsxNetwork({ azs: ["us-east-1a"] }),
                        T.subnet,
                        "network-vpc-isolated-1",
                        (r) => ({
                            ...r,
                            props: { ...r.props, mapPublicIpOnLaunch: true },
                        }),
                    ),
                },
                messages: [`Subnet 'network-vpc-isolated-1' is isolated but maps public IPs on launch; ${PUBLIC_IP}`],
            },
            {
                title: "an untagged subnet without a route to an internet gateway that maps public IPs",
                case: {
                    resources: [
                        { type: T.subnet, name: "app-b", props: { id: "subnet-0b2", mapPublicIpOnLaunch: true } },
                    ],
                },
                messages: [
                    `Subnet 'app-b' maps public IPs on launch but has no default route to an internet gateway, so it is not a public subnet; ${PUBLIC_IP}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown mapPublicIpOnLaunch is advisory until checked before creation",
            case: {
                resources: changed(awsxNetwork({ azs: ["us-east-1a"] }), T.subnet, "network-vpc-private-1", (r) => ({
                    ...r,
                    props: { ...r.props, mapPublicIpOnLaunch: UNKNOWN_BOOL },
                })),
            },
            advisory: true,
        },
    });

    const PER_AZ = "every AZ must leave through its own NAT gateway";
    describeRule<StackCase>("nat-gateway-per-az", {
        compliant: [
            { title: "awsx OnePerAz, every value known", case: { resources: awsxNetwork() } },
            {
                title: "awsx OnePerAz at a first preview, traced by dependency",
                case: { resources: awsxNetwork({ preview: true }) },
            },
            {
                title: "no NAT gateway at all (private subnets without egress)",
                case: { resources: awsxNetwork({ nat: "None" }) },
            },
            {
                title: "an awsx VPC whose children the plan does not show, with OnePerAz",
                case: { resources: [awsxNetwork()[0]] },
            },
        ],
        violations: [
            {
                title: "awsx's Single strategy: the private subnets of two AZs use the first AZ's NAT gateway",
                case: { resources: awsxNetwork({ nat: "Single" }) },
                messages: [
                    `Subnet 'network-vpc-private-2' in us-east-1b routes to the internet through NAT gateway 'network-vpc-1' in us-east-1a, so an outage of us-east-1a cuts it off; ${PER_AZ} (point route 'network-vpc-private-2' at the NAT gateway in us-east-1b; awsx: natGateways.strategy "OnePerAz")`,
                    `Subnet 'network-vpc-private-3' in us-east-1c routes to the internet through NAT gateway 'network-vpc-1' in us-east-1a, so an outage of us-east-1a cuts it off; ${PER_AZ} (point route 'network-vpc-private-3' at the NAT gateway in us-east-1c; awsx: natGateways.strategy "OnePerAz")`,
                ],
            },
            {
                title: "the same at a first preview, where only dependencies place the NAT gateway",
                case: { resources: awsxNetwork({ nat: "Single", azs: ["us-east-1a", "us-east-1b"], preview: true }) },
                messages: [
                    `Subnet 'network-vpc-private-2' in us-east-1b routes to the internet through NAT gateway 'network-vpc-1' in us-east-1a, so an outage of us-east-1a cuts it off; ${PER_AZ} (point route 'network-vpc-private-2' at the NAT gateway in us-east-1b; awsx: natGateways.strategy "OnePerAz")`,
                ],
            },
            {
                title: "an awsx VPC whose children the plan does not show, with the Single strategy over three AZs",
                case: { resources: [awsxNetwork({ nat: "Single" })[0]] },
                messages: [
                    `VPC 'network-vpc' uses one NAT gateway for 3 AZs, so an outage of its AZ cuts every AZ's private subnets off the internet; ${PER_AZ} (set natGateways.strategy: "OnePerAz")`,
                ],
            },
        ],
        unknown: {
            title: "a NAT route whose gateway cannot be placed is a violation",
            case: {
                resources: changed(
                    awsxNetwork({ azs: ["us-east-1a"], preview: true }),
                    T.route,
                    "network-vpc-private-1",
                    (r) => ({ ...r, deps: { routeTableId: [`${T.routeTable}::network-vpc-private-1`] } }),
                ),
            },
            messages: [
                `Subnet 'network-vpc-private-1' routes to the internet through natGatewayId unknown during preview, whose AZ cannot be determined; ${PER_AZ} (point route 'network-vpc-private-1' at the NAT gateway in us-east-1a; awsx: natGateways.strategy "OnePerAz")`,
            ],
        },
    });
});
