/**
 * Data stores a team adds next to the web fleet: shared file systems (EFS) encrypt under the
 * project's key, Redis/Valkey replication groups (sessions, caches) encrypt at rest and in transit,
 * and DynamoDB tables keep point-in-time recovery. webfleet itself uses none of them; these rules
 * see to it that adding one does not quietly weaken what the RDS and S3 rules require.
 */
import * as aws from "@pulumi/aws";
import { ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { WebfleetPolicy, resourceRule } from "./lib/rule";
import { subject } from "./lib/types";
import { isCustomerKey, isTrue, peek } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

const EFS_FIX = "file systems encrypt with the project's key (set encrypted: true and kmsKeyId: key.arn)";

const efsEncryptedCmk = resourceRule({
    name: "efs-encrypted-cmk",
    description:
        "EFS file systems encrypt their data at rest with a customer-managed KMS key, as the databases and buckets do.",
    severity: "high",
    checks: "aws.efs.FileSystem encrypted is true and kmsKeyId names a customer key (not unset, not alias/aws/elasticfilesystem)",
    equivalents: {
        cdkNag: ["AwsSolutions-EFS1", "NIST.800.53.R5-EFSEncrypted"],
        checkov: ["CKV_AWS_42", "CKV_AWS_184"],
        awsguard: ["efs-encrypted"],
    },
    unknown: "reference",
    unknownNote:
        "A key unknown at preview is a reference to the stack's key and counts as a customer key; an unknown encrypted flag is checked before creation.",
    requirement: EFS_FIX,
    validate: [
        validateResourceOfType(aws.efs.FileSystem, (fs, args, report) => {
            if (!isTrue(fs.encrypted)) {
                report(
                    `${who(args)} stores its files unencrypted (encrypted is ${JSON.stringify(fs.encrypted ?? null)}; EFS cannot encrypt an existing file system, so it must be created encrypted); ${EFS_FIX}`,
                );
                return;
            }
            const key = peek(fs, "kmsKeyId");
            if (!isCustomerKey(key)) {
                report(
                    `${who(args)} encrypts ${key.known && key.value ? `under the AWS managed key ${String(key.value)}` : "under the AWS managed key (kmsKeyId is not set)"}, whose policy the stack does not control; ${EFS_FIX}`,
                );
            }
        }),
    ],
});

const CACHE_FIX =
    "caches encrypt at rest and in transit (set atRestEncryptionEnabled: true and transitEncryptionEnabled: true, with transitEncryptionMode required)";

const elasticacheEncrypted = resourceRule({
    name: "elasticache-encrypted",
    description:
        "ElastiCache replication groups (Redis OSS, Valkey) encrypt data at rest and refuse unencrypted connections, since they hold sessions and cached records.",
    severity: "high",
    checks: 'aws.elasticache.ReplicationGroup: atRestEncryptionEnabled is true (unset passes only for engine valkey, where it is the default), transitEncryptionEnabled is true and transitEncryptionMode is not "preferred" (which still accepts plain connections)',
    equivalents: { checkov: ["CKV_AWS_29", "CKV_AWS_30"] },
    unknown: "advisory",
    requirement: CACHE_FIX,
    validate: [
        validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, args, report) => {
            const engine = String(rg.engine ?? "redis").toLowerCase();
            const problems: string[] = [];
            const atRest = rg.atRestEncryptionEnabled;
            const unset = atRest === undefined || atRest === null;
            if (!isTrue(atRest) && !(unset && engine === "valkey")) {
                problems.push(
                    unset
                        ? `atRestEncryptionEnabled is not set (the ${engine} default is off)`
                        : `atRestEncryptionEnabled is ${JSON.stringify(atRest)}`,
                );
            }
            if (!isTrue(rg.transitEncryptionEnabled)) {
                problems.push(`transitEncryptionEnabled is ${JSON.stringify(rg.transitEncryptionEnabled ?? null)}`);
            } else if (String(rg.transitEncryptionMode ?? "").toLowerCase() === "preferred") {
                problems.push('transitEncryptionMode is "preferred", which still accepts plain connections');
            }
            if (problems.length > 0) {
                report(
                    `${who(args)} ${problems.join(" and ")}, so sessions and cached data are readable on disk or on the wire; ${CACHE_FIX}`,
                );
            }
        }),
    ],
});

const dynamodbPitr = resourceRule({
    name: "dynamodb-pitr",
    description:
        "DynamoDB tables keep point-in-time recovery, so a bad write or a deleted item can be restored, as the database's backups allow.",
    severity: "medium",
    checks: "aws.dynamodb.Table pointInTimeRecovery.enabled is true",
    equivalents: { cdkNag: ["NIST.800.53.R5-DynamoDBPITREnabled"], checkov: ["CKV_AWS_28"] },
    unknown: "advisory",
    requirement: "tables keep point-in-time recovery (set pointInTimeRecovery: { enabled: true })",
    validate: [
        validateResourceOfType(aws.dynamodb.Table, (t, args, report) => {
            if (!isTrue(t.pointInTimeRecovery?.enabled)) {
                report(
                    `${who(args)} has no point-in-time recovery (pointInTimeRecovery.enabled is ${JSON.stringify(t.pointInTimeRecovery?.enabled ?? null)}), so an overwritten or deleted item cannot be restored; tables keep point-in-time recovery (set pointInTimeRecovery: { enabled: true })`,
                );
            }
        }),
    ],
});

export const dataStorePolicies: WebfleetPolicy[] = [efsEncryptedCmk, elasticacheEncrypted, dynamodbPitr];
