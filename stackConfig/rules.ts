/**
 * The rules between keys, each declared once: what must hold, why, and how to repair it. A
 * repair is an edit of the stack file (set a key, remove one); the validator applies every
 * repair together and checks again until the file is valid, so each fix it prints is a value
 * that satisfies every rule at once (web.minSize at least this stack's AZ count, and
 * web.desiredCapacity then at least that).
 */
import { parseIpv4Cidr } from "../lib/cidr";
import { isTls13Only, withTls12 } from "../lib/tlsPolicies";
import {
    CDN_REGION,
    Environment,
    HEALTH_CHECK_METRICS_REGION,
    MAX_STORAGE_GB,
    ResolvedSections,
    dbConnectionCeiling,
    defaultDbConnections,
    minimumMaxAllocatedStorageGb,
} from "./keys";
import { DEFAULT_POOL_MAX } from "../app/db/poolConfig";
import { MIGRATION_CONNECTIONS } from "../app/lambda/constants";
import { sshUsersRule } from "./sshRules";
import { stackTags } from "../lib/tags";

/** A path in the stack file: ["web", "minSize"], ["bastion", "allowedCidrs", 0]. */
export type Path = (string | number)[];

export type Repair = { op: "set"; path: Path; value: unknown } | { op: "rm"; path: Path };

export interface Issue {
    /** Where it is reported (and fixed). */
    path: Path;
    expected: string;
    /** What the stack file holds there (undefined: nothing). */
    found: unknown;
    repairs: Repair[];
}

export interface RuleContext {
    environment: Environment;
    region: string | undefined;
    stack: string;
    /** The keys the stack file sets (before defaults), by section. */
    given: Record<string, Record<string, unknown> | undefined>;
}

type Rule = (c: ResolvedSections, ctx: RuleContext) => Issue[];

const set = (path: Path, value: unknown): Repair => ({ op: "set", path, value });
const rm = (path: Path): Repair => ({ op: "rm", path });
const given = (ctx: RuleContext, section: string, key: string) => ctx.given[section]?.[key];

const availabilityZones: Rule = (c, ctx) => {
    const azs = c.network.availabilityZones;
    if (!azs) return [];
    const issues: Issue[] = [];
    const count = given(ctx, "network", "azCount");
    if (count !== undefined && count !== azs.length) {
        issues.push({
            path: ["network", "azCount"],
            expected: `${azs.length}, the number of network.availabilityZones (or unset: it then follows the list)`,
            found: count,
            repairs: [rm(["network", "azCount"])],
        });
    }
    const region = ctx.region;
    const foreign = region
        ? azs.filter((az) => !az.startsWith(region) || !/^[a-z]$/.test(az.slice(region.length)))
        : [];
    const distinct = [...new Set(azs)];
    if (foreign.length > 0 || distinct.length !== azs.length) {
        // The region's own zones, keeping the ones already right, as many as were listed.
        const letters = "abcdef".split("").map((l) => `${region}${l}`);
        const keep = distinct.filter((az) => !foreign.includes(az));
        const fixed = [...keep, ...letters.filter((az) => !keep.includes(az))].slice(0, Math.max(2, azs.length));
        issues.push({
            path: ["network", "availabilityZones"],
            expected: `distinct AZ names of the stack's region ${region ?? "(aws:region)"}`,
            found: azs,
            repairs: [set(["network", "availabilityZones"], fixed)],
        });
    }
    return issues;
};

const natPerAz: Rule = (c, ctx) =>
    ctx.environment === "prod" && c.network.natStrategy !== "OnePerAz"
        ? [
              {
                  path: ["network", "natStrategy"],
                  expected: "OnePerAz in prod, so losing one AZ does not cut the others off",
                  found: c.network.natStrategy,
                  repairs: [set(["network", "natStrategy"], "OnePerAz")],
              },
          ]
        : [];

const groupSizes: Rule = (c, ctx) => {
    const { minSize, desiredCapacity, maxSize } = c.web;
    const az = c.network.azCount;
    const issues: Issue[] = [];
    // Repaired together: min at least the AZ count, max at least min, desired in between.
    const min = Math.max(minSize, az);
    const max = Math.max(maxSize, min);
    const desired = Math.min(max, Math.max(min, desiredCapacity));
    if (minSize < az) {
        issues.push({
            path: ["web", "minSize"],
            expected: `at least network.azCount (${az}), so every AZ keeps a healthy server`,
            found: minSize,
            repairs: [set(["web", "minSize"], min)],
        });
    }
    // A size the stack file does not set follows the others (keys.ts), so only the given ones are wrong.
    if (maxSize < min && given(ctx, "web", "maxSize") !== undefined) {
        issues.push({
            path: ["web", "maxSize"],
            expected: `at least web.minSize (${min})`,
            found: maxSize,
            repairs: [set(["web", "maxSize"], max)],
        });
    }
    if (desiredCapacity !== desired && given(ctx, "web", "desiredCapacity") !== undefined) {
        issues.push({
            path: ["web", "desiredCapacity"],
            expected: `between web.minSize (${min}) and web.maxSize (${max})`,
            found: desiredCapacity,
            repairs: [set(["web", "desiredCapacity"], desired)],
        });
    }
    return issues;
};

const domainWithZone: Rule = (c) => {
    const { domain, hostedZoneId } = c.web;
    if ((domain === undefined) === (hostedZoneId === undefined)) return [];
    const missing = domain === undefined ? "domain" : "hostedZoneId";
    const other = missing === "domain" ? "hostedZoneId" : "domain";
    // Without its partner the key cannot work; the fix that always holds is to drop it (or set the partner).
    return [
        {
            path: ["web", other],
            expected: `to come with web.${missing} (a DNS-validated certificate needs both: set web.${missing} too${missing === "hostedZoneId" ? `, the ID \`aws route53 list-hosted-zones-by-name --dns-name ${c.web.domain}\` prints` : ""}), or not at all`,
            found: c.web[other],
            repairs: [rm(["web", other])],
        },
    ];
};

const wafInProd: Rule = (c, ctx) =>
    ctx.environment === "prod" && !c.waf.enabled
        ? [
              {
                  path: ["waf", "enabled"],
                  expected: "true in prod: the internet-facing ALB needs the rate limit and the managed rule groups",
                  found: c.waf.enabled,
                  repairs: [set(["waf", "enabled"], true)],
              },
          ]
        : [];

const cdnNeeds: Rule = (c, ctx) => {
    if (!c.cdn.enabled) return [];
    const hasDomain = c.web.domain !== undefined && c.web.hostedZoneId !== undefined;
    const why = !hasDomain
        ? "false without web.domain and web.hostedZoneId: CloudFront refuses the ALB's self-signed certificate, so it needs the domain's DNS-validated one"
        : ctx.region !== CDN_REGION
          ? `false outside ${CDN_REGION}: CloudFront takes its certificate and web ACL only from ${CDN_REGION}, and this program issues them in the stack's region`
          : undefined;
    return why
        ? [{ path: ["cdn", "enabled"], expected: why, found: true, repairs: [set(["cdn", "enabled"], false)] }]
        : [];
};

const tlsWithCdn: Rule = (c) =>
    c.cdn.enabled && isTls13Only(c.web.tlsPolicy)
        ? [
              {
                  path: ["web", "tlsPolicy"],
                  expected:
                      "a policy that also offers TLS 1.2 while cdn.enabled: CloudFront connects to its origin with TLS 1.2 at most, so a TLS 1.3-only listener would refuse every request it forwards",
                  found: c.web.tlsPolicy,
                  repairs: [set(["web", "tlsPolicy"], withTls12(c.web.tlsPolicy))],
              },
          ]
        : [];

const alarmRecipient: Rule = (c, ctx) => {
    const issues: Issue[] = [];
    const m = c.monitoring;
    if (ctx.environment === "prod" && !m.alarmEmail && !m.alarmTopicArn) {
        issues.push({
            path: ["monitoring", "alarmEmail"],
            expected:
                "your on-call address (or monitoring.alarmTopicArn, your pager's SNS topic) in prod: an alarm nobody receives is an outage nobody hears of",
            found: undefined,
            repairs: [set(["monitoring", "alarmEmail"], "oncall@example.com")],
        });
    }
    const topicRegion = m.alarmTopicArn?.split(":")[3];
    if (topicRegion !== undefined && ctx.region && topicRegion !== ctx.region) {
        const arn = m.alarmTopicArn!.split(":");
        arn[3] = ctx.region;
        issues.push({
            path: ["monitoring", "alarmTopicArn"],
            expected: `a topic in the stack's region ${ctx.region}: CloudWatch alarms notify topics in their own region only`,
            found: m.alarmTopicArn,
            repairs: [set(["monitoring", "alarmTopicArn"], arn.join(":"))],
        });
    }
    return issues;
};

const syntheticChecksRegion: Rule = (c, ctx) =>
    c.monitoring.syntheticChecks && ctx.region !== HEALTH_CHECK_METRICS_REGION
        ? [
              {
                  path: ["monitoring", "syntheticChecks"],
                  expected: `false outside ${HEALTH_CHECK_METRICS_REGION}: Route 53 publishes health-check metrics only in ${HEALTH_CHECK_METRICS_REGION}, and an alarm can notify only a topic in its own region (unset, it is off there)`,
                  found: true,
                  repairs: [rm(["monitoring", "syntheticChecks"])],
              },
          ]
        : [];

const connections: Rule = (c) => {
    const ceiling = dbConnectionCeiling(c.web.maxSize);
    return c.monitoring.dbConnections >= ceiling
        ? [
              {
                  path: ["monitoring", "dbConnections"],
                  expected: `below ${ceiling}, the most the stack's pools can open (web.maxSize ${c.web.maxSize} × ${DEFAULT_POOL_MAX} per server + ${MIGRATION_CONNECTIONS} for the migration function), or the alarm can never fire`,
                  found: c.monitoring.dbConnections,
                  repairs: [set(["monitoring", "dbConnections"], defaultDbConnections(c.web.maxSize))],
              },
          ]
        : [];
};

const storage: Rule = (c) => {
    const { allocatedStorageGb: allocated, maxAllocatedStorageGb: ceiling } = c.database;
    const largest = Math.floor((MAX_STORAGE_GB * 10) / 11);
    const issues: Issue[] = [];
    if (allocated > largest) {
        issues.push({
            path: ["database", "allocatedStorageGb"],
            expected: `at most ${largest}, so storage autoscaling can still grow it by 10% within RDS's ${MAX_STORAGE_GB} GB`,
            found: allocated,
            repairs: [set(["database", "allocatedStorageGb"], largest)],
        });
    } else if (ceiling < minimumMaxAllocatedStorageGb(allocated)) {
        const least = minimumMaxAllocatedStorageGb(allocated);
        issues.push({
            path: ["database", "maxAllocatedStorageGb"],
            expected: `at least ${least}: 10% above database.allocatedStorageGb (${allocated}), the least RDS storage autoscaling accepts`,
            found: ceiling,
            repairs: [
                set(["database", "maxAllocatedStorageGb"], Math.min(MAX_STORAGE_GB, Math.max(least, allocated * 2))),
            ],
        });
    }
    if (c.monitoring.dbFreeStorageGb >= allocated) {
        issues.push({
            path: ["monitoring", "dbFreeStorageGb"],
            expected: `below database.allocatedStorageGb (${allocated}), or the alarm fires on an empty database`,
            found: c.monitoring.dbFreeStorageGb,
            repairs: [set(["monitoring", "dbFreeStorageGb"], Math.max(1, Math.floor(allocated / 10)))],
        });
    }
    return issues;
};

const sshIngress: Rule = (c) => {
    const issues: Issue[] = [];
    const cidrs = c.bastion.allowedCidrs;
    if (!c.bastion.enabled && cidrs.length > 0) {
        return [
            {
                path: ["bastion", "allowedCidrs"],
                expected: "empty while bastion.enabled is false (there is no bastion to reach)",
                found: cidrs,
                repairs: [rm(["bastion", "allowedCidrs"])],
            },
        ];
    }
    // The whole internet, or so much of it that it might as well be.
    const open = cidrs.flatMap((cidr, i) => ((parseIpv4Cidr(cidr)?.prefix ?? 32) < 8 ? [i] : []));
    if (open.length > 0) {
        issues.push({
            path: ["bastion", "allowedCidrs"],
            expected:
                "CIDRs narrower than the internet (none of 0.0.0.0/0 and nothing wider than a /8): SSH must never be open to everyone; use SSM Session Manager instead",
            found: cidrs,
            repairs: [
                set(
                    ["bastion", "allowedCidrs"],
                    cidrs.filter((_, i) => !open.includes(i)),
                ),
            ],
        });
    }
    return issues;
};

const backupCopy: Rule = (c, ctx) => {
    const copy = c.backup.copyRegion;
    if (copy === undefined) return [];
    if (!c.backup.enabled) {
        return [
            {
                path: ["backup", "copyRegion"],
                expected: "unset while backup.enabled is false (there are no backups to copy)",
                found: copy,
                repairs: [rm(["backup", "copyRegion"])],
            },
        ];
    }
    if (!isCommercialRegion(copy)) {
        return [
            {
                path: ["backup", "copyRegion"],
                expected: `a region of AWS's commercial partition, as the stack's: AWS Backup copies only within a partition (or unset: no copy)`,
                found: copy,
                repairs: [rm(["backup", "copyRegion"])],
            },
        ];
    }
    return copy === ctx.region
        ? [
              {
                  path: ["backup", "copyRegion"],
                  expected: `a region other than the stack's own (${ctx.region}): a copy in the same region survives nothing the original would not (or unset: no copy)`,
                  found: copy,
                  repairs: [rm(["backup", "copyRegion"])],
              },
          ]
        : [];
};

/**
 * Whether a region is in AWS's commercial partition (arn:aws). GovCloud (us-gov-*), China (cn-*)
 * and the isolated partitions (us-iso*, eu-isoe-*, …) have partitions of their own.
 */
export function isCommercialRegion(region: string): boolean {
    return !/^(us-gov-|cn-|[a-z]{2}-iso[a-z]?-)/.test(region);
}

const TAG_KEY = /^[\p{L}\p{N}\s_.:/=+\-@]{1,128}$/u;

const tagKeys: Rule = (_c, ctx) =>
    Object.keys(ctx.given.tags ?? {})
        .filter((key) => !TAG_KEY.test(key) || key.toLowerCase().startsWith("aws:"))
        .map((key) => ({
            path: ["tags", key],
            expected: "a tag key of 1 to 128 letters, digits, spaces or _.:/=+-@, not starting with aws:",
            found: key,
            repairs: [rm(["tags", key])],
        }));

/**
 * What ELBv2, SSM, RDS and others accept in a tag value (their TagValue pattern
 * ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$): every resource gets the user's tags, so one value outside it
 * fails the first resource of such a service (the load balancer, the SSM documents).
 */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const tagValues: Rule = (_c, ctx) =>
    Object.entries(ctx.given.tags ?? {})
        .filter(([, value]) => typeof value === "string" && !TAG_VALUE.test(value))
        .map(([key, value]) => ({
            path: ["tags", key],
            expected:
                "a tag value of letters, digits, spaces and _.:/=+-@ only (what ELBv2, SSM and RDS accept in a tag value), at most 256",
            found: value,
            repairs: [rm(["tags", key])],
        }));

/**
 * The tags the program puts on every resource itself (lib/tags.ts), and the Name some resources
 * add: user tags with these keys add nothing.
 */
const PROGRAM_TAG_KEYS = [...Object.keys(stackTags("p", "s", "e", {})), "Name"];
/**
 * S3 takes at most 10 tags on an object (PutObject/PutObjectTagging: "Object tags cannot be
 * greater than 10"), Route 53 at most 10 on a health check (ChangeTagsForResource), and the
 * provider's default tags reach the objects (the app bundle, the CDN's error pages) and the
 * synthetic checks along with the program's own: what is left is the users'.
 */
export const MAX_USER_TAGS = 10 - PROGRAM_TAG_KEYS.length;

const tagCount: Rule = (_c, ctx) => {
    const extra = Object.keys(ctx.given.tags ?? {}).filter((key) => !PROGRAM_TAG_KEYS.includes(key));
    return extra.length > MAX_USER_TAGS
        ? [
              {
                  path: ["tags"],
                  expected: `at most ${MAX_USER_TAGS} tags: S3 objects and Route 53 health checks take 10 tags, every resource's tags reach the app bundle's object and the synthetic checks, and the stack adds ${PROGRAM_TAG_KEYS.join(", ")} itself`,
                  found: extra,
                  repairs: extra.slice(MAX_USER_TAGS).map((key) => rm(["tags", key])),
              },
          ]
        : [];
};

/** Every rule, in the order their problems are reported. */
export const RULES: Rule[] = [
    availabilityZones,
    natPerAz,
    groupSizes,
    domainWithZone,
    wafInProd,
    cdnNeeds,
    tlsWithCdn,
    alarmRecipient,
    syntheticChecksRegion,
    connections,
    storage,
    sshIngress,
    sshUsersRule,
    backupCopy,
    tagKeys,
    tagValues,
    tagCount,
];
