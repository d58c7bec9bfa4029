import { T } from "../../policy/lib/types";
import { ResourceCase, StackCase, StackResource, UNKNOWN, UNKNOWN_BOOL, describeRule } from "./helpers";

describe("policy: load balancers", () => {
    const lb = (props: Record<string, unknown>, type: string = T.lbLoadBalancer): ResourceCase => ({
        type,
        props: { loadBalancerType: "application", ...props },
    });
    const tg = (props: Record<string, unknown>, type: string = T.lbTargetGroup): ResourceCase => ({
        type,
        props: { port: 8080, protocol: "HTTP", ...props },
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
            title: "an unknown setting is advisory until checked before creation",
            case: lb({ dropInvalidHeaderFields: UNKNOWN_BOOL }),
            advisory: true,
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
            title: "an unknown mode is advisory until checked before creation",
            case: lb({ desyncMitigationMode: UNKNOWN }),
            advisory: true,
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
            title: "an unknown setting is advisory until checked before creation",
            case: lb({ enableDeletionProtection: UNKNOWN_BOOL }),
            advisory: true,
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
            title: "an unknown enabled flag is advisory until checked before creation",
            case: lb({ accessLogs: { bucket: "logs-bucket", enabled: UNKNOWN_BOOL } }),
            advisory: true,
        },
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
            title: "an unknown path is advisory until checked before creation",
            case: tg({ healthCheck: { enabled: true, path: UNKNOWN } }),
            advisory: true,
        },
    });

    describeRule<ResourceCase>("target-group-https", {
        compliant: [
            {
                title: "HTTPS with an HTTPS health check",
                case: tg({ port: 8443, protocol: "HTTPS", healthCheck: { protocol: "HTTPS", path: "/healthz" } }),
            },
            {
                title: "the same on aws:alb, lower case",
                case: tg({ port: 8443, protocol: "https", healthCheck: { protocol: "https" } }, T.albTargetGroup),
            },
            { title: "a TLS target group of a network load balancer", case: tg({ port: 443, protocol: "TLS" }) },
            { title: "TCP pass-through (the target's own TLS, if any)", case: tg({ port: 443, protocol: "TCP" }) },
            { title: "a Lambda target group", case: tg({ targetType: "lambda", protocol: undefined }) },
            {
                title: "HTTPS with health checks off (target-group-health-check judges that)",
                case: tg({ port: 8443, protocol: "HTTPS", healthCheck: { enabled: false } }),
            },
        ],
        violations: [
            {
                title: "plain HTTP",
                case: tg({}),
                messages: [
                    "Target group 'subject' sends requests to its targets over HTTP, in plain text inside the VPC; in prod the servers take TLS too (set protocol: \"HTTPS\" and serve TLS on the target port)",
                ],
            },
            {
                title: "no protocol (HTTP by default), on aws:alb",
                case: tg({ protocol: undefined }, T.albTargetGroup),
                messages: [
                    "Target group 'subject' sends requests to its targets over HTTP, in plain text inside the VPC; in prod the servers take TLS too (set protocol: \"HTTPS\" and serve TLS on the target port)",
                ],
            },
            {
                title: "HTTPS traffic with the default (HTTP) health check",
                case: tg({ port: 8443, protocol: "HTTPS", healthCheck: { path: "/healthz" } }),
                messages: [
                    "Target group 'subject' takes HTTPS but health-checks its targets over HTTP, which a TLS-only server never answers (set healthCheck.protocol: \"HTTPS\")",
                ],
            },
        ],
        unknown: {
            title: "an unknown protocol is advisory until checked before creation",
            case: tg({ protocol: UNKNOWN }),
            advisory: true,
        },
    });

    const WAF =
        "an internet-facing load balancer in prod sits behind a web ACL (add an aws.wafv2.WebAclAssociation with resourceArn: alb.arn, or put CloudFront with a web ACL in front and admit only its origin-facing prefix list)";
    const ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/65f3";
    const albSg = (source: Record<string, unknown>): StackResource[] => [
        { type: T.securityGroup, name: "alb-sg", props: { id: "sg-0a1", description: "alb" } },
        {
            type: T.ingressRule,
            name: "alb-https",
            props: {
                securityGroupId: "sg-0a1",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "https",
                ...source,
            },
        },
    ];
    const alb = (props: Record<string, unknown> = {}, type: string = T.lbLoadBalancer): StackResource => ({
        type,
        name: "web",
        props: { arn: ALB_ARN, id: ALB_ARN, loadBalancerType: "application", securityGroups: ["sg-0a1"], ...props },
    });
    const association = (resourceArn: string, deps?: string[]): StackResource => ({
        type: T.webAclAssociation,
        name: "web-waf",
        props: { resourceArn, webAclArn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/web/1" },
        deps: deps ? { resourceArn: deps } : undefined,
    });
    describeRule<StackCase>("alb-waf-associated", {
        compliant: [
            {
                title: "an internet-facing ALB with a web ACL association, by ARN",
                case: { resources: [...albSg({ cidrIpv4: "0.0.0.0/0" }), alb(), association(ALB_ARN)] },
            },
            {
                title: "the same at a first preview, traced through the dependency (aws:alb spelling)",
                case: {
                    resources: [
                        ...albSg({ cidrIpv4: "0.0.0.0/0" }),
                        alb({ arn: UNKNOWN, id: UNKNOWN }, T.albLoadBalancer),
                        association(UNKNOWN, ["web"]),
                    ],
                },
            },
            {
                title: "an internal load balancer",
                case: { resources: [...albSg({ cidrIpv4: "0.0.0.0/0" }), alb({ internal: true })] },
            },
            {
                title: "an ALB only CloudFront reaches (its group admits only the origin-facing prefix list)",
                case: { resources: [...albSg({ prefixListId: "pl-3b927c52" }), alb()] },
            },
            {
                title: "a network load balancer",
                case: { resources: [...albSg({ cidrIpv4: "0.0.0.0/0" }), alb({ loadBalancerType: "network" })] },
            },
        ],
        violations: [
            {
                title: "an internet-facing ALB without a web ACL",
                case: { resources: [...albSg({ cidrIpv4: "0.0.0.0/0" }), alb()] },
                messages: [
                    `Load balancer 'web' faces the internet without a web ACL, so nothing filters or rate-limits requests before they reach the servers; ${WAF}`,
                ],
            },
            {
                title: "a web ACL associated with another load balancer",
                case: {
                    resources: [
                        ...albSg({ cidrIpv6: "::/0" }),
                        alb(),
                        association("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/1"),
                    ],
                },
                messages: [
                    `Load balancer 'web' faces the internet without a web ACL, so nothing filters or rate-limits requests before they reach the servers; ${WAF}`,
                ],
            },
        ],
        unknown: {
            title: "an association whose target cannot be traced at preview does not count",
            case: {
                resources: [
                    ...albSg({ cidrIpv4: "0.0.0.0/0" }),
                    alb({ arn: UNKNOWN, id: UNKNOWN }),
                    association(UNKNOWN),
                ],
            },
            messages: [
                `Load balancer 'web' faces the internet without a web ACL, so nothing filters or rate-limits requests before they reach the servers; ${WAF}`,
            ],
        },
    });

    describeRule<ResourceCase>("clb-not-used", {
        compliant: [{ title: "an Application Load Balancer", case: lb({}) }],
        violations: [
            {
                title: "a Classic Load Balancer",
                case: {
                    type: T.classicLoadBalancer,
                    props: {
                        listeners: [{ instancePort: 80, lbPort: 80, lbProtocol: "http", instanceProtocol: "http" }],
                    },
                },
                messages: [
                    "Classic Load Balancer 'subject' is a Classic Load Balancer, which cannot offer TLS 1.3, desync mitigation, header validation or a web ACL; web traffic goes through an Application Load Balancer (replace it with aws.lb.LoadBalancer and listeners)",
                ],
            },
        ],
        unknown: {
            title: "a Classic Load Balancer is refused whatever its values, unknown ones included",
            case: { type: T.classicLoadBalancer, props: { listeners: UNKNOWN } },
            messages: [
                "Classic Load Balancer 'subject' is a Classic Load Balancer, which cannot offer TLS 1.3, desync mitigation, header validation or a web ACL; web traffic goes through an Application Load Balancer (replace it with aws.lb.LoadBalancer and listeners)",
            ],
        },
    });
});
