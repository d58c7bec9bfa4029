/**
 * The peer rules the pack answers for: every policy of @pulumi/awsguard, and every cdk-nag
 * AwsSolutions rule about a resource type webfleet uses or a team would add next to it. A peer
 * rule is covered by the pack rules whose metadata lists its ID (never written here, so the
 * table cannot claim a rule the code does not name); otherwise it carries the reason it does
 * not apply. docs.ts renders the coverage table from this and test/policy/docs.spec.ts checks
 * it, including that the awsguard list is exactly the installed package's.
 */

export interface PeerRule {
    id: string;
    /** What the peer rule checks, in a few words. */
    about: string;
    /** Why no pack rule covers it; absent when one does. */
    reason?: string;
    /** What the covering rules do differently, when it matters. */
    note?: string;
}

const NOT_USED = (service: string) =>
    `${service} is neither used by webfleet nor a resource type this pack governs; use a pack for it if a team adds one`;

/** @pulumi/awsguard 0.3.1, by policy name. */
export const AWSGUARD_RULES: PeerRule[] = [
    { id: "apigateway-stage-cached", about: "API Gateway stage caching", reason: NOT_USED("API Gateway") },
    {
        id: "apigateway-method-cached-and-encrypted",
        about: "API Gateway method cache encryption",
        reason: NOT_USED("API Gateway"),
    },
    { id: "apigateway-endpoint-type", about: "API Gateway endpoint type", reason: NOT_USED("API Gateway") },
    { id: "ec2-instance-detailed-monitoring-enabled", about: "EC2 detailed monitoring" },
    { id: "ec2-instance-no-public-ip", about: "EC2 instances without a public IP" },
    {
        id: "ec2-volume-inuse",
        about: "instance volumes deleted on termination",
        reason: "a cost check on aws.ec2.Instance volumes: webfleet runs no standalone instances, and its launch templates set deleteOnTermination on every volume",
    },
    {
        id: "elb-logging-enabled",
        about: "load balancer access logs",
        note: "awsguard 0.3.1 matches only the legacy elasticloadbalancingv2/applicationloadbalancing tokens; the pack checks aws.lb and aws.alb, and refuses Classic Load Balancers",
    },
    { id: "encrypted-volumes", about: "EBS volumes encrypted" },
    { id: "redshift-cluster-configuration", about: "Redshift encryption and logging", reason: NOT_USED("Redshift") },
    { id: "redshift-cluster-maintenance-settings", about: "Redshift maintenance", reason: NOT_USED("Redshift") },
    { id: "redshift-cluster-public-access", about: "Redshift public access", reason: NOT_USED("Redshift") },
    {
        id: "dynamodb-table-encryption-enabled",
        about: "DynamoDB encryption",
        reason: NOT_USED("DynamoDB (tables are encrypted at rest by AWS in any case)"),
    },
    { id: "rds-instance-backup-enabled", about: "RDS automated backups" },
    { id: "rds-instance-multi-az-enabled", about: "RDS Multi-AZ" },
    { id: "rds-instance-public-access", about: "RDS not publicly accessible" },
    { id: "rds-storage-encrypted", about: "RDS storage encrypted" },
    { id: "elasticsearch-encrypted-at-rest", about: "Elasticsearch encryption", reason: NOT_USED("OpenSearch") },
    { id: "elasticsearch-in-vpc-only", about: "Elasticsearch in a VPC", reason: NOT_USED("OpenSearch") },
    { id: "alb-http-to-https-redirection", about: "HTTP listeners redirect to HTTPS" },
    {
        id: "acm-certificate-expiration",
        about: "ACM certificate expiry (calls the ACM API)",
        reason: "it asks the ACM API about a deployed certificate, so a plan has nothing to check; webfleet's DNS-validated certificates renew on their own, and certificate expiry is an alarm, not a policy",
    },
    { id: "cmk-backing-key-rotation-enabled", about: "KMS key rotation" },
    {
        id: "access-keys-rotated",
        about: "access keys younger than 90 days (calls the IAM API)",
        note: "stricter: the pack refuses active access keys altogether",
    },
    {
        id: "mfa-enabled-for-iam-console-access",
        about: "MFA for IAM users with a console password (calls the IAM API)",
        note: "stricter: the pack refuses console passwords for IAM users altogether",
    },
    {
        id: "efs-encrypted",
        about: "EFS encryption with KMS",
        note: "stricter: the pack also refuses an AWS managed key (alias/aws/elasticfilesystem)",
    },
    { id: "elb-deletion-protection-enabled", about: "load balancer deletion protection" },
    { id: "s3-bucket-logging-enabled", about: "S3 server access logging" },
];

/** cdk-nag AwsSolutions rules about the resource types the stack uses or a team would add next to it. */
export const AWS_SOLUTIONS_RULES: PeerRule[] = [
    { id: "AwsSolutions-EC23", about: "security group open to 0.0.0.0/0 or ::/0" },
    { id: "AwsSolutions-EC26", about: "EBS volume unencrypted" },
    { id: "AwsSolutions-EC27", about: "security group without description" },
    { id: "AwsSolutions-EC28", about: "EC2 detailed monitoring" },
    {
        id: "AwsSolutions-EC29",
        about: "termination protection of instances outside an ASG",
        reason: "every webfleet instance belongs to an Auto Scaling group (which the rule itself exempts); replacement is the group's job",
    },
    {
        id: "AwsSolutions-AS1",
        about: "Auto Scaling cooldown",
        reason: "the web group scales by target tracking, where AWS manages warm-up instead of cooldowns (defaultInstanceWarmup is set)",
    },
    { id: "AwsSolutions-AS2", about: "Auto Scaling health checks" },
    {
        id: "AwsSolutions-AS3",
        about: "Auto Scaling notifications for every scaling event",
        reason: "the monitoring component alarms on in-service instances per AZ, which catches failed launches and terminations that matter; a notification per routine scale event is noise",
    },
    { id: "AwsSolutions-ELB1", about: "Classic Load Balancer used for HTTP/HTTPS" },
    { id: "AwsSolutions-ELB2", about: "load balancer access logs" },
    { id: "AwsSolutions-ELB3", about: "CLB connection draining" },
    { id: "AwsSolutions-ELB4", about: "CLB cross-zone load balancing" },
    { id: "AwsSolutions-ELB5", about: "CLB listener without TLS" },
    { id: "AwsSolutions-S1", about: "S3 server access logs" },
    { id: "AwsSolutions-S2", about: "S3 public access block" },
    { id: "AwsSolutions-S5", about: "S3 bucket open to the world or read without OAC/OAI" },
    { id: "AwsSolutions-S10", about: "S3 requests without TLS" },
    { id: "AwsSolutions-RDS2", about: "RDS storage encryption" },
    { id: "AwsSolutions-RDS3", about: "RDS Multi-AZ" },
    { id: "AwsSolutions-RDS6", about: "IAM database authentication" },
    { id: "AwsSolutions-RDS8", about: "database security group open to 0.0.0.0/0" },
    { id: "AwsSolutions-RDS10", about: "RDS deletion protection" },
    {
        id: "AwsSolutions-RDS11",
        about: "RDS on the engine's default port",
        reason: "port obfuscation adds nothing here: the database is reachable only from two security groups in isolated subnets, and a scanner that can reach it scans every port",
    },
    { id: "AwsSolutions-RDS13", about: "RDS automated backups" },
    {
        id: "AwsSolutions-RDS14",
        about: "Aurora MySQL backtrack",
        reason: "Aurora MySQL only; webfleet runs RDS for PostgreSQL, where point-in-time restore from backups (rds-backup-retention) covers the same need",
    },
    { id: "AwsSolutions-RDS15", about: "Aurora deletion protection" },
    {
        id: "AwsSolutions-RDS16",
        about: "Aurora MySQL log exports",
        note: "the pack requires error and slowquery for MySQL engines, postgresql for PostgreSQL",
    },
    {
        id: "AwsSolutions-IAM4",
        about: "AWS managed policies",
        note: "the pack refuses administrator, power-user and full-access managed policies; narrow ones such as AmazonSSMManagedInstanceCore, AWS's maintained least-privilege policy for Session Manager, are allowed",
    },
    { id: "AwsSolutions-IAM5", about: "wildcard permissions" },
    { id: "AwsSolutions-KMS5", about: "KMS key rotation" },
    { id: "AwsSolutions-SMG4", about: "Secrets Manager rotation" },
    { id: "AwsSolutions-SNS2", about: "SNS topic encryption" },
    { id: "AwsSolutions-SNS3", about: "SNS publishing without TLS" },
    { id: "AwsSolutions-SQS2", about: "SQS queue encryption" },
    {
        id: "AwsSolutions-SQS3",
        about: "SQS dead-letter queue",
        reason: "a dead-letter queue is a delivery design choice per queue, not a security property; webfleet has no queues",
    },
    { id: "AwsSolutions-SQS4", about: "SQS requests without TLS" },
    { id: "AwsSolutions-ECR1", about: "ECR repository open to everyone" },
    { id: "AwsSolutions-EFS1", about: "EFS file system unencrypted" },
    { id: "AwsSolutions-APIG4", about: "API Gateway method without authorization" },
    {
        id: "AwsSolutions-CFR1",
        about: "CloudFront geo restrictions",
        reason: "who may reach the site by country is a business decision; the web ACL (cloudfront-web-acl) is where to add a geo-match rule",
    },
    { id: "AwsSolutions-CFR2", about: "CloudFront with WAF" },
    { id: "AwsSolutions-CFR3", about: "CloudFront access logs" },
    { id: "AwsSolutions-CFR4", about: "CloudFront viewer TLS" },
    { id: "AwsSolutions-CFR5", about: "CloudFront origin TLS" },
    { id: "AwsSolutions-CFR6", about: "CloudFront S3 origin access identity" },
    { id: "AwsSolutions-CFR7", about: "CloudFront S3 origin access control" },
    {
        id: "AwsSolutions-L1",
        about: "Lambda on the latest runtime",
        note: "the pack refuses deprecated runtimes, not every runtime short of the newest",
    },
    {
        id: "AwsSolutions-VPC3",
        about: "network ACLs in use",
        reason: "a warning against using NACLs at all; webfleet uses none (security groups are the control), and a team that needs one has a reason",
    },
    { id: "AwsSolutions-VPC7", about: "VPC flow logs" },
];
