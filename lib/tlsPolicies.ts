/**
 * The HTTPS listener policies this stack offers: TLS 1.3 capable, no TLS 1.0/1.1. Pure, shared by
 * the config (which refuses others) and the web tier (which checks its argument).
 */
export const ALLOWED_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
] as const;

export type TlsPolicy = (typeof ALLOWED_TLS_POLICIES)[number];

/** The policies above that offer TLS 1.3 only, which CloudFront (TLS 1.2 at most to origins) cannot speak. */
export const TLS13_ONLY_POLICIES: readonly string[] = ALLOWED_TLS_POLICIES.filter((p) => p.includes("-TLS13-1-3-"));

/** The TLS 1.2-and-1.3 policy of the same family as a TLS 1.3-only one. */
export function withTls12(policy: string): string {
    return policy.replace("-TLS13-1-3-", "-TLS13-1-2-");
}
