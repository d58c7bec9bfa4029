/**
 * Tags every resource carries (through the AWS provider's defaultTags), plus the role tag that
 * the policy pack and the bastion's IAM conditions use to tell security groups and instances
 * apart. Pure, so it is tested without mocks.
 */
export type Role =
    "alb" | "web" | "bastion" | "database" | "migrations" | "network" | "restore-test" | "restore-validator";

export const ROLE_TAG = "webfleet:role";

export function stackTags(
    project: string,
    stack: string,
    environment: string,
    userTags: Record<string, string>,
): Record<string, string> {
    // User tags first: the webfleet:* keys identify the stack and must not be overridden.
    return {
        ...userTags,
        "webfleet:project": project,
        "webfleet:stack": stack,
        "webfleet:environment": environment,
        "managed-by": "pulumi",
    };
}

export function roleTags(role: Role, name: string): Record<string, string> {
    return { Name: name, [ROLE_TAG]: role };
}
