import { T } from "../../policy/lib/types";
import { ALB, BASTION, DB, WEB, egressRule, groups, ingressRule, legacyRule, sg } from "./builders";
import { StackCase, UNKNOWN, describeRule } from "./helpers";

describe("policy: database network", () => {
    const DB_FIX =
        "the database accepts connections only from the app's security groups (reference the web or migrations security group instead of a CIDR)";
    describeRule<StackCase>("db-sg-no-cidr-ingress", {
        compliant: [
            {
                title: "the database's group takes 5432 from the web servers' group",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule(
                            "db-from-web",
                            DB,
                            5432,
                            { referencedSecurityGroupId: WEB[1] },
                            { sourceDep: WEB[0] },
                        ),
                    ],
                },
            },
            {
                title: "an untagged group attached to the RDS instance, by reference",
                case: {
                    resources: [
                        ...groups(),
                        sg("rds-sg", "sg-0rds"),
                        { type: T.rdsInstance, name: "db", props: { vpcSecurityGroupIds: ["sg-0rds"] } },
                        ingressRule("rds-from-web", ["rds-sg", "sg-0rds"], 5432, { referencedSecurityGroupId: WEB[1] }),
                    ],
                },
            },
            {
                title: "a stack without a database",
                case: {
                    resources: [
                        sg(WEB[0], WEB[1], "web"),
                        ingressRule("web-from-vpc", WEB, 8080, { cidrIpv4: "10.0.0.0/16" }),
                    ],
                },
            },
        ],
        violations: [
            {
                title: "a CIDR source on the tagged database group",
                case: { resources: [...groups(), ingressRule("db-from-vpc", DB, 5432, { cidrIpv4: "10.0.0.0/16" })] },
                messages: [
                    `Security group ingress rule 'db-from-vpc' on security group 'db-sg' admits tcp port 5432 from 10.0.0.0/16 into the database's security group; ${DB_FIX}`,
                ],
            },
            {
                title: "an inline world-open entry on a group attached to the RDS instance",
                case: {
                    resources: [
                        sg("rds-sg", "sg-0rds", undefined, {
                            ingress: [
                                {
                                    protocol: "tcp",
                                    fromPort: 5432,
                                    toPort: 5432,
                                    cidrBlocks: ["0.0.0.0/0"],
                                    description: "pg",
                                },
                            ],
                        }),
                        {
                            type: T.rdsInstance,
                            name: "db",
                            props: { vpcSecurityGroupIds: [UNKNOWN] },
                            deps: { vpcSecurityGroupIds: ["rds-sg"] },
                        },
                    ],
                },
                messages: [
                    `Security group 'rds-sg' admits tcp port 5432 from 0.0.0.0/0 into the database's security group; ${DB_FIX}`,
                ],
            },
            {
                title: "a CIDR source on the group of the database's RDS proxy",
                case: {
                    resources: [
                        ...groups(),
                        sg("proxy-sg", "sg-0px"),
                        {
                            type: T.rdsProxy,
                            name: "db-proxy",
                            props: { vpcSecurityGroupIds: [UNKNOWN] },
                            deps: { vpcSecurityGroupIds: ["proxy-sg"] },
                        },
                        ingressRule("proxy-from-vpc", ["proxy-sg", "sg-0px"], 5432, { cidrIpv4: "10.0.0.0/16" }),
                    ],
                },
                messages: [
                    `Security group ingress rule 'proxy-from-vpc' on security group 'proxy-sg' admits tcp port 5432 from 10.0.0.0/16 into the database's security group; ${DB_FIX}`,
                ],
            },
            {
                title: "a prefix list source",
                case: { resources: [...groups(), ingressRule("db-from-pl", DB, 5432, { prefixListId: "pl-0abc" })] },
                messages: [
                    `Security group ingress rule 'db-from-pl' on security group 'db-sg' admits tcp port 5432 from prefix list pl-0abc into the database's security group; ${DB_FIX}`,
                ],
            },
        ],
        unknown: {
            title: "a CIDR unknown during preview is a violation",
            case: { resources: [...groups(), ingressRule("db-mystery", DB, 5432, { cidrIpv4: UNKNOWN })] },
            messages: [
                `Security group ingress rule 'db-mystery' on security group 'db-sg' admits tcp port 5432 from a source unknown during preview into the database's security group; ${DB_FIX}`,
            ],
        },
    });

    const ALLOWED =
        "only the app's and the migration function's security groups may reach the database (reference a group tagged webfleet:role = web or migrations)";
    const MIGRATIONS: [string, string] = ["migrations-sg", "sg-0a1b2c3d4e5f6d005"];
    const fromGroup = (name: string, source: [string, string], port = 5432) =>
        ingressRule(name, DB, port, { referencedSecurityGroupId: source[1] }, { sourceDep: source[0] });
    describeRule<StackCase>("db-sg-allowed-sources", {
        compliant: [
            {
                title: "the web servers' and the migration function's groups, by tag",
                case: {
                    resources: [
                        ...groups(),
                        sg(MIGRATIONS[0], MIGRATIONS[1], "migrations"),
                        fromGroup("db-from-web", WEB),
                        fromGroup("db-from-migrations", MIGRATIONS),
                    ],
                },
            },
            {
                title: "an untagged app group that a launch template and a Lambda function run in (another team's naming)",
                case: {
                    resources: [
                        sg("db", "sg-0d1"),
                        sg("app", "sg-0a9"),
                        sg("jobs", "sg-0b9"),
                        { type: T.rdsInstance, name: "pg", props: { vpcSecurityGroupIds: ["sg-0d1"] } },
                        {
                            type: T.launchTemplate,
                            name: "app-lt",
                            props: { networkInterfaces: [{ deviceIndex: 0, securityGroups: ["sg-0a9"] }] },
                        },
                        {
                            type: T.lambdaFunction,
                            name: "jobs-fn",
                            props: { vpcConfig: { securityGroupIds: ["sg-0b9"], subnetIds: ["subnet-1"] } },
                        },
                        ingressRule("pg-from-app", ["db", "sg-0d1"], 5432, { referencedSecurityGroupId: "sg-0a9" }),
                        ingressRule("pg-from-jobs", ["db", "sg-0d1"], 5432, { referencedSecurityGroupId: "sg-0b9" }),
                    ],
                },
            },
            {
                title: "the database behind an RDS proxy: the database admits the proxy's group, the proxy admits the web servers' group",
                case: {
                    resources: [
                        ...groups(),
                        sg("proxy-sg", "sg-0px"),
                        {
                            type: T.rdsProxy,
                            name: "db-proxy",
                            props: { vpcSecurityGroupIds: [UNKNOWN] },
                            deps: { vpcSecurityGroupIds: ["proxy-sg"] },
                        },
                        fromGroup("db-from-proxy", ["proxy-sg", "sg-0px"]),
                        ingressRule(
                            "proxy-from-web",
                            ["proxy-sg", "sg-0px"],
                            5432,
                            { referencedSecurityGroupId: WEB[1] },
                            { sourceDep: WEB[0] },
                        ),
                    ],
                },
            },
            {
                title: "real preview: the source group's ID unknown, traced by its dependency",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule(
                            "db-from-web",
                            [DB[0], UNKNOWN],
                            5432,
                            { referencedSecurityGroupId: UNKNOWN },
                            { sourceDep: WEB[0] },
                        ),
                    ],
                },
            },
        ],
        violations: [
            {
                title: "the bastion's group",
                case: { resources: [...groups(), fromGroup("db-from-bastion", BASTION)] },
                messages: [
                    `Security group ingress rule 'db-from-bastion' on security group 'db-sg' admits tcp port 5432 from security group 'bastion-sg' (webfleet:role=bastion); ${ALLOWED}`,
                ],
            },
            {
                title: "the load balancer's group",
                case: { resources: [...groups(), fromGroup("db-from-alb", ALB)] },
                messages: [
                    `Security group ingress rule 'db-from-alb' on security group 'db-sg' admits tcp port 5432 from security group 'alb-sg' (webfleet:role=alb); ${ALLOWED}`,
                ],
            },
            {
                title: "its own members (self), in an inline rule",
                case: {
                    resources: [
                        ...groups().filter((g) => g.name !== DB[0]),
                        sg(DB[0], DB[1], "database", {
                            ingress: [
                                { protocol: "tcp", fromPort: 5432, toPort: 5432, self: true, description: "self" },
                            ],
                        }),
                    ],
                },
                messages: [
                    `Security group 'db-sg' admits tcp port 5432 from the database's own group (self); ${ALLOWED}`,
                ],
            },
            {
                title: "a group outside the stack",
                case: {
                    resources: [
                        ...groups(),
                        ingressRule("db-from-elsewhere", DB, 5432, { referencedSecurityGroupId: "sg-0other" }),
                    ],
                },
                messages: [
                    `Security group ingress rule 'db-from-elsewhere' on security group 'db-sg' admits tcp port 5432 from security group sg-0other, which is not in this stack; ${ALLOWED}`,
                ],
            },
            {
                title: "an untagged group no app server or function runs in, through a legacy rule",
                case: {
                    resources: [
                        ...groups(),
                        sg("ops", "sg-0e1"),
                        legacyRule("db-from-ops", DB, "ingress", 5432, { sourceSecurityGroupId: "sg-0e1" }),
                    ],
                },
                messages: [
                    `Security group rule 'db-from-ops' on security group 'db-sg' admits tcp port 5432 from security group 'ops', which no app server or function of the stack runs in; ${ALLOWED}`,
                ],
            },
            {
                title: "the RDS proxy's group admits a group no app server runs in (the proxy is held to the database's rule)",
                case: {
                    resources: [
                        ...groups(),
                        sg("proxy-sg", "sg-0px"),
                        {
                            type: T.rdsProxy,
                            name: "db-proxy",
                            props: { vpcSecurityGroupIds: [UNKNOWN] },
                            deps: { vpcSecurityGroupIds: ["proxy-sg"] },
                        },
                        sg("ops", "sg-0e1"),
                        fromGroup("db-from-proxy", ["proxy-sg", "sg-0px"]),
                        ingressRule("proxy-from-ops", ["proxy-sg", "sg-0px"], 5432, {
                            referencedSecurityGroupId: "sg-0e1",
                        }),
                    ],
                },
                messages: [
                    `Security group ingress rule 'proxy-from-ops' on security group 'proxy-sg' admits tcp port 5432 from security group 'ops', which no app server or function of the stack runs in; ${ALLOWED}`,
                ],
            },
            {
                title: "a group the stack's config does not allow",
                case: {
                    resources: [...groups(), fromGroup("db-from-web", WEB)],
                    config: { allowedSourceRoles: ["migrations"] },
                },
                messages: [
                    "Security group ingress rule 'db-from-web' on security group 'db-sg' admits tcp port 5432 from security group 'web-sg' (webfleet:role=web); only the app's and the migration function's security groups may reach the database (reference a group tagged webfleet:role = migrations)",
                ],
            },
        ],
        unknown: {
            title: "a source group unknown at preview with no dependency to trace is a violation",
            case: {
                resources: [...groups(), ingressRule("db-mystery", DB, 5432, { referencedSecurityGroupId: UNKNOWN })],
            },
            messages: [
                `Security group ingress rule 'db-mystery' on security group 'db-sg' admits tcp port 5432 from a security group unknown during preview that cannot be traced; ${ALLOWED}`,
            ],
        },
    });

    const NO_EGRESS =
        "a database answers its clients and needs no egress rule (remove the egress rule; security groups are stateful, so replies need none)";
    describeRule<StackCase>("db-sg-no-open-egress", {
        compliant: [
            { title: "a database group with no egress at all", case: { resources: groups() } },
            {
                title: "an app group may send to the internet on 443 (not the database's business)",
                case: { resources: [...groups(), egressRule("web-https", WEB, 443, { cidrIpv4: "0.0.0.0/0" })] },
            },
        ],
        violations: [
            {
                title: "all traffic to the internet, inline (what AWS creates by default)",
                case: {
                    resources: [
                        ...groups().filter((g) => g.name !== DB[0]),
                        sg(DB[0], DB[1], "database", {
                            egress: [
                                {
                                    protocol: "-1",
                                    fromPort: 0,
                                    toPort: 0,
                                    cidrBlocks: ["0.0.0.0/0"],
                                    description: "all",
                                },
                            ],
                        }),
                    ],
                },
                messages: [`Security group 'db-sg' lets the database send all traffic to 0.0.0.0/0; ${NO_EGRESS}`],
            },
            {
                title: "HTTPS to the internet from a group attached to an RDS cluster",
                case: {
                    resources: [
                        sg("aurora-sg", "sg-0c1"),
                        { type: T.rdsCluster, name: "aurora", props: { vpcSecurityGroupIds: ["sg-0c1"] } },
                        egressRule("aurora-out", ["aurora-sg", "sg-0c1"], 443, { cidrIpv6: "::/0" }),
                    ],
                },
                messages: [
                    `Security group egress rule 'aurora-out' on security group 'aurora-sg' lets the database send tcp port 443 to ::/0; ${NO_EGRESS}`,
                ],
            },
            {
                title: "every port to a private range",
                case: {
                    resources: [
                        ...groups(),
                        legacyRule("db-out", DB, "egress", 0, {
                            protocol: "-1",
                            toPort: 0,
                            cidrBlocks: ["10.0.0.0/8"],
                        }),
                    ],
                },
                messages: [
                    `Security group rule 'db-out' on security group 'db-sg' lets the database send all traffic to 10.0.0.0/8; ${NO_EGRESS}`,
                ],
            },
        ],
        unknown: {
            title: "an egress destination unknown at preview is a violation",
            case: { resources: [...groups(), egressRule("db-out", DB, 443, { cidrIpv4: UNKNOWN })] },
            messages: [
                `Security group egress rule 'db-out' on security group 'db-sg' lets the database send tcp port 443 to a destination unknown during preview; ${NO_EGRESS}`,
            ],
        },
    });

    describeRule<StackCase>("sg-no-all-traffic-egress", {
        compliant: [
            {
                title: "HTTPS out only",
                case: { resources: [...groups(), egressRule("web-https", WEB, 443, { cidrIpv4: "0.0.0.0/0" })] },
            },
            {
                title: "all traffic, but only inside the VPC",
                case: {
                    resources: [
                        ...groups(),
                        legacyRule("web-vpc", WEB, "egress", 0, { protocol: "-1", cidrBlocks: ["10.20.0.0/16"] }),
                    ],
                },
            },
        ],
        violations: [
            {
                title: "all traffic to the internet, inline",
                case: {
                    resources: [
                        sg("app", "sg-0a9", undefined, {
                            egress: [
                                {
                                    protocol: "-1",
                                    fromPort: 0,
                                    toPort: 0,
                                    cidrBlocks: ["0.0.0.0/0"],
                                    description: "all",
                                },
                            ],
                        }),
                    ],
                },
                messages: [
                    "Security group 'app' allows all traffic out to 0.0.0.0/0; egress should name the ports it needs, e.g. tcp 443 for AWS APIs and package repositories (replace the rule with per-port rules)",
                ],
            },
            {
                title: "every TCP port to ::/0",
                case: {
                    resources: [
                        ...groups(),
                        {
                            ...egressRule("web-all-tcp", WEB, 0, { cidrIpv6: "::/0" }),
                            props: {
                                ...egressRule("web-all-tcp", WEB, 0, { cidrIpv6: "::/0" }).props,
                                fromPort: 0,
                                toPort: 65535,
                            },
                        },
                    ],
                },
                messages: [
                    "Security group egress rule 'web-all-tcp' on security group 'web-sg' allows tcp ports 0-65535 out to ::/0; egress should name the ports it needs, e.g. tcp 443 for AWS APIs and package repositories (replace the rule with per-port rules)",
                ],
            },
        ],
        unknown: {
            title: "all traffic to a destination unknown at preview is an advisory note (hygiene)",
            case: {
                resources: [
                    ...groups(),
                    legacyRule("web-out", WEB, "egress", 0, { protocol: "-1", cidrBlocks: [UNKNOWN] }),
                ],
            },
            advisory: true,
        },
    });
});
