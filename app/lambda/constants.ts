/**
 * Values the migration function and the Pulumi program that deploys it share. Kept apart from
 * the handler so the program does not load pg and the AWS SDK just to read them.
 */

/**
 * Node.js 20+ Lambda runtimes no longer load Amazon's CA certificates into Node by default,
 * but ship them, the RDS CAs included, in this file (AWS Lambda developer guide, "Building
 * Lambda functions with Node.js", CA certificate loading). The handler reads it explicitly:
 * cold starts stay fast and the database connection trusts only Amazon's CAs.
 */
export const LAMBDA_CA_BUNDLE = "/var/runtime/ca-cert.pem";

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
