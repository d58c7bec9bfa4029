import { T } from "../../policy/lib/types";
import { ResourceCase, StackCase, UNKNOWN, describeRule } from "./helpers";

const HTTP_FIX =
    'HTTP must never reach a server (make the only action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } })';
const redirect = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
const http = (props: Record<string, unknown>, type: string = T.lbListener): ResourceCase => ({
    type,
    props: { protocol: "HTTP", port: 80, loadBalancerArn: "arn:lb", ...props },
});

describe("policy: listeners", () => {
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
    const https = (props: Record<string, unknown>, type: string = T.lbListener): ResourceCase => ({
        type,
        props: { protocol: "HTTPS", port: 443, defaultActions: [{ type: "forward" }], ...props },
    });
    describeRule<ResourceCase>("alb-http-redirects-to-https", {
        compliant: [
            {
                title: "an HTTP listener that only redirects to HTTPS 443 with 301",
                case: http({ defaultActions: [redirect] }),
            },
            { title: "the same on an aws:alb/listener", case: http({ defaultActions: [redirect] }, T.albListener) },
            {
                title: "a temporary (302) redirect to HTTPS, host and path kept",
                case: http({
                    defaultActions: [
                        {
                            type: "redirect",
                            redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_302", host: "#{host}" },
                        },
                    ],
                }),
            },
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
                title: "a redirect with a status code that is not a redirect",
                case: http({
                    defaultActions: [
                        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_200" } },
                    ],
                }),
                messages: [
                    `Listener 'subject' is an HTTP listener whose default action is a redirect with status HTTP_200, which is neither HTTP_301 nor HTTP_302; ${HTTP_FIX}`,
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
            title: "an unknown redirect protocol is advisory until checked before creation",
            case: http({
                defaultActions: [
                    { type: "redirect", redirect: { protocol: UNKNOWN, port: "443", statusCode: "HTTP_301" } },
                ],
            }),
            advisory: true,
        },
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
    const TLS_FIX =
        "set sslPolicy, e.g. ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 or ELBSecurityPolicy-TLS13-1-2-2021-06 or ELBSecurityPolicy-TLS13-1-3-2021-06";
    const FAMILY = `HTTPS must refuse TLS 1.0 and 1.1 (${TLS_FIX})`;
    describeRule<ResourceCase>("alb-tls-policy-allowed", {
        compliant: [
            { title: "the TLS 1.3 policy", case: https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }) },
            {
                title: "the post-quantum policy AWS recommends now (not in any list the pack was written with)",
                case: https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09" }),
            },
            {
                title: "a FIPS post-quantum TLS 1.3-only policy on a TLS (NLB) listener",
                case: https({ protocol: "TLS", sslPolicy: "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09" }),
            },
            {
                title: "an extended-cipher TLS 1.2-minimum member of the family, on an aws:alb listener",
                case: https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06" }, T.albListener),
            },
            { title: "an HTTP listener has no TLS policy to check", case: http({ defaultActions: [redirect] }) },
            {
                title: "a TLS 1.2-only forward-secrecy policy of the older family (refuses TLS 1.0/1.1)",
                case: https({ protocol: "TLS", sslPolicy: "ELBSecurityPolicy-FS-1-2-Res-2020-10" }),
            },
            {
                title: "an older policy the stack's config accepts in addition",
                case: {
                    ...https({ sslPolicy: "ELBSecurityPolicy-TLS-1-1-2017-01" }),
                    config: { additionalPolicies: ["ELBSecurityPolicy-TLS-1-1-2017-01"] },
                },
            },
        ],
        violations: [
            {
                title: "an old TLS policy",
                case: https({ sslPolicy: "ELBSecurityPolicy-2016-08" }),
                messages: [
                    `Listener 'subject' is an HTTPS listener and ELBSecurityPolicy-2016-08 is neither a TLS 1.3-family policy (ELBSecurityPolicy-TLS13-…) nor one of the TLS 1.2-minimum policies (ELBSecurityPolicy-TLS-1-2-…, -FS-1-2-…), so it accepts TLS 1.0 or 1.1 or is not an ELB policy; ${FAMILY}`,
                ],
            },
            {
                title: "no TLS policy",
                case: https({}),
                messages: [
                    `Listener 'subject' is an HTTPS listener and no TLS policy is set, so the provider default (ELBSecurityPolicy-2016-08, which accepts TLS 1.0) applies; ${FAMILY}`,
                ],
            },
            {
                title: "a TLS 1.3-family policy that still accepts TLS 1.0",
                case: https({ protocol: "TLS", sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" }, T.albListener),
                messages: [
                    `Listener 'subject' is a TLS listener and ELBSecurityPolicy-TLS13-1-0-2021-06 still accepts TLS 1.0 clients; ${FAMILY}`,
                ],
            },
            {
                title: "a TLS 1.3-family policy that still accepts TLS 1.1",
                case: https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-1-2021-06" }),
                messages: [
                    `Listener 'subject' is an HTTPS listener and ELBSecurityPolicy-TLS13-1-1-2021-06 still accepts TLS 1.1 clients; ${FAMILY}`,
                ],
            },
            {
                title: "a look-alike name that is of no family",
                case: https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-2" }),
                messages: [
                    `Listener 'subject' is an HTTPS listener and ELBSecurityPolicy-TLS13-1-2 is neither a TLS 1.3-family policy (ELBSecurityPolicy-TLS13-…) nor one of the TLS 1.2-minimum policies (ELBSecurityPolicy-TLS-1-2-…, -FS-1-2-…), so it accepts TLS 1.0 or 1.1 or is not an ELB policy; ${FAMILY}`,
                ],
            },
            {
                title: "the TLS 1.1 policy of the older family",
                case: https({ sslPolicy: "ELBSecurityPolicy-TLS-1-1-2017-01" }, T.albListener),
                messages: [
                    `Listener 'subject' is an HTTPS listener and ELBSecurityPolicy-TLS-1-1-2017-01 is neither a TLS 1.3-family policy (ELBSecurityPolicy-TLS13-…) nor one of the TLS 1.2-minimum policies (ELBSecurityPolicy-TLS-1-2-…, -FS-1-2-…), so it accepts TLS 1.0 or 1.1 or is not an ELB policy; ${FAMILY}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown TLS policy is advisory until checked before creation",
            case: https({ sslPolicy: UNKNOWN }),
            advisory: true,
        },
    });

    describeRule<ResourceCase>("alb-tls13-policy", {
        compliant: [
            { title: "the TLS 1.3 policy", case: https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }) },
            {
                title: "a post-quantum TLS 1.3-only policy",
                case: https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09" }),
            },
            {
                title: "a policy below TLS 1.2 is alb-tls-policy-allowed's to report, not this rule's",
                case: https({ sslPolicy: "ELBSecurityPolicy-2016-08" }),
            },
            {
                title: "a TLS 1.2-only policy the config accepts (clients that cannot do TLS 1.3)",
                case: {
                    ...https({ sslPolicy: "ELBSecurityPolicy-FS-1-2-Res-2020-10" }),
                    config: { additionalPolicies: ["ELBSecurityPolicy-FS-1-2-Res-2020-10"] },
                },
            },
            { title: "an HTTP listener has no TLS policy to check", case: http({ defaultActions: [redirect] }) },
        ],
        violations: [
            {
                title: "the TLS 1.2-only forward-secrecy policy",
                case: https({ sslPolicy: "ELBSecurityPolicy-FS-1-2-Res-2020-10" }),
                messages: [
                    `Listener 'subject' is an HTTPS listener and ELBSecurityPolicy-FS-1-2-Res-2020-10 has TLS 1.2 as its minimum but offers no TLS 1.3 (and none of AWS's post-quantum key exchange); prefer a policy of the TLS 1.3 family (${TLS_FIX})`,
                ],
            },
            {
                title: "the extended-cipher TLS 1.2 policy on an NLB TLS listener",
                case: https({ protocol: "TLS", sslPolicy: "ELBSecurityPolicy-TLS-1-2-Ext-2018-06" }, T.albListener),
                messages: [
                    `Listener 'subject' is a TLS listener and ELBSecurityPolicy-TLS-1-2-Ext-2018-06 has TLS 1.2 as its minimum but offers no TLS 1.3 (and none of AWS's post-quantum key exchange); prefer a policy of the TLS 1.3 family (${TLS_FIX})`,
                ],
            },
        ],
        unknown: {
            title: "an unknown TLS policy is advisory until checked before creation",
            case: https({ sslPolicy: UNKNOWN }),
            advisory: true,
        },
    });

    const CLB_FIX =
        'so it serves requests in plain text; web traffic is HTTPS only, and a Classic Load Balancer cannot redirect HTTP to HTTPS (use lbProtocol "https" with an ACM sslCertificateId, or better an Application Load Balancer whose HTTP listener redirects)';
    const clb = (listeners: unknown): ResourceCase => ({
        type: T.classicLoadBalancer,
        props: { subnets: ["subnet-a", "subnet-b"], listeners },
    });
    describeRule<ResourceCase>("clb-no-plain-http", {
        compliant: [
            {
                title: "HTTPS, SSL and TCP (TLS passed through) listeners",
                case: clb([
                    {
                        lbPort: 443,
                        lbProtocol: "https",
                        instancePort: 8443,
                        instanceProtocol: "https",
                        sslCertificateId: "arn:cert",
                    },
                    {
                        lbPort: 8443,
                        lbProtocol: "SSL",
                        instancePort: 8443,
                        instanceProtocol: "ssl",
                        sslCertificateId: "arn:cert",
                    },
                    { lbPort: 9443, lbProtocol: "tcp", instancePort: 9443, instanceProtocol: "tcp" },
                ]),
            },
        ],
        violations: [
            {
                title: "an HTTP listener added next to the HTTPS one (any case)",
                case: clb([
                    {
                        lbPort: 443,
                        lbProtocol: "https",
                        instancePort: 8080,
                        instanceProtocol: "http",
                        sslCertificateId: "arn:cert",
                    },
                    { lbPort: 80, lbProtocol: "HTTP", instancePort: 8080, instanceProtocol: "http" },
                ]),
                messages: [`Classic Load Balancer 'subject' listener 2 (port 80) uses lbProtocol "HTTP", ${CLB_FIX}`],
            },
        ],
        unknown: {
            title: "a protocol unknown at preview is advisory until checked before creation",
            case: clb([{ lbPort: 80, lbProtocol: UNKNOWN, instancePort: 8080, instanceProtocol: "http" }]),
            advisory: true,
        },
    });
});
