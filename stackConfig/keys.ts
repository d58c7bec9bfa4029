/**
 * Every stack config key, declared once: its kind (what it accepts), what it means, its default
 * per environment (or how it follows from keys declared before it) and an example. Everything
 * else is derived from this: the TypeScript type (`StackConfig`), the defaults, the docs table,
 * Pulumi.yaml's declarations and the error messages with their fixes. Cross-key rules are in
 * rules.ts. Keys resolve in the order written here, so a derived default may read any key above
 * it.
 */
import { DEFAULT_POOL_MAX } from "../app/db/poolConfig";
import { MIGRATION_CONNECTIONS } from "../app/lambda/constants";
import { CDN_REGION, HEALTH_CHECK_METRICS_REGION, MAX_STORAGE_GB, minimumMaxAllocatedStorageGb } from "../lib/awsFacts";
import { MAX_AZS, VPC_PREFIX_MAX, VPC_PREFIX_MIN } from "../lib/cidr";
import { isInstanceType } from "../lib/instanceTypes";
import type { SshPerson } from "../lib/sshPeople";
import { DEFAULT_TLS_POLICY, TLS_POLICY_EXPECTED, isTls13Policy, normalizeTlsPolicy } from "../lib/tlsPolicies";
import { Kind, boolean, cidr, int, list, map, number, oneOf, pattern } from "./kinds";
import { EXAMPLE_KEY, ec2KeyPairKey, people } from "./sshKinds";

export type Environment = "dev" | "prod";
export const ENVIRONMENTS: readonly Environment[] = ["dev", "prod"];

/** What a derived default may read: the stack's identity and the keys resolved so far. */
export interface Context {
    environment: Environment;
    region: string;
    stack: string;
    /** Sections resolved so far (declaration order), by section and key. */
    resolved: Record<string, Record<string, unknown>>;
}

type Default<T> =
    | { kind: "value"; value: T }
    | { kind: "perEnv"; dev: T; prod: T }
    | { kind: "derived"; doc: string; derive: (c: Context) => T };

export interface KeyDef<T, HasDefault extends boolean = boolean> {
    kind: Kind<T>;
    description: string;
    /** A valid value, for the docs and for a fix when nothing better is known. */
    example: T;
    default?: Default<T>;
    /** Phantom: whether resolution always yields a value. */
    readonly hasDefault?: HasDefault;
}

export const perEnv = <T>(dev: T, prod: T): Default<T> => ({ kind: "perEnv", dev, prod });
export const derived = <T>(doc: string, derive: (c: Context) => T): Default<T> => ({ kind: "derived", doc, derive });

function key<T>(def: { kind: Kind<T>; description: string; example?: T; default: Default<T> | T }): KeyDef<T, true>;
function key<T>(def: { kind: Kind<T>; description: string; example: T }): KeyDef<T, false>;
function key<T>(def: { kind: Kind<T>; description: string; example?: T; default?: Default<T> | T }): KeyDef<T> {
    const d = def.default;
    const normalized: Default<T> | undefined =
        d === undefined
            ? undefined
            : typeof d === "object" &&
                d !== null &&
                "kind" in d &&
                ["value", "perEnv", "derived"].includes(String(d.kind))
              ? d
              : { kind: "value", value: d as T };
    const example =
        def.example ??
        (normalized?.kind === "value" ? normalized.value : normalized?.kind === "perEnv" ? normalized.prod : undefined);
    return { kind: def.kind, description: def.description, example: example as T, default: normalized };
}

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export { CDN_REGION, HEALTH_CHECK_METRICS_REGION, MAX_STORAGE_GB, minimumMaxAllocatedStorageGb };

/** The most connections the stack's clients can hold: every web server's pool full, plus the migration function. */
export function dbConnectionCeiling(maxSize: number): number {
    return maxSize * DEFAULT_POOL_MAX + MIGRATION_CONNECTIONS;
}

/** monitoring.dbConnections' default: 80 % of the ceiling, so it pages while the pools still have room. */
export function defaultDbConnections(maxSize: number): number {
    return Math.floor(dbConnectionCeiling(maxSize) * 0.8);
}

const instanceType = (example: string) =>
    pattern(isInstanceType, `an EC2 instance type like ${example}`, "EC2 type", (s) => s.trim().toLowerCase(), 64);
const pgIdentifier = pattern(
    /^[a-z][a-z0-9_]{0,62}$/,
    "a PostgreSQL identifier (lower case letters, digits, _; 63 at most; starts with a letter)",
    "identifier",
    (s) =>
        s
            .trim()
            .toLowerCase()
            .replace(/[^a-z0-9_]/g, "_"),
);
const percent = number({ gt: 0, max: 100 }, "a percentage");
const n = <S>(o: { [K in keyof S]: S[K] }) => o;

export const ENVIRONMENT = key({
    kind: oneOf(ENVIRONMENTS),
    description: "picks the per-environment defaults and how strict the policy pack is",
    example: "dev",
    // The validator takes the stack name itself (and asks for the key when the name is neither).
    default: derived("the stack name, when it is dev or prod", (c) => c.environment),
});

export const SECTIONS = {
    network: n({
        cidr: key({
            kind: cidr(VPC_PREFIX_MIN, VPC_PREFIX_MAX),
            description: "the VPC's range; the subnets are planned from it (four equal parts, one per AZ slot)",
            default: "10.0.0.0/16",
        }),
        availabilityZones: key({
            kind: list(
                pattern(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, "an AZ name like us-east-1a", "AZ name", (s) =>
                    s.trim().toLowerCase(),
                ),
                2,
                MAX_AZS,
                `a list of 2 to ${MAX_AZS} distinct AZ names in the stack's region`,
            ),
            description:
                "pins the AZs (recommended: a new AZ in the region then never moves a subnet); unset takes the region's first network.azCount",
            example: ["us-east-1a", "us-east-1b"],
        }),
        azCount: key({
            kind: int(2, MAX_AZS),
            description: "how many AZs; an ALB needs two",
            default: derived("the number of network.availabilityZones, else 2 / 3", (c) => {
                const azs = c.resolved.network.availabilityZones as string[] | undefined;
                return azs?.length ?? (c.environment === "prod" ? 3 : 2);
            }),
        }),
        natStrategy: key({
            kind: oneOf(
                ["Single", "OnePerAz"] as const,
                "Single or OnePerAz (None is not offered: the web servers need egress)",
            ),
            description:
                "NAT gateways: one for the VPC, or one per AZ (required in prod, so losing an AZ cuts no other off)",
            default: perEnv<"Single" | "OnePerAz">("Single", "OnePerAz"),
        }),
        flowLogRetentionDays: key({
            kind: oneOf(
                LOG_RETENTION_DAYS,
                `a CloudWatch Logs retention in days (${LOG_RETENTION_DAYS.join(", ")})`,
                "CloudWatch retention (days)",
            ),
            description: "retention of the VPC flow logs, and of every other log the stack keeps",
            default: perEnv<(typeof LOG_RETENTION_DAYS)[number]>(30, 365),
        }),
    }),
    bastion: n({
        enabled: key({
            kind: boolean(),
            description: "run the bastion (the only SSH path into the VPC)",
            default: true,
        }),
        instanceType: key({
            kind: instanceType("t4g.nano"),
            description: "its size; the AMI's architecture follows it",
            default: "t4g.nano",
        }),
        allowedCidrs: key({
            kind: list(cidr(), 0, 50, "a list of IPv4 CIDR blocks (at most 50), none wider than a /8"),
            description:
                "who may SSH to the bastion; empty means no SSH ingress at all (use SSM Session Manager) and no Elastic IP",
            default: [] as string[],
            example: ["203.0.113.0/24"],
        }),
        sshPublicKey: key({
            kind: ec2KeyPairKey,
            description:
                "the stack's shared key for ec2-user, the break-glass SSH path, on the bastion and the web servers; unset: ec2-user has no key (use bastion.users and SSM)",
            example: EXAMPLE_KEY,
        }),
        users: key({
            kind: people,
            description:
                "people who may SSH to the bastion and through it to the web servers, each with an account of their own holding only their key (docs/ssh-access.md); removing one, or their expires date passing, removes the account at the next deploy",
            default: [] as SshPerson[],
            example: [{ name: "alice", publicKey: EXAMPLE_KEY, expires: "2030-12-31" }],
        }),
    }),
    web: n({
        instanceType: key({
            kind: instanceType("t4g.small"),
            description: "web server size",
            default: perEnv("t4g.small", "t4g.medium"),
        }),
        minSize: key({
            kind: int(1, 100),
            description: "at least the AZ count, so every AZ keeps a server",
            default: derived("network.azCount", (c) => c.resolved.network.azCount as number),
        }),
        desiredCapacity: key({
            kind: int(1, 100),
            description: "initial size (afterwards the scaling policy owns it)",
            default: derived("web.minSize", (c) => c.resolved.web.minSize as number),
        }),
        maxSize: key({
            kind: int(1, 100),
            description: "scaling ceiling",
            default: derived("max(web.desiredCapacity, 2 × network.azCount)", (c) =>
                Math.max(c.resolved.web.desiredCapacity as number, 2 * (c.resolved.network.azCount as number)),
            ),
        }),
        appPort: key({
            kind: int(1024, 65535, "a TCP port"),
            description:
                "the port the servers serve the app on over HTTPS (a certificate each makes at boot); the ALB's target group and health checks use TLS to it, and no plain-HTTP port is open",
            default: 8443,
        }),
        domain: key({
            kind: pattern(
                /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
                "a DNS name like www.example.com",
                "DNS name",
                (s) => s.trim().toLowerCase().replace(/\.$/, ""),
            ),
            description:
                "with web.hostedZoneId: a DNS-validated ACM certificate and an alias record; without: a self-signed certificate",
            example: "www.example.com",
        }),
        hostedZoneId: key({
            kind: pattern(
                /^Z[A-Z0-9]{1,32}$/,
                "a Route 53 hosted zone ID like Z0123456789ABCDEFGHIJ",
                "Route 53 zone ID",
                (s) =>
                    s
                        .trim()
                        .toUpperCase()
                        .replace(/^\/?HOSTEDZONE\//, ""),
            ),
            description: "the Route 53 zone of web.domain",
            example: "Z0123456789ABCDEFGHIJ",
        }),
        tlsPolicy: key({
            kind: pattern(isTls13Policy, TLS_POLICY_EXPECTED, "ELB TLS 1.3 policy", normalizeTlsPolicy),
            description:
                "HTTPS listener policy; the TLS 1.3-only …-TLS13-1-3-… policies are refused while cdn.enabled (CloudFront speaks TLS 1.2 at most to its origin)",
            default: DEFAULT_TLS_POLICY,
        }),
        targetRequestsPerInstance: key({
            kind: int(10, 100000, "a whole number of requests per minute per instance"),
            description: "target tracking: ALB requests per target per minute",
            default: perEnv(500, 1000),
        }),
        healthCheckGracePeriodSeconds: key({
            kind: int(60, 1800, "seconds"),
            description: "how long a booting instance is spared ELB health checks",
            default: 300,
        }),
        idleTimeoutSeconds: key({
            kind: int(1, 64, "seconds"),
            description:
                "ALB idle timeout; below the app's 65 s keep-alive, so the ALB never reuses a connection the app is closing",
            default: 60,
        }),
        deletionProtection: key({
            kind: boolean(),
            description: "ALB deletion protection",
            default: perEnv(false, true),
        }),
        detailedMonitoring: key({ kind: boolean(), description: "1-minute EC2 metrics", default: perEnv(false, true) }),
    }),
    database: n({
        engineVersion: key({
            kind: pattern(
                /^1[3-9](\.\d+)?$/,
                "a PostgreSQL major version like 17 (or major.minor like 17.4)",
                "PostgreSQL version",
                (s) => String(s).trim(),
                8,
                true,
            ),
            description:
                "major (or major.minor) version; minor versions are upgraded automatically in the maintenance window",
            default: "17",
        }),
        instanceClass: key({
            kind: pattern(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "an RDS instance class like db.t4g.micro", "RDS class", (s) =>
                s.trim().toLowerCase(),
            ),
            description: "instance size",
            default: perEnv("db.t4g.micro", "db.m7g.large"),
        }),
        allocatedStorageGb: key({
            kind: int(20, MAX_STORAGE_GB, "gigabytes"),
            description: "initial gp3 storage",
            default: 20,
        }),
        maxAllocatedStorageGb: key({
            kind: int(22, MAX_STORAGE_GB, "gigabytes"),
            description: "storage autoscaling ceiling; at least 10% above database.allocatedStorageGb, as RDS requires",
            default: derived("50 / 200, raised to 110% of a larger database.allocatedStorageGb", (c) =>
                Math.min(
                    MAX_STORAGE_GB,
                    Math.max(
                        c.environment === "prod" ? 200 : 50,
                        minimumMaxAllocatedStorageGb(c.resolved.database.allocatedStorageGb as number),
                    ),
                ),
            ),
        }),
        name: key({ kind: pgIdentifier, description: "database name", default: "webfleet" }),
        appUser: key({
            kind: pgIdentifier,
            description: "the app's IAM-authenticated login role",
            default: "webfleet_app",
        }),
        multiAz: key({ kind: boolean(), description: "a standby in a second AZ", default: perEnv(false, true) }),
        backupRetentionDays: key({
            kind: int(1, 35, "days"),
            description: "automated backups",
            default: perEnv(1, 14),
        }),
        deletionProtection: key({
            kind: boolean(),
            description: "refuse deletion (prod also keeps a final snapshot)",
            default: perEnv(false, true),
        }),
        performanceInsights: key({
            kind: boolean(),
            description: "Performance Insights, encrypted with the stack key",
            default: perEnv(false, true),
        }),
        monitoringIntervalSeconds: key({
            kind: oneOf([0, 1, 5, 10, 15, 30, 60] as const),
            description: "enhanced monitoring interval (0 = off)",
            default: perEnv<0 | 1 | 5 | 10 | 15 | 30 | 60>(0, 60),
        }),
    }),
    monitoring: n({
        alarmEmail: key({
            kind: pattern(
                /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/,
                "an e-mail address",
                "e-mail address",
                (s) => s.trim(),
                254,
            ),
            description:
                "subscribed to the alarm topic (AWS mails a confirmation link first); prod needs it or monitoring.alarmTopicArn, and npm run preflight refuses example addresses",
            example: "oncall@example.com",
        }),
        alarmTopicArn: key({
            kind: pattern(
                /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/,
                "the ARN of a standard (not FIFO) SNS topic in the stack's region",
                "SNS topic ARN",
            ),
            description:
                "an existing topic (your pager's, AWS Chatbot's) every alarm also notifies; its policy must let cloudwatch.amazonaws.com publish",
            example: "arn:aws:sns:us-east-1:123456789012:oncall",
        }),
        alb5xxRatePercent: key({
            kind: percent,
            description:
                "ALB 5xx rate (ALB and target 5xx per request) in 3 of 5 minutes with at least max(10, 100 ÷ threshold) requests; also stops a running instance refresh",
            default: perEnv(5, 1),
        }),
        target5xxPerMinute: key({
            kind: int(1, 100000, "a whole number of 5xx answers per minute"),
            description: "5xx answers from the servers per minute, in 3 of 5 minutes",
            default: perEnv(10, 5),
        }),
        p99ResponseTimeSeconds: key({
            kind: number({ gt: 0, max: 60 }, "seconds"),
            description: "p99 target response time, in 3 of 5 minutes",
            default: perEnv(2, 1),
        }),
        dbCpuPercent: key({
            kind: number({ min: 1, max: 100 }, "a percentage"),
            description: "database CPU, average over 15 minutes",
            default: perEnv(90, 80),
        }),
        dbFreeStorageGb: key({
            kind: int(1, MAX_STORAGE_GB, "gigabytes"),
            // Below storage autoscaling's own trigger (10 % free), so it pages only when
            // autoscaling cannot keep up or has reached its ceiling.
            description:
                "database free storage, below database.allocatedStorageGb and storage autoscaling's own trigger",
            default: perEnv(1, 2),
        }),
        dbConnections: key({
            kind: int(1, 100000, "a whole number of connections"),
            description: `database connections, maximum over 15 minutes; below web.maxSize × ${DEFAULT_POOL_MAX} (each server's pool) + ${MIGRATION_CONNECTIONS} (the migration function), or it could never fire`,
            default: derived(`80 % of web.maxSize × ${DEFAULT_POOL_MAX} + ${MIGRATION_CONNECTIONS}`, (c) =>
                defaultDbConnections(c.resolved.web.maxSize as number),
            ),
        }),
        dbReplicaLagSeconds: key({
            kind: int(1, 86400, "seconds"),
            description: "lag of each read replica; the stacks have none today, so no such alarm exists",
            default: perEnv(60, 30),
        }),
        cdn5xxRatePercent: key({
            kind: percent,
            description: "with cdn.enabled: CloudFront's own 5xx rate, in 3 of 5 minutes with enough requests",
            default: perEnv(5, 1),
        }),
        cdn4xxRatePercent: key({
            kind: percent,
            // Some 4xx is normal (scanners' 404s); most viewers refused is the ALB answering 403
            // to CloudFront itself (a lost origin header), which shows in no ALB 5xx.
            description: "with cdn.enabled: CloudFront's own 4xx rate, e.g. the ALB refusing CloudFront with 403",
            default: 50,
        }),
        syntheticChecks: key({
            kind: boolean(),
            description:
                "Route 53 health checks of / and /healthz from outside the VPC, alarming to the alarm topic; needs aws:region us-east-1, the only region with Route 53's metrics",
            default: derived(
                "true in prod in us-east-1, else false",
                (c) => c.environment === "prod" && c.region === HEALTH_CHECK_METRICS_REGION,
            ),
        }),
    }),
    waf: n({
        enabled: key({
            kind: boolean(),
            description: "the WAF web ACL on the ALB (on CloudFront when cdn.enabled); required in prod",
            default: perEnv(false, true),
        }),
        rateLimitPer5Min: key({
            kind: int(10, 2_000_000_000, "a whole number of requests per IP in 5 minutes"),
            description:
                "requests one client IP may make in 5 minutes before WAF blocks it (until its rate falls below)",
            default: 2000,
        }),
    }),
    cdn: n({
        enabled: key({
            kind: boolean(),
            description:
                "CloudFront in front of the ALB with the app's own error pages; needs web.domain, web.hostedZoneId and aws:region us-east-1",
            default: derived("true in prod with web.domain and web.hostedZoneId in us-east-1, else false", (c) => {
                const w = c.resolved.web;
                return (
                    c.environment === "prod" &&
                    w.domain !== undefined &&
                    w.hostedZoneId !== undefined &&
                    c.region === CDN_REGION
                );
            }),
        }),
    }),
    backup: n({
        enabled: key({
            kind: boolean(),
            description:
                "AWS Backup of the database: a vault under the stack key (locked in prod), a daily snapshot and a weekly restore test that a function validates (docs/operations.md)",
            default: true,
        }),
        retentionDays: key({
            kind: int(1, 3650, "days"),
            description:
                "how long the vault keeps each daily snapshot (and its copy in backup.copyRegion); prod's vault lock refuses a shorter life for any of them",
            default: perEnv(7, 35),
        }),
        copyRegion: key({
            kind: pattern(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region name like us-west-2", "AWS region", (s) =>
                s.trim().toLowerCase(),
            ),
            description:
                "a second region each daily snapshot is copied to, into a vault under a key of that region (recommended for prod); not aws:region, and in the same (commercial) partition",
            example: "us-west-2",
        }),
    }),
    patching: n({
        enabled: key({
            kind: boolean(),
            description:
                "security updates on the web servers and the bastion in a weekly maintenance window (AWS-RunPatchBaseline), one server at a time, rebooting only when needed",
            default: true,
        }),
        approveAfterDays: key({
            kind: int(0, 360, "days"),
            description:
                "Amazon Linux 2023 security updates rated Critical or Important are installed once released this many days ago (dev first, prod a week later)",
            default: perEnv(0, 7),
        }),
        schedule: key({
            kind: pattern(
                /^cron\((\S+ ){5}\S+\)$/,
                "an EventBridge cron expression with six fields, like cron(0 7 ? * WED *)",
                "cron expression",
                (s) => s.trim(),
                256,
            ),
            description:
                "when the maintenance window opens (UTC); it lasts 3 hours and starts no server in its last hour",
            default: perEnv("cron(0 7 ? * TUE *)", "cron(0 7 ? * WED *)"),
        }),
    }),
    account: n({
        createAutoScalingServiceLinkedRole: key({
            kind: boolean(),
            description:
                "create the Auto Scaling service-linked role the stack key's policy names (an account that never used Auto Scaling); kept when the stack is destroyed",
            default: false,
        }),
    }),
};

export const TAGS = key({
    kind: map(pattern(/^.{0,256}$/s, "a string of at most 256 characters", "string"), "a map of tag keys to strings"),
    description:
        "extra tags on every resource: at most 5 (S3 objects and health checks take 10, the stack adds 5), keys not starting with aws:, keys and values of letters, digits, spaces and _.:/=+-@",
    default: {},
    example: { team: "platform" },
});

export type Sections = typeof SECTIONS;
export type SectionName = keyof Sections;
export const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[];

type ValueOf<K> = K extends KeyDef<infer T, infer D> ? (D extends true ? T : T | undefined) : never;
export type SectionValues<S> = { -readonly [K in keyof S]: ValueOf<S[K]> };
export type ResolvedSections = { -readonly [S in SectionName]: SectionValues<Sections[S]> };

/** Every key's path ("network.cidr"), in declaration order, with its definition. */
export function allKeys(): { path: string; section?: SectionName; name: string; def: KeyDef<unknown> }[] {
    return [
        { path: "environment", name: "environment", def: ENVIRONMENT },
        ...SECTION_NAMES.flatMap((section) =>
            Object.entries(SECTIONS[section]).map(([name, def]) => ({
                path: `${section}.${name}`,
                section,
                name,
                def: def as KeyDef<unknown>,
            })),
        ),
        { path: "tags", name: "tags", def: TAGS },
    ];
}
