/**
 * Containers a team runs next to the web fleet: an ECS task gets no root on its host (no
 * privileged mode, no SYS_ADMIN or ALL capability), and the images it pulls from ECR are scanned
 * for known vulnerabilities when they are pushed. Secrets in a task's environment:
 * env-no-secrets; a repository policy open to everyone: resource-policy-no-public-principal.
 */
import * as aws from "@pulumi/aws";
import { ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { WebfleetPolicy, configOf, resourceRule } from "./lib/rule";
import { subject } from "./lib/types";
import { isTrue } from "./lib/values";

function who(args: ResourceValidationArgs): string {
    return subject(args.type, args.name);
}

/** Capabilities that give a container the host: every capability, or the one that mounts and administers it. */
const HOST_CAPABILITIES = ["ALL", "SYS_ADMIN"];

/** What in each container definition hands it its host. */
function privilegedContainers(doc: unknown): string[] {
    let parsed: unknown = doc;
    if (typeof doc === "string") {
        try {
            parsed = doc.trim() === "" ? [] : JSON.parse(doc);
        } catch {
            return []; // not JSON: ECS refuses it before anything runs
        }
    }
    const containers = (Array.isArray(parsed) ? parsed : [parsed]).filter(
        (c): c is Record<string, unknown> => typeof c === "object" && c !== null,
    );
    const found: string[] = [];
    containers.forEach((c, i) => {
        const where = typeof c.name === "string" ? `container '${c.name}'` : `container ${i + 1}`;
        if (isTrue(c.privileged)) {
            found.push(`${where} runs privileged`);
        }
        const linux = (c.linuxParameters ?? {}) as { capabilities?: { add?: unknown } };
        const added = Array.isArray(linux.capabilities?.add) ? (linux.capabilities.add as unknown[]) : [];
        const host = added
            .map((a) => String(a).toUpperCase().replace(/^CAP_/, ""))
            .filter((a) => HOST_CAPABILITIES.includes(a));
        if (host.length > 0) {
            found.push(`${where} adds the capability ${host.join(", ")}`);
        }
    });
    return found;
}

const ECS_FIX =
    'containers run without host privileges (remove privileged: true and the ALL / SYS_ADMIN capabilities; add only the narrow capability the process needs, e.g. "NET_BIND_SERVICE")';

const ecsNoPrivileged = resourceRule({
    name: "ecs-no-privileged",
    description:
        "ECS containers do not run privileged or with the ALL / SYS_ADMIN capabilities, which make a compromised container root on its host and on every task beside it.",
    severity: "high",
    checks: "No container in an aws.ecs.TaskDefinition's containerDefinitions sets privileged: true or adds the ALL or SYS_ADMIN capability in linuxParameters.capabilities.add",
    equivalents: { checkov: ["CKV_AWS_334"] },
    unknown: "advisory",
    requirement: ECS_FIX,
    validate: [
        validateResourceOfType(aws.ecs.TaskDefinition, (td, args, report) => {
            const found = privilegedContainers(td.containerDefinitions);
            if (found.length > 0) {
                report(`${who(args)}: ${found.join(", ")}, so whoever takes the container takes its host; ${ECS_FIX}`);
            }
        }),
    ],
});

const ecrScanOnPush = resourceRule({
    name: "ecr-scan-on-push",
    description:
        "ECR repositories scan each image when it is pushed, so a known vulnerability is reported before the image is deployed.",
    severity: "medium",
    checks: "aws.ecr.Repository imageScanningConfiguration.scanOnPush is true, unless registryScanning (config) says the registry's scanning configuration (enhanced or basic scan-on-push rules) is managed outside the stack",
    equivalents: { checkov: ["CKV_AWS_163"] },
    unknown: "advisory",
    requirement: "images are scanned on push (set imageScanningConfiguration: { scanOnPush: true })",
    config: {
        registryScanning: {
            type: "boolean",
            default: false,
            description:
                "Accept repositories without scanOnPush because an aws.ecr.RegistryScanningConfiguration managed outside this stack scans every repository.",
        },
    },
    validate: [
        validateResourceOfType(aws.ecr.Repository, (repo, args, report) => {
            const { registryScanning } = configOf(args, { registryScanning: false });
            if (!registryScanning && !isTrue(repo.imageScanningConfiguration?.scanOnPush)) {
                report(
                    `${who(args)} does not scan images on push, so an image with a known vulnerability is deployed unreported; images are scanned on push (set imageScanningConfiguration: { scanOnPush: true }, or scan the whole registry with aws.ecr.RegistryScanningConfiguration)`,
                );
            }
        }),
    ],
});

const IMMUTABLE_FIX =
    'image tags are immutable, so a tag names one image for good (set imageTagMutability: "IMMUTABLE", or "IMMUTABLE_WITH_EXCLUSION" with the mutable tags listed)';

const ecrImmutableTags = resourceRule({
    name: "ecr-immutable-tags",
    description:
        "ECR repositories keep image tags immutable, so the image a deploy names by tag cannot be swapped underneath it by a later push.",
    severity: "low",
    checks: 'aws.ecr.Repository imageTagMutability is "IMMUTABLE" or "IMMUTABLE_WITH_EXCLUSION" (the provider default is "MUTABLE")',
    equivalents: { checkov: ["CKV_AWS_51"] },
    unknown: "advisory",
    requirement: IMMUTABLE_FIX,
    validate: [
        validateResourceOfType(aws.ecr.Repository, (repo, args, report) => {
            const mode = String(repo.imageTagMutability ?? "MUTABLE").toUpperCase();
            if (mode !== "IMMUTABLE" && mode !== "IMMUTABLE_WITH_EXCLUSION") {
                report(
                    `${who(args)} has ${repo.imageTagMutability === undefined ? "mutable image tags (the default)" : `imageTagMutability "${repo.imageTagMutability}"`}, so a push can replace the image a tag names under a running deploy; ${IMMUTABLE_FIX}`,
                );
            }
        }),
    ],
});

export const containerPolicies: WebfleetPolicy[] = [ecsNoPrivileged, ecrScanOnPush, ecrImmutableTags];
