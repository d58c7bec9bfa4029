/**
 * The stack config: its schema, its per-environment defaults and its validation. Pure: the
 * only reader of pulumi.Config is config.ts, which hands the raw values to
 * `validateStackConfig`. Every problem is collected and reported in one error, each naming the
 * key path, what was expected, what was found and the `pulumi config set` command that fixes it.
 */
import { z } from "zod";
import {
    MAX_AZS,
    VPC_PREFIX_MAX,
    VPC_PREFIX_MIN,
    isCanonical,
    networkOf,
    formatIpv4Cidr,
    parseIpv4Cidr,
    planSubnets,
    SubnetPlan,
} from "./lib/cidr";
import { isInstanceType } from "./lib/instanceTypes";
import { isTls13Policy } from "./policy/lib/tlsPolicy";

export type Environment = "dev" | "prod";
export const ENVIRONMENTS: readonly Environment[] = ["dev", "prod"];

/**
 * Examples of TLS policies an HTTPS listener may use; any policy of the TLS 1.3 family with TLS
 * 1.2 or 1.3 as its minimum is accepted (isTls13Policy, the policy pack's own judgement).
 */
export const ALLOWED_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
] as const;

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export interface StackConfig {
    project: string;
    stack: string;
    environment: Environment;
    region: string;
    network: {
        cidr: string;
        azCount: number;
        /** Explicit AZ names, or undefined to take the region's first `azCount` AZs. */
        availabilityZones?: string[];
        natStrategy: "Single" | "OnePerAz";
        flowLogRetentionDays: number;
        subnets: SubnetPlan;
    };
    bastion: {
        enabled: boolean;
        instanceType: string;
        allowedCidrs: string[];
        sshPublicKey?: string;
    };
    web: {
        instanceType: string;
        minSize: number;
        desiredCapacity: number;
        maxSize: number;
        appPort: number;
        domain?: string;
        hostedZoneId?: string;
        tlsPolicy: string;
        targetRequestsPerInstance: number;
        healthCheckGracePeriodSeconds: number;
        idleTimeoutSeconds: number;
        deletionProtection: boolean;
        detailedMonitoring: boolean;
    };
    database: {
        engineVersion: string;
        instanceClass: string;
        allocatedStorageGb: number;
        maxAllocatedStorageGb: number;
        name: string;
        appUser: string;
        multiAz: boolean;
        backupRetentionDays: number;
        deletionProtection: boolean;
        performanceInsights: boolean;
        monitoringIntervalSeconds: 0 | 1 | 5 | 10 | 15 | 30 | 60;
    };
    monitoring: {
        /** Where alarm notifications go (an SNS e-mail subscription); undefined: subscribe yourself. */
        alarmEmail?: string;
        alb5xxRatePercent: number;
        target5xxPerMinute: number;
        p99ResponseTimeSeconds: number;
        dbCpuPercent: number;
        dbFreeStorageGb: number;
        dbConnections: number;
        dbReplicaLagSeconds: number;
    };
    waf: {
        enabled: boolean;
        rateLimitPer5Min: number;
    };
    cdn: {
        enabled: boolean;
    };
    tags: Record<string, string>;
}

/** What config.ts read: the project's keys without their namespace, and `aws:region`. */
export interface RawStackConfig {
    project: string;
    stack: string;
    region: string | undefined;
    values: Record<string, unknown>;
}

/** The only region CloudFront takes viewer certificates and web ACLs from. */
export const CDN_REGION = "us-east-1";

/**
 * cdn.enabled's default: on in prod wherever it can work, i.e. with a domain (CloudFront refuses
 * the self-signed certificate) in us-east-1 (CloudFront's certificate and web ACL region).
 */
export function cdnDefault(environment: Environment, hasDomain: boolean, region: string | undefined): boolean {
    return environment === "prod" && hasDomain && region === CDN_REGION;
}

/** Per-environment defaults: what a key is when the stack file does not set it. */
export function defaultsFor(environment: Environment) {
    const prod = environment === "prod";
    return {
        network: {
            cidr: "10.0.0.0/16",
            azCount: prod ? 3 : 2,
            natStrategy: prod ? "OnePerAz" : "Single",
            flowLogRetentionDays: prod ? 365 : 30,
        },
        bastion: { enabled: true, instanceType: "t4g.nano", allowedCidrs: [] as string[] },
        web: {
            instanceType: prod ? "t4g.medium" : "t4g.small",
            appPort: 8080,
            tlsPolicy: ALLOWED_TLS_POLICIES[0],
            targetRequestsPerInstance: prod ? 1000 : 500,
            healthCheckGracePeriodSeconds: 300,
            idleTimeoutSeconds: 60,
            deletionProtection: prod,
            detailedMonitoring: prod,
        },
        database: {
            engineVersion: "17",
            instanceClass: prod ? "db.m7g.large" : "db.t4g.micro",
            allocatedStorageGb: 20,
            maxAllocatedStorageGb: prod ? 200 : 50,
            name: "webfleet",
            appUser: "webfleet_app",
            multiAz: prod,
            backupRetentionDays: prod ? 14 : 1,
            deletionProtection: prod,
            performanceInsights: prod,
            monitoringIntervalSeconds: prod ? 60 : 0,
        },
        // Alarm thresholds: prod pages earlier; dev only on what is clearly broken.
        monitoring: {
            alb5xxRatePercent: prod ? 1 : 5,
            target5xxPerMinute: prod ? 5 : 10,
            p99ResponseTimeSeconds: prod ? 1 : 2,
            dbCpuPercent: prod ? 80 : 90,
            // Below storage autoscaling's trigger (10 % free, 2 GB at the 20 GB start), so it
            // fires only when autoscaling cannot keep up or has reached its ceiling.
            dbFreeStorageGb: prod ? 2 : 1,
            // Under max_connections of the default classes (db.t4g.micro ~80, db.m7g.large ~900).
            dbConnections: prod ? 500 : 60,
            dbReplicaLagSeconds: prod ? 30 : 60,
        },
        // The firewall costs a fixed monthly fee: on in prod (required), off in dev unless asked for.
        waf: { enabled: prod, rateLimitPer5Min: 2000 },
    } as const;
}

// ---- What each key expects, and an example value for the fix. Keys of array elements use "[]".
interface FieldDoc {
    expected: string;
    example: string;
}
const FIELDS: Record<string, FieldDoc> = {
    environment: { expected: `one of ${ENVIRONMENTS.join(", ")}`, example: "dev" },
    "network.cidr": {
        expected: `a canonical IPv4 CIDR block from /${VPC_PREFIX_MIN} to /${VPC_PREFIX_MAX}`,
        example: "10.0.0.0/16",
    },
    "network.azCount": { expected: `a whole number from 2 to ${MAX_AZS} (an ALB needs two AZs)`, example: "2" },
    "network.availabilityZones": {
        expected: "a list of distinct AZ names in the stack's region",
        example: '\'["us-east-1a","us-east-1b"]\'',
    },
    "network.availabilityZones[]": { expected: "an AZ name like us-east-1a", example: "us-east-1a" },
    "network.natStrategy": { expected: "Single or OnePerAz", example: "OnePerAz" },
    "network.flowLogRetentionDays": {
        expected: `a CloudWatch Logs retention (${LOG_RETENTION_DAYS.join(", ")})`,
        example: "365",
    },
    "bastion.enabled": { expected: "true or false", example: "true" },
    "bastion.instanceType": { expected: "an EC2 instance type like t4g.nano", example: "t4g.nano" },
    "bastion.allowedCidrs": {
        expected: "a list of IPv4 CIDR blocks allowed to SSH to the bastion",
        example: "'[\"203.0.113.0/24\"]'",
    },
    "bastion.allowedCidrs[]": {
        expected: "a canonical IPv4 CIDR block like 203.0.113.0/24",
        example: "203.0.113.0/24",
    },
    "bastion.sshPublicKey": {
        expected: "an OpenSSH public key (ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa)",
        example: '"$(cat ~/.ssh/id_ed25519.pub)"',
    },
    "web.instanceType": { expected: "an EC2 instance type like t4g.small", example: "t4g.small" },
    "web.minSize": { expected: "a whole number from 1 to 100", example: "3" },
    "web.desiredCapacity": { expected: "a whole number from 1 to 100", example: "3" },
    "web.maxSize": { expected: "a whole number from 1 to 100", example: "6" },
    "web.appPort": { expected: "a TCP port from 1024 to 65535", example: "8080" },
    "web.domain": { expected: "a DNS name like www.example.com", example: "www.example.com" },
    "web.hostedZoneId": {
        expected: "a Route 53 hosted zone ID like Z0123456789ABCDEFGHIJ",
        example: "Z0123456789ABCDEFGHIJ",
    },
    "web.tlsPolicy": {
        expected: `a TLS 1.3 policy with TLS 1.2 or 1.3 as its minimum (ELBSecurityPolicy-TLS13-1-2-… or -1-3-…, e.g. ${ALLOWED_TLS_POLICIES.join(", ")})`,
        example: ALLOWED_TLS_POLICIES[0],
    },
    "web.targetRequestsPerInstance": {
        expected: "a whole number of requests per minute per instance, from 10 to 100000",
        example: "1000",
    },
    "web.healthCheckGracePeriodSeconds": { expected: "seconds from 60 to 1800", example: "300" },
    "web.idleTimeoutSeconds": {
        expected:
            "seconds from 1 to 64 (below the app's 65 s keep-alive, or the ALB answers 502 on reused connections)",
        example: "60",
    },
    "web.deletionProtection": { expected: "true or false", example: "true" },
    "web.detailedMonitoring": { expected: "true or false", example: "true" },
    "database.engineVersion": {
        expected: "a PostgreSQL major version like 17 (or major.minor like 17.4)",
        example: "17",
    },
    "database.instanceClass": { expected: "an RDS instance class like db.t4g.micro", example: "db.t4g.micro" },
    "database.allocatedStorageGb": { expected: "gigabytes from 20 to 65536", example: "20" },
    "database.maxAllocatedStorageGb": {
        expected: "gigabytes from 20 to 65536, at least allocatedStorageGb",
        example: "100",
    },
    "database.name": {
        expected: "a PostgreSQL identifier (lower case letters, digits, _; 63 at most; starts with a letter)",
        example: "webfleet",
    },
    "database.appUser": {
        expected: "a PostgreSQL identifier (lower case letters, digits, _; 63 at most; starts with a letter)",
        example: "webfleet_app",
    },
    "database.multiAz": { expected: "true or false", example: "true" },
    "database.backupRetentionDays": { expected: "days from 1 to 35", example: "14" },
    "database.deletionProtection": { expected: "true or false", example: "true" },
    "database.performanceInsights": { expected: "true or false", example: "true" },
    "database.monitoringIntervalSeconds": { expected: "one of 0, 1, 5, 10, 15, 30, 60", example: "60" },
    "monitoring.alarmEmail": { expected: "an e-mail address for alarm notifications", example: "oncall@example.com" },
    "monitoring.alb5xxRatePercent": { expected: "a percentage above 0, at most 100", example: "1" },
    "monitoring.target5xxPerMinute": {
        expected: "a whole number of 5xx answers per minute, from 1 to 100000",
        example: "5",
    },
    "monitoring.p99ResponseTimeSeconds": { expected: "seconds above 0, at most 60", example: "1" },
    "monitoring.dbCpuPercent": { expected: "a percentage from 1 to 100", example: "80" },
    "monitoring.dbFreeStorageGb": {
        expected: "gigabytes from 1 to 65536, below database.allocatedStorageGb",
        example: "2",
    },
    "monitoring.dbConnections": { expected: "a whole number of connections from 1 to 100000", example: "500" },
    "monitoring.dbReplicaLagSeconds": { expected: "seconds from 1 to 86400", example: "30" },
    "waf.enabled": { expected: "true or false (true in prod)", example: "true" },
    "cdn.enabled": {
        expected: `true or false; true needs web.domain and web.hostedZoneId, and aws:region ${CDN_REGION}`,
        example: "true",
    },
    "waf.rateLimitPer5Min": {
        expected: "a whole number of requests per IP in 5 minutes, from 10 to 2000000000",
        example: "2000",
    },
    tags: { expected: "a map of tag keys to string values", example: '\'{"team":"platform"}\'' },
    "tags[]": { expected: "a string of at most 256 characters", example: "platform" },
};

/** Every documented key path (README.md's config table must list exactly these). */
export const CONFIG_KEYS: readonly string[] = Object.keys(FIELDS).filter((k) => !k.endsWith("[]"));

const cidr = z.string().refine((s) => {
    const c = parseIpv4Cidr(s);
    return c !== undefined && isCanonical(c);
});
const boolean = z.boolean();
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const instanceType = z.string().refine(isInstanceType);
const pgIdentifier = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/);

const schema = z.strictObject({
    environment: z.enum(ENVIRONMENTS as [Environment, ...Environment[]]).optional(),
    network: z
        .strictObject({
            cidr: z
                .string()
                .refine((s) => {
                    const c = parseIpv4Cidr(s);
                    return (
                        c !== undefined && isCanonical(c) && c.prefix >= VPC_PREFIX_MIN && c.prefix <= VPC_PREFIX_MAX
                    );
                })
                .optional(),
            azCount: int(2, MAX_AZS).optional(),
            availabilityZones: z
                .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/))
                .min(2)
                .max(MAX_AZS)
                .optional(),
            natStrategy: z.enum(["Single", "OnePerAz", "None"]).optional(),
            flowLogRetentionDays: z
                .number()
                .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n))
                .optional(),
        })
        .optional(),
    bastion: z
        .strictObject({
            enabled: boolean.optional(),
            instanceType: instanceType.optional(),
            allowedCidrs: z.array(cidr).max(50).optional(),
            sshPublicKey: z
                .string()
                .regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,2}( .*)?$/)
                .optional(),
        })
        .optional(),
    web: z
        .strictObject({
            instanceType: instanceType.optional(),
            minSize: int(1, 100).optional(),
            desiredCapacity: int(1, 100).optional(),
            maxSize: int(1, 100).optional(),
            appPort: int(1024, 65535).optional(),
            domain: z
                .string()
                .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/)
                .optional(),
            hostedZoneId: z
                .string()
                .regex(/^Z[A-Z0-9]{1,32}$/)
                .optional(),
            tlsPolicy: z.string().refine(isTls13Policy).optional(),
            targetRequestsPerInstance: int(10, 100000).optional(),
            healthCheckGracePeriodSeconds: int(60, 1800).optional(),
            idleTimeoutSeconds: int(1, 64).optional(),
            deletionProtection: boolean.optional(),
            detailedMonitoring: boolean.optional(),
        })
        .optional(),
    database: z
        .strictObject({
            engineVersion: z
                .string()
                .regex(/^1[3-9](\.\d+)?$/)
                .optional(),
            instanceClass: z
                .string()
                .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/)
                .optional(),
            allocatedStorageGb: int(20, 65536).optional(),
            maxAllocatedStorageGb: int(20, 65536).optional(),
            name: pgIdentifier.optional(),
            appUser: pgIdentifier.optional(),
            multiAz: boolean.optional(),
            backupRetentionDays: int(1, 35).optional(),
            deletionProtection: boolean.optional(),
            performanceInsights: boolean.optional(),
            monitoringIntervalSeconds: z
                .union([0, 1, 5, 10, 15, 30, 60].map((n) => z.literal(n)) as [z.ZodLiteral<0>, z.ZodLiteral<1>])
                .optional(),
        })
        .optional(),
    monitoring: z
        .strictObject({
            alarmEmail: z
                .string()
                .regex(/^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/)
                .max(254)
                .optional(),
            alb5xxRatePercent: z.number().gt(0).max(100).optional(),
            target5xxPerMinute: int(1, 100000).optional(),
            p99ResponseTimeSeconds: z.number().gt(0).max(60).optional(),
            dbCpuPercent: z.number().min(1).max(100).optional(),
            dbFreeStorageGb: int(1, 65536).optional(),
            dbConnections: int(1, 100000).optional(),
            dbReplicaLagSeconds: int(1, 86400).optional(),
        })
        .optional(),
    cdn: z.strictObject({ enabled: boolean.optional() }).optional(),
    waf: z
        .strictObject({
            enabled: boolean.optional(),
            rateLimitPer5Min: int(10, 2_000_000_000).optional(),
        })
        .optional(),
    tags: z.record(z.string(), z.string().max(256)).optional(),
});

/** One thing wrong with the stack config. */
export interface ConfigProblem {
    path: string;
    expected: string;
    found: unknown;
    fix: string;
}

const NOTHING = Symbol("nothing");

export class StackConfigError extends Error {
    constructor(
        readonly stackName: string,
        readonly problems: ConfigProblem[],
    ) {
        super(
            `Invalid stack config for stack "${stackName}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems
                    .map((p) => `  - ${p.path}: expected ${p.expected}; found ${describe(p.found)}.\n    Fix: ${p.fix}`)
                    .join("\n"),
        );
        this.name = "StackConfigError";
    }
}

/**
 * True for a StackConfigError from any copy of this module (the offline preview reloads the
 * program's modules for every run, so `instanceof` would miss one from an earlier load).
 */
export function isStackConfigError(e: unknown): e is StackConfigError {
    return e instanceof Error && e.name === "StackConfigError" && Array.isArray((e as StackConfigError).problems);
}

function describe(value: unknown): string {
    if (value === NOTHING || value === undefined) {
        return "nothing";
    }
    return JSON.stringify(value);
}

function pathString(path: readonly PropertyKey[]): string {
    return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

function docFor(path: readonly PropertyKey[]): FieldDoc {
    const key = pathString(path.map((p) => (typeof p === "number" ? 0 : p))).replace(/\[0\]/g, "[]");
    // Record values (tags) have free-form keys: look them up as "tags[]".
    return FIELDS[key] ?? (path[0] === "tags" ? FIELDS["tags[]"] : { expected: "a valid value", example: "<value>" });
}

function setCommand(stack: string, path: string, value: string): string {
    return `pulumi config set --stack ${stack} --path '${path}' ${value}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let v: unknown = root;
    for (const p of path) {
        if (v === null || typeof v !== "object" || !(p in v)) {
            return NOTHING;
        }
        v = (v as Record<PropertyKey, unknown>)[p];
    }
    return v;
}

function problemsFromZod(stack: string, raw: Record<string, unknown>, issues: z.core.$ZodIssue[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) {
                const path = pathString([...issue.path, key]);
                const known = Object.keys(FIELDS).filter(
                    (k) => k.startsWith(issue.path.length ? `${pathString(issue.path)}.` : "") && !k.includes("[]"),
                );
                problems.push({
                    path,
                    expected: issue.path.length
                        ? `one of the keys ${known.map((k) => k.split(".").pop()).join(", ")}`
                        : "a known key",
                    found: valueAt(raw, [...issue.path, key]),
                    fix: `pulumi config rm --stack ${stack} --path '${path}' (unknown key; see the config table in README.md)`,
                });
            }
            continue;
        }
        const doc = docFor(issue.path);
        const path = pathString(issue.path);
        const found = valueAt(raw, issue.path);
        // A CIDR with host bits set gets its own network address as the suggested fix.
        const canonical = typeof found === "string" && doc.expected.includes("CIDR") ? canonicalCidr(found) : undefined;
        const example = canonical && canonical !== found ? canonical : doc.example;
        problems.push({ path, expected: doc.expected, found, fix: setCommand(stack, path, example) });
    }
    return problems;
}

/**
 * Validates what config.ts read and returns the typed config with every default filled in,
 * or throws a StackConfigError listing every problem.
 */
export function validateStackConfig(raw: RawStackConfig): StackConfig {
    const { stack } = raw;
    const problems: ConfigProblem[] = [];
    if (!raw.region) {
        problems.push({
            path: "aws:region",
            expected: "an AWS region like us-east-1",
            found: NOTHING,
            fix: `pulumi config set --stack ${stack} aws:region us-east-1`,
        });
    }
    const parsed = schema.safeParse(raw.values, { reportInput: true });
    if (!parsed.success) {
        problems.push(...problemsFromZod(stack, raw.values, parsed.error.issues));
    }
    const v = parsed.success ? parsed.data : undefined;

    const environment =
        v?.environment ?? ((ENVIRONMENTS as readonly string[]).find((e) => e === stack) as Environment | undefined);
    if (v && !environment) {
        problems.push({
            path: "environment",
            expected: FIELDS.environment.expected + " (the stack name is neither, so it must be set)",
            found: NOTHING,
            fix: setCommand(stack, "environment", "prod"),
        });
    }
    if (!v || !environment || problems.length > 0) {
        throw new StackConfigError(stack, problems);
    }

    const d = defaultsFor(environment);
    const n = v.network ?? {};
    const azCount = n.azCount ?? n.availabilityZones?.length ?? d.network.azCount;
    const natStrategy = n.natStrategy ?? d.network.natStrategy;
    const minSize = v.web?.minSize ?? azCount;
    const desiredCapacity = v.web?.desiredCapacity ?? minSize;
    const maxSize = v.web?.maxSize ?? Math.max(desiredCapacity, azCount * 2);
    const allocatedStorageGb = v.database?.allocatedStorageGb ?? d.database.allocatedStorageGb;
    const bastion = { ...d.bastion, ...v.bastion };

    // Cross-field rules: each says why, so the fix is obvious.
    const cross = (path: string, expected: string, found: unknown, fix: string) =>
        problems.push({ path, expected, found, fix });
    if (n.availabilityZones) {
        if (n.azCount !== undefined && n.azCount !== n.availabilityZones.length) {
            cross(
                "network.azCount",
                `${n.availabilityZones.length}, the number of network.availabilityZones`,
                n.azCount,
                `pulumi config rm --stack ${stack} --path network.azCount`,
            );
        }
        if (new Set(n.availabilityZones).size !== n.availabilityZones.length) {
            cross(
                "network.availabilityZones",
                "distinct AZ names",
                n.availabilityZones,
                setCommand(stack, "network.availabilityZones", FIELDS["network.availabilityZones"].example),
            );
        }
        const foreign = n.availabilityZones.filter((az) => raw.region && !az.startsWith(raw.region));
        if (foreign.length) {
            cross(
                "network.availabilityZones",
                `AZs of the stack's region ${raw.region}`,
                foreign,
                setCommand(
                    stack,
                    "network.availabilityZones",
                    `'[${["a", "b"].map((s) => `"${raw.region}${s}"`).join(",")}]'`,
                ),
            );
        }
    }
    if (natStrategy === "None") {
        cross(
            "network.natStrategy",
            "Single or OnePerAz: the web servers in the private subnets need outbound access to install Node.js and fetch the app",
            natStrategy,
            setCommand(stack, "network.natStrategy", environment === "prod" ? "OnePerAz" : "Single"),
        );
    } else if (environment === "prod" && natStrategy !== "OnePerAz") {
        cross(
            "network.natStrategy",
            "OnePerAz in prod, so losing one AZ does not cut the others off",
            natStrategy,
            setCommand(stack, "network.natStrategy", "OnePerAz"),
        );
    }
    if (minSize < azCount) {
        cross(
            "web.minSize",
            `at least network.azCount (${azCount}), so every AZ keeps a healthy server`,
            minSize,
            setCommand(stack, "web.minSize", String(azCount)),
        );
    }
    if (desiredCapacity < minSize || desiredCapacity > maxSize) {
        cross(
            "web.desiredCapacity",
            `between web.minSize (${minSize}) and web.maxSize (${maxSize})`,
            desiredCapacity,
            setCommand(stack, "web.desiredCapacity", String(minSize)),
        );
    }
    if (maxSize < minSize) {
        cross(
            "web.maxSize",
            `at least web.minSize (${minSize})`,
            maxSize,
            setCommand(stack, "web.maxSize", String(minSize * 2)),
        );
    }
    if ((v.web?.domain === undefined) !== (v.web?.hostedZoneId === undefined)) {
        const missing = v.web?.domain === undefined ? "web.domain" : "web.hostedZoneId";
        cross(
            missing,
            "to be set together with " +
                (missing === "web.domain" ? "web.hostedZoneId" : "web.domain") +
                " (a DNS-validated certificate needs both)",
            NOTHING,
            setCommand(stack, missing, FIELDS[missing].example),
        );
    }
    const monitoring = { ...d.monitoring, ...v.monitoring };
    const waf = { ...d.waf, ...v.waf };
    if (environment === "prod" && !waf.enabled) {
        cross(
            "waf.enabled",
            "true in prod: the internet-facing ALB needs the rate limit and the managed rule groups",
            waf.enabled,
            setCommand(stack, "waf.enabled", "true"),
        );
    }
    const hasDomain = v.web?.domain !== undefined && v.web?.hostedZoneId !== undefined;
    const cdn = { enabled: v.cdn?.enabled ?? cdnDefault(environment, hasDomain, raw.region) };
    if (cdn.enabled && !hasDomain) {
        cross(
            "cdn.enabled",
            "false without web.domain and web.hostedZoneId: CloudFront refuses the ALB's self-signed certificate, so it needs the domain's DNS-validated one (set both web keys, or leave cdn.enabled unset)",
            cdn.enabled,
            setCommand(stack, "web.domain", FIELDS["web.domain"].example) +
                ` && ${setCommand(stack, "web.hostedZoneId", FIELDS["web.hostedZoneId"].example)}`,
        );
    } else if (cdn.enabled && raw.region !== CDN_REGION) {
        cross(
            "cdn.enabled",
            `false outside ${CDN_REGION}: CloudFront takes its certificate and web ACL only from ${CDN_REGION}, and this program issues them in the stack's region`,
            cdn.enabled,
            `pulumi config set --stack ${stack} --path 'cdn.enabled' false`,
        );
    }
    if (monitoring.dbFreeStorageGb >= allocatedStorageGb) {
        cross(
            "monitoring.dbFreeStorageGb",
            `below database.allocatedStorageGb (${allocatedStorageGb}), or the alarm fires on an empty database`,
            monitoring.dbFreeStorageGb,
            setCommand(stack, "monitoring.dbFreeStorageGb", String(Math.max(1, Math.floor(allocatedStorageGb / 10)))),
        );
    }
    if (v.database?.maxAllocatedStorageGb !== undefined && v.database.maxAllocatedStorageGb < allocatedStorageGb) {
        cross(
            "database.maxAllocatedStorageGb",
            `at least database.allocatedStorageGb (${allocatedStorageGb})`,
            v.database.maxAllocatedStorageGb,
            setCommand(stack, "database.maxAllocatedStorageGb", String(allocatedStorageGb * 5)),
        );
    }
    bastion.allowedCidrs.forEach((c, i) => {
        const parsedCidr = parseIpv4Cidr(c)!;
        if (parsedCidr.prefix === 0) {
            cross(
                `bastion.allowedCidrs[${i}]`,
                "a CIDR narrower than the whole internet (SSH must never be open to 0.0.0.0/0; use SSM Session Manager instead)",
                c,
                setCommand(stack, `bastion.allowedCidrs[${i}]`, "203.0.113.0/24"),
            );
        }
    });
    if (!bastion.enabled && bastion.allowedCidrs.length > 0) {
        cross(
            "bastion.allowedCidrs",
            "empty while bastion.enabled is false (there is no bastion to reach)",
            bastion.allowedCidrs,
            `pulumi config rm --stack ${stack} --path bastion.allowedCidrs`,
        );
    }
    for (const key of Object.keys(v.tags ?? {})) {
        if (!/^[\p{L}\p{N}\s_.:/=+\-@]{1,128}$/u.test(key) || key.toLowerCase().startsWith("aws:")) {
            cross(
                `tags.${key}`,
                "a tag key of 1 to 128 letters, digits, spaces or _.:/=+-@, not starting with aws:",
                key,
                `pulumi config rm --stack ${stack} --path 'tags.${key}'`,
            );
        }
    }
    if (problems.length > 0) {
        throw new StackConfigError(stack, problems);
    }

    const vpcCidr = n.cidr ?? d.network.cidr;
    return {
        project: raw.project,
        stack,
        environment,
        region: raw.region!,
        network: {
            cidr: vpcCidr,
            azCount,
            availabilityZones: n.availabilityZones,
            natStrategy: natStrategy as "Single" | "OnePerAz",
            flowLogRetentionDays: n.flowLogRetentionDays ?? d.network.flowLogRetentionDays,
            subnets: planSubnets(vpcCidr, azCount),
        },
        bastion,
        web: { ...d.web, ...v.web, minSize, desiredCapacity, maxSize },
        database: { ...d.database, ...v.database, allocatedStorageGb },
        monitoring,
        waf,
        cdn,
        tags: v.tags ?? {},
    };
}

/** The network address of a CIDR ("10.0.0.1/16" → "10.0.0.0/16"), undefined when it does not parse. */
export function canonicalCidr(text: string): string | undefined {
    const c = parseIpv4Cidr(text);
    return c ? formatIpv4Cidr(networkOf(c)) : undefined;
}
