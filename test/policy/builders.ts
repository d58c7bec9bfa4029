/** Small builders for stack-rule cases (StackResource shapes, as the offline preview records them). */
import { T } from "../../policy/lib/types";
import { StackResource, UNKNOWN } from "./helpers";

export function sg(name: string, id: string, role?: string, extra: Record<string, unknown> = {}): StackResource {
    return {
        type: T.securityGroup,
        name,
        props: {
            id,
            description: `${name} group`,
            vpcId: "vpc-0a1",
            ...(role ? { tags: { "webfleet:role": role } } : {}),
            ...extra,
        },
    };
}

export function ingressRule(
    name: string,
    group: [string, string] | undefined,
    port: number | [number, number],
    source: Record<string, unknown>,
    opts: { protocol?: unknown; sourceDep?: string; ownerDep?: boolean } = {},
): StackResource {
    const [from, to] = Array.isArray(port) ? port : [port, port];
    return {
        type: T.ingressRule,
        name,
        props: {
            securityGroupId: group ? group[1] : undefined,
            ipProtocol: opts.protocol ?? "tcp",
            fromPort: from,
            toPort: to,
            description: name,
            ...source,
        },
        deps: {
            ...(group && opts.ownerDep !== false ? { securityGroupId: [group[0]] } : {}),
            ...(opts.sourceDep ? { referencedSecurityGroupId: [opts.sourceDep] } : {}),
        },
    };
}

export function egressRule(
    name: string,
    group: [string, string],
    port: number,
    source: Record<string, unknown>,
): StackResource {
    return {
        type: T.egressRule,
        name,
        props: {
            securityGroupId: group[1],
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description: name,
            ...source,
        },
        deps: { securityGroupId: [group[0]] },
    };
}

export function legacyRule(
    name: string,
    group: [string, string],
    type: "ingress" | "egress",
    port: number,
    source: Record<string, unknown>,
): StackResource {
    return {
        type: T.securityGroupRule,
        name,
        props: {
            securityGroupId: group[1],
            type,
            protocol: "tcp",
            fromPort: port,
            toPort: port,
            description: name,
            ...source,
        },
        deps: { securityGroupId: [group[0]] },
    };
}

export const ALB: [string, string] = ["alb-sg", "sg-0a1b2c3d4e5f6d001"];
export const WEB: [string, string] = ["web-sg", "sg-0a1b2c3d4e5f6d002"];
export const BASTION: [string, string] = ["bastion-sg", "sg-0a1b2c3d4e5f6d003"];
export const DB: [string, string] = ["db-sg", "sg-0a1b2c3d4e5f6d004"];

/** The four tagged groups of a webfleet stack. */
export function groups(): StackResource[] {
    return [
        sg(ALB[0], ALB[1], "alb"),
        sg(WEB[0], WEB[1], "web"),
        sg(BASTION[0], BASTION[1], "bastion"),
        sg(DB[0], DB[1], "database"),
    ];
}

export function awsxVpc(name = "vpc", id = "vpc-0a1"): StackResource {
    return { type: T.awsxVpc, name, props: { id, vpcId: id, privateSubnetIds: ["subnet-1", "subnet-2"] } };
}

export function bucket(name: string, id: string): StackResource {
    return { type: T.bucket, name, props: { id, bucket: id, arn: `arn:aws:s3:::${id}` } };
}

export function companion(
    type: string,
    name: string,
    bucketName: string,
    bucketId: string,
    props: Record<string, unknown>,
): StackResource {
    return { type, name, props: { bucket: bucketId, ...props }, deps: { bucket: [bucketName] } };
}

/** A resource whose provider computes `outputs` (unknown at preview); its inputs lack them. */
export function withComputed(r: StackResource, outputs: Record<string, unknown>): StackResource {
    return { ...r, props: { ...r.props, ...outputs }, inputs: r.props };
}

export interface AwsxNetworkOptions {
    name?: string;
    azs?: string[];
    nat?: "OnePerAz" | "Single" | "None";
    /** A first preview: every provider-computed ID is unknown; references are traced by dependency. */
    preview?: boolean;
}

/**
 * What awsx 3.x registers for an awsx.ec2.Vpc (pulumi/pulumi-awsx awsx/ec2/vpc.ts): the VPC, an
 * internet gateway, per AZ a public, a private and an isolated subnet (tag SubnetType, public ones
 * mapping public IPs), a route table and association per subnet, an internet route for public
 * subnets, NAT gateways with Elastic IPs per the strategy, and a NAT route for private subnets.
 * Names and parents as awsx gives them.
 */
export function awsxNetwork(opts: AwsxNetworkOptions = {}): StackResource[] {
    const name = opts.name ?? "network-vpc";
    const azs = opts.azs ?? ["us-east-1a", "us-east-1b", "us-east-1c"];
    const nat = opts.nat ?? "OnePerAz";
    const id = (value: string) => (opts.preview ? UNKNOWN : value);
    const out: StackResource[] = [
        {
            type: T.awsxVpc,
            name,
            props: { vpcId: id("vpc-0a1"), natGateways: { strategy: nat }, availabilityZoneNames: azs },
        },
        { type: T.vpc, name, parent: `${T.awsxVpc}::${name}`, props: { id: id("vpc-0a1"), cidrBlock: "10.20.0.0/16" } },
        {
            type: T.internetGateway,
            name,
            parent: `${T.vpc}::${name}`,
            props: { id: id("igw-0a1"), vpcId: id("vpc-0a1") },
            deps: { vpcId: [`${T.vpc}::${name}`] },
        },
    ];
    const nats: string[] = [];
    azs.forEach((az, i) => {
        for (const tier of ["public", "private", "isolated"] as const) {
            const subnet = `${name}-${tier}-${i + 1}`;
            const type = tier[0].toUpperCase() + tier.slice(1);
            out.push(
                {
                    type: T.subnet,
                    name: subnet,
                    parent: `${T.vpc}::${name}`,
                    deps: { vpcId: [`${T.vpc}::${name}`] },
                    props: {
                        id: id(`subnet-${tier}-${i + 1}`),
                        vpcId: id("vpc-0a1"),
                        availabilityZone: az,
                        mapPublicIpOnLaunch: tier === "public",
                        cidrBlock: `10.20.${i * 64 + (tier === "public" ? 0 : tier === "private" ? 16 : 48)}.0/20`,
                        tags: { Name: subnet, SubnetType: type },
                    },
                },
                {
                    type: T.routeTable,
                    name: subnet,
                    parent: `${T.subnet}::${subnet}`,
                    deps: { vpcId: [`${T.vpc}::${name}`] },
                    props: {
                        id: id(`rtb-${tier}-${i + 1}`),
                        vpcId: id("vpc-0a1"),
                        tags: { Name: subnet, SubnetType: type },
                        // `routes` is computed: unknown at a first preview, with no dependencies.
                        ...(opts.preview ? { routes: UNKNOWN } : {}),
                    },
                },
                {
                    type: T.routeTableAssociation,
                    name: subnet,
                    parent: `${T.routeTable}::${subnet}`,
                    props: { routeTableId: id(`rtb-${tier}-${i + 1}`), subnetId: id(`subnet-${tier}-${i + 1}`) },
                    deps: { routeTableId: [`${T.routeTable}::${subnet}`], subnetId: [`${T.subnet}::${subnet}`] },
                },
            );
            if (tier === "public" && (nat === "OnePerAz" || (nat === "Single" && i === 0))) {
                const gw = `${name}-${i + 1}`;
                nats.push(gw);
                out.push(
                    {
                        type: EIP,
                        name: gw,
                        parent: `${T.subnet}::${subnet}`,
                        props: { allocationId: id(`eipalloc-${i + 1}`) },
                    },
                    {
                        type: T.natGateway,
                        name: gw,
                        parent: `${T.subnet}::${subnet}`,
                        props: {
                            id: id(`nat-0${i + 1}`),
                            subnetId: id(`subnet-public-${i + 1}`),
                            allocationId: id(`eipalloc-${i + 1}`),
                        },
                        deps: { subnetId: [`${T.subnet}::${subnet}`], allocationId: [`${EIP}::${gw}`] },
                    },
                );
            }
            if (tier === "public") {
                out.push({
                    type: T.route,
                    name: subnet,
                    parent: `${T.routeTable}::${subnet}`,
                    props: {
                        routeTableId: id(`rtb-public-${i + 1}`),
                        gatewayId: id("igw-0a1"),
                        destinationCidrBlock: "0.0.0.0/0",
                    },
                    deps: {
                        routeTableId: [`${T.routeTable}::${subnet}`],
                        gatewayId: [`${T.internetGateway}::${name}`],
                    },
                });
            } else if (tier === "private" && nat !== "None") {
                const gw = nat === "Single" ? nats[0] : nats[i];
                const natId = `nat-0${nat === "Single" ? 1 : i + 1}`;
                out.push({
                    type: T.route,
                    name: subnet,
                    parent: `${T.routeTable}::${subnet}`,
                    props: {
                        routeTableId: id(`rtb-private-${i + 1}`),
                        natGatewayId: id(natId),
                        destinationCidrBlock: "0.0.0.0/0",
                    },
                    deps: { routeTableId: [`${T.routeTable}::${subnet}`], natGatewayId: [`${T.natGateway}::${gw}`] },
                });
            }
        }
    });
    return out;
}

const EIP = "aws:ec2/eip:Eip";
