/**
 * Load balancing rules: HTTP never reaches a server (HTTP listeners only redirect to HTTPS),
 * HTTPS uses an allowed TLS policy, the ALB rejects malformed requests, keeps access logs and
 * resists deletion, and target groups check health. Both type spellings (aws:lb/… and
 * aws:alb/…) are matched.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { ofType, resolveRef } from "./lib/graph";
import { WebfleetPolicy, configOf, resourceRule, stackRule } from "./lib/rule";
import { T, subject } from "./lib/types";
import { attempt, peek } from "./lib/values";

export const DEFAULT_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
];

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
    enforcementLevel: "mandatory",
    checks: "dropInvalidHeaderFields is true on application load balancers",
    equivalents: [
        "CKV_AWS_131",
        "HIPAA.Security-ALBHttpDropInvalidHeaderEnabled",
        "PCI.DSS.321-ALBHttpDropInvalidHeaderEnabled",
    ],
    unknown: "violation",
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
    enforcementLevel: "mandatory",
    checks: 'desyncMitigationMode is unset (AWS default defensive), "defensive" or "strictest"',
    equivalents: ["CKV_AWS_328"],
    unknown: "violation",
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
    description:
        "Load balancers have deletion protection on, so the service's entry point cannot be removed by accident.",
    severity: "medium",
    enforcementLevel: "mandatory",
    checks: "enableDeletionProtection is true",
    equivalents: [
        "CKV_AWS_150",
        "NIST.800.53.R5-ELBDeletionProtectionEnabled",
        "awsguard elb-deletion-protection-enabled",
    ],
    unknown: "violation",
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
    severity: "medium",
    enforcementLevel: "mandatory",
    checks: "accessLogs.enabled is true with a bucket",
    equivalents: [
        "AwsSolutions-ELB2",
        "CKV_AWS_91",
        "NIST.800.53.R5-ELBLoggingEnabled",
        "awsguard elb-logging-enabled",
    ],
    unknown: "violation",
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

type ListenerProps = {
    port?: number;
    protocol?: string;
    sslPolicy?: string;
    certificateArn?: string;
    defaultActions: { type: string; redirect?: { protocol?: string; port?: string; statusCode: string } }[];
};

function onListeners(check: (l: ListenerProps, args: ResourceValidationArgs, report: ReportViolation) => void) {
    return [validateResourceOfType(aws.lb.Listener, check), validateResourceOfType(aws.alb.Listener, check)];
}

/** The listener's protocol; unset on an ALB listener means HTTP. */
function protocolOf(l: { protocol?: string }): string {
    return (l.protocol ?? "HTTP").toUpperCase();
}

type RedirectAction = { type: string; redirect?: { protocol?: string; port?: string; statusCode?: string } };

/** Why an action on an HTTP listener is not a clean redirect to HTTPS, or undefined when it is. */
function notAnHttpsRedirect(action: RedirectAction): string | undefined {
    if (action.type !== "redirect") {
        return `a "${action.type}" action`;
    }
    const r = action.redirect;
    if (!r || (r.protocol ?? "#{protocol}").toUpperCase() !== "HTTPS") {
        return `a redirect to ${r?.protocol ?? "the same protocol"}`;
    }
    if (r.port === undefined || r.port === "#{port}") {
        return "a redirect to HTTPS on the same port as the HTTP listener";
    }
    if (r.statusCode !== "HTTP_301") {
        return `a ${r.statusCode} redirect instead of a permanent (HTTP_301) one`;
    }
    return undefined;
}

const HTTP_FIX =
    'HTTP must never reach a server (make the only action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } })';

const albHttpRedirectsToHttps = resourceRule({
    name: "alb-http-redirects-to-https",
    description:
        "HTTP listeners only redirect to HTTPS with a permanent redirect, so plain HTTP never reaches a server.",
    severity: "high",
    enforcementLevel: "mandatory",
    checks: "An HTTP listener's default actions are exactly one redirect to HTTPS, on an explicit port, with HTTP_301",
    equivalents: ["CKV2_AWS_20", "NIST.800.53.R5-ALBHttpToHttpsRedirection", "awsguard alb-http-to-https-redirection"],
    unknown: "violation",
    requirement: HTTP_FIX,
    validate: onListeners((l, args, report) => {
        if (protocolOf(l) !== "HTTP") {
            return;
        }
        const actions = l.defaultActions ?? [];
        if (actions.length !== 1) {
            report(`${who(args)} is an HTTP listener with ${actions.length} default actions; ${HTTP_FIX}`);
            return;
        }
        const problem = notAnHttpsRedirect(actions[0]);
        if (problem) {
            report(`${who(args)} is an HTTP listener whose default action is ${problem}; ${HTTP_FIX}`);
        }
    }),
});

const albTlsPolicyAllowed = resourceRule({
    name: "alb-tls-policy-allowed",
    description: "HTTPS and TLS listeners use a TLS policy from the allow-list (TLS 1.2 minimum with TLS 1.3).",
    severity: "high",
    enforcementLevel: "mandatory",
    checks: "HTTPS/TLS listeners set sslPolicy to one of allowedPolicies (default: the ELBSecurityPolicy-TLS13-1-2/1-3 family)",
    equivalents: ["CKV_AWS_103", "NIST.800.53.R5-ELBTlsHttpsListenersOnly"],
    unknown: "violation",
    requirement: `HTTPS must use a current TLS policy (set sslPolicy to one of ${DEFAULT_TLS_POLICIES.join(", ")})`,
    config: {
        allowedPolicies: {
            type: "array",
            items: { type: "string", minLength: 1 },
            minItems: 1,
            default: DEFAULT_TLS_POLICIES,
            description: "TLS policies an HTTPS or TLS listener may use.",
        },
    },
    validate: onListeners((l, args, report) => {
        const protocol = protocolOf(l);
        if (protocol !== "HTTPS" && protocol !== "TLS") {
            return;
        }
        const { allowedPolicies } = configOf(args, { allowedPolicies: DEFAULT_TLS_POLICIES });
        if (!l.sslPolicy || !allowedPolicies.includes(l.sslPolicy)) {
            const state = l.sslPolicy
                ? `uses TLS policy ${l.sslPolicy}`
                : "sets no sslPolicy, so the provider default (which allows older TLS) applies";
            report(
                `${who(args)} ${state}; HTTPS must use a policy from the allow-list (set sslPolicy to one of ${allowedPolicies.join(", ")})`,
            );
        }
    }),
});

const LISTENER_TYPES = [T.lbListener, T.albListener];
const LISTENER_RULE_TYPES = [T.lbListenerRule, T.albListenerRule];

const albHttpRulesRedirectOnly = stackRule({
    name: "alb-http-rules-redirect-only",
    description:
        "Listener rules on an HTTP listener only redirect to HTTPS, so no path of the HTTP listener forwards to a server.",
    severity: "high",
    enforcementLevel: "mandatory",
    resources: [...LISTENER_TYPES, ...LISTENER_RULE_TYPES],
    checks: "Every aws.lb/alb.ListenerRule whose listener (resolved by ARN or property dependencies) is HTTP has only HTTPS redirect actions",
    equivalents: ["CKV2_AWS_20"],
    unknown: "violation",
    unknownNote: "A rule whose listener cannot be resolved is a violation only if the stack has an HTTP listener.",
    validate: (args, report: ReportViolation) => {
        const listeners = ofType(args.resources, ...LISTENER_TYPES);
        const httpListeners = listeners.filter((l) => {
            const p = peek<string>(l.props, "protocol");
            return !p.known || (p.value ?? "HTTP").toUpperCase() === "HTTP";
        });
        if (httpListeners.length === 0) {
            return;
        }
        for (const rule of ofType(args.resources, ...LISTENER_RULE_TYPES)) {
            const target = resolveRef(rule, "listenerArn", listeners);
            if (target.kind === "resolved" && !target.targets.some((t) => httpListeners.includes(t))) {
                continue;
            }
            if (target.kind === "external") {
                continue;
            }
            if (target.kind !== "resolved") {
                report(
                    `${subject(rule.type, rule.name)} has a listenerArn unknown during preview, and the stack has an HTTP listener, so it cannot be shown not to forward HTTP; ${HTTP_FIX}`,
                    rule.urn,
                );
                continue;
            }
            const actions = peek<RedirectAction[]>(rule.props, "actions");
            if (!actions.known) {
                report(
                    `${subject(rule.type, rule.name)} on an HTTP listener has actions unknown during preview; ${HTTP_FIX}`,
                    rule.urn,
                );
                continue;
            }
            const list = actions.value ?? [];
            for (let i = 0; i < list.length; i++) {
                const problem = attempt(() => notAnHttpsRedirect(list[i]));
                if (!problem.known) {
                    report(
                        `${subject(rule.type, rule.name)} on HTTP listener '${target.targets[0].name}' has an action unknown during preview at ${problem.path}; ${HTTP_FIX}`,
                        rule.urn,
                    );
                    break;
                }
                if (problem.value) {
                    report(
                        `${subject(rule.type, rule.name)} on HTTP listener '${target.targets[0].name}' has ${problem.value}; ${HTTP_FIX}`,
                        rule.urn,
                    );
                    break;
                }
            }
        }
    },
});

type TargetGroupProps = { targetType?: string; protocol?: string; healthCheck?: { enabled?: boolean; path?: string } };

function onTargetGroups(check: (tg: TargetGroupProps, args: ResourceValidationArgs, report: ReportViolation) => void) {
    return [validateResourceOfType(aws.lb.TargetGroup, check), validateResourceOfType(aws.alb.TargetGroup, check)];
}

const targetGroupHealthCheck = resourceRule({
    name: "target-group-health-check",
    description:
        "Target groups check target health on an explicit path, so the load balancer stops sending traffic to a broken server.",
    severity: "low",
    enforcementLevel: "advisory",
    checks: "healthCheck is not disabled and HTTP(S) target groups set healthCheck.path",
    equivalents: [],
    unknown: "violation",
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

export const loadBalancingPolicies: WebfleetPolicy[] = [
    albHttpRedirectsToHttps,
    albHttpRulesRedirectOnly,
    albTlsPolicyAllowed,
    albDropInvalidHeaders,
    albDesyncMitigation,
    albDeletionProtection,
    albAccessLogs,
    targetGroupHealthCheck,
];
