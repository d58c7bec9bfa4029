import { DEFAULT_TLS_POLICIES } from "../../policy/loadBalancing";
import { T } from "../../policy/lib/types";
import { ResourceCase, StackCase, UNKNOWN, UNKNOWN_BOOL, describeRule } from "./helpers";

const HTTP_FIX =
    'HTTP must never reach a server (make the only action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } })';
const redirect = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
const http = (props: Record<string, unknown>, type: string = T.lbListener): ResourceCase => ({
    type,
    props: { protocol: "HTTP", port: 80, loadBalancerArn: "arn:lb", ...props },
});

describe("policy: load balancing", () => {
    describeRule<ResourceCase>("alb-http-redirects-to-https", {
        compliant: [
            {
                title: "an HTTP listener that only redirects to HTTPS 443 with 301",
                case: http({ defaultActions: [redirect] }),
            },
            { title: "the same on an aws:alb/listener", case: http({ defaultActions: [redirect] }, T.albListener) },
            {
                title: "an HTTPS listener that forwards",
                case: {
                    type: T.lbListener,
                    props: {
                        protocol: "HTTPS",
                        port: 443,
                        defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }],
                    },
                },
            },
            {
                title: "a TCP listener of a network load balancer",
                case: {
                    type: T.lbListener,
                    props: {
                        protocol: "TCP",
                        port: 80,
                        defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }],
                    },
                },
            },
        ],
        violations: [
            {
                title: "an HTTP listener that forwards",
                case: http({ defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] }),
                messages: [
                    `Listener 'subject' is an HTTP listener whose default action is a "forward" action; ${HTTP_FIX}`,
                ],
            },
            {
                title: "a redirect that stays on HTTP",
                case: http({
                    defaultActions: [
                        { type: "redirect", redirect: { protocol: "HTTP", port: "8080", statusCode: "HTTP_301" } },
                    ],
                }),
                messages: [
                    `Listener 'subject' is an HTTP listener whose default action is a redirect to HTTP; ${HTTP_FIX}`,
                ],
            },
            {
                title: "a redirect to HTTPS on port 80",
                case: http({
                    defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", statusCode: "HTTP_301" } }],
                }),
                messages: [
                    `Listener 'subject' is an HTTP listener whose default action is a redirect to HTTPS on the same port as the HTTP listener; ${HTTP_FIX}`,
                ],
            },
            {
                title: "a temporary redirect",
                case: http({
                    defaultActions: [
                        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_302" } },
                    ],
                }),
                messages: [
                    `Listener 'subject' is an HTTP listener whose default action is a HTTP_302 redirect instead of a permanent (HTTP_301) one; ${HTTP_FIX}`,
                ],
            },
            {
                title: "two default actions",
                case: http({ defaultActions: [redirect, { type: "forward", targetGroupArn: "arn:tg" }] }),
                messages: [`Listener 'subject' is an HTTP listener with 2 default actions; ${HTTP_FIX}`],
            },
            {
                title: "an aws:alb listener without a protocol (HTTP) answering with a fixed response",
                case: {
                    type: T.albListener,
                    props: {
                        port: 80,
                        defaultActions: [
                            { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "200" } },
                        ],
                    },
                },
                messages: [
                    `Listener 'subject' is an HTTP listener whose default action is a "fixed-response" action; ${HTTP_FIX}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown redirect protocol is a violation",
            case: http({
                defaultActions: [
                    { type: "redirect", redirect: { protocol: UNKNOWN, port: "443", statusCode: "HTTP_301" } },
                ],
            }),
            messages: [
                `Listener 'subject' has a value unknown during preview at defaultActions.0.redirect.protocol, so it cannot be verified; ${HTTP_FIX}`,
            ],
        },
    });

    const listener = (name: string, arn: string, protocol: string, type: string = T.lbListener) => ({
        type,
        name,
        props: { id: arn, arn, protocol, defaultActions: [redirect] },
    });
    const listenerRule = (
        name: string,
        listenerArn: string,
        actions: unknown[],
        deps?: string[],
        type: string = T.lbListenerRule,
    ) => ({
        type,
        name,
        props: { listenerArn, priority: 10, actions, conditions: [{ pathPattern: { values: ["/admin/*"] } }] },
        deps: deps ? { listenerArn: deps } : undefined,
    });
    describeRule<StackCase>("alb-http-rules-redirect-only", {
        compliant: [
            {
                title: "a forwarding rule on the HTTPS listener",
                case: {
                    resources: [
                        listener("http", "arn:l-http", "HTTP"),
                        listener("https", "arn:l-https", "HTTPS"),
                        listenerRule("admin", "arn:l-https", [{ type: "forward", targetGroupArn: "arn:tg" }]),
                    ],
                },
            },
            {
                title: "real preview: the rule's listener traced through dependencies",
                case: {
                    resources: [
                        listener("http", UNKNOWN, "HTTP"),
                        listener("https", UNKNOWN, "HTTPS"),
                        listenerRule("admin", UNKNOWN, [{ type: "forward", targetGroupArn: "arn:tg" }], ["https"]),
                    ],
                },
            },
            {
                title: "a redirecting rule on the HTTP listener",
                case: {
                    resources: [
                        listener("http", "arn:l-http", "HTTP"),
                        listenerRule("legacy", "arn:l-http", [redirect]),
                    ],
                },
            },
            {
                title: "no HTTP listener in the stack",
                case: {
                    resources: [
                        listener("https", "arn:l-https", "HTTPS"),
                        listenerRule("admin", UNKNOWN, [{ type: "forward" }]),
                    ],
                },
            },
        ],
        violations: [
            {
                title: "a forwarding rule on the HTTP listener",
                case: {
                    resources: [
                        listener("http", "arn:l-http", "HTTP"),
                        listenerRule("admin", "arn:l-http", [{ type: "forward", targetGroupArn: "arn:tg" }]),
                    ],
                },
                messages: [`Listener rule 'admin' on HTTP listener 'http' has a "forward" action; ${HTTP_FIX}`],
            },
            {
                title: "the same with aws:alb types, traced through dependencies",
                case: {
                    resources: [
                        listener("http", UNKNOWN, "HTTP", T.albListener),
                        listenerRule(
                            "admin",
                            UNKNOWN,
                            [{ type: "authenticate-oidc" }, { type: "forward" }],
                            ["http"],
                            T.albListenerRule,
                        ),
                    ],
                },
                messages: [
                    `Listener rule 'admin' on HTTP listener 'http' has a "authenticate-oidc" action; ${HTTP_FIX}`,
                ],
            },
            {
                title: "a redirect protocol unknown at preview on the HTTP listener",
                case: {
                    resources: [
                        listener("http", "arn:l-http", "HTTP"),
                        listenerRule("legacy", "arn:l-http", [
                            { type: "redirect", redirect: { protocol: UNKNOWN, port: "443", statusCode: "HTTP_301" } },
                        ]),
                    ],
                },
                messages: [
                    `Listener rule 'legacy' on HTTP listener 'http' has an action unknown during preview at actions.0.redirect.protocol; ${HTTP_FIX}`,
                ],
            },
        ],
        unknown: {
            title: "a rule whose listener cannot be traced, in a stack with an HTTP listener",
            case: {
                resources: [
                    listener("http", "arn:l-http", "HTTP"),
                    listenerRule("admin", UNKNOWN, [{ type: "forward" }]),
                ],
            },
            messages: [
                `Listener rule 'admin' has a listenerArn unknown during preview, and the stack has an HTTP listener, so it cannot be shown not to forward HTTP; ${HTTP_FIX}`,
            ],
        },
    });

    const https = (props: Record<string, unknown>, type: string = T.lbListener): ResourceCase => ({
        type,
        props: { protocol: "HTTPS", port: 443, defaultActions: [{ type: "forward" }], ...props },
    });
    const ALLOWED = `set sslPolicy to one of ${DEFAULT_TLS_POLICIES.join(", ")}`;
    describeRule<ResourceCase>("alb-tls-policy-allowed", {
        compliant: [
            { title: "the TLS 1.3 policy", case: https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }) },
            { title: "an HTTP listener has no TLS policy to check", case: http({ defaultActions: [redirect] }) },
            {
                title: "a policy the stack's config allows",
                case: {
                    ...https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" }),
                    config: { allowedPolicies: ["ELBSecurityPolicy-TLS13-1-3-2021-06"] },
                },
            },
        ],
        violations: [
            {
                title: "an old TLS policy",
                case: https({ sslPolicy: "ELBSecurityPolicy-2016-08" }),
                messages: [
                    `Listener 'subject' uses TLS policy ELBSecurityPolicy-2016-08; HTTPS must use a policy from the allow-list (${ALLOWED})`,
                ],
            },
            {
                title: "no TLS policy",
                case: https({}),
                messages: [
                    `Listener 'subject' sets no sslPolicy, so the provider default (which allows older TLS) applies; HTTPS must use a policy from the allow-list (${ALLOWED})`,
                ],
            },
            {
                title: "a TLS listener on an aws:alb listener with TLS 1.0",
                case: https({ protocol: "TLS", sslPolicy: "ELBSecurityPolicy-TLS-1-0-2015-04" }, T.albListener),
                messages: [
                    `Listener 'subject' uses TLS policy ELBSecurityPolicy-TLS-1-0-2015-04; HTTPS must use a policy from the allow-list (${ALLOWED})`,
                ],
            },
            {
                title: "a policy outside a narrowed allow-list",
                case: {
                    ...https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }),
                    config: { allowedPolicies: ["ELBSecurityPolicy-TLS13-1-3-2021-06"] },
                },
                messages: [
                    "Listener 'subject' uses TLS policy ELBSecurityPolicy-TLS13-1-2-2021-06; HTTPS must use a policy from the allow-list (set sslPolicy to one of ELBSecurityPolicy-TLS13-1-3-2021-06)",
                ],
            },
        ],
        unknown: {
            title: "an unknown TLS policy is a violation",
            case: https({ sslPolicy: UNKNOWN }),
            messages: [
                `Listener 'subject' has a value unknown during preview at sslPolicy, so it cannot be verified; HTTPS must use a current TLS policy (${ALLOWED})`,
            ],
        },
    });

    const lb = (props: Record<string, unknown>, type: string = T.lbLoadBalancer): ResourceCase => ({
        type,
        props: { loadBalancerType: "application", ...props },
    });
    describeRule<ResourceCase>("alb-drop-invalid-headers", {
        compliant: [
            { title: "dropping invalid headers", case: lb({ dropInvalidHeaderFields: true }) },
            { title: "the same on aws:alb", case: lb({ dropInvalidHeaderFields: true }, T.albLoadBalancer) },
            { title: "a network load balancer has no HTTP headers", case: lb({ loadBalancerType: "network" }) },
        ],
        violations: [
            {
                title: "the default (not dropping)",
                case: lb({}),
                messages: [
                    "Load balancer 'subject' forwards HTTP headers that are not valid (dropInvalidHeaderFields is unset, default false); malformed headers are a request-smuggling vector (set dropInvalidHeaderFields: true)",
                ],
            },
            {
                title: "explicitly not dropping, on aws:alb",
                case: lb({ dropInvalidHeaderFields: false }, T.albLoadBalancer),
                messages: [
                    "Load balancer 'subject' forwards HTTP headers that are not valid (dropInvalidHeaderFields is false); malformed headers are a request-smuggling vector (set dropInvalidHeaderFields: true)",
                ],
            },
        ],
        unknown: {
            title: "an unknown setting is a violation",
            case: lb({ dropInvalidHeaderFields: UNKNOWN_BOOL }),
            messages: [
                "Load balancer 'subject' has a value unknown during preview at dropInvalidHeaderFields, so it cannot be verified; the load balancer must drop invalid headers (set dropInvalidHeaderFields: true as a literal)",
            ],
        },
    });

    describeRule<ResourceCase>("alb-desync-mitigation", {
        compliant: [
            { title: "AWS's default (defensive)", case: lb({}) },
            { title: "strictest", case: lb({ desyncMitigationMode: "strictest" }) },
            { title: "defensive on aws:alb", case: lb({ desyncMitigationMode: "defensive" }, T.albLoadBalancer) },
        ],
        violations: [
            {
                title: "monitor mode",
                case: lb({ desyncMitigationMode: "monitor" }),
                messages: [
                    'Load balancer \'subject\' has desyncMitigationMode "monitor"; requests that could desync the load balancer and the servers must be blocked (set desyncMitigationMode: "defensive" or "strictest")',
                ],
            },
        ],
        unknown: {
            title: "an unknown mode is a violation",
            case: lb({ desyncMitigationMode: UNKNOWN }),
            messages: [
                'Load balancer \'subject\' has a value unknown during preview at desyncMitigationMode, so it cannot be verified; the load balancer must mitigate HTTP desync (set desyncMitigationMode: "defensive" or "strictest")',
            ],
        },
    });

    const PROTECT =
        "Load balancer 'subject' has deletion protection off; the service's entry point must not be deletable by one command (set enableDeletionProtection: true)";
    describeRule<ResourceCase>("alb-deletion-protection", {
        compliant: [
            { title: "protected", case: lb({ enableDeletionProtection: true }) },
            { title: "protected on aws:alb", case: lb({ enableDeletionProtection: true }, T.albLoadBalancer) },
        ],
        violations: [
            { title: "the default", case: lb({}), messages: [PROTECT] },
            {
                title: "explicitly off",
                case: lb({ enableDeletionProtection: false }, T.albLoadBalancer),
                messages: [PROTECT],
            },
        ],
        unknown: {
            title: "an unknown setting is a violation",
            case: lb({ enableDeletionProtection: UNKNOWN_BOOL }),
            messages: [
                "Load balancer 'subject' has a value unknown during preview at enableDeletionProtection, so it cannot be verified; the load balancer must be protected from deletion (set enableDeletionProtection: true as a literal)",
            ],
        },
    });

    const LOGS = "every request must be traceable (set accessLogs: { bucket: <log bucket>, enabled: true })";
    describeRule<ResourceCase>("alb-access-logs", {
        compliant: [
            { title: "logs on, to a bucket", case: lb({ accessLogs: { bucket: "logs-bucket", enabled: true } }) },
            {
                title: "a bucket unknown at preview is a reference to the stack's bucket",
                case: lb({ accessLogs: { bucket: UNKNOWN, enabled: true } }, T.albLoadBalancer),
            },
        ],
        violations: [
            {
                title: "no access logs",
                case: lb({}),
                messages: [`Load balancer 'subject' keeps no access logs (accessLogs is not set); ${LOGS}`],
            },
            {
                title: "a bucket but not enabled (the provider's default)",
                case: lb({ accessLogs: { bucket: "logs-bucket" } }),
                messages: [`Load balancer 'subject' keeps no access logs (accessLogs.enabled is not true); ${LOGS}`],
            },
            {
                title: "enabled without a bucket",
                case: lb({ accessLogs: { bucket: "", enabled: true } }),
                messages: [`Load balancer 'subject' keeps no access logs (accessLogs has no bucket); ${LOGS}`],
            },
        ],
        unknown: {
            title: "an unknown enabled flag is a violation",
            case: lb({ accessLogs: { bucket: "logs-bucket", enabled: UNKNOWN_BOOL } }),
            messages: [
                "Load balancer 'subject' has a value unknown during preview at accessLogs.enabled, so it cannot be verified; the load balancer must keep access logs (set accessLogs: { bucket, enabled: true })",
            ],
        },
    });

    const tg = (props: Record<string, unknown>, type: string = T.lbTargetGroup): ResourceCase => ({
        type,
        props: { port: 8080, protocol: "HTTP", ...props },
    });
    describeRule<ResourceCase>("target-group-health-check", {
        compliant: [
            { title: "a health check on /healthz", case: tg({ healthCheck: { enabled: true, path: "/healthz" } }) },
            { title: "a Lambda target group", case: tg({ targetType: "lambda" }, T.albTargetGroup) },
            { title: "a TCP target group checks the connection", case: tg({ protocol: "TCP" }) },
        ],
        violations: [
            {
                title: "health checks disabled",
                case: tg({ healthCheck: { enabled: false } }),
                messages: [
                    "Target group 'subject' has health checks disabled; the load balancer must stop sending traffic to broken servers (set healthCheck.enabled: true)",
                ],
            },
            {
                title: "the default path",
                case: tg({}, T.albTargetGroup),
                messages: [
                    'Target group \'subject\' checks health on the default path "/"; a health check must hit an endpoint that reflects the server\'s health (set healthCheck.path, e.g. "/healthz")',
                ],
            },
        ],
        unknown: {
            title: "an unknown path is a violation",
            case: tg({ healthCheck: { enabled: true, path: UNKNOWN } }),
            messages: [
                "Target group 'subject' has a value unknown during preview at healthCheck.path, so it cannot be verified; targets must be health-checked (set healthCheck: { enabled: true, path: \"/healthz\" })",
            ],
        },
    });
});
