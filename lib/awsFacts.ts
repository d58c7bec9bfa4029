/**
 * Facts about AWS that both the config validator and the components check against, kept here
 * so neither has to import the other.
 */

/** The only region Route 53 publishes health-check metrics in (components/syntheticChecks.ts). */
export const HEALTH_CHECK_METRICS_REGION = "us-east-1";

/** The only region CloudFront takes viewer certificates and web ACLs from, and publishes its metrics in. */
export const CDN_REGION = "us-east-1";

/** RDS PostgreSQL's largest gp3 volume, in GiB. */
export const MAX_STORAGE_GB = 65536;

/** The smallest storage-autoscaling ceiling RDS accepts: 10% above the allocated storage (in whole GiB). */
export function minimumMaxAllocatedStorageGb(allocatedStorageGb: number): number {
    return Math.ceil((allocatedStorageGb * 11) / 10); // 100 * 1.1 is 110.00000000000001
}
