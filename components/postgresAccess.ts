/**
 * The one way to reach the database: a 5432 pair of security group rules between a client's
 * group and the database's, never a CIDR.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export const POSTGRES_PORT = 5432;

export interface PostgresRules {
    ingress: aws.vpc.SecurityGroupIngressRule;
    egress: aws.vpc.SecurityGroupEgressRule;
}

/**
 * The 5432 pair between a client security group and the database's: ingress on the database's
 * group from the client's, egress on the client's to the database's only; children of `parent`.
 */
export function openPostgres(
    parent: pulumi.Resource,
    rules: {
        /** Names the client in the ingress rule's description. */
        client: string;
        ingressName: string;
        egressName: string;
        databaseSecurityGroupId: pulumi.Input<string>;
        clientSecurityGroupId: pulumi.Input<string>;
    },
): PostgresRules {
    const { client, databaseSecurityGroupId, clientSecurityGroupId } = rules;
    const ingress = new aws.vpc.SecurityGroupIngressRule(
        rules.ingressName,
        {
            securityGroupId: databaseSecurityGroupId,
            description: `PostgreSQL from the ${client} security group`,
            ipProtocol: "tcp",
            fromPort: POSTGRES_PORT,
            toPort: POSTGRES_PORT,
            referencedSecurityGroupId: clientSecurityGroupId,
        },
        { parent },
    );
    const egress = new aws.vpc.SecurityGroupEgressRule(
        rules.egressName,
        {
            securityGroupId: clientSecurityGroupId,
            description: "PostgreSQL to the database security group",
            ipProtocol: "tcp",
            fromPort: POSTGRES_PORT,
            toPort: POSTGRES_PORT,
            referencedSecurityGroupId: databaseSecurityGroupId,
        },
        { parent },
    );
    return { ingress, egress };
}
