/**
 * The stack key's policy and the identity-policy statements that let one role use it. Pure, so
 * they are tested without mocks.
 *
 * Why the key policy names no workload role: a key policy that lists role ARNs must be written
 * after the roles, and the roles' policies name the key, so a policy per role would be a cycle
 * (and a key policy rewrite every time a role is added). Instead the account root statement
 * delegates to IAM, as AWS recommends, and each role gets an identity-based statement for
 * exactly this key (`keyUseStatement`). The key policy itself only names principals that cannot
 * be given IAM policies: the CloudWatch Logs service (for this account's log groups), CloudWatch
 * alarms (publishing to this account's SNS topics encrypted with it), CloudFront (reading this
 * account's error pages through origin access control) and the Auto Scaling service-linked role
 * (which launches instances with volumes under this key). AWS Backup is not among them: it
 * works through the service roles it is given, and those get identity statements
 * (`backupKeyStatements`) like any workload role.
 * Nothing is granted to "*".
 */
import { Statement } from "./iam";

export interface KeyPolicyContext {
    accountId: string;
    region: string;
    /** The Auto Scaling service-linked role; default: its well-known ARN in this account. */
    autoScalingRoleArn?: string;
}

/** The account administers the key, and IAM policies decide who else may use it. */
function accountAdministersKey(accountId: string): Statement {
    return {
        Sid: "AccountAdministersKeyAndDelegatesToIam",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
    };
}

/** The role Auto Scaling uses to launch instances; it exists once an account has used Auto Scaling. */
export function autoScalingServiceLinkedRoleArn(accountId: string): string {
    return `arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
}

export function stackKeyPolicy({ accountId, region, autoScalingRoleArn }: KeyPolicyContext): {
    Version: "2012-10-17";
    Statement: Statement[];
} {
    const autoScaling = autoScalingRoleArn ?? autoScalingServiceLinkedRoleArn(accountId);
    return {
        Version: "2012-10-17",
        Statement: [
            accountAdministersKey(accountId),
            {
                // Log groups of this account and region only (the flow logs, RDS exports, the
                // migration function's logs), as CloudWatch Logs documents it.
                Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
                Effect: "Allow",
                Principal: { Service: `logs.${region}.amazonaws.com` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: {
                    ArnLike: {
                        "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${accountId}:log-group:*`,
                    },
                },
            },
            {
                // An alarm's notification is encrypted for the topic on CloudWatch's behalf, so
                // CloudWatch needs the data key; only for this account's and region's topics
                // (SNS puts the topic's ARN in the encryption context).
                Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: {
                    ArnLike: { "kms:EncryptionContext:aws:sns:topicArn": `arn:aws:sns:${region}:${accountId}:*` },
                },
            },
            {
                // CloudFront reads the error pages (SSE-KMS) through origin access control on its
                // own behalf; only for this account's distributions. Named by pattern, not by
                // ARN, because the distribution is created long after the key.
                Sid: "CloudFrontReadsThisAccountsOrigins",
                Effect: "Allow",
                Principal: { Service: "cloudfront.amazonaws.com" },
                Action: "kms:Decrypt",
                Resource: "*",
                Condition: { ArnLike: { "aws:SourceArn": `arn:aws:cloudfront::${accountId}:distribution/*` } },
            },
            {
                // Auto Scaling launches the bastion and web servers with root volumes under this key.
                Sid: "AutoScalingUsesKeyForEbsVolumes",
                Effect: "Allow",
                Principal: { AWS: autoScaling },
                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                Resource: "*",
            },
            {
                Sid: "AutoScalingAttachesEncryptedVolumes",
                Effect: "Allow",
                Principal: { AWS: autoScaling },
                Action: "kms:CreateGrant",
                Resource: "*",
                Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
            },
        ],
    };
}

/**
 * An identity-policy statement that lets one role decrypt with the key, optionally only
 * through one service (e.g. "secretsmanager" to read secrets, and nothing else).
 */
export function keyUseStatement(
    keyArn: string,
    opts: { via?: { service: string; region: string }; actions?: string[] } = {},
): Statement {
    return {
        Sid: opts.via ? `DecryptVia${opts.via.service.replace(/[^A-Za-z0-9]/g, "")}` : "UseStackKey",
        Effect: "Allow",
        Action: opts.actions ?? ["kms:Decrypt"],
        Resource: keyArn,
        ...(opts.via
            ? {
                  Condition: {
                      StringEquals: { "kms:ViaService": `${opts.via.service}.${opts.via.region}.amazonaws.com` },
                  },
              }
            : {}),
    };
}

/** Statements that let one role read exactly one secret (and decrypt it, through Secrets Manager only). */
export function secretReadStatements(secretArn: string, keyArn: string, region: string): Statement[] {
    return [
        { Sid: "ReadOneSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn },
        keyUseStatement(keyArn, { via: { service: "secretsmanager", region } }),
    ];
}

/**
 * A key that only the account administers and IAM policies delegate: the backup copy's key in the
 * second region, used by AWS Backup through its service role (whose identity policy names it) and
 * by nothing else.
 */
export function delegatingKeyPolicy(accountId: string): { Version: "2012-10-17"; Statement: Statement[] } {
    return {
        Version: "2012-10-17",
        Statement: [accountAdministersKey(accountId)],
    };
}

/**
 * What AWS Backup needs on the keys of what it backs up, copies and restores. It acts through the
 * service role it is given (components/backup/), so these are identity-policy statements on that
 * role: the stack key delegates to IAM (see above), and a key policy naming the role would be a
 * cycle. Decrypting the snapshot, re-encrypting its copy under the copy key, and grants only for
 * the AWS resources (the snapshot, the restored instance's storage) those services create.
 */
export function backupKeyStatements(keyArns: string[]): Statement[] {
    return [
        {
            Sid: "BackupUsesKeys",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            Resource: keyArns,
        },
        {
            Sid: "BackupGrantsForAwsResources",
            Effect: "Allow",
            Action: "kms:CreateGrant",
            Resource: keyArns,
            Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
        },
    ];
}
