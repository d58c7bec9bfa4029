/**
 * Small builders for IAM policy documents, so every policy in the program is plain JSON the
 * tests and the policy pack can read (no data-source call to render them).
 */
import * as pulumi from "@pulumi/pulumi";

export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource?: string | string[];
    Principal?: Record<string, string | string[]>;
    Condition?: Record<string, Record<string, string | string[]>>;
}

export function policyDocument(statements: pulumi.Input<Statement>[]): pulumi.Output<string> {
    return pulumi.output(statements).apply((s) => JSON.stringify({ Version: "2012-10-17", Statement: s }));
}

/** Trust policy for a service, limited to this account so no other account's resources can use the role. */
export function serviceTrustPolicy(service: string, accountId: pulumi.Input<string>): pulumi.Output<string> {
    return policyDocument([
        pulumi.output(accountId).apply((account): Statement => ({
            Effect: "Allow",
            Principal: { Service: service },
            Action: "sts:AssumeRole",
            ...(service === "ec2.amazonaws.com"
                ? {}
                : { Condition: { StringEquals: { "aws:SourceAccount": account } } }),
        })),
    ]);
}

export const SSM_MANAGED_INSTANCE_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

/** The bucket-policy statement that refuses any request not made over TLS. */
export function denyInsecureTransport(bucketArn: pulumi.Input<string>): pulumi.Output<Statement> {
    return pulumi.output(bucketArn).apply((arn): Statement => ({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    }));
}

/** A function's right to write its own log group: streams and events, nothing else. */
export function writeOwnLogs(logGroupArn: string): Statement {
    return {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroupArn}:*`,
    };
}

/**
 * What AWSLambdaVPCAccessExecutionRole grants a function in a VPC, minus its logs actions on every
 * group. Lambda itself makes these calls to manage the function's network interfaces and checks
 * for them on "*" when it creates the function; the Describe actions have no resource level.
 */
export const MANAGE_VPC_NETWORK_INTERFACES: Statement = {
    Sid: "ManageVpcNetworkInterfaces",
    Effect: "Allow",
    Action: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    ],
    Resource: "*",
};
