/**
 * Listener rules: HTTP never reaches a server (HTTP listeners and their rules only redirect to
 * HTTPS, 301 or 302), HTTPS never negotiates below TLS 1.2 (high), and prefers the TLS 1.3
 * family (low), judged by family so new AWS policies (the post-quantum ones) pass without a code
 * change. Both type spellings (aws:lb/… and aws:alb/…) are matched. A Classic Load Balancer,
 * which cannot redirect, has no HTTP listener at all.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { ofType, resolveRef } from "./lib/graph";
import { WebfleetPolicy, configOf, resourceRule, stackRule } from "./lib/rule";
import { RECOMMENDED_TLS_POLICIES, tls13FamilyProblem, tlsPolicyProblem } from "./lib/tlsPolicy";
import { T, subject } from "./lib/types";
import { attempt, peek } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

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
function notAnHttpsRedirect(action: RedirectAction | null | undefined): string | undefined {
    if (!action || typeof action !== "object") {
        return "an empty action";
    }
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
    if (r.statusCode !== "HTTP_301" && r.statusCode !== "HTTP_302") {
        return `a redirect with status ${String(r.statusCode)}, which is neither HTTP_301 nor HTTP_302`;
    }
    return undefined;
}

const HTTP_FIX =
    'HTTP must never reach a server (make the only action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } })';

const albHttpRedirectsToHttps = resourceRule({
    name: "alb-http-redirects-to-https",
    description: "HTTP listeners only redirect to HTTPS, so plain HTTP never reaches a server.",
    severity: "critical",
    checks: "An HTTP listener's default actions are exactly one redirect to HTTPS, on an explicit port, with HTTP_301 or HTTP_302",
    equivalents: {
        cdkNag: ["NIST.800.53.R5-ALBHttpToHttpsRedirection"],
        checkov: ["CKV2_AWS_20"],
        awsguard: ["alb-http-to-https-redirection"],
    },
    unknown: "advisory",
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

const TLS_FIX = `set sslPolicy, e.g. ${RECOMMENDED_TLS_POLICIES.join(" or ")}`;

const ADDITIONAL_POLICIES = {
    additionalPolicies: {
        type: "array",
        items: { type: "string", minLength: 1 },
        default: [],
        description: "TLS policies accepted besides the ones the rule accepts (e.g. for clients that cannot do more).",
    },
} as const;

/** Runs a check on the sslPolicy of HTTPS and TLS listeners the rule's additionalPolicies do not name. */
function onTlsListeners(check: (sslPolicy: string | undefined, protocol: string) => string | undefined, why: string) {
    return onListeners((l, args, report) => {
        const protocol = protocolOf(l);
        if (protocol !== "HTTPS" && protocol !== "TLS") {
            return;
        }
        const { additionalPolicies } = configOf(args, { additionalPolicies: [] as string[] });
        if (l.sslPolicy && additionalPolicies.includes(l.sslPolicy)) {
            return;
        }
        const problem = check(l.sslPolicy, protocol);
        if (problem) {
            report(`${who(args)} is ${protocol === "HTTPS" ? "an HTTPS" : "a TLS"} listener and ${problem}; ${why}`);
        }
    });
}

const albTlsPolicyAllowed = resourceRule({
    name: "alb-tls-policy-allowed",
    description:
        "HTTPS and TLS listeners never negotiate below TLS 1.2: a TLS 1.3-family policy with TLS 1.2 or 1.3 as the minimum (the post-quantum ones included), or one of the TLS 1.2-only policies.",
    severity: "high",
    checks: "HTTPS/TLS listeners set sslPolicy to an ELBSecurityPolicy-TLS13-1-2-… or -1-3-… policy (any variant: Res, Ext, FIPS, PQ, any date), an ELBSecurityPolicy-TLS-1-2-… or -FS-1-2-… policy, or one of additionalPolicies",
    equivalents: {
        cdkNag: ["NIST.800.53.R5-ELBTlsHttpsListenersOnly", "AwsSolutions-ELB5"],
        checkov: ["CKV_AWS_103", "CKV_AWS_2"],
    },
    unknown: "advisory",
    requirement: `HTTPS must refuse TLS 1.0 and 1.1 (set sslPolicy, e.g. ${RECOMMENDED_TLS_POLICIES[0]})`,
    config: ADDITIONAL_POLICIES,
    validate: onTlsListeners(
        (sslPolicy) => tlsPolicyProblem(sslPolicy),
        `HTTPS must refuse TLS 1.0 and 1.1 (${TLS_FIX})`,
    ),
});

const albTls13Policy = resourceRule({
    name: "alb-tls13-policy",
    description:
        "HTTPS and TLS listeners with a TLS 1.2-only policy move to the TLS 1.3 family, which AWS recommends (faster handshakes, forward secrecy only, post-quantum key exchange).",
    severity: "low",
    checks: "HTTPS/TLS listeners whose sslPolicy is an ELBSecurityPolicy-TLS-1-2-… or -FS-1-2-… policy (a policy below TLS 1.2 is alb-tls-policy-allowed's)",
    equivalents: {},
    unknown: "advisory",
    requirement: `HTTPS should offer TLS 1.3 (${TLS_FIX})`,
    config: ADDITIONAL_POLICIES,
    validate: onTlsListeners(
        (sslPolicy) => tls13FamilyProblem(sslPolicy),
        `prefer a policy of the TLS 1.3 family (${TLS_FIX})`,
    ),
});

const LISTENER_TYPES = [T.lbListener, T.albListener];
const LISTENER_RULE_TYPES = [T.lbListenerRule, T.albListenerRule];

const albHttpRulesRedirectOnly = stackRule({
    name: "alb-http-rules-redirect-only",
    description:
        "Listener rules on an HTTP listener only redirect to HTTPS, so no path of the HTTP listener forwards to a server.",
    severity: "critical",
    resources: [...LISTENER_TYPES, ...LISTENER_RULE_TYPES],
    checks: "Every aws.lb/alb.ListenerRule whose listener (resolved by ARN or property dependencies) is HTTP has only HTTPS redirect actions",
    equivalents: { checkov: ["CKV2_AWS_20"] },
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

const CLB_FIX =
    'web traffic is HTTPS only, and a Classic Load Balancer cannot redirect HTTP to HTTPS (use lbProtocol "https" with an ACM sslCertificateId, or better an Application Load Balancer whose HTTP listener redirects)';

const clbNoPlainHttp = resourceRule({
    name: "clb-no-plain-http",
    description:
        "A Classic Load Balancer has no plain HTTP listener: it cannot redirect to HTTPS, so an HTTP listener serves the site in clear text.",
    severity: "critical",
    checks: 'No listener of an aws.elb.LoadBalancer has lbProtocol "http" (any case); HTTPS and SSL listeners pass, TCP listeners are left to clb-not-used (they may carry TLS end to end)',
    equivalents: { cdkNag: ["AwsSolutions-ELB5", "NIST.800.53.R5-ELBTlsHttpsListenersOnly"] },
    unknown: "advisory",
    requirement: CLB_FIX,
    validate: [
        validateResourceOfType(aws.elb.LoadBalancer, (lb, args, report) => {
            (lb.listeners ?? []).forEach((l, i) => {
                if (String(l?.lbProtocol).toLowerCase() === "http") {
                    report(
                        `${who(args)} listener ${i + 1} (port ${l.lbPort}) uses lbProtocol ${JSON.stringify(l.lbProtocol)}, so it serves requests in plain text; ${CLB_FIX}`,
                    );
                }
            });
        }),
    ],
});

export const listenerPolicies: WebfleetPolicy[] = [
    albHttpRedirectsToHttps,
    clbNoPlainHttp,
    albHttpRulesRedirectOnly,
    albTlsPolicyAllowed,
    albTls13Policy,
];
