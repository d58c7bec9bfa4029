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

/**
 * The TLS 1.2-minimum policies of the families before TLS 1.3: ELBSecurityPolicy-TLS-1-2-2017-01,
 * -TLS-1-2-Ext-2018-06, -FS-1-2-2019-08, -FS-1-2-Res-2019-08, -FS-1-2-Res-2020-10. They refuse
 * TLS 1.0/1.1 (what Checkov's CKV_AWS_103 asks) but offer no TLS 1.3.
 */
const TLS12_LEGACY = /^ELBSecurityPolicy-(?:TLS|FS)-1-2((?:-[A-Za-z][A-Za-z0-9]*)*)-(\d{4})-(\d{2})$/;

/** Whether a policy of an older family has TLS 1.2 as its minimum. */
export function isTls12LegacyPolicy(name: string): boolean {
    return TLS12_LEGACY.test(name.trim());
}

/**
 * Why a policy lets a client negotiate less than TLS 1.2, in words for a message; undefined when
 * its minimum is TLS 1.2 or 1.3 (the TLS 1.3 family, or the TLS 1.2-only policies before it).
 */
export function tlsPolicyProblem(name: string | undefined): string | undefined {
    if (!name) {
        return "no TLS policy is set, so the provider default (ELBSecurityPolicy-2016-08, which accepts TLS 1.0) applies";
    }
    if (isTls12LegacyPolicy(name)) {
        return undefined;
    }
    const p = parseTls13Policy(name);
    if (!p) {
        return `${name} is neither a TLS 1.3-family policy (ELBSecurityPolicy-TLS13-…) nor one of the TLS 1.2-minimum policies (ELBSecurityPolicy-TLS-1-2-…, -FS-1-2-…), so it accepts TLS 1.0 or 1.1 or is not an ELB policy`;
    }
    if (p.minimumTls === "1.0" || p.minimumTls === "1.1") {
        return `${name} still accepts TLS ${p.minimumTls} clients`;
    }
    return undefined;
}

/** Why a policy with a TLS 1.2 minimum is still short of the TLS 1.3 family; undefined when it is of it. */
export function tls13FamilyProblem(name: string | undefined): string | undefined {
    if (!name || isTls13Policy(name)) {
        return undefined;
    }
    return isTls12LegacyPolicy(name)
        ? `${name} has TLS 1.2 as its minimum but offers no TLS 1.3 (and none of AWS's post-quantum key exchange)`
        : undefined;
}

/** Examples for messages and defaults: AWS's recommended policies first. */
export const RECOMMENDED_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
];
