import { T } from "../../policy/lib/types";
import { ResourceCase, StackCase, StackResource, UNKNOWN, UNKNOWN_BOOL, describeRule } from "./helpers";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/2ccbf1d3-c5da-4e41-8932-608ff6ef778e";
const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ROOT = {
    Sid: "AccountAdministers",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::123456789012:root" },
    Action: "kms:*",
    Resource: "*",
};

describe("policy: keys and secrets", () => {
    describeRule<ResourceCase>("kms-key-rotation", {
        compliant: [
            { title: "rotation on", case: { type: T.kmsKey, props: { enableKeyRotation: true } } },
            {
                title: "an asymmetric signing key cannot rotate",
                case: { type: T.kmsKey, props: { customerMasterKeySpec: "RSA_3072", keyUsage: "SIGN_VERIFY" } },
            },
            {
                title: "an HMAC key cannot rotate",
                case: { type: T.kmsKey, props: { customerMasterKeySpec: "HMAC_384", keyUsage: "GENERATE_VERIFY_MAC" } },
            },
            { title: "a key in an external key store", case: { type: T.kmsKey, props: { customKeyStoreId: "cks-1" } } },
        ],
        violations: [
            {
                title: "rotation off",
                case: { type: T.kmsKey, props: { enableKeyRotation: false } },
                messages: [
                    "KMS key 'subject' does not rotate its key material; a leaked or broken key must age out (set enableKeyRotation: true)",
                ],
            },
            {
                title: "the default (off)",
                case: { type: T.kmsKey, props: { description: "x" } },
                messages: [
                    "KMS key 'subject' does not rotate its key material; a leaked or broken key must age out (set enableKeyRotation: true)",
                ],
            },
        ],
        unknown: {
            title: "an unknown rotation flag is advisory until checked before creation",
            case: { type: T.kmsKey, props: { enableKeyRotation: UNKNOWN_BOOL } },
            advisory: true,
        },
    });

    const OPEN =
        'the key must be usable only by named principals of the account (name the account root or roles, or confine "*" with a kms:CallerAccount / aws:PrincipalOrgID condition)';
    describeRule<ResourceCase>("kms-no-wildcard-principal", {
        compliant: [
            {
                title: "no policy: AWS's default key policy (the account root)",
                case: { type: T.kmsKey, props: { enableKeyRotation: true } },
            },
            { title: "the account root", case: { type: T.kmsKey, props: { policy: doc(ROOT) } } },
            {
                title: '"*" confined to the account with kms:CallerAccount',
                case: {
                    type: T.kmsKey,
                    props: {
                        policy: doc(ROOT, {
                            Effect: "Allow",
                            Principal: { AWS: "*" },
                            Action: "kms:Decrypt",
                            Resource: "*",
                            Condition: {
                                StringEquals: {
                                    "kms:CallerAccount": "123456789012",
                                    "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com",
                                },
                            },
                        }),
                    },
                },
            },
            {
                title: "a standalone key policy naming the root",
                case: { type: T.kmsKeyPolicy, props: { keyId: "k", policy: doc(ROOT) } },
            },
            {
                title: "a multi-Region replica key whose policy admits the organization only",
                case: {
                    type: "aws:kms/replicaKey:ReplicaKey",
                    props: {
                        primaryKeyArn: "arn:aws:kms:us-east-1:123456789012:key/mrk-1",
                        policy: doc(ROOT, {
                            Effect: "Allow",
                            Principal: "*",
                            Action: "kms:Decrypt",
                            Resource: "*",
                            Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } },
                        }),
                    },
                },
            },
            {
                title: "a wildcard in a Deny",
                case: {
                    type: T.kmsKey,
                    props: { policy: doc(ROOT, { Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*" }) },
                },
            },
        ],
        violations: [
            {
                title: "an Allow for everyone",
                case: {
                    type: T.kmsKey,
                    props: {
                        policy: doc(ROOT, {
                            Sid: "Everyone",
                            Effect: "Allow",
                            Principal: "*",
                            Action: "kms:Decrypt",
                            Resource: "*",
                        }),
                    },
                },
                messages: [
                    `KMS key 'subject' has a key policy whose statement 2 (Sid Everyone) allows Principal "*"; ${OPEN}`,
                ],
            },
            {
                title: '{ AWS: ["*"] } in a standalone key policy, with a condition that does not confine it',
                case: {
                    type: T.kmsKeyPolicy,
                    props: {
                        policy: doc({
                            Effect: "Allow",
                            Principal: { AWS: ["*"] },
                            Action: "kms:*",
                            Resource: "*",
                            Condition: { Bool: { "aws:SecureTransport": "true" } },
                        }),
                    },
                },
                messages: [`KMS key policy 'subject' has a key policy whose statement 1 allows Principal "*"; ${OPEN}`],
            },
            {
                title: "a replica key open to everyone",
                case: {
                    type: "aws:kms/replicaKey:ReplicaKey",
                    props: {
                        policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }),
                    },
                },
                messages: [
                    `KMS replica key 'subject' has a key policy whose statement 1 allows Principal "*"; ${OPEN}`,
                ],
            },
            {
                title: 'an imported-material key whose "*" is "confined" to any caller account or any principal ARN',
                case: {
                    type: "aws:kms/externalKey:ExternalKey",
                    props: {
                        policy: doc(
                            {
                                Effect: "Allow",
                                Principal: "*",
                                Action: "kms:Decrypt",
                                Resource: "*",
                                Condition: { StringLike: { "kms:CallerAccount": "*" } },
                            },
                            {
                                Effect: "Allow",
                                Principal: "*",
                                Action: "kms:Decrypt",
                                Resource: "*",
                                Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/reader" } },
                            },
                        ),
                    },
                },
                messages: [1, 2].map(
                    (n) =>
                        `KMS key with imported material 'subject' has a key policy whose statement ${n} allows Principal "*"; ${OPEN}`,
                ),
            },
            {
                title: "a key policy that is not JSON",
                case: { type: T.kmsKey, props: { policy: "{ not json" } },
                messages: [
                    "KMS key 'subject' has a key policy that is not valid JSON; the key policy must be a valid IAM policy document (fix the JSON)",
                ],
            },
        ],
        unknown: {
            title: "a policy built from outputs is the engine's advisory note",
            case: { type: T.kmsKey, props: { policy: UNKNOWN } },
            advisory: true,
        },
    });

    const SECRET = "every secret must be encrypted with the project's customer-managed KMS key";
    describeRule<ResourceCase>("secrets-manager-cmk", {
        compliant: [
            { title: "a secret under the project's key", case: { type: T.secret, props: { kmsKeyId: KEY } } },
            {
                title: "an RDS-managed master secret under the project's key",
                case: { type: T.rdsInstance, props: { manageMasterUserPassword: true, masterUserSecretKmsKeyId: KEY } },
            },
            {
                title: "an RDS instance without a managed secret is not this rule's business",
                case: { type: T.rdsInstance, props: { replicateSourceDb: "primary" } },
            },
        ],
        violations: [
            {
                title: "a secret on the default key",
                case: { type: T.secret, props: { description: "x" } },
                messages: [
                    `Secret 'subject' is encrypted with the AWS managed key aws/secretsmanager; ${SECRET}, whose policy the stack controls (set kmsKeyId: key.arn)`,
                ],
            },
            {
                title: "a secret on alias/aws/secretsmanager",
                case: { type: T.secret, props: { kmsKeyId: "alias/aws/secretsmanager" } },
                messages: [
                    `Secret 'subject' is encrypted with the AWS managed key aws/secretsmanager; ${SECRET}, whose policy the stack controls (set kmsKeyId: key.arn)`,
                ],
            },
            {
                title: "an RDS-managed master secret on the default key",
                case: { type: T.rdsInstance, props: { manageMasterUserPassword: true } },
                messages: [
                    `RDS instance 'subject' keeps its RDS-managed master password secret under the AWS managed key aws/secretsmanager; ${SECRET} (set masterUserSecretKmsKeyId: key.arn)`,
                ],
            },
            {
                title: "a cluster's managed master secret on the default key",
                case: { type: T.rdsCluster, props: { manageMasterUserPassword: true, masterUserSecretKmsKeyId: "" } },
                messages: [
                    `RDS cluster 'subject' keeps its RDS-managed master password secret under the AWS managed key aws/secretsmanager; ${SECRET} (set masterUserSecretKmsKeyId: key.arn)`,
                ],
            },
        ],
        unknown: {
            title: "a key unknown at preview is a reference to the stack's key",
            case: { type: T.secret, props: { kmsKeyId: UNKNOWN } },
            passes: true,
        },
    });

    const ROTATE =
        "never rotates; a secret that leaks stays valid until someone notices (add an aws.secretsmanager.SecretRotation with a rotation Lambda, or exempt a secret that holds no credential with the reason)";
    const secret = (name: string, arn: string): StackResource => ({
        type: T.secret,
        name,
        props: { id: arn, arn, kmsKeyId: KEY },
    });
    const rotation = (secretId: string, deps?: string[]): StackResource => ({
        type: T.secretRotation,
        name: "api-rotation",
        props: {
            secretId,
            rotationLambdaArn: "arn:aws:lambda:us-east-1:123456789012:function:rotate",
            rotationRules: { automaticallyAfterDays: 30 },
        },
        deps: deps ? { secretId: deps } : undefined,
    });
    const API = "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-AbCdEf";
    describeRule<StackCase>("secrets-manager-rotation", {
        compliant: [
            { title: "a rotation naming the secret by ARN", case: { resources: [secret("api", API), rotation(API)] } },
            {
                title: "at a first preview, traced through a SecretVersion the rotation names",
                case: {
                    resources: [
                        secret("api", UNKNOWN),
                        {
                            type: "aws:secretsmanager/secretVersion:SecretVersion",
                            name: "api-v1",
                            props: { secretId: UNKNOWN, arn: UNKNOWN },
                            deps: { secretId: ["api"] },
                        },
                        rotation(UNKNOWN, ["api-v1"]),
                    ],
                },
            },
        ],
        violations: [
            {
                title: "a secret without rotation",
                case: { resources: [secret("api", API)] },
                messages: [`Secret 'api' ${ROTATE}`],
            },
            {
                title: "a rotation of another secret",
                case: {
                    resources: [
                        secret("api", API),
                        rotation("arn:aws:secretsmanager:us-east-1:123456789012:secret:other-1"),
                    ],
                },
                messages: [`Secret 'api' ${ROTATE}`],
            },
        ],
        unknown: {
            title: "a rotation whose secret cannot be traced rotates nothing of the stack",
            case: { resources: [secret("api", UNKNOWN), rotation(UNKNOWN)] },
            messages: [`Secret 'api' ${ROTATE}`],
        },
    });
});
