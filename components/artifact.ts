/**
 * The app artifact: a private, versioned, encrypted, TLS-only S3 bucket and the esbuild bundle
 * of app/ in it under a key derived from the bundle's sha256. Equal source gives an equal key,
 * so an unchanged app changes nothing; a changed app gets a new key, hence new user data, a new
 * launch template version and a rolling instance refresh.
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, policyDocument } from "../lib/iam";
import { childName } from "../lib/naming";

/** What app/build.ts's buildAppBundle() returns (only the part the web tier needs). */
export interface AppBundleLike {
    code: Buffer | string;
    /** When given, must equal the sha256 of `code` (checked, so a stale hash cannot ship). */
    sha256?: string;
}

export const ARTIFACT_PREFIX = "app/";

export interface ArtifactContent {
    /** The bundle as text (esbuild emits ASCII JavaScript). */
    text: string;
    sha256: string;
    key: string;
}

export function sha256Hex(code: Buffer | string): string {
    return createHash("sha256").update(code).digest("hex");
}

/** The object key for a bundle: app/<sha256>.js, so the key changes exactly when the bytes do. */
export function artifactKey(code: Buffer | string): string {
    return `${ARTIFACT_PREFIX}${sha256Hex(code)}.js`;
}

/** Checks a bundle and turns it into what is uploaded; pure, so it is tested without mocks. */
export function artifactContent(bundle: AppBundleLike): ArtifactContent {
    const bytes = typeof bundle.code === "string" ? Buffer.from(bundle.code, "utf8") : bundle.code;
    if (bytes.length === 0) {
        throw new Error("app bundle: the bundle is empty; check app/build.ts");
    }
    const text = bytes.toString("utf8");
    // Uploaded as text: the bytes on S3 (and so the sha256 the instance checks) must be these.
    if (!Buffer.from(text, "utf8").equals(bytes)) {
        throw new Error(
            "app bundle: the bundle is not valid UTF-8, so it would not upload byte for byte; build it as text (esbuild charset ascii or utf8)",
        );
    }
    const sha256 = sha256Hex(bytes);
    if (bundle.sha256 !== undefined && bundle.sha256 !== sha256) {
        throw new Error(
            `app bundle: its sha256 field (${bundle.sha256}) is not the hash of its code (${sha256}); rebuild it`,
        );
    }
    return { text, sha256, key: `${ARTIFACT_PREFIX}${sha256}.js` };
}

export interface AppArtifactArgs {
    /** The bundle, e.g. `buildAppBundle()`; a promise so bundling overlaps with the rest of the program. */
    bundle: AppBundleLike | Promise<AppBundleLike>;
    /** KMS key for SSE-KMS; undefined uses SSE-S3 (AES256). */
    kmsKeyArn?: pulumi.Input<string>;
}

export class AppArtifact extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    public readonly key: pulumi.Output<string>;
    public readonly sha256: pulumi.Output<string>;
    /** arn:aws:s3:::<bucket>/<key>: the bundle this deploy uploads. */
    public readonly objectArn: pulumi.Output<string>;
    /**
     * arn:aws:s3:::<bucket>/app/*: every bundle, which is what the instances may read. Not only
     * the newest: after a failed or half-applied deploy the group still launches from the
     * launch template version it had, whose user data names the previous bundle, and self-healing
     * must keep working.
     */
    public readonly bundlesArn: pulumi.Output<string>;

    constructor(name: string, args: AppArtifactArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:web:AppArtifact", name, {}, opts);
        // Never hand a Buffer to pulumi.output (it would unwrap it byte by byte): convert first.
        const content = pulumi.output(Promise.resolve(args.bundle).then(artifactContent));

        // forceDestroy: the bucket holds only bundles rebuilt from source, so `pulumi destroy`
        // may empty it instead of failing on old versions.
        const bucket = new aws.s3.Bucket(
            childName(name, "bucket"),
            { forceDestroy: true, tags: { Name: childName(name, "bucket") } },
            { parent: this },
        );
        const ownership = new aws.s3.BucketOwnershipControls(
            childName(name, "ownership"),
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            { parent: this },
        );
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            childName(name, "public-access"),
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            { parent: this },
        );
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            childName(name, "encryption"),
            {
                bucket: bucket.id,
                rules: [
                    args.kmsKeyArn
                        ? {
                              applyServerSideEncryptionByDefault: {
                                  sseAlgorithm: "aws:kms",
                                  kmsMasterKeyId: args.kmsKeyArn,
                              },
                              bucketKeyEnabled: true,
                          }
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                ],
            },
            { parent: this },
        );
        const versioning = new aws.s3.BucketVersioning(
            childName(name, "versioning"),
            { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
            { parent: this },
        );
        // A replaced bundle leaves a noncurrent version behind; keep a month of them for forensics.
        const lifecycle = new aws.s3.BucketLifecycleConfiguration(
            childName(name, "lifecycle"),
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-old-bundles",
                        status: "Enabled",
                        filter: { prefix: ARTIFACT_PREFIX },
                        noncurrentVersionExpiration: { noncurrentDays: 30 },
                        expiration: { expiredObjectDeleteMarker: true },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                ],
            },
            { parent: this, dependsOn: [versioning] },
        );
        const policy = new aws.s3.BucketPolicy(
            childName(name, "policy"),
            {
                bucket: bucket.id,
                policy: policyDocument([denyInsecureTransport(bucket.arn)]),
            },
            // S3 rejects a bucket policy while the public access block is being written.
            { parent: this, dependsOn: [publicAccess, ownership] },
        );

        // The key is ForceNew: a new bundle is a new object (created before the old is deleted).
        const object = new aws.s3.BucketObjectv2(
            childName(name, "bundle"),
            {
                bucket: bucket.id,
                key: content.key,
                // An asset, so state and the offline preview keep its digest, not half a megabyte of text.
                source: content.text.apply((text) => new pulumi.asset.StringAsset(text)),
                contentType: "application/javascript",
                serverSideEncryption: args.kmsKeyArn ? "aws:kms" : "AES256",
                kmsKeyId: args.kmsKeyArn,
                bucketKeyEnabled: args.kmsKeyArn ? true : undefined,
                metadata: { sha256: content.sha256 },
                tags: { Name: childName(name, "bundle") },
            },
            { parent: this, dependsOn: [encryption, versioning, publicAccess, policy, lifecycle] },
        );

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.key = object.key;
        this.sha256 = content.sha256;
        this.objectArn = pulumi.interpolate`${bucket.arn}/${object.key}`;
        this.bundlesArn = pulumi.interpolate`${bucket.arn}/${ARTIFACT_PREFIX}*`;
        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            key: this.key,
            sha256: this.sha256,
            objectArn: this.objectArn,
            bundlesArn: this.bundlesArn,
        });
    }
}
