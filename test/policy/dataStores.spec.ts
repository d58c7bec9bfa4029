import { T } from "../../policy/lib/types";
import { ResourceCase, UNKNOWN, UNKNOWN_BOOL, describeRule } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/2ccbf1d3-c5da-4e41-8932-608ff6ef778e";

describe("policy: data stores", () => {
    const EFS_FIX = "file systems encrypt with the project's key (set encrypted: true and kmsKeyId: key.arn)";
    describeRule<ResourceCase>("efs-encrypted-cmk", {
        compliant: [
            {
                title: "encrypted under the project's key",
                case: { type: T.efsFileSystem, props: { encrypted: true, kmsKeyId: KEY } },
            },
        ],
        violations: [
            {
                title: "unencrypted",
                case: { type: T.efsFileSystem, props: { encrypted: false } },
                messages: [
                    `EFS file system 'subject' stores its files unencrypted (encrypted is false; EFS cannot encrypt an existing file system, so it must be created encrypted); ${EFS_FIX}`,
                ],
            },
            {
                title: "encrypted left unset (the provider's default is off)",
                case: { type: T.efsFileSystem, props: {} },
                messages: [
                    `EFS file system 'subject' stores its files unencrypted (encrypted is null; EFS cannot encrypt an existing file system, so it must be created encrypted); ${EFS_FIX}`,
                ],
            },
            {
                title: "encrypted under the AWS managed key, by default or by alias",
                case: { type: T.efsFileSystem, props: { encrypted: true, kmsKeyId: "alias/aws/elasticfilesystem" } },
                messages: [
                    `EFS file system 'subject' encrypts under the AWS managed key alias/aws/elasticfilesystem, whose policy the stack does not control; ${EFS_FIX}`,
                ],
            },
            {
                title: "encrypted with no key named",
                case: { type: T.efsFileSystem, props: { encrypted: true } },
                messages: [
                    `EFS file system 'subject' encrypts under the AWS managed key (kmsKeyId is not set), whose policy the stack does not control; ${EFS_FIX}`,
                ],
            },
        ],
        unknown: {
            title: "a key unknown at preview is the stack's key",
            case: { type: T.efsFileSystem, props: { encrypted: true, kmsKeyId: UNKNOWN } },
            passes: true,
        },
    });

    const CACHE_FIX =
        "so sessions and cached data are readable on disk or on the wire; caches encrypt at rest and in transit (set atRestEncryptionEnabled: true and transitEncryptionEnabled: true, with transitEncryptionMode required)";
    const rg = (props: Record<string, unknown>): ResourceCase => ({
        type: T.elasticacheReplicationGroup,
        props: { description: "sessions", nodeType: "cache.t4g.small", ...props },
    });
    describeRule<ResourceCase>("elasticache-encrypted", {
        compliant: [
            {
                title: "Redis encrypted at rest and in transit",
                case: rg({ engine: "redis", atRestEncryptionEnabled: true, transitEncryptionEnabled: true }),
            },
            {
                title: 'flags given as text, as a program copying Terraform values does ("true")',
                case: rg({ atRestEncryptionEnabled: "true", transitEncryptionEnabled: "TRUE" }),
            },
            {
                title: "Valkey, encrypted at rest by default, with transit encryption required",
                case: rg({ engine: "valkey", transitEncryptionEnabled: true, transitEncryptionMode: "required" }),
            },
        ],
        violations: [
            {
                title: "neither (Redis, the engine when unset)",
                case: rg({ atRestEncryptionEnabled: false, transitEncryptionEnabled: false }),
                messages: [
                    `ElastiCache replication group 'subject' atRestEncryptionEnabled is false and transitEncryptionEnabled is false, ${CACHE_FIX}`,
                ],
            },
            {
                title: "Redis with at rest unset (off by default) and transit in preferred mode",
                case: rg({ engine: "redis", transitEncryptionEnabled: true, transitEncryptionMode: "preferred" }),
                messages: [
                    `ElastiCache replication group 'subject' atRestEncryptionEnabled is not set (the redis default is off) and transitEncryptionMode is "preferred", which still accepts plain connections, ${CACHE_FIX}`,
                ],
            },
            {
                title: 'flags given as text "false"',
                case: rg({ atRestEncryptionEnabled: "false", transitEncryptionEnabled: "false" }),
                messages: [
                    `ElastiCache replication group 'subject' atRestEncryptionEnabled is "false" and transitEncryptionEnabled is "false", ${CACHE_FIX}`,
                ],
            },
            {
                title: "Valkey without transit encryption",
                case: rg({ engine: "valkey" }),
                messages: [`ElastiCache replication group 'subject' transitEncryptionEnabled is null, ${CACHE_FIX}`],
            },
        ],
        unknown: {
            title: "an encryption flag unknown at preview is advisory until checked before creation",
            case: rg({ atRestEncryptionEnabled: UNKNOWN_BOOL, transitEncryptionEnabled: true }),
            advisory: true,
        },
    });

    describeRule<ResourceCase>("dynamodb-pitr", {
        compliant: [
            {
                title: "point-in-time recovery on",
                case: { type: T.dynamodbTable, props: { hashKey: "id", pointInTimeRecovery: { enabled: true } } },
            },
        ],
        violations: [
            {
                title: "no point-in-time recovery block",
                case: { type: T.dynamodbTable, props: { hashKey: "id" } },
                messages: [
                    "DynamoDB table 'subject' has no point-in-time recovery (pointInTimeRecovery.enabled is null), so an overwritten or deleted item cannot be restored; tables keep point-in-time recovery (set pointInTimeRecovery: { enabled: true })",
                ],
            },
            {
                title: "switched off",
                case: { type: T.dynamodbTable, props: { hashKey: "id", pointInTimeRecovery: { enabled: false } } },
                messages: [
                    "DynamoDB table 'subject' has no point-in-time recovery (pointInTimeRecovery.enabled is false), so an overwritten or deleted item cannot be restored; tables keep point-in-time recovery (set pointInTimeRecovery: { enabled: true })",
                ],
            },
        ],
        unknown: {
            title: "an unknown setting is advisory until checked before creation",
            case: { type: T.dynamodbTable, props: { hashKey: "id", pointInTimeRecovery: { enabled: UNKNOWN_BOOL } } },
            advisory: true,
        },
    });
});
