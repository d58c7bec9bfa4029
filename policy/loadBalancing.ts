/**
 * Load balancer rules: the ALB rejects malformed requests and desync attempts, keeps access
 * logs, resists deletion and (in prod, when it faces the internet) sits behind a web ACL;
 * target groups check health; no Classic Load Balancer. Both type spellings (aws:lb/… and
 * aws:alb/…) are matched.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { ofType, resolveRef } from "./lib/graph";
import { WebfleetPolicy, resourceRule, stackRule } from "./lib/rule";
import { grants, isWorldCidr } from "./lib/securityGroups";
import { groupsAt, ownedBy } from "./lib/sgGraph";
import { T, subject } from "./lib/types";
import { peek } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

type LbProps = {
    loadBalancerType?: string;
    dropInvalidHeaderFields?: boolean;
    desyncMitigationMode?: string;
    enableDeletionProtection?: boolean;
    accessLogs?: { bucket?: string; enabled?: boolean };
};

/** Applies `check` to both spellings of the load balancer type. */
function onLoadBalancers(check: (lb: LbProps, args: ResourceValidationArgs, report: ReportViolation) => void) {
    return [validateResourceOfType(aws.lb.LoadBalancer, check), validateResourceOfType(aws.alb.LoadBalancer, check)];
}

function isApplication(lb: LbProps): boolean {
    return lb.loadBalancerType === undefined || lb.loadBalancerType === "application";
}

const albDropInvalidHeaders = resourceRule({
    name: "alb-drop-invalid-headers",
    description:
        "Application load balancers drop HTTP headers that are not valid, so malformed requests never reach the app.",
    severity: "medium",
    checks: "dropInvalidHeaderFields is true on application load balancers",
    equivalents: {
        cdkNag: ["HIPAA.Security-ALBHttpDropInvalidHeaderEnabled", "PCI.DSS.321-ALBHttpDropInvalidHeaderEnabled"],
        checkov: ["CKV_AWS_131"],
    },
    unknown: "advisory",
    requirement: "the load balancer must drop invalid headers (set dropInvalidHeaderFields: true as a literal)",
    validate: onLoadBalancers((lb, args, report) => {
        if (isApplication(lb) && lb.dropInvalidHeaderFields !== true) {
            report(
                `${who(args)} forwards HTTP headers that are not valid (dropInvalidHeaderFields is ${lb.dropInvalidHeaderFields ?? "unset, default false"}); malformed headers are a request-smuggling vector (set dropInvalidHeaderFields: true)`,
            );
        }
    }),
});

const albDesyncMitigation = resourceRule({
    name: "alb-desync-mitigation",
    description: "Application load balancers use the defensive or strictest HTTP desync mitigation mode.",
    severity: "medium",
    checks: 'desyncMitigationMode is unset (AWS default defensive), "defensive" or "strictest"',
    equivalents: { checkov: ["CKV_AWS_328"] },
    unknown: "advisory",
    requirement: 'the load balancer must mitigate HTTP desync (set desyncMitigationMode: "defensive" or "strictest")',
    validate: onLoadBalancers((lb, args, report) => {
        const mode = lb.desyncMitigationMode;
        if (isApplication(lb) && mode !== undefined && mode !== "defensive" && mode !== "strictest") {
            report(
                `${who(args)} has desyncMitigationMode "${mode}"; requests that could desync the load balancer and the servers must be blocked (set desyncMitigationMode: "defensive" or "strictest")`,
            );
        }
    }),
});

const albDeletionProtection = resourceRule({
    name: "alb-deletion-protection",
    prodOnly: true,
    description:
        "Load balancers have deletion protection on, so the service's entry point cannot be removed by accident.",
    severity: "medium",
    checks: "enableDeletionProtection is true",
    equivalents: {
        cdkNag: ["NIST.800.53.R5-ELBDeletionProtectionEnabled"],
        checkov: ["CKV_AWS_150"],
        awsguard: ["elb-deletion-protection-enabled"],
    },
    unknown: "advisory",
    requirement: "the load balancer must be protected from deletion (set enableDeletionProtection: true as a literal)",
    validate: onLoadBalancers((lb, args, report) => {
        if (lb.enableDeletionProtection !== true) {
            report(
                `${who(args)} has deletion protection off; the service's entry point must not be deletable by one command (set enableDeletionProtection: true)`,
            );
        }
    }),
});

const albAccessLogs = resourceRule({
    name: "alb-access-logs",
    description: "Load balancers write access logs to S3, so every request can be traced.",
    severity: "high",
    checks: "accessLogs.enabled is true with a bucket",
    equivalents: {
        cdkNag: ["AwsSolutions-ELB2", "NIST.800.53.R5-ELBLoggingEnabled"],
        checkov: ["CKV_AWS_91"],
        awsguard: ["elb-logging-enabled"],
    },
    unknown: "advisory",
    unknownNote:
        "An unknown bucket (a reference to a bucket in the stack) counts as set; an unknown `enabled` is a violation.",
    requirement: "the load balancer must keep access logs (set accessLogs: { bucket, enabled: true })",
    validate: onLoadBalancers((lb, args, report) => {
        const enabled = lb.accessLogs?.enabled;
        const bucket = peek(lb, "accessLogs", "bucket");
        const hasBucket = !bucket.known || (typeof bucket.value === "string" && bucket.value !== "");
        if (enabled !== true || !hasBucket) {
            const state =
                lb.accessLogs === undefined
                    ? "accessLogs is not set"
                    : enabled !== true
                      ? "accessLogs.enabled is not true"
                      : "accessLogs has no bucket";
            report(
                `${who(args)} keeps no access logs (${state}); every request must be traceable (set accessLogs: { bucket: <log bucket>, enabled: true })`,
            );
        }
    }),
});

type TargetGroupProps = {
    targetType?: string;
    protocol?: string;
    healthCheck?: { enabled?: boolean; path?: string; protocol?: string };
};

function onTargetGroups(check: (tg: TargetGroupProps, args: ResourceValidationArgs, report: ReportViolation) => void) {
    return [validateResourceOfType(aws.lb.TargetGroup, check), validateResourceOfType(aws.alb.TargetGroup, check)];
}

const targetGroupHealthCheck = resourceRule({
    name: "target-group-health-check",
    description:
        "Target groups check target health on an explicit path, so the load balancer stops sending traffic to a broken server.",
    severity: "low",
    checks: "healthCheck is not disabled and HTTP(S) target groups set healthCheck.path",
    equivalents: {},
    unknown: "advisory",
    requirement: 'targets must be health-checked (set healthCheck: { enabled: true, path: "/healthz" })',
    validate: onTargetGroups((tg, args, report) => {
        if (tg.targetType === "lambda") {
            return;
        }
        if (tg.healthCheck?.enabled === false) {
            report(
                `${who(args)} has health checks disabled; the load balancer must stop sending traffic to broken servers (set healthCheck.enabled: true)`,
            );
            return;
        }
        const protocol = (tg.protocol ?? "HTTP").toUpperCase();
        if ((protocol === "HTTP" || protocol === "HTTPS") && !tg.healthCheck?.path) {
            report(
                `${who(args)} checks health on the default path "/"; a health check must hit an endpoint that reflects the server's health (set healthCheck.path, e.g. "/healthz")`,
            );
        }
    }),
});

/** Target group protocols that carry bytes the load balancer cannot read, so cannot be judged here. */
const PASS_THROUGH = ["TCP", "UDP", "TCP_UDP", "GENEVE"];

const targetGroupHttps = resourceRule({
    name: "target-group-https",
    description:
        "In prod, load balancers reach their targets over TLS too (HTTPS target groups, health checks included), so nothing crosses the VPC in plain text.",
    severity: "high",
    prodOnly: true,
    checks: "HTTP(S) target groups (protocol unset counts as HTTP) use protocol HTTPS and healthCheck.protocol HTTPS; TLS target groups pass; Lambda targets and pass-through protocols (TCP, UDP, GENEVE) are not judged",
    equivalents: { checkov: ["CKV_AWS_378"] },
    unknown: "advisory",
    requirement: 'targets must be reached over TLS (set protocol: "HTTPS" and healthCheck.protocol: "HTTPS")',
    validate: onTargetGroups((tg, args, report) => {
        const protocol = (tg.protocol ?? "HTTP").toUpperCase();
        if (
            tg.targetType === "lambda" ||
            tg.targetType === "alb" ||
            PASS_THROUGH.includes(protocol) ||
            protocol === "TLS"
        ) {
            return;
        }
        if (protocol !== "HTTPS") {
            report(
                `${who(args)} sends requests to its targets over ${protocol}, in plain text inside the VPC; in prod the servers take TLS too (set protocol: "HTTPS" and serve TLS on the target port)`,
            );
            return;
        }
        const check = (tg.healthCheck?.protocol ?? "HTTP").toUpperCase();
        if (tg.healthCheck?.enabled !== false && check !== "HTTPS") {
            report(
                `${who(args)} takes HTTPS but health-checks its targets over ${check}, which a TLS-only server never answers (set healthCheck.protocol: "HTTPS")`,
            );
        }
    }),
});

/** Whether any of the load balancer's groups admits a world-wide CIDR. */
function reachableFromInternet(lb: PolicyResource, resources: PolicyResource[]): boolean {
    const groups = groupsAt(resources, [lb], ["securityGroups", "*"]);
    if (groups.length === 0) {
        // No group of the stack is traceable: the default group or one managed elsewhere.
        return true;
    }
    return grants(resources, "ingress").some(
        (g) =>
            ownedBy(g, groups) && g.sourceKind === "cidr" && (!g.source.known || isWorldCidr(String(g.source.value))),
    );
}

const WAF_FIX =
    "an internet-facing load balancer in prod sits behind a web ACL (add an aws.wafv2.WebAclAssociation with resourceArn: alb.arn, or put CloudFront with a web ACL in front and admit only its origin-facing prefix list)";

const albWafAssociated = stackRule({
    name: "alb-waf-associated",
    description:
        "In prod, an internet-facing application load balancer is associated with a WAF web ACL, unless only CloudFront (with its own web ACL) can reach it.",
    severity: "high",
    prodOnly: true,
    resources: [T.lbLoadBalancer, T.albLoadBalancer, T.webAclAssociation],
    checks: "Each application load balancer with internal != true is the resourceArn of an aws.wafv2.WebAclAssociation (by ARN or property dependency), or its security groups admit no world-wide CIDR",
    equivalents: {
        cdkNag: ["NIST.800.53.R5-ALBWAFEnabled"],
        checkov: ["CKV2_AWS_28"],
    },
    unknown: "violation",
    unknownNote:
        "Associations are traced by ARN or property dependency; a load balancer whose internal flag is unknown counts as internet-facing.",
    validate: (args, report: ReportViolation) => {
        const lbs = ofType(args.resources, T.lbLoadBalancer, T.albLoadBalancer);
        const associations = ofType(args.resources, T.webAclAssociation);
        for (const lb of lbs) {
            const type = peek<string>(lb.props, "loadBalancerType");
            const internal = peek<boolean>(lb.props, "internal");
            if (
                (type.known && type.value !== undefined && type.value !== "application") ||
                (internal.known && internal.value === true)
            ) {
                continue;
            }
            const associated = associations.some((a) => {
                const r = resolveRef(a, "resourceArn", [lb]);
                return r.kind === "resolved";
            });
            if (associated || !reachableFromInternet(lb, args.resources)) {
                continue;
            }
            report(
                `${subject(lb.type, lb.name)} faces the internet without a web ACL, so nothing filters or rate-limits requests before they reach the servers; ${WAF_FIX}`,
                lb.urn,
            );
        }
    },
});

const clbNotUsed = resourceRule({
    name: "clb-not-used",
    description:
        "No Classic Load Balancer: it has no TLS 1.3, no HTTP desync protection, no header validation and no WAF, so web traffic goes through an Application Load Balancer.",
    severity: "medium",
    checks: "No aws.elb.LoadBalancer",
    equivalents: {
        cdkNag: ["AwsSolutions-ELB1", "AwsSolutions-ELB3", "AwsSolutions-ELB4", "AwsSolutions-ELB5"],
        checkov: ["CKV_AWS_92", "CKV_AWS_127"],
    },
    unknown: "violation",
    unknownNote: "A Classic Load Balancer is refused whatever its values, unknown ones included",
    requirement: "use an Application Load Balancer (aws.lb.LoadBalancer)",
    validate: [
        validateResourceOfType(aws.elb.LoadBalancer, (_lb, args, report) =>
            report(
                `${subject(args.type, args.name)} is a Classic Load Balancer, which cannot offer TLS 1.3, desync mitigation, header validation or a web ACL; web traffic goes through an Application Load Balancer (replace it with aws.lb.LoadBalancer and listeners)`,
            ),
        ),
    ],
});

export const loadBalancingPolicies: WebfleetPolicy[] = [
    albDropInvalidHeaders,
    albDesyncMitigation,
    albDeletionProtection,
    albAccessLogs,
    targetGroupHealthCheck,
    targetGroupHttps,
    albWafAssociated,
    clbNotUsed,
];
