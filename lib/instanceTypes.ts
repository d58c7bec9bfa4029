/**
 * Which CPU architecture an EC2 instance type runs, so the AMI parameter matches it.
 * Graviton families carry a "g" right after the generation number (t4g, m7g, c6gn, r8gd, x2gd,
 * im4gn, is4gen) or are the first-generation a1.
 */
export type Architecture = "arm64" | "x86_64";

const INSTANCE_TYPE = /^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/;

export function isInstanceType(text: string): boolean {
    return INSTANCE_TYPE.test(text);
}

export function architectureOf(instanceType: string): Architecture {
    const family = instanceType.replace(/^db\./, "").split(".")[0];
    if (family === "a1" || /^[a-z]+\d+g/.test(family)) {
        return "arm64";
    }
    return "x86_64";
}

/**
 * Amazon Linux 2023 through the public SSM parameter: EC2 resolves it at launch, so a new
 * instance (an instance refresh, an ASG replacing an unhealthy one) gets the latest patched
 * AMI without a data-source call, and the launch template does not change when AWS publishes
 * a new image.
 */
export function al2023ImageId(instanceType: string): string {
    return `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architectureOf(instanceType)}`;
}
