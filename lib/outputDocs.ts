/**
 * The stack outputs other teams consume: the contract, declared once. docs/outputs.md's table is
 * generated from this (`npm run docs`), and test/docs.spec.ts checks that index.ts exports
 * exactly these, with these types, in both stacks. Renaming or retyping one is a breaking change.
 * None is a secret value.
 */

export const OUTPUTS_TABLE_START = "<!-- outputs-table:start -->";
export const OUTPUTS_TABLE_END = "<!-- outputs-table:end -->";

export type OutputType = "string" | "string | null" | "string[]" | "number";

export const OUTPUT_DOCS: Readonly<Record<string, { type: OutputType; meaning: string }>> = {
    url: {
        type: "string",
        meaning:
            "`https://` and `web.domain` (served by CloudFront when `cdn.enabled`, by the ALB otherwise), or the ALB's DNS name when no domain is configured",
    },
    albDnsName: { type: "string", meaning: "the ALB's DNS name (for a CNAME or alias record elsewhere)" },
    albZoneId: { type: "string", meaning: "the ALB's Route 53 hosted zone ID (for alias records)" },
    vpcId: { type: "string", meaning: "the VPC" },
    publicSubnetIds: { type: "string[]", meaning: "one public subnet per AZ (ALB, NAT gateways, bastion)" },
    privateSubnetIds: {
        type: "string[]",
        meaning: "one private subnet per AZ (web servers, migration function); egress through NAT",
    },
    isolatedSubnetIds: { type: "string[]", meaning: "one isolated subnet per AZ (database); no route to the internet" },
    availabilityZones: { type: "string[]", meaning: "the AZs, in subnet order" },
    webSecurityGroupId: {
        type: "string",
        meaning: "the web servers' security group (reference it to let them in somewhere)",
    },
    albSecurityGroupId: { type: "string", meaning: "the ALB's security group" },
    bastionSecurityGroupId: {
        type: "string | null",
        meaning: "the bastion's security group; null when `bastion.enabled` is false (the key is always there)",
    },
    bastionPublicIp: {
        type: "string | null",
        meaning:
            "the bastion's Elastic IP to SSH to (stable across replacements); null without `bastion.allowedCidrs` (no SSH ingress, no Elastic IP: use SSM) or with the bastion off",
    },
    dbEndpoint: { type: "string", meaning: "the database's host name (no port)" },
    dbPort: { type: "number", meaning: "the database's port (5432)" },
    dbName: { type: "string", meaning: "the database the app uses (`database.name`)" },
    dbResourceId: {
        type: "string",
        meaning: "the instance's resource ID (`db-…`), the part of an `rds-db:connect` ARN that names the instance",
    },
    dbMasterSecretArn: {
        type: "string",
        meaning: "ARN of the RDS-managed master user secret (the ARN, not the password)",
    },
    dbMigrationFunctionName: { type: "string", meaning: "the migration function, for `aws lambda invoke`" },
    kmsKeyArn: { type: "string", meaning: "the stack's customer-managed KMS key" },
    artifactBucketName: { type: "string", meaning: "the private bucket holding the app bundles" },
    accessLogsBucketName: {
        type: "string",
        meaning:
            "the bucket holding the ALB's access logs (under `alb/AWSLogs/<account>/elasticloadbalancing/<region>/`)",
    },
    appLogGroupName: {
        type: "string",
        meaning: "the CloudWatch Logs group with the app's JSON log lines, one stream per instance ID",
    },
    systemLogGroupName: {
        type: "string",
        meaning:
            "the CloudWatch Logs group with every server's `messages`, `secure`, cloud-init output and agent log (`<instance ID>/<file>` streams)",
    },
    alarmTopicArn: {
        type: "string",
        meaning: "the SNS topic every alarm notifies (on ALARM and on OK); subscribe a pager, chat or e-mail to it",
    },
    dashboardName: {
        type: "string",
        meaning: "the stack's CloudWatch dashboard (`webfleet-<stack>`): every alarm, and one graph per alarm",
    },
};

/** The markdown table of every output, for docs/outputs.md. */
export function renderOutputsTable(): string {
    const rows = Object.entries(OUTPUT_DOCS).map(
        ([name, o]) => `| \`${name}\` | ${o.type.replace("|", "or")} | ${o.meaning} |`,
    );
    return ["| output | type | meaning |", "|---|---|---|", ...rows].join("\n");
}
