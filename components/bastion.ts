/**
 * The bastion: the only SSH path into the VPC. One Amazon Linux 2023 instance in a public
 * subnet, kept alive by an Auto Scaling group of exactly one (it comes back in another AZ if
 * its AZ fails), holding one Elastic IP so its address survives replacement. SSM Session
 * Manager reaches it with no inbound port at all.
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Statement, SSM_MANAGED_INSTANCE_CORE, policyDocument, serviceTrustPolicy } from "../lib/iam";
import { al2023ImageId } from "../lib/instanceTypes";
import { IMDSV2_ONLY, encryptedRootVolume } from "../lib/launchTemplate";
import { childName } from "../lib/naming";
import { ROLE_TAG, roleTags } from "../lib/tags";
import { renderBastionUserData } from "../lib/userData/bastion";

/** The bastion keeps nothing but logs: the smallest root volume AL2023 takes, with room for updates. */
export const BASTION_ROOT_VOLUME_GB = 10;

export interface BastionArgs {
    vpcId: pulumi.Input<string>;
    vpcCidr: string;
    publicSubnetIds: pulumi.Input<string[]>;
    instanceType: string;
    /** Sources allowed to SSH in; empty means no SSH ingress rule at all (use SSM). */
    allowedCidrs: string[];
    /** OpenSSH public key installed for ec2-user (on the bastion and, through `keyName`, the web servers). */
    sshPublicKey?: string;
    /** KMS key for the root volume; undefined uses the account's default EBS key. */
    ebsKmsKeyArn?: pulumi.Input<string>;
    /** Tags for the instance, its volume and network interface (the provider's default tags do not reach them). */
    instanceTags?: Record<string, string>;
}

export const SSH_PORT = 22;

/**
 * Marks this bastion's Elastic IP, instances and network interfaces, so its role may attach
 * that address to them and to nothing else, not even another stack's bastion in the account.
 */
export const BASTION_TAG = "webfleet:bastion";

export class Bastion extends pulumi.ComponentResource {
    public readonly securityGroupId: pulumi.Output<string>;
    /** The Elastic IP's address; undefined without allowed CIDRs (no Elastic IP, SSM only). */
    public readonly publicIp: pulumi.Output<string> | undefined;
    public readonly autoScalingGroupName: pulumi.Output<string>;
    /** EC2 key pair name when a public key is configured, for the web servers' launch template. */
    public readonly keyName: pulumi.Output<string | undefined>;
    private readonly name: string;

    constructor(name: string, args: BastionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:network:Bastion", name, {}, opts);
        this.name = name;
        if (args.allowedCidrs.some((c) => c.endsWith("/0"))) {
            throw new pulumi.ResourceError(
                `bastion.allowedCidrs: ${args.allowedCidrs.join(", ")} opens SSH to the whole internet; list your office or VPN ranges, or none and use SSM`,
                this,
            );
        }

        const sg = new aws.ec2.SecurityGroup(
            childName(name, "sg"),
            {
                vpcId: args.vpcId,
                description: "webfleet bastion: SSH from the allowed CIDRs only",
                tags: roleTags("bastion", childName(name, "sg")),
            },
            { parent: this },
        );
        args.allowedCidrs.forEach((cidr, i) => {
            new aws.vpc.SecurityGroupIngressRule(
                childName(name, `ssh-in-${i}`),
                {
                    securityGroupId: sg.id,
                    description: `SSH from allowed CIDR ${cidr}`,
                    ipProtocol: "tcp",
                    fromPort: SSH_PORT,
                    toPort: SSH_PORT,
                    cidrIpv4: cidr,
                },
                { parent: this },
            );
        });
        // Egress only for what a bastion does: SSH on into the VPC, HTTPS out for SSM, the
        // package repositories and the EC2 API (DNS and time are link-local, outside SGs).
        new aws.vpc.SecurityGroupEgressRule(
            childName(name, "ssh-out"),
            {
                securityGroupId: sg.id,
                description: "SSH to instances in the VPC",
                ipProtocol: "tcp",
                fromPort: SSH_PORT,
                toPort: SSH_PORT,
                cidrIpv4: args.vpcCidr,
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            childName(name, "https-out"),
            {
                securityGroupId: sg.id,
                description: "HTTPS for SSM, package repositories and the EC2 API",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: "0.0.0.0/0",
            },
            { parent: this },
        );
        this.securityGroupId = sg.id;

        // One value per bastion (project, stack and name: unique in the account, known before
        // anything exists), tagged on its Elastic IP, instances and network interfaces: what the
        // role's condition names. (Not this.urn: a child that waits on its own parent's URN
        // would wait forever.)
        const marker = createHash("sha256")
            .update(`${pulumi.getProject()}/${pulumi.getStack()}/${name}`)
            .digest("hex")
            .slice(0, 16);

        // An Elastic IP only when someone may SSH in from outside: it is the address they
        // connect to, and it survives a replacement. With no allowed CIDRs there is no SSH
        // ingress at all and SSM Session Manager needs no fixed address, so the stack spends
        // none of the region's five (docs/first-deploy.md, "Elastic IPs").
        const eip =
            args.allowedCidrs.length > 0
                ? new aws.ec2.Eip(
                      childName(name, "eip"),
                      {
                          domain: "vpc",
                          tags: { ...roleTags("bastion", childName(name, "eip")), [BASTION_TAG]: marker },
                      },
                      { parent: this },
                  )
                : undefined;
        this.publicIp = eip?.publicIp;

        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const role = new aws.iam.Role(
            childName(name, "role"),
            {
                assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com", account),
                description: eip ? "webfleet bastion: SSM and its own Elastic IP" : "webfleet bastion: SSM",
            },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(
            childName(name, "ssm"),
            { role: role.name, policyArn: SSM_MANAGED_INSTANCE_CORE },
            { parent: this },
        );
        const eipPolicy = eip
            ? new aws.iam.RolePolicy(
                  childName(name, "eip"),
                  {
                      role: role.id,
                      // Only this Elastic IP, and only onto this bastion's own instances and
                      // interfaces: every resource of the call must carry this bastion's marker.
                      policy: policyDocument([
                          pulumi.all([eip.arn, account, marker]).apply(([eipArn, acct, mark]): Statement => ({
                              Sid: "AttachOwnElasticIp",
                              Effect: "Allow",
                              Action: "ec2:AssociateAddress",
                              Resource: [
                                  eipArn,
                                  `arn:aws:ec2:*:${acct}:instance/*`,
                                  `arn:aws:ec2:*:${acct}:network-interface/*`,
                              ],
                              Condition: {
                                  StringEquals: {
                                      [`aws:ResourceTag/${ROLE_TAG}`]: "bastion",
                                      [`aws:ResourceTag/${BASTION_TAG}`]: mark,
                                  },
                              },
                          })),
                      ]),
                  },
                  { parent: this },
              )
            : undefined;
        const profile = new aws.iam.InstanceProfile(childName(name, "profile"), { role: role.name }, { parent: this });

        const keyPair = args.sshPublicKey
            ? new aws.ec2.KeyPair(childName(name, "key"), { publicKey: args.sshPublicKey }, { parent: this })
            : undefined;
        this.keyName = keyPair ? keyPair.keyName : pulumi.output(undefined);

        const instanceTags: Record<string, pulumi.Input<string>> = {
            ...args.instanceTags,
            ...roleTags("bastion", childName(name, "instance")),
            [BASTION_TAG]: marker,
        };
        const template = new aws.ec2.LaunchTemplate(
            childName(name, "lt"),
            {
                description: "webfleet bastion",
                imageId: al2023ImageId(args.instanceType),
                instanceType: args.instanceType,
                keyName: keyPair?.keyName,
                iamInstanceProfile: { arn: profile.arn },
                metadataOptions: IMDSV2_ONLY,
                networkInterfaces: [
                    {
                        deviceIndex: 0,
                        associatePublicIpAddress: "true",
                        deleteOnTermination: "true",
                        securityGroups: [sg.id],
                    },
                ],
                blockDeviceMappings: [encryptedRootVolume(BASTION_ROOT_VOLUME_GB, args.ebsKmsKeyArn)],
                userData: pulumi
                    .output(eip?.allocationId)
                    .apply((id) => Buffer.from(renderBastionUserData({ eipAllocationId: id })).toString("base64")),
                tagSpecifications: [
                    { resourceType: "instance", tags: instanceTags },
                    { resourceType: "volume", tags: instanceTags },
                    { resourceType: "network-interface", tags: instanceTags },
                ],
                updateDefaultVersion: true,
                tags: roleTags("bastion", childName(name, "lt")),
            },
            { parent: this },
        );

        const group = new aws.autoscaling.Group(
            childName(name, "asg"),
            {
                minSize: 1,
                maxSize: 1,
                desiredCapacity: 1,
                vpcZoneIdentifiers: args.publicSubnetIds,
                launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
                healthCheckType: "EC2",
                healthCheckGracePeriod: 120,
                // A new template (AMI, user data) replaces the bastion; an ASG of one can only do
                // that with a brief gap, which is acceptable for an operator path.
                instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 0 } },
                tags: Object.entries(instanceTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
            },
            // The first instance takes the Elastic IP at boot: its permission must be in place.
            { parent: this, dependsOn: eipPolicy ? [eipPolicy] : [] },
        );
        this.autoScalingGroupName = group.name;

        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            publicIp: this.publicIp,
            autoScalingGroupName: this.autoScalingGroupName,
            keyName: this.keyName,
        });
    }

    /**
     * The one way to let the bastion in: port 22 on `targetSecurityGroupId`, from the bastion's
     * security group and nothing else. The rule is a child of the bastion, so disabling the
     * bastion removes every path it opened.
     */
    allowSshTo(target: string, targetSecurityGroupId: pulumi.Input<string>): aws.vpc.SecurityGroupIngressRule {
        return new aws.vpc.SecurityGroupIngressRule(
            childName(this.name, `ssh-to-${target}`),
            {
                securityGroupId: targetSecurityGroupId,
                description: "SSH from the bastion only",
                ipProtocol: "tcp",
                fromPort: SSH_PORT,
                toPort: SSH_PORT,
                referencedSecurityGroupId: this.securityGroupId,
            },
            { parent: this },
        );
    }
}
