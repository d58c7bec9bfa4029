/**
 * The web servers' instance role: read their own app artifact, Session Manager, decrypt the
 * artifact under the stack key through S3 only, and whatever the caller appends (the database's
 * rds-db:connect, the log groups' writes); never a wildcard action.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Statement, policyDocument, serviceTrustPolicy } from "../../lib/iam";
import { childName } from "../../lib/naming";
import type { AppArtifact } from "../artifact";

/** Session Manager only (AWS's minimal instance policy for it): no Run Command, no parameters. */
export const SESSION_MANAGER_ACTIONS = [
    "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

export interface InstanceRole {
    role: aws.iam.Role;
    policy: aws.iam.RolePolicy;
    profile: aws.iam.InstanceProfile;
}

export function instanceRole(
    parent: pulumi.Resource,
    name: string,
    args: {
        region: string;
        kmsKeyArn?: pulumi.Input<string>;
        artifact: AppArtifact;
        statements?: pulumi.Input<Statement>[];
    },
): InstanceRole {
    const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const role = new aws.iam.Role(
        childName(name, "role"),
        {
            assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com", account),
            description: "webfleet web servers: read the app artifact, SSM Session Manager",
        },
        { parent },
    );
    const policy = new aws.iam.RolePolicy(
        childName(name, "role-policy"),
        {
            role: role.id,
            policy: policyDocument([...baseStatements(args), ...(args.statements ?? [])]).apply((doc) =>
                refuseWildcardActions(parent, doc),
            ),
        },
        { parent },
    );
    const profile = new aws.iam.InstanceProfile(childName(name, "profile"), { role: role.name }, { parent });
    return { role, policy, profile };
}

/** Only what the app needs: its own artifact object, Session Manager, and the artifact's key through S3. */
function baseStatements(args: {
    region: string;
    kmsKeyArn?: pulumi.Input<string>;
    artifact: AppArtifact;
}): pulumi.Input<Statement>[] {
    const statements: pulumi.Input<Statement>[] = [
        // Every bundle, not only this deploy's: see AppArtifact.bundlesArn.
        args.artifact.bundlesArn.apply((arn): Statement => ({
            Sid: "ReadAppArtifact",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: arn,
        })),
        { Sid: "SessionManager", Effect: "Allow", Action: SESSION_MANAGER_ACTIONS, Resource: "*" },
    ];
    if (args.kmsKeyArn) {
        statements.push(
            pulumi.output(args.kmsKeyArn).apply((keyArn): Statement => ({
                Sid: "DecryptAppArtifact",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: keyArn,
                Condition: { StringEquals: { "kms:ViaService": `s3.${args.region}.amazonaws.com` } },
            })),
        );
    }
    return statements;
}

/** No statement may use a wildcard action, including those another component appends. */
function refuseWildcardActions(parent: pulumi.Resource, document: string): string {
    const statements = (JSON.parse(document) as { Statement: Statement[] }).Statement;
    const wild = statements.flatMap((s) =>
        (Array.isArray(s.Action) ? s.Action : [s.Action])
            .filter((a) => a.includes("*"))
            .map((a) => `${s.Sid ?? "(no Sid)"}: ${a}`),
    );
    if (wild.length > 0) {
        throw new pulumi.ResourceError(
            `instancePolicyStatements: wildcard actions (${wild.join(", ")}) are not allowed on the web servers' role; list the exact actions`,
            parent,
        );
    }
    return document;
}
