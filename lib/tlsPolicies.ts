/**
 * The HTTPS listener policies this stack accepts, judged as the policy pack judges them
 * (policy/lib/tlsPolicy.ts, which the pack keeps self-contained): any ELB policy of the TLS 1.3
 * family whose minimum is TLS 1.2 or 1.3, so AWS's newer members (the post-quantum "PQ" ones)
 * are accepted without a list to update. Pure, shared by the config validator and the web tier.
 */
import { isTls13Policy, parseTls13Policy } from "../policy/lib/tlsPolicy";

export { isTls13Policy, parseTls13Policy };

/** The default: TLS 1.2 and 1.3, the policy AWS's console has proposed since 2023. */
export const DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** Policies named in messages and docs, and used to correct the case of a name. */
export const KNOWN_TLS_POLICIES = [
    DEFAULT_TLS_POLICY,
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
] as const;

/** What an accepted policy looks like, for messages. */
export const TLS_POLICY_EXPECTED = `an ELB TLS 1.3-family policy with TLS 1.2 or 1.3 as its minimum (ELBSecurityPolicy-TLS13-1-2-… or -1-3-…), e.g. ${KNOWN_TLS_POLICIES.slice(0, 3).join(", ")}`;

/** A policy name with its case corrected (policy names are case-sensitive in the ELB API). */
export function normalizeTlsPolicy(name: string): string {
    const trimmed = name.trim();
    const known = KNOWN_TLS_POLICIES.find((p) => p.toLowerCase() === trimmed.toLowerCase());
    return known ?? trimmed.replace(/^elbsecuritypolicy-tls13-/i, "ELBSecurityPolicy-TLS13-");
}

/** Whether a policy offers TLS 1.3 only, which CloudFront (TLS 1.2 at most to origins) cannot speak. */
export function isTls13Only(name: string): boolean {
    return parseTls13Policy(name)?.minimumTls === "1.3";
}

/** The TLS 1.2-and-1.3 policy of the same family as a TLS 1.3-only one. */
export function withTls12(policy: string): string {
    return policy.replace("-TLS13-1-3-", "-TLS13-1-2-");
}
