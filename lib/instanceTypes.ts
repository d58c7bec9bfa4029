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
    return `resolve:ssm:${al2023Parameter(architectureOf(instanceType))}`;
}

/** The public SSM parameter holding the latest Amazon Linux 2023 AMI ID for an architecture. */
export function al2023Parameter(architecture: Architecture): string {
    return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`;
}

/**
 * The vCPUs of an instance type when no EC2 API is at hand (the offline preflight), from its
 * size: t2 below medium has 1; Graviton "medium" sizes (m7g.medium, a1.medium) 1; every other
 * nano to large 2; "xlarge" 4 and "<n>xlarge" 4n. Undefined for "metal" and anything unusual:
 * `aws ec2 describe-instance-types` has the truth, and the preflight with credentials asks it.
 */
export function estimatedVcpus(instanceType: string): number | undefined {
    const match = INSTANCE_TYPE.exec(instanceType);
    if (!match) {
        return undefined;
    }
    const [, family, size] = match;
    if (family === "t2" && ["nano", "micro", "small"].includes(size)) {
        return 1;
    }
    if (size === "medium" && !family.startsWith("t") && architectureOf(instanceType) === "arm64") {
        return 1;
    }
    if (["nano", "micro", "small", "medium", "large"].includes(size)) {
        return 2;
    }
    const xlarge = /^(\d*)xlarge$/.exec(size);
    return xlarge ? 4 * Number(xlarge[1] || 1) : undefined;
}

/**
 * Whether the type counts against the "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z)
 * instances" vCPU quota (L-1216C47A). Families that merely start with those letters have their
 * own quotas: inf (Inferentia), dl (DL), hpc (HPC), trn (Trainium), mac (Mac).
 */
export function isStandardFamily(instanceType: string): boolean {
    const family = instanceType.split(".")[0];
    return /^(a1|[cdhimrtz]\d|im\d|is\d)/.test(family);
}
