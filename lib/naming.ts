/** Child resource names derive from the component's, so two stacks or two components never collide. */
export function childName(parent: string, suffix: string): string {
    return `${parent}-${suffix}`;
}
