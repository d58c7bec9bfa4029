/**
 * Secrets in plain text, wherever they can leak: user data, Lambda, container and build
 * environments, SSM String parameters and tags. One detector (lib/secrets.ts) judges them all:
 * secret shapes, and literals under secret names; references (ARNs, SSM parameter names,
 * dynamic references, run-time variables) are the recommended pattern and always pass.
 * Messages name the kind of secret and where it is, never the value.
 */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { WebfleetPolicy, resourceRule } from "./lib/rule";
import { findSecrets, findSecretsInPairs, isLiteralSecret, isSecretName } from "./lib/secrets";
import { subject } from "./lib/types";
import { decodeUserData, entries, text } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

const STORE_FIX =
    "keep secrets in Secrets Manager or SSM SecureString parameters and pass their ARN or name, which the code reads at run time with its role";

function checkUserData(
    args: ResourceValidationArgs,
    report: ReportViolation,
    raw: string | undefined,
    base64: boolean,
): void {
    if (!raw) {
        return;
    }
    const found = findSecrets(decodeUserData(raw, base64));
    if (found.length > 0) {
        report(
            `${who(args)} has user data containing ${found.join(" and ")}; user data is readable by anyone who can describe the instance and by every process on it (read secrets at boot from Secrets Manager or SSM Parameter Store with the instance role)`,
        );
    }
}

const userDataNoSecrets = resourceRule({
    name: "user-data-no-secrets",
    description:
        "User data carries no secrets (keys, passwords, tokens), because it is readable through the EC2 API and IMDS.",
    severity: "critical",
    checks: "Decoded (base64, gzip) user data of launch templates, instances, spot requests and launch configurations holds no secret (the shared detector: secret shapes, and literals under secret names in shell, PowerShell, INI, JSON or YAML form, on command lines (mysql -p, curl -u, docker login -p, net user), piped to chpasswd)",
    equivalents: { checkov: ["CKV_AWS_46"] },
    unknown: "advisory",
    unknownNote:
        "User data built from other resources' outputs is unknown at preview: an advisory note, and the rule runs on the real text at `pulumi up`, before the resource is created.",
    requirement: "user data must not contain secrets",
    validate: [
        validateResourceOfType(aws.ec2.LaunchTemplate, (lt, args, report) =>
            checkUserData(args, report, lt.userData, true),
        ),
        validateResourceOfType(aws.ec2.Instance, (i, args, report) => {
            checkUserData(args, report, i.userData, false);
            checkUserData(args, report, i.userDataBase64, true);
        }),
        validateResourceOfType(aws.ec2.SpotInstanceRequest, (i, args, report) => {
            checkUserData(args, report, i.userData, false);
            checkUserData(args, report, i.userDataBase64, true);
        }),
        validateResourceOfType(aws.ec2.LaunchConfiguration, (lc, args, report) => {
            checkUserData(args, report, lc.userData, false);
            checkUserData(args, report, lc.userDataBase64, true);
        }),
    ],
});

/** name/value pairs of a container definition list (ECS) or container properties (Batch), as JSON. */
function containerFindings(doc: unknown, label: string): string[] {
    let parsed: unknown = doc;
    if (typeof doc === "string") {
        try {
            parsed = doc.trim() === "" ? undefined : JSON.parse(doc);
        } catch {
            // Not JSON (ECS would refuse it): still look for secret shapes in the text.
            return findSecrets(doc).map((f) => `${f} (${label})`);
        }
    }
    const containers = entries(Array.isArray(parsed) ? parsed : [parsed]).filter((c) => typeof c === "object");
    const found: string[] = [];
    for (const c of containers as Record<string, unknown>[]) {
        const env = entries(c.environment as { name?: unknown; value?: unknown }[] | undefined);
        const where = typeof c.name === "string" ? `${label} '${c.name}'` : label;
        for (const f of findSecretsInPairs(env.map((e) => [typeof e.name === "string" ? e.name : "", e.value]))) {
            found.push(`${f} (${where})`);
        }
        for (const key of ["command", "entryPoint"]) {
            const text = Array.isArray(c[key]) ? (c[key] as unknown[]).join(" ") : "";
            for (const f of findSecrets(text)) {
                found.push(`${f} in ${key} (${where})`);
            }
        }
    }
    return found;
}

function reportEnv(args: ResourceValidationArgs, report: ReportViolation, found: string[], where: string): void {
    if (found.length > 0) {
        report(
            `${who(args)} has ${found.join(" and ")} in its ${where}, readable by anyone who can read the resource's configuration; ${STORE_FIX}`,
        );
    }
}

const envNoSecrets = resourceRule({
    name: "env-no-secrets",
    description:
        "Environment variables of Lambda functions, ECS task definitions, Batch job definitions and CodeBuild projects hold no secrets, only references to them.",
    severity: "critical",
    checks: "Lambda environment.variables, ECS containerDefinitions (environment, command, entryPoint), Batch containerProperties and CodeBuild PLAINTEXT environment variables hold no secret shape and no literal under a secret name",
    equivalents: { checkov: ["CKV_AWS_45"] },
    unknown: "advisory",
    requirement: "environment variables must not hold secrets",
    validate: [
        validateResourceOfType(aws.lambda.Function, (fn, args, report) => {
            const vars = fn.environment?.variables ?? {};
            reportEnv(args, report, findSecretsInPairs(Object.entries(vars)), "environment");
        }),
        validateResourceOfType(aws.ecs.TaskDefinition, (td, args, report) => {
            reportEnv(args, report, containerFindings(td.containerDefinitions, "container"), "container definitions");
        }),
        validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
            if (jd.containerProperties) {
                reportEnv(args, report, containerFindings(jd.containerProperties, "container"), "container properties");
            }
        }),
        validateResourceOfType(aws.codebuild.Project, (p, args, report) => {
            const vars = entries(p.environment?.environmentVariables).filter(
                (v) => (text(v.type) || "PLAINTEXT").toUpperCase() === "PLAINTEXT",
            );
            reportEnv(
                args,
                report,
                findSecretsInPairs(vars.map((v) => [v.name, v.value])),
                "build environment (PLAINTEXT variables)",
            );
        }),
    ],
});

function lastSegment(name: string): string {
    const parts = name.split("/").filter((p) => p !== "");
    return parts[parts.length - 1] ?? name;
}

const ssmParameterSecureString = resourceRule({
    name: "ssm-parameter-secure-string",
    description: "SSM parameters that hold a secret are SecureString, encrypted with KMS, never a plain String.",
    severity: "critical",
    checks: "An aws.ssm.Parameter of type String or StringList whose name (last path segment, or the logical name) says secret, or whose value holds a secret (a secret's shape, or a literal under a secret name in the JSON, INI or shell text it holds), is refused",
    equivalents: { checkov: ["CKV2_AWS_34"] },
    unknown: "advisory",
    requirement: 'secrets belong in SecureString parameters (set type: "SecureString" and a keyId)',
    validate: [
        validateResourceOfType(aws.ssm.Parameter, (p, args, report) => {
            if ((p.type ?? "").toLowerCase() === "securestring") {
                return;
            }
            const name = p.name ?? args.name;
            const values = [p.value, p.insecureValue].filter((v): v is string => typeof v === "string");
            // The value may be a document (JSON, INI) with a secret inside, not only a secret's shape.
            const shapes = [...new Set(values.flatMap(findSecrets))];
            const literal = values.some(isLiteralSecret);
            if (isSecretName(lastSegment(name)) && (values.length === 0 || literal)) {
                report(
                    `${who(args)} is named like a secret (${name}) but is a plain ${p.type}, stored and shown unencrypted; secrets belong in SecureString parameters (set type: "SecureString" and keyId: key.arn)`,
                );
            } else if (shapes.length > 0) {
                report(
                    `${who(args)} holds ${shapes.join(" and ")} as a plain ${p.type}, stored and shown unencrypted; secrets belong in SecureString parameters (set type: "SecureString" and keyId: key.arn)`,
                );
            }
        }),
    ],
});

/** Tags in either shape: a map, or a list of { key, value } (Auto Scaling groups). */
function tagPairs(tags: unknown): [string, unknown][] {
    if (Array.isArray(tags)) {
        return entries(tags as { key?: unknown; value?: unknown }[]).map((t) => [
            typeof t.key === "string" ? t.key : "",
            t.value,
        ]);
    }
    return tags && typeof tags === "object" ? Object.entries(tags as Record<string, unknown>) : [];
}

/** Runs on every resource type: tags are everywhere. */
const anyResourceTags: ResourceValidation = (args, report) => {
    const props = args.props as Record<string, unknown>;
    const found = findSecretsInPairs(tagPairs(props.tags));
    const specs = entries(props.tagSpecifications as { tags?: unknown }[] | undefined);
    for (const spec of specs) {
        found.push(...findSecretsInPairs(tagPairs(spec.tags)).map((f) => `${f} (tagSpecifications)`));
    }
    const defaults = (props.defaultTags as { tags?: unknown } | null | undefined)?.tags;
    found.push(...findSecretsInPairs(tagPairs(defaults)).map((f) => `${f} (provider defaultTags)`));
    if (found.length > 0) {
        report(
            `${who(args)} has ${found.join(" and ")} in its tags, which every principal with tag:GetResources or a describe permission reads, and which billing and inventory tools copy; ${STORE_FIX}`,
        );
    }
};

const tagsNoSecrets = resourceRule({
    name: "tags-no-secrets",
    description:
        "No resource carries a secret in its tags, which are readable across the account and copied into reports.",
    severity: "critical",
    checks: "tags, tagSpecifications[].tags and the provider's defaultTags, on every resource type, hold no secret shape and no literal under a secret name",
    equivalents: {},
    unknown: "advisory",
    requirement: "tags must not hold secrets",
    validate: [anyResourceTags],
});

export const secretsInTextPolicies: WebfleetPolicy[] = [
    userDataNoSecrets,
    envNoSecrets,
    ssmParameterSecureString,
    tagsNoSecrets,
];
