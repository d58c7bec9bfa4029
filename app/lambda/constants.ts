/**
 * Values the migration function and the Pulumi program that deploys it share. Kept apart from
 * the handler so the program does not load pg and the AWS SDK just to read them.
 */

/**
 * Where the function gets the CAs it verifies the database with: the regional RDS trust store,
 * the same file the web servers download, fetched over HTTPS (checked against Node's public
 * roots). Not the Lambda runtime's /var/runtime/ca-cert.pem: Node.js 20+ runtimes do not load it
 * by default, and it has been reported to lack the rds-ca-rsa2048-g1 family this stack's instance
 * uses (aws/aws-lambda-base-images#123, open), so relying on it could fail the first deploy.
 */
export function rdsCaBundleUrl(region: string): string {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
        throw new Error(`rdsCaBundleUrl: "${region}" is not an AWS region name`);
    }
    return `https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem`;
}

/**
 * Database connections one run of the function holds: a single client, opened and closed per
 * invocation. The deploy invokes it once (aws.lambda.Invocation); it has no reserved
 * concurrency (an account at Lambda's starting limit of 10 could not reserve any), so two hand
 * invocations at once would hold two.
 */
export const MIGRATION_CONNECTIONS = 1;

/** The invocation payload. Both fields are optional; when given they must match the function. */
export interface MigrationEvent {
    /** The migrations hash the deploy expects (guards against invoking a stale function). */
    migrationsHash?: string;
    /** The app role the deploy expects. */
    appUser?: string;
}

/** What the function returns (and `aws.lambda.Invocation` records as its result). */
export interface MigrationResult {
    /** Migrations applied by this call, e.g. ["0001_visits"]; [] when the schema was up to date. */
    applied: string[];
    /** Schema version after the call. */
    version: number;
    /** The app's login role. */
    role: string;
    /** True when this call created the role. */
    roleCreated: boolean;
    /** True on RDS: the role logs in with IAM tokens only (member of rds_iam, no password). */
    iamAuth: boolean;
    /** sha256 of the migrations this function was built with. */
    migrationsHash: string;
}
