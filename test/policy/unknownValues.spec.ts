/**
 * Values unknown during a real first preview, beyond each rule's own unknown-value case: a
 * misconfiguration next to values that are still unknown is caught (a known world CIDR beside an
 * unknown entry, source or group ID), and a list the program built from other resources' outputs
 * (wholly unknown at preview, but with property dependencies, as the engine records an input's
 * sources) is declared and unknown, never absent, while the provider's computed list of a property
 * the program left unset (unknown, no dependency) still tells nothing.
 */
import { expect } from "chai";
import { T } from "../../policy/lib/types";
import { ALB, BASTION, DB, WEB, groups, ingressRule, sg } from "./builders";
import { WebfleetStackPolicy } from "../../policy/lib/rule";
import { Finding, StackResource, UNKNOWN, UNKNOWN_ARRAY, UNKNOWN_NUMBER, rule, run, runResourceRule } from "./helpers";

const hard = (found: Finding[]) => found.filter((f) => !f.unknown && !f.advisory && !f.exempted).map((f) => f.message);
const notes = (found: Finding[]) => found.filter((f) => f.unknown || f.advisory).map((f) => f.message);

/** A group whose whole `direction` list is unknown at preview, built from `from`'s outputs (or computed). */
function computedList(group: StackResource, direction: "ingress" | "egress", from?: string): StackResource {
    return {
        ...group,
        props: { ...group.props, [direction]: UNKNOWN_ARRAY },
        ...(from ? { deps: { ...(group.deps ?? {}), [direction]: [from] } } : {}),
    };
}

describe("policy: values unknown at preview", () => {
    describe("sg-no-public-ingress before creation: a known world CIDR next to unknown values", () => {
        const policy = rule<WebfleetStackPolicy>("sg-no-public-ingress");
        // The pre-creation part alone: what the engine runs on each resource's inputs.
        const beforeCreate = (type: string, props: Record<string, unknown>) =>
            runResourceRule({ validateResource: policy.validateResource! }, { type, props });

        it("an inline entry unknown at preview does not hide SSH from 0.0.0.0/0 in the next one", async () => {
            const found = await beforeCreate(T.securityGroup, {
                description: "app",
                ingress: [
                    UNKNOWN,
                    { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"], securityGroups: [UNKNOWN] },
                ],
            });
            expect(hard(found)).to.deep.include(
                "Security group 'subject' (inline ingress[1]) allows tcp port 22 from 0.0.0.0/0, the whole internet; internet traffic may reach only the load balancer's security group, and only on tcp ports 80 and 443, one port per rule (reference a security group or a private CIDR instead)",
            );
            expect(notes(found)).to.deep.include(
                "Security group 'subject' has a value unknown during preview at ingress.0, so it cannot be verified yet; it is checked on the real value before the resource is created (only the load balancer's security group may accept internet traffic, on ports 80 and 443)",
            );
        });

        it("an unknown CIDR in the list does not hide the world CIDR beside it", async () => {
            const found = await beforeCreate(T.securityGroupRule, {
                type: "ingress",
                securityGroupId: UNKNOWN,
                protocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
                cidrBlocks: [UNKNOWN, "0.0.0.0/0"],
            });
            expect(hard(found)).to.deep.equal([
                "Security group rule 'subject' allows tcp port 5432 from 0.0.0.0/0, the whole internet; internet traffic may reach only the load balancer's security group, and only on tcp ports 80 and 443, one port per rule (reference a security group or a private CIDR instead)",
            ]);
            expect(notes(found)).to.have.length(1);
        });

        it("a world CIDR whose port is unknown may be 443 on the load balancer's group: cannot verify yet", async () => {
            const found = await beforeCreate(T.ingressRule, {
                securityGroupId: UNKNOWN,
                ipProtocol: "tcp",
                fromPort: UNKNOWN_NUMBER,
                toPort: UNKNOWN_NUMBER,
                cidrIpv4: "0.0.0.0/0",
            });
            expect(hard(found)).to.deep.equal([]);
            expect(notes(found)).to.deep.equal([
                "Security group ingress rule 'subject' has a value unknown during preview at the ports, so it cannot be verified yet; it is checked on the real value before the resource is created (only the load balancer's security group may accept internet traffic, on ports 80 and 443)",
            ]);
        });

        it("all traffic from 0.0.0.0/0 is refused whatever the unknown ports", async () => {
            const found = await beforeCreate(T.ingressRule, {
                securityGroupId: UNKNOWN,
                ipProtocol: "-1",
                fromPort: UNKNOWN_NUMBER,
                toPort: UNKNOWN_NUMBER,
                cidrIpv4: "0.0.0.0/0",
            });
            expect(hard(found)).to.have.length(1);
        });

        it("a wholly unknown inline list at preview cannot be verified yet (advisory, checked before creation)", async () => {
            const found = await beforeCreate(T.securityGroup, { description: "app", ingress: UNKNOWN_ARRAY });
            expect(hard(found)).to.deep.equal([]);
            expect(notes(found)).to.have.length(1);
        });
    });

    describe("an inline list built from other resources' outputs is declared, not absent", () => {
        it("ssh-only-from-bastion: a group's ingress built with apply from another group's ID", async () => {
            const resources = [...groups(), computedList(sg("app-sg", UNKNOWN, "web"), "ingress", BASTION[0])];
            expect(hard(await run(rule("ssh-only-from-bastion"), { resources }))).to.deep.equal([
                "Security group 'app-sg' allows ports unknown during preview, possibly SSH port 22, from a source unknown during preview that cannot be traced to the bastion's security group; SSH must come only through the bastion (use the bastion's security group, tagged webfleet:role=bastion, as the only source)",
            ]);
        });

        it("ssh-only-from-bastion: the provider's computed list (no dependency) is not declared", async () => {
            const resources = [...groups(), computedList(sg("app-sg", UNKNOWN, "web"), "ingress")];
            expect(await run(rule("ssh-only-from-bastion"), { resources })).to.deep.equal([]);
        });

        it("db-sg-no-cidr-ingress: the database group's ingress built from outputs", async () => {
            const resources = [
                sg(WEB[0], WEB[1], "web"),
                computedList(sg(DB[0], UNKNOWN, "database"), "ingress", WEB[0]),
            ];
            expect(hard(await run(rule("db-sg-no-cidr-ingress"), { resources }))).to.have.length(1);
        });

        it("db-sg-no-open-egress: the database group's egress built from outputs", async () => {
            const resources = [computedList(sg(DB[0], UNKNOWN, "database"), "egress", ALB[0]), sg(ALB[0], ALB[1])];
            expect(hard(await run(rule("db-sg-no-open-egress"), { resources }))).to.have.length(1);
        });

        it("sg-no-mixed-rule-styles: a computed inline list beside a standalone rule", async () => {
            const web = computedList(sg(WEB[0], UNKNOWN, "web"), "ingress", ALB[0]);
            const resources = [
                sg(ALB[0], ALB[1], "alb"),
                web,
                ingressRule("web-https", [WEB[0], UNKNOWN], 443, { referencedSecurityGroupId: ALB[1] }),
            ];
            expect(hard(await run(rule("sg-no-mixed-rule-styles"), { resources }))).to.have.length(1);
            const computed = [sg(ALB[0], ALB[1], "alb"), computedList(sg(WEB[0], UNKNOWN, "web"), "ingress")];
            computed.push(ingressRule("web-https", [WEB[0], UNKNOWN], 443, { referencedSecurityGroupId: ALB[1] }));
            expect(await run(rule("sg-no-mixed-rule-styles"), { resources: computed })).to.deep.equal([]);
        });

        it("default-sg-closed: the default group's rules built from outputs", async () => {
            const vpc = { type: T.vpc, name: "main", props: { id: UNKNOWN, cidrBlock: "10.0.0.0/16" } };
            const adopted = (deps: Record<string, string[]>): StackResource => ({
                type: T.defaultSecurityGroup,
                name: "main-default",
                props: { vpcId: UNKNOWN, ingress: UNKNOWN_ARRAY, egress: UNKNOWN_ARRAY },
                deps,
            });
            expect(
                await run(rule("default-sg-closed"), { resources: [vpc, adopted({ vpcId: ["main"] })] }),
            ).to.deep.equal([]);
            expect(
                hard(
                    await run(rule("default-sg-closed"), {
                        resources: [vpc, adopted({ vpcId: ["main"], ingress: ["main"] })],
                    }),
                ),
            ).to.deep.equal([
                "Default security group 'main-default' has ingress rules built from other resources' outputs, unknown during preview; the default security group must stay closed, whatever they turn out to be (set ingress: [] and give resources their own security groups)",
            ]);
        });
    });

    describe("egress whose ports are unknown at preview", () => {
        const egress = (group: [string, string], protocol: unknown, cidr: string): StackResource => ({
            type: T.egressRule,
            name: "out",
            props: {
                securityGroupId: group[1],
                ipProtocol: protocol,
                fromPort: UNKNOWN_NUMBER,
                toPort: UNKNOWN_NUMBER,
                cidrIpv6: cidr,
                description: "out",
            },
            deps: { securityGroupId: [group[0]] },
        });

        it("sg-no-all-traffic-egress: tcp ports unknown to ::/0 is an advisory note, never a silent pass", async () => {
            const found = await run(rule("sg-no-all-traffic-egress"), {
                resources: [...groups(), egress(WEB, "tcp", "::/0")],
            });
            expect(found.map((f) => [f.message, f.advisory])).to.deep.equal([
                [
                    "Security group egress rule 'out' on security group 'web-sg' allows ports unknown during preview out to ::/0, so it cannot be verified yet; egress should name the ports it needs",
                    true,
                ],
            ]);
        });

        it("sg-no-all-traffic-egress: an unknown protocol is an advisory note too, not a finding at the rule's level", async () => {
            const found = await run(rule("sg-no-all-traffic-egress"), {
                resources: [...groups(), egress(WEB, UNKNOWN, "::/0")],
            });
            expect(found.length).to.equal(1);
            expect(found[0].advisory).to.equal(true);
        });

        it("db-sg-no-open-egress: the database group's ports unknown to a private range may be every port", async () => {
            const found = await run(rule("db-sg-no-open-egress"), {
                resources: [...groups(), egress(DB, "tcp", "fd00::/8")],
            });
            expect(hard(found)).to.deep.equal([
                "Security group egress rule 'out' on security group 'db-sg' lets the database send ports unknown during preview to fd00::/8; a database answers its clients and needs no egress rule (remove the egress rule; security groups are stateful, so replies need none)",
            ]);
        });
    });

    describe("nat-gateway-per-az: inline routes at a first preview, every ID unknown", () => {
        // Two AZs, each private table with an inline default route to a NAT gateway: the entry's
        // natGatewayId is unknown, and the engine records the dependency on `routes` as a whole.
        const network = (routesTo: Record<"a" | "b", string[]>): StackResource[] => {
            const out: StackResource[] = [];
            for (const az of ["a", "b"] as const) {
                out.push(
                    {
                        type: T.subnet,
                        name: `public-${az}`,
                        props: {
                            id: UNKNOWN,
                            vpcId: UNKNOWN,
                            availabilityZone: `us-east-1${az}`,
                            tags: { SubnetType: "Public" },
                        },
                    },
                    {
                        type: T.natGateway,
                        name: `nat-${az}`,
                        props: { id: UNKNOWN, subnetId: UNKNOWN },
                        deps: { subnetId: [`public-${az}`] },
                    },
                    {
                        type: T.subnet,
                        name: `app-${az}`,
                        props: {
                            id: UNKNOWN,
                            vpcId: UNKNOWN,
                            availabilityZone: `us-east-1${az}`,
                            tags: { SubnetType: "Private" },
                        },
                    },
                    {
                        type: T.routeTable,
                        name: `app-${az}-rt`,
                        props: {
                            id: UNKNOWN,
                            vpcId: UNKNOWN,
                            routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: UNKNOWN }],
                        },
                        deps: { routes: routesTo[az] },
                    },
                    {
                        type: T.routeTableAssociation,
                        name: `app-${az}-assoc`,
                        props: { subnetId: UNKNOWN, routeTableId: UNKNOWN },
                        deps: { subnetId: [`app-${az}`], routeTableId: [`app-${az}-rt`] },
                    },
                );
            }
            return out;
        };

        it("each table's one NAT dependency is its route's NAT gateway (it was 'AZ cannot be determined')", async () => {
            const found = await run(rule("nat-gateway-per-az"), { resources: network({ a: ["nat-a"], b: ["nat-b"] }) });
            expect(found).to.deep.equal([]);
        });

        it("a table in us-east-1b routed to the NAT gateway in us-east-1a is caught at the first preview", async () => {
            const found = await run(rule("nat-gateway-per-az"), { resources: network({ a: ["nat-a"], b: ["nat-a"] }) });
            expect(hard(found)).to.have.length(1);
            expect(found[0].message).to.match(/^Subnet 'app-b' /);
            expect(found[0].message).to.match(/us-east-1a/);
        });

        it("a table whose routes depend on two NAT gateways cannot say which one the entry names", async () => {
            const found = await run(rule("nat-gateway-per-az"), {
                resources: network({ a: ["nat-a"], b: ["nat-a", "nat-b"] }),
            });
            expect(hard(found)).to.deep.equal([found.find((f) => f.message.startsWith("Subnet 'app-b'"))!.message]);
            expect(found[0].message).to.match(/natGatewayId unknown during preview, whose AZ cannot be determined/);
        });
    });

    describe("nacl-no-public-admin-ports: an inline list built from outputs", () => {
        const acl = (deps?: Record<string, string[]>): StackResource[] => [
            { type: T.vpc, name: "main", props: { id: UNKNOWN, cidrBlock: "10.0.0.0/16", ipv6CidrBlock: UNKNOWN } },
            {
                type: "aws:ec2/networkAcl:NetworkAcl",
                name: "acl",
                props: { id: UNKNOWN, vpcId: UNKNOWN, ingress: UNKNOWN_ARRAY },
                deps: { vpcId: ["main"], ...deps },
            },
        ];

        it("depending on other resources, it is declared: cannot verify yet (it passed in silence)", async () => {
            const found = await run(rule("nacl-no-public-admin-ports"), { resources: acl({ ingress: ["main"] }) });
            expect(found.length).to.equal(1);
            expect(found[0].advisory).to.equal(true);
        });

        it("without a dependency, it is the provider's computed list: nothing declared", async () => {
            expect(await run(rule("nacl-no-public-admin-ports"), { resources: acl() })).to.deep.equal([]);
        });
    });
});
