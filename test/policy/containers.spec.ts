import { T } from "../../policy/lib/types";
import { ResourceCase, UNKNOWN, UNKNOWN_BOOL, describeRule } from "./helpers";

describe("policy: containers", () => {
    const td = (containers: unknown[]): ResourceCase => ({
        type: T.ecsTaskDefinition,
        props: { family: "app", containerDefinitions: JSON.stringify(containers) },
    });
    const ECS_FIX =
        'so whoever takes the container takes its host; containers run without host privileges (remove privileged: true and the ALL / SYS_ADMIN capabilities; add only the narrow capability the process needs, e.g. "NET_BIND_SERVICE")';
    describeRule<ResourceCase>("ecs-no-privileged", {
        compliant: [
            {
                title: "an unprivileged container with a narrow capability, and privileged: false",
                case: td([
                    {
                        name: "web",
                        image: "app:1",
                        privileged: false,
                        linuxParameters: { capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] } },
                    },
                ]),
            },
            {
                title: "container definitions given as a list rather than JSON text",
                case: { type: T.ecsTaskDefinition, props: { containerDefinitions: [{ name: "web", image: "app:1" }] } },
            },
        ],
        violations: [
            {
                title: "a privileged sidecar next to an unprivileged container",
                case: td([
                    { name: "web", image: "app:1" },
                    { name: "agent", image: "agent:7", privileged: true },
                ]),
                messages: [`ECS task definition 'subject': container 'agent' runs privileged, ${ECS_FIX}`],
            },
            {
                title: "CAP_SYS_ADMIN and ALL added (any case, with or without the CAP_ prefix)",
                case: td([
                    { name: "fuse", image: "fuse:1", linuxParameters: { capabilities: { add: ["cap_sys_admin"] } } },
                    { image: "debug:1", linuxParameters: { capabilities: { add: ["ALL"] } } },
                ]),
                messages: [
                    `ECS task definition 'subject': container 'fuse' adds the capability SYS_ADMIN, container 2 adds the capability ALL, ${ECS_FIX}`,
                ],
            },
        ],
        unknown: {
            title: "container definitions built from outputs are advisory until checked before creation",
            case: { type: T.ecsTaskDefinition, props: { family: "app", containerDefinitions: UNKNOWN } },
            advisory: true,
        },
    });

    const SCAN =
        "ECR repository 'subject' does not scan images on push, so an image with a known vulnerability is deployed unreported; images are scanned on push (set imageScanningConfiguration: { scanOnPush: true }, or scan the whole registry with aws.ecr.RegistryScanningConfiguration)";
    describeRule<ResourceCase>("ecr-scan-on-push", {
        compliant: [
            {
                title: "scan on push",
                case: {
                    type: T.ecrRepository,
                    props: { imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } },
                },
            },
            {
                title: "no scan on the repository, the registry scanned from outside the stack (config)",
                case: { type: T.ecrRepository, props: {}, config: { registryScanning: true } },
            },
        ],
        violations: [
            { title: "no scanning configuration", case: { type: T.ecrRepository, props: {} }, messages: [SCAN] },
            {
                title: "scanOnPush false",
                case: { type: T.ecrRepository, props: { imageScanningConfiguration: { scanOnPush: false } } },
                messages: [SCAN],
            },
        ],
        unknown: {
            title: "an unknown setting is advisory until checked before creation",
            case: { type: T.ecrRepository, props: { imageScanningConfiguration: { scanOnPush: UNKNOWN_BOOL } } },
            advisory: true,
        },
    });

    const IMMUTABLE_FIX =
        'image tags are immutable, so a tag names one image for good (set imageTagMutability: "IMMUTABLE", or "IMMUTABLE_WITH_EXCLUSION" with the mutable tags listed)';
    describeRule<ResourceCase>("ecr-immutable-tags", {
        compliant: [
            { title: "immutable tags", case: { type: T.ecrRepository, props: { imageTagMutability: "IMMUTABLE" } } },
            {
                title: "immutable with a listed exclusion (a moving 'latest' for local pulls)",
                case: {
                    type: T.ecrRepository,
                    props: {
                        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
                        imageTagMutabilityExclusionFilters: [{ filter: "latest", filterType: "WILDCARD" }],
                    },
                },
            },
        ],
        violations: [
            {
                title: "the default (mutable)",
                case: { type: T.ecrRepository, props: {} },
                messages: [
                    `ECR repository 'subject' has mutable image tags (the default), so a push can replace the image a tag names under a running deploy; ${IMMUTABLE_FIX}`,
                ],
            },
            {
                title: "MUTABLE written out",
                case: { type: T.ecrRepository, props: { imageTagMutability: "MUTABLE" } },
                messages: [
                    `ECR repository 'subject' has imageTagMutability "MUTABLE", so a push can replace the image a tag names under a running deploy; ${IMMUTABLE_FIX}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown setting is advisory until checked before creation",
            case: { type: T.ecrRepository, props: { imageTagMutability: UNKNOWN } },
            advisory: true,
        },
    });
});
