/**
 * SNS and SQS: topics and queues encrypt messages at rest (topics with the project's key, since
 * alarm and event messages carry resource details), refuse publishers that do not use TLS, and
 * deliver to web endpoints only over HTTPS.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ReportViolation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { ofType, resolveThrough } from "./lib/graph";
import { deniesWithoutTls } from "./lib/iamDoc";
import { reportAdvisory } from "./lib/report";
import { WebfleetPolicy, resourceRule, stackRule } from "./lib/rule";
import { T, subject } from "./lib/types";
import { attempt, declaredButUnknown, isCustomerKey, peek } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

const snsTopicCmk = resourceRule({
    name: "sns-topic-cmk",
    description: "SNS topics encrypt messages with a customer-managed KMS key.",
    severity: "medium",
    checks: "kmsMasterKeyId is set on aws.sns.Topic and is not an AWS managed alias (alias/aws/sns)",
    equivalents: {
        cdkNag: ["AwsSolutions-SNS2", "NIST.800.53.R5-SNSEncryptedKMS"],
        checkov: ["CKV_AWS_26"],
    },
    unknown: "reference",
    unknownNote: "A key unknown at preview is a reference to the stack's key and counts as a customer key.",
    requirement: "topics must encrypt with the project's key (set kmsMasterKeyId: key.arn)",
    validate: [
        validateResourceOfType(aws.sns.Topic, (t, args, report) => {
            if (!isCustomerKey(peek(t, "kmsMasterKeyId"))) {
                report(
                    `${who(args)} stores messages ${t.kmsMasterKeyId ? `under the AWS managed key ${t.kmsMasterKeyId}` : "unencrypted"}; topics must encrypt with the project's key, whose policy the stack controls (set kmsMasterKeyId: key.arn and let the publishing services use the key)`,
                );
            }
        }),
    ],
});

const sqsQueueEncrypted = resourceRule({
    name: "sqs-queue-encrypted",
    description: "SQS queues encrypt messages at rest, with a KMS key or SQS-managed encryption.",
    severity: "medium",
    checks: "kmsMasterKeyId is set, or sqsManagedSseEnabled is not false (SQS encrypts new queues by default)",
    equivalents: { cdkNag: ["AwsSolutions-SQS2"], checkov: ["CKV_AWS_27"] },
    unknown: "reference",
    unknownNote: "A key unknown at preview is a reference to the stack's key and counts as set.",
    requirement: "queues must encrypt messages (set kmsMasterKeyId: key.arn, or leave sqsManagedSseEnabled on)",
    validate: [
        validateResourceOfType(aws.sqs.Queue, (q, args, report) => {
            const key = peek(q, "kmsMasterKeyId");
            if (key.known && !key.value && q.sqsManagedSseEnabled === false) {
                report(
                    `${who(args)} stores messages unencrypted (sqsManagedSseEnabled is false and no kmsMasterKeyId); queues must encrypt messages (set kmsMasterKeyId: key.arn, or sqsManagedSseEnabled: true)`,
                );
            }
        }),
    ],
});

/** Whether a policy denies `service`'s actions (or everything) to everyone when the request is not over TLS. */
function deniesInsecureTransport(doc: unknown, service: string): boolean {
    const publish = new RegExp(`^${service}:(\\*|publish|sendmessage)$`, "i");
    return deniesWithoutTls(doc, (a) => a === "*" || publish.test(a));
}

function tlsOnlyRule(opts: {
    name: string;
    noun: string;
    service: string;
    owner: string;
    policyType: string;
    policyClass: typeof aws.sns.TopicPolicy | typeof aws.sqs.QueuePolicy;
    ownerProp: string;
    equivalents: { cdkNag?: string[]; checkov?: string[] };
}) {
    const fix = `${opts.noun}s must refuse requests without TLS (add a Deny statement for Principal "*", Action "${opts.service}:${opts.service === "sns" ? "Publish" : "SendMessage"}" (or "${opts.service}:*"), Condition { Bool: { "aws:SecureTransport": "false" } } to its policy)`;
    return stackRule({
        name: opts.name,
        description: `Every ${opts.noun}'s policy denies requests that are not made over TLS.`,
        severity: "medium",
        resources: [opts.owner, opts.policyType],
        checks: `Each ${opts.noun} has a policy (inline or a ${opts.policyType.split(":").pop()} traced by ARN/URL or dependency) with a Deny for Principal * on ${opts.service}:* / its publish action, Condition Bool aws:SecureTransport=false; each ${opts.policyType.split(":").pop()} is checked on its own before creation`,
        equivalents: opts.equivalents,
        unknown: "advisory",
        unknownNote: `A ${opts.policyType.split(":").pop()} built from outputs is unknown to the stack check at preview; its own inputs are checked before creation. An inline policy unknown at preview gets an advisory note.`,
        requirement: fix,
        beforeCreate: [
            validateResourceOfType(opts.policyClass as typeof aws.sns.TopicPolicy, (p, args, report) => {
                if (p.policy && !deniesInsecureTransport(p.policy, opts.service)) {
                    report(
                        `${subject(args.type, args.name)} does not deny requests without TLS, and it is the ${opts.noun}'s policy; ${fix}`,
                    );
                }
            }),
        ],
        validate: (args, report: ReportViolation) => {
            for (const owner of ofType(args.resources, opts.owner)) {
                const hasDoc = (r: PolicyResource) => {
                    const doc = peek(r.props, "policy");
                    return !doc.known || !!doc.value;
                };
                const policies = ofType(args.resources, opts.policyType).filter(
                    (p) => resolveThrough(p, opts.ownerProp, [owner]).kind === "resolved",
                );
                if (policies.some(hasDoc)) {
                    continue; // its policy resource is checked on its own before creation
                }
                // The owner's own policy output is computed: unknown at preview when the program sets
                // none, unless it depends on other resources (a document built from their outputs).
                const ownDoc = peek(owner.props, "policy");
                if (ownDoc.known ? !ownDoc.value : !declaredButUnknown(owner, "policy")) {
                    report(
                        `${subject(owner.type, owner.name)} has no policy, so it accepts requests without TLS; ${fix}`,
                        owner.urn,
                    );
                    continue;
                }
                const verdict = attempt(() => deniesInsecureTransport(owner.props.policy, opts.service));
                if (!verdict.known) {
                    reportAdvisory(
                        report,
                        `${subject(owner.type, owner.name)} has an inline policy unknown during preview, so TLS-only access cannot be verified yet; ${fix}`,
                        owner.urn,
                    );
                } else if (!verdict.value) {
                    report(
                        `${subject(owner.type, owner.name)} has an inline policy that accepts requests without TLS; ${fix}`,
                        owner.urn,
                    );
                }
            }
        },
    });
}

const snsTlsOnly = tlsOnlyRule({
    name: "sns-tls-only",
    noun: "topic",
    service: "sns",
    owner: T.snsTopic,
    policyType: T.snsTopicPolicy,
    policyClass: aws.sns.TopicPolicy,
    ownerProp: "arn",
    equivalents: { cdkNag: ["AwsSolutions-SNS3"] },
});

const sqsTlsOnly = tlsOnlyRule({
    name: "sqs-tls-only",
    noun: "queue",
    service: "sqs",
    owner: T.sqsQueue,
    policyType: T.sqsQueuePolicy,
    policyClass: aws.sqs.QueuePolicy,
    ownerProp: "queueUrl",
    equivalents: { cdkNag: ["AwsSolutions-SQS4"] },
});

const SUBSCRIPTION_FIX = 'topics deliver to web endpoints over TLS (set protocol: "https" and an https:// endpoint)';

const snsSubscriptionHttps = resourceRule({
    name: "sns-subscription-https",
    description:
        "SNS delivers to web endpoints only over HTTPS, so messages (decrypted for delivery) do not cross the network in plain text.",
    severity: "medium",
    checks: 'aws.sns.TopicSubscription protocol is not "http" (https, email, sqs, lambda, … pass)',
    equivalents: {},
    unknown: "advisory",
    requirement: SUBSCRIPTION_FIX,
    validate: [
        validateResourceOfType(aws.sns.TopicSubscription, (sub, args, report) => {
            if (typeof sub.protocol === "string" && sub.protocol.toLowerCase() === "http") {
                report(
                    `SNS topic subscription '${args.name}' delivers messages to ${JSON.stringify(sub.endpoint)} over plain HTTP, where anyone on the path can read or change them; ${SUBSCRIPTION_FIX}`,
                );
            }
        }),
    ],
});

export const messagingPolicies: WebfleetPolicy[] = [
    snsTopicCmk,
    snsTlsOnly,
    snsSubscriptionHttps,
    sqsQueueEncrypted,
    sqsTlsOnly,
];
