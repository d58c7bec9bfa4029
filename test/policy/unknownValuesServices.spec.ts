/**
 * Values unknown during a real first preview outside the network rules: values marked secret as
 * the analyzer deserializes them, one program through the offline runner in both phases, role
 * tags, role policies and bucket, topic and queue settings whose outputs the provider computes
 * (unknown at preview with no property dependency when the program set none, declared and
 * unknown with one).
 */
import { expect } from "chai";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as policyDeserialize from "@pulumi/policy/deserialize";
import { WebfleetResourcePolicy } from "../../policy/lib/rule";
import { T } from "../../policy/lib/types";
import { runPolicyPack } from "../../offline/policyRunner";
import { Finding, StackResource, UNKNOWN, UNKNOWN_ARRAY, recorded, rule, run, runResourceRule } from "./helpers";

/** The analyzer's own deserializer (internal to @pulumi/policy, as the unknown sentinels are). */
const { deserializeProperties } = policyDeserialize as unknown as {
    deserializeProperties: (props: Struct, proxySecrets: boolean) => unknown;
};

const hard = (found: Finding[]) => found.filter((f) => !f.unknown && !f.advisory && !f.exempted).map((f) => f.message);
const notes = (found: Finding[]) => found.filter((f) => f.unknown || f.advisory).map((f) => f.message);

describe("policy: values unknown at preview, beyond the network", () => {
    describe("lambda-in-vpc-for-database: a role policy built from the database's ARN", () => {
        const stack = (vpcConfig?: Record<string, unknown>): StackResource[] => [
            { type: T.rdsInstance, name: "db", props: { id: UNKNOWN, arn: UNKNOWN, address: UNKNOWN } },
            { type: T.iamRole, name: "migrations", props: { arn: UNKNOWN, name: UNKNOWN } },
            {
                type: T.iamRolePolicy,
                name: "migrations-connect",
                props: { role: UNKNOWN, policy: UNKNOWN },
                deps: { role: ["migrations"], policy: ["db"] },
            },
            {
                type: T.lambdaFunction,
                name: "migrations-fn",
                props: { runtime: "nodejs22.x", role: UNKNOWN, ...(vpcConfig ? { vpcConfig } : {}) },
                deps: { role: ["migrations"] },
            },
        ];

        it("outside the VPC, at a first preview: cannot verify yet (it passed in silence)", async () => {
            const found = await run(rule("lambda-in-vpc-for-database"), { resources: stack() });
            expect(found.map((f) => [f.message, f.advisory])).to.deep.equal([
                [
                    "Lambda function 'migrations-fn' runs outside the VPC and its role has a policy unknown during preview, so whether it may connect to the database (rds-db:connect) cannot be verified yet; functions that reach the database run in the VPC",
                    true,
                ],
            ]);
        });

        it("inside the VPC: nothing to verify", async () => {
            const vpc = { subnetIds: [UNKNOWN, UNKNOWN], securityGroupIds: [UNKNOWN] };
            expect(await run(rule("lambda-in-vpc-for-database"), { resources: stack(vpc) })).to.deep.equal([]);
        });
    });

    describe("secrets as the engine hands them over", () => {
        // What the analyzer does with a resource's wire properties (server.js: deserializeProperties
        // with secrets unwrapped, not proxied, then unknownCheckingProxy in runResourceRule).
        const engineProps = (wire: Record<string, unknown>) =>
            deserializeProperties(Struct.fromJavaScript(wire as never), false) as Record<string, unknown>;
        const secret = (value: unknown) => ({ [rpc.specialSigKey]: rpc.specialSecretSig, value });
        const fn = (password: unknown) =>
            engineProps({
                runtime: "nodejs22.x",
                role: "arn:aws:iam::123456789012:role/app",
                environment: { variables: { DB_HOST: "db.internal", DB_PASSWORD: password } },
            });

        it("a value marked secret is still read by the rules (a literal password in an environment)", async () => {
            const found = await runResourceRule(rule<WebfleetResourcePolicy>("env-no-secrets"), {
                type: T.lambdaFunction,
                name: "migrations-fn",
                props: fn(secret("correct-horse-battery-staple")),
            });
            expect(hard(found)).to.have.length(1);
            expect(found[0].message).to.match(/literal value for DB_PASSWORD/);
        });

        it("a secret whose value is unknown at preview cannot be verified yet", async () => {
            const found = await runResourceRule(rule<WebfleetResourcePolicy>("env-no-secrets"), {
                type: T.lambdaFunction,
                name: "migrations-fn",
                props: fn(secret(UNKNOWN)),
            });
            expect(hard(found)).to.deep.equal([]);
            expect(notes(found)).to.have.length(1);
        });
    });

    describe("one program in both phases, through the offline runner (the engine's entry points)", () => {
        // A bucket policy built with apply from the bucket's ARN: wholly unknown at a first preview,
        // public once the ARN is known. Resource validations run in both phases on the inputs; the
        // update phase runs them before the policy is created, so a mandatory finding stops it.
        const phase = (preview: boolean) => {
            const arn = "arn:aws:s3:::downloads-7a1";
            const policy = preview
                ? UNKNOWN
                : JSON.stringify({
                      Version: "2012-10-17",
                      Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${arn}/*` }],
                  });
            return recorded([
                {
                    type: T.bucketV2,
                    name: "downloads",
                    props: {
                        id: preview ? UNKNOWN : "downloads-7a1",
                        arn: preview ? UNKNOWN : arn,
                        bucket: "downloads-7a1",
                    },
                },
                {
                    type: T.bucketPolicy,
                    name: "downloads-policy",
                    props: { bucket: preview ? UNKNOWN : "downloads-7a1", policy },
                    deps: { bucket: ["downloads"], policy: ["downloads"] },
                },
            ]);
        };
        const findings = async (preview: boolean) =>
            (
                await runPolicyPack({
                    project: "webfleet",
                    stack: "prod",
                    resources: phase(preview),
                })
            ).violations.filter((v) => v.policy === "resource-policy-no-public-principal");

        it("preview: cannot verify yet, advisory", async () => {
            const found = await findings(true);
            expect(found.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
            expect(found[0].message).to.match(/unknown during preview at policy, so it cannot be verified yet/);
        });

        it("update: the real document is public, mandatory before the policy is created", async () => {
            const found = await findings(false);
            expect(found.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory"]);
            expect(found[0].urn).to.match(/::downloads-policy$/);
        });
    });

    describe("ec2-no-public-ip: the bastion's tag unknown at preview", () => {
        const check = (props: Record<string, unknown>) =>
            runResourceRule(rule<WebfleetResourcePolicy>("ec2-no-public-ip"), { type: T.instance, props });

        it("tags built from outputs: cannot verify yet (it was refused as an untagged instance)", async () => {
            const found = await check({ associatePublicIpAddress: true, tags: UNKNOWN });
            expect(hard(found)).to.deep.equal([]);
            expect(notes(found)).to.have.length(1);
        });

        it("the role tag's value unknown: cannot verify yet", async () => {
            const found = await check({
                associatePublicIpAddress: true,
                tags: { Name: "x", "webfleet:role": UNKNOWN },
            });
            expect(hard(found)).to.deep.equal([]);
            expect(notes(found)).to.have.length(1);
        });

        it("another tag unknown beside a known role still decides", async () => {
            expect(
                hard(await check({ associatePublicIpAddress: true, tags: { Name: UNKNOWN, "webfleet:role": "web" } })),
            ).to.have.length(1);
            expect(
                await check({ associatePublicIpAddress: true, tags: { Name: UNKNOWN, "webfleet:role": "bastion" } }),
            ).to.deep.equal([]);
        });

        it("a launch template's instance tags unknown: cannot verify yet", async () => {
            const found = await runResourceRule(rule<WebfleetResourcePolicy>("ec2-no-public-ip"), {
                type: T.launchTemplate,
                props: {
                    networkInterfaces: [{ associatePublicIpAddress: "true" }],
                    tagSpecifications: [{ resourceType: "instance", tags: UNKNOWN }],
                },
            });
            expect(hard(found)).to.deep.equal([]);
            expect(notes(found)).to.have.length(1);
        });
    });

    describe("s3-server-access-logging at a first preview", () => {
        const bucketAt = (extra: Record<string, unknown>, deps?: Record<string, string[]>): StackResource => ({
            type: T.bucketV2,
            name: "uploads",
            props: { id: UNKNOWN, arn: UNKNOWN, bucket: "uploads-7a1", loggings: UNKNOWN_ARRAY, ...extra },
            ...(deps ? { deps } : {}),
        });
        const logs: StackResource = {
            type: T.bucketV2,
            name: "logs",
            props: { id: UNKNOWN, arn: UNKNOWN, bucket: "logs-7a1" },
        };

        it("the provider's computed inline logging list is not logging (it passed every new bucket in silence)", async () => {
            const found = await run(rule("s3-server-access-logging"), { resources: [bucketAt({})] });
            expect(hard(found)).to.deep.equal([
                "S3 bucket 'uploads' keeps no server access logs, so requests to its objects cannot be traced; add an aws.s3.BucketLogging with targetBucket set to the stack's log bucket (SSE-S3, like the load balancer's)",
            ]);
        });

        it("an inline logging list built from the log bucket's outputs is logging", async () => {
            const found = await run(rule("s3-server-access-logging"), {
                resources: [
                    bucketAt({}, { loggings: ["logs"] }),
                    { ...logs, props: { ...logs.props, loggings: [{ targetBucket: "x" }] } },
                ],
            });
            expect(found).to.deep.equal([]);
        });

        it("a bucket policy unknown at preview may make it a log bucket: cannot verify yet", async () => {
            const found = await run(rule("s3-server-access-logging"), {
                resources: [
                    bucketAt({}),
                    {
                        type: T.bucketPolicy,
                        name: "uploads-policy",
                        props: { bucket: UNKNOWN, policy: UNKNOWN },
                        deps: { bucket: ["uploads"], policy: ["uploads"] },
                    },
                ],
            });
            expect(found.map((f) => f.advisory)).to.deep.equal([true]);
        });
    });

    describe("TLS-only rules at a first preview: the owner's computed policy output", () => {
        it("s3-tls-only: a new bucket with no policy anywhere has no bucket policy (it was 'inline policy unknown')", async () => {
            const found = await run(rule("s3-tls-only"), {
                resources: [
                    {
                        type: T.bucketV2,
                        name: "uploads",
                        props: { id: UNKNOWN, arn: UNKNOWN, bucket: "u-7a1", policy: UNKNOWN },
                    },
                ],
            });
            expect(hard(found)).to.have.length(1);
            expect(found[0].message).to.match(/has no bucket policy/);
        });

        it("sns-tls-only: a topic whose inline policy is built from outputs cannot be verified yet", async () => {
            const topic = (deps?: Record<string, string[]>): StackResource[] => [
                { type: T.kmsKey, name: "key", props: { arn: UNKNOWN } },
                {
                    type: T.snsTopic,
                    name: "alarms",
                    props: { arn: UNKNOWN, policy: UNKNOWN },
                    ...(deps ? { deps } : {}),
                },
            ];
            const built = await run(rule("sns-tls-only"), { resources: topic({ policy: ["key"] }) });
            expect(built.map((f) => f.advisory)).to.deep.equal([true]);
            const computed = await run(rule("sns-tls-only"), { resources: topic() });
            expect(hard(computed)).to.have.length(1);
            expect(computed[0].message).to.match(/has no policy/);
        });
    });
});
