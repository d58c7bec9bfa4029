/**
 * The Auto Scaling service-linked role (AWSServiceRoleForAutoScaling), which the stack key's
 * policy must name: KMS refuses (MalformedPolicyDocumentException) a key policy whose principal
 * does not exist, and in an account that never used Auto Scaling the role does not exist yet.
 * Since the key is the first resource of the stack, that would stop the whole first deploy with
 * an error that does not say why.
 *
 * So the role is either created here (`create: true`, for a fresh account; kept in the account
 * when the stack is destroyed, since every Auto Scaling group of the account uses it), or looked
 * up, and a missing role fails the preview with the command that creates it. Either way `arn`
 * resolves only once the role exists, and the key waits for it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../lib/naming";

export const AUTO_SCALING_ROLE_NAME = "AWSServiceRoleForAutoScaling";
export const AUTO_SCALING_SERVICE = "autoscaling.amazonaws.com";

export interface AutoScalingRoleArgs {
    /** Create the role (a fresh account); false: it must already exist, and is looked up. */
    create: boolean;
}

/** What to tell someone whose account has no Auto Scaling service-linked role yet. */
export function missingRoleMessage(cause: string): string {
    return (
        `the Auto Scaling service-linked role ${AUTO_SCALING_ROLE_NAME} does not exist in this account (${cause}), ` +
        `and the stack key's policy must name it. Create it once per account with ` +
        `\`aws iam create-service-linked-role --aws-service-name ${AUTO_SCALING_SERVICE}\`, ` +
        `or let the stack create it: \`pulumi config set --path account.createAutoScalingServiceLinkedRole true\``
    );
}

export class AutoScalingRole extends pulumi.ComponentResource {
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: AutoScalingRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:account:AutoScalingRole", name, {}, opts);
        if (args.create) {
            const role = new aws.iam.ServiceLinkedRole(
                childName(name, "role"),
                {
                    awsServiceName: AUTO_SCALING_SERVICE,
                    description: "Auto Scaling's role, created by webfleet for a fresh account",
                },
                // Every Auto Scaling group of the account uses it: never delete it with the stack.
                { parent: this, retainOnDelete: true },
            );
            this.arn = role.arn;
        } else {
            const found = aws.iam.getRole({ name: AUTO_SCALING_ROLE_NAME }, { parent: this }).then(
                (role) => role.arn,
                (e: unknown) => {
                    const cause = e instanceof Error && e.message ? e.message : "iam:GetRole found no such role";
                    throw new pulumi.RunError(missingRoleMessage(cause));
                },
            );
            this.arn = pulumi.output(found);
        }
        this.registerOutputs({ arn: this.arn });
    }
}
