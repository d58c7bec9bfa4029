/**
 * webfleet-consumer: the program another team writes on top of webfleet. It reads the webfleet
 * stack's outputs (the contract in webfleet's docs/outputs.md) through a
 * StackReference and runs a small worker fleet in webfleet's private subnets: the web servers
 * may call it on `workerPort`, and it is configured with the database endpoint.
 *
 * It changes nothing in webfleet's stack. Two things only the platform team can grant, in
 * webfleet's own program (see webfleet's docs/outputs.md, "Building on webfleet"):
 *   - database access: `database.allowClient("<team>-worker", <workerSecurityGroupId>)` opens
 *     PostgreSQL on the database's security group from this group (and the matching egress on
 *     it), and the worker needs its own IAM-authenticated database role; until then its
 *     connections time out;
 *   - calls from the web servers: the web tier's security group egress must allow `workerPort`
 *     to this group.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
/**
 * The webfleet stack to read, always fully qualified (<org>/<project>/<stack>): a bare stack
 * name resolves against the consumer's own project, never webfleet's. By default the webfleet
 * stack of the same name in this stack's own organization: the Pulumi Cloud org the workflows
 * deploy webfleet into, or "organization" on a self-managed backend.
 */
const webfleetStack = config.get("webfleetStack") ?? `${pulumi.getOrganization()}/webfleet/${pulumi.getStack()}`;
if (!/^[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(webfleetStack)) {
    throw new Error(
        `webfleet-consumer:webfleetStack: "${webfleetStack}" is not a fully qualified stack name; set it to <org>/webfleet/<stack>, e.g. pulumi config set webfleetStack acme/webfleet/dev`,
    );
}
const workerPort = config.getNumber("workerPort", { min: 1024, max: 65535 }) ?? 9000;
const instanceType = config.get("instanceType", { pattern: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/ }) ?? "t4g.nano";
const desiredCapacity = config.getNumber("desiredCapacity", { min: 1, max: 10 }) ?? 1;

const webfleet = new pulumi.StackReference("webfleet", { name: webfleetStack });

/**
 * A contract output, checked: a renamed or retyped output fails the preview with its name,
 * instead of an empty value reaching a resource. `requireOutput` already fails when it is missing.
 */
function contract<T>(name: string, check: (v: unknown) => v is T, expected: string): pulumi.Output<T> {
    return webfleet.requireOutput(name).apply((v: unknown) => {
        if (!check(v)) {
            throw new Error(
                `${webfleetStack} output ${name}: expected ${expected}, found ${JSON.stringify(v)}; see webfleet's docs/outputs.md`,
            );
        }
        return v;
    });
}
const isId =
    (prefix: string) =>
    (v: unknown): v is string =>
        typeof v === "string" && v.startsWith(prefix);
const isIdList =
    (prefix: string) =>
    (v: unknown): v is string[] =>
        Array.isArray(v) && v.length > 0 && v.every(isId(prefix));
// It goes into a shell script, so only a DNS name passes (no quotes, spaces or `$`).
const isHostname = (v: unknown): v is string =>
    typeof v === "string" && /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(v);
const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536;

const vpcId = contract("vpcId", isId("vpc-"), "a VPC ID");
const privateSubnetIds = contract("privateSubnetIds", isIdList("subnet-"), "a non-empty list of subnet IDs");
const webSecurityGroupId = contract("webSecurityGroupId", isId("sg-"), "a security group ID");
const dbEndpoint = contract("dbEndpoint", isHostname, "the database host name");
const dbPort = contract("dbPort", isPort, "a port number");

const name = "worker";
const tags = { Name: name, team: "consumer", "managed-by": "pulumi" };

const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
    vpcId,
    description: `webfleet-consumer worker: ${workerPort} from the webfleet web tier, HTTPS out`,
    tags: { ...tags, Name: `${name}-sg` },
});
// Standalone rules, never inline ones: webfleet's allowClient adds an egress rule to this group,
// and inline rules would remove it on the next update.
new aws.vpc.SecurityGroupIngressRule(`${name}-from-web`, {
    securityGroupId: sg.id,
    description: "Worker API from the webfleet web servers",
    ipProtocol: "tcp",
    fromPort: workerPort,
    toPort: workerPort,
    referencedSecurityGroupId: webSecurityGroupId,
});
new aws.vpc.SecurityGroupEgressRule(`${name}-https-out`, {
    securityGroupId: sg.id,
    description: "HTTPS for SSM and the AWS APIs, through webfleet's NAT gateways",
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    cidrIpv4: "0.0.0.0/0",
});

// No SSH: operators use SSM Session Manager, which needs only this managed policy.
const role = new aws.iam.Role(`${name}-role`, {
    description: "webfleet-consumer worker: SSM only",
    assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
    tags,
});
new aws.iam.RolePolicyAttachment(`${name}-ssm`, {
    role: role.name,
    policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
});
const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name, tags });

/** Graviton families (t4g, m7g, c7g, …) need the arm64 image. */
const architecture = /^[a-z]+\d+g/.test(instanceType.split(".")[0]) ? "arm64" : "x86_64";

/** Non-secret settings only: user data is readable by anyone who can describe the instance. */
function userData(host: string, port: number): string {
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        "install -d -m 0755 /etc/webfleet-consumer",
        "cat > /etc/webfleet-consumer/worker.env <<'EOF'",
        `DB_HOST=${host}`,
        `DB_PORT=${port}`,
        `WORKER_PORT=${workerPort}`,
        "EOF",
        "",
    ].join("\n");
}

const template = new aws.ec2.LaunchTemplate(`${name}-lt`, {
    description: "webfleet-consumer worker",
    // Amazon Linux 2023 through the public SSM parameter: every launch gets the patched image.
    imageId: `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`,
    instanceType,
    iamInstanceProfile: { arn: profile.arn },
    vpcSecurityGroupIds: [sg.id],
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
    blockDeviceMappings: [
        {
            deviceName: "/dev/xvda",
            ebs: { volumeSize: 10, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
    ],
    userData: pulumi
        .all([dbEndpoint, dbPort])
        .apply(([host, port]) => Buffer.from(userData(host, port)).toString("base64")),
    tagSpecifications: [
        { resourceType: "instance", tags },
        { resourceType: "volume", tags },
    ],
    updateDefaultVersion: true,
    tags,
});

const group = new aws.autoscaling.Group(`${name}-asg`, {
    // webfleet's private subnets: no public IP, egress through its NAT gateways.
    vpcZoneIdentifiers: privateSubnetIds,
    minSize: desiredCapacity,
    maxSize: desiredCapacity * 2,
    desiredCapacity,
    launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
    healthCheckType: "EC2",
    instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 50 } },
    tags: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
});

export const webfleetStackName = webfleetStack;
/** Give this to the platform team: the database accepts the worker once they allow this group. */
export const workerSecurityGroupId = sg.id;
export const workerAutoScalingGroupName = group.name;
