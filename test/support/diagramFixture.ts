/** Hand-built records for the diagram's tests: every way of writing a security-group rule. */
import { RecordedResource } from "../../offline/types";

export const STACK_URN = "urn:pulumi:test::webfleet::pulumi:pulumi:Stack::webfleet-test";

export function res(
    type: string,
    name: string,
    parent: string | null,
    inputs: Record<string, any>,
    id = `${name}-id`,
): RecordedResource {
    const custom = !type.startsWith("webfleet:") && type !== "pulumi:pulumi:Stack";
    return {
        urn: `urn:pulumi:test::webfleet::${type}::${name}`,
        type,
        name,
        parent,
        custom,
        inputs,
        outputs: { id, ...inputs },
        dependencies: [],
        propertyDependencies: {},
        secretInputPaths: [],
    };
}
export const urn = (type: string, name: string) => `urn:pulumi:test::webfleet::${type}::${name}`;
const WEB = urn("webfleet:web:WebTier", "web");
const LB = urn("webfleet:web:LoadBalancer", "web-lb");
const DB = urn("webfleet:database:Database", "database");
const BASTION = urn("webfleet:network:Bastion", "bastion");
export const SG = "aws:ec2/securityGroup:SecurityGroup";
export const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

/**
 * The whole chain, written the three ways a rule can be written: standalone ingress rules
 * (internet → ALB, ALB → web, bastion → web, allowed CIDR → bastion), a legacy
 * SecurityGroupRule (web → DB) and inline ingress (Lambda → DB). Nested components too.
 */
export const FIXTURE: RecordedResource[] = [
    res("pulumi:pulumi:Stack", "webfleet-test", null, {}),
    res("webfleet:network:Network", "network", STACK_URN, {}),
    res("awsx:ec2:Vpc", "network-vpc", urn("webfleet:network:Network", "network"), {
        cidrBlock: "10.0.0.0/16",
        availabilityZoneNames: ["a", "b"],
        natGateways: { strategy: "Single" },
    }),
    res("webfleet:web:WebTier", "web", STACK_URN, {}),
    res("webfleet:web:LoadBalancer", "web-lb", WEB, {}),
    res(SG, "web-lb-sg", LB, {}, "sg-alb"),
    res("aws:lb/loadBalancer:LoadBalancer", "web-lb-alb", LB, {
        loadBalancerType: "application",
        internal: false,
        securityGroups: ["sg-alb"],
    }),
    res(INGRESS, "web-lb-https", LB, {
        securityGroupId: "sg-alb",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
    }),
    res(INGRESS, "web-lb-http", LB, {
        securityGroupId: "sg-alb",
        ipProtocol: "tcp",
        fromPort: 80,
        toPort: 80,
        cidrIpv4: "0.0.0.0/0",
    }),
    res(INGRESS, "web-lb-https6", LB, {
        securityGroupId: "sg-alb",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv6: "::/0",
    }),
    res(SG, "web-sg", WEB, {}, "sg-web"),
    res(INGRESS, "web-from-alb", WEB, {
        securityGroupId: "sg-web",
        ipProtocol: "tcp",
        fromPort: 8080,
        toPort: 8080,
        referencedSecurityGroupId: "sg-alb",
    }),
    res("aws:ec2/launchTemplate:LaunchTemplate", "web-lt", WEB, {
        instanceType: "t4g.small",
        vpcSecurityGroupIds: ["sg-web"],
    }),
    res("aws:autoscaling/group:Group", "web-asg", WEB, {
        minSize: 2,
        maxSize: 4,
        desiredCapacity: 2,
        launchTemplate: { id: "web-lt-id", version: "1" },
    }),
    res("webfleet:database:Database", "database", STACK_URN, {}),
    res(
        SG,
        "database-sg",
        DB,
        {
            ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["sg-fn"] }],
        },
        "sg-db",
    ),
    res("aws:ec2/securityGroupRule:SecurityGroupRule", "database-from-web", DB, {
        type: "ingress",
        securityGroupId: "sg-db",
        sourceSecurityGroupId: "sg-web",
        protocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
    }),
    res("aws:rds/instance:Instance", "database-db", DB, {
        engine: "postgres",
        engineVersion: "17",
        instanceClass: "db.t4g.micro",
        multiAz: false,
        vpcSecurityGroupIds: ["sg-db"],
    }),
    res(SG, "migrations-sg", DB, {}, "sg-fn"),
    res("aws:lambda/function:Function", "migrations-fn", DB, {
        runtime: "nodejs22.x",
        vpcConfig: { securityGroupIds: ["sg-fn"], subnetIds: ["subnet-1"] },
    }),
    res("webfleet:network:Bastion", "bastion", STACK_URN, {}),
    res(SG, "bastion-sg", BASTION, {}, "sg-bastion"),
    res(INGRESS, "bastion-ssh-in-0", BASTION, {
        securityGroupId: "sg-bastion",
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrIpv4: "203.0.113.0/24",
    }),
    res(INGRESS, "bastion-ssh-to-web", BASTION, {
        securityGroupId: "sg-web",
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        referencedSecurityGroupId: "sg-bastion",
    }),
    res("aws:ec2/launchTemplate:LaunchTemplate", "bastion-lt", BASTION, {
        instanceType: "t4g.nano",
        networkInterfaces: [{ deviceIndex: 0, securityGroups: ["sg-bastion"] }],
    }),
    res("aws:autoscaling/group:Group", "bastion-asg", BASTION, {
        minSize: 1,
        maxSize: 1,
        desiredCapacity: 1,
        launchTemplate: { id: "bastion-lt-id", version: "1" },
    }),
    // Neither a node nor an edge: roles, log groups and egress rules are not in the picture.
    res("aws:iam/role:Role", "web-role", WEB, {}),
    res("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "web-https-out", WEB, {
        securityGroupId: "sg-web",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
    }),
];
