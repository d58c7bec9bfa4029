/**
 * Elastic Load Balancing TLS security policies, judged by family rather than by a list that
 * goes stale: AWS keeps adding members to the TLS 1.3 family (Res, Ext, FIPS, and since 2025 the
 * hybrid post-quantum "PQ" policies AWS recommends), all named
 *
 *   ELBSecurityPolicy-TLS13-<minimum TLS version>[-<variant>…]-<YYYY>-<MM>
 *
 * e.g. ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09. A policy of that family whose minimum is
 * TLS 1.2 or 1.3 is accepted; ELBSecurityPolicy-TLS13-1-0-… and -1-1-… also offer TLS 1.3 but
 * still accept TLS 1.0/1.1 clients, so they are not.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
 *
 * Pure, so the config validator and the web tier (stackConfig/ and components/webTier/, through lib/tlsPolicies.ts) use
 * the same judgement as the policy pack.
 */

export interface ElbTlsPolicy {
    name: string;
    /** The lowest TLS version the policy accepts. */
    minimumTls: "1.0" | "1.1" | "1.2" | "1.3";
    /** Variant words between the version and the date: Res, Ext1, FIPS, PQ, … */
    variants: string[];
    /** Offers hybrid post-quantum key exchange. */
    postQuantum: boolean;
}

const TLS13 = /^ELBSecurityPolicy-TLS13-1-([0-3])((?:-[A-Za-z][A-Za-z0-9]*)*)-(\d{4})-(\d{2})$/;

/** Parses a TLS 1.3-family policy name; undefined for anything else (older families, typos). */
export function parseTls13Policy(name: string): ElbTlsPolicy | undefined {
    const m = TLS13.exec(name.trim());
    if (!m) {
        return undefined;
    }
    const variants = m[2].split("-").filter((v) => v !== "");
    return {
        name,
        minimumTls: `1.${m[1]}` as ElbTlsPolicy["minimumTls"],
        variants,
        postQuantum: variants.includes("PQ"),
    };
}

/** Whether a policy is of the TLS 1.3 family with TLS 1.2 or 1.3 as its minimum. */
export function isTls13Policy(name: string): boolean {
    const p = parseTls13Policy(name);
    return p !== undefined && (p.minimumTls === "1.2" || p.minimumTls === "1.3");
}

/** Why a policy is refused, in words for a message; undefined when it is accepted. */
export function tlsPolicyProblem(name: string | undefined): string | undefined {
    if (!name) {
        return "no TLS policy is set, so the provider default (ELBSecurityPolicy-2016-08, which accepts TLS 1.0) applies";
    }
    const p = parseTls13Policy(name);
    if (!p) {
        return `${name} is not a TLS 1.3 policy (ELBSecurityPolicy-TLS13-…)`;
    }
    if (p.minimumTls === "1.0" || p.minimumTls === "1.1") {
        return `${name} still accepts TLS ${p.minimumTls} clients`;
    }
    return undefined;
}

/** Examples for messages and defaults: AWS's recommended policies first. */
export const RECOMMENDED_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
];
