/** Child resource names derive from the component's, so two stacks or two components never collide. */
export function childName(parent: string, suffix: string): string {
    return `${parent}-${suffix}`;
}

/**
 * A name AWS limits in length, built from the project and stack names: refused here, with the
 * fix, instead of by the AWS API half-way through a deploy.
 */
export function nameWithin(name: string, max: number, what: string): string {
    if (name.length > max) {
        throw new Error(
            `${what} name "${name}" is ${name.length} characters, more than the ${max} AWS allows; use a shorter project or stack name`,
        );
    }
    return name;
}
