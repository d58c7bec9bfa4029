/**
 * Per-person SSH access, converged without replacing an instance: one SSM Command document
 * holding the account script and the people (lib/userData/sshAccess.ts), and one State Manager
 * association per host role, targeting the instances tagged for it. An association runs when it
 * is created or changed (every deploy that changes the people gives the document a new version,
 * which the association names, so it runs at once), on every new instance that carries the tag,
 * and every 30 minutes, so a last day that comes between deploys, or an account edited by hand,
 * is put right within the half hour; the account's own shadow expiry locks it at 00:00 UTC
 * that day even before.
 *
 * Why not the launch templates: a changed user data would replace every server (an instance
 * refresh of the fleet, a gap on the bastion) to remove one person, and still leave the last
 * day to the next deploy.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Statement } from "../lib/iam";
import { childName } from "../lib/naming";
import { SshPerson, isActive, utcToday } from "../lib/sshPeople";
import { HOST_ROLES, HostRole, renderSshAccessDocument } from "../lib/userData/sshAccess";

/** The instance tag the associations target; its value names the stack and the host role. */
export const SSH_ACCESS_TAG = "webfleet:ssh-access";

/** The tag value for one role's instances: unique to the project and stack in the account. */
export function sshAccessTagValue(project: string, stack: string, role: HostRole): string {
    return `${project}/${stack}/${role}`;
}

/** Re-applied this often besides on every change; State Manager's shortest rate. */
export const RECONVERGE_SCHEDULE = "rate(30 minutes)";

export interface SshAccessTarget {
    /** bastion: accounts that can only jump on to SSH in the VPC; web: a shell. */
    role: HostRole;
    /** The value of SSH_ACCESS_TAG on this role's instances (sshAccessTagValue). */
    tagValue: string;
}

export interface SshAccessArgs {
    /** Names resources AWS shows by name (the associations): e.g. "webfleet-dev". */
    prefix: string;
    /** Everyone configured; those whose last day has come are left out at this deploy. */
    people: SshPerson[];
    /** One association each; an empty list converges nothing. */
    targets: SshAccessTarget[];
    /** The deploy's day, YYYY-MM-DD (UTC); default: today. Injectable for tests. */
    today?: string;
}

export class SshAccess extends pulumi.ComponentResource {
    public readonly documentName: pulumi.Output<string>;
    public readonly documentArn: pulumi.Output<string>;
    /** Association IDs by role. */
    public readonly associationIds: Partial<Record<HostRole, pulumi.Output<string>>>;

    constructor(name: string, args: SshAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webfleet:access:SshAccess", name, {}, opts);
        const roles = args.targets.map((t) => t.role);
        const bad = args.targets.find((t) => !HOST_ROLES.includes(t.role) || t.tagValue.trim() === "");
        if (bad || new Set(roles).size !== roles.length) {
            throw new pulumi.ResourceError(
                `targets: ${JSON.stringify(args.targets)}; give each role (${HOST_ROLES.join(", ")}) at most once, with the tag value its instances carry`,
                this,
            );
        }
        const today = args.today ?? utcToday();
        for (const p of args.people.filter((q) => !isActive(q, today))) {
            void pulumi.log.info(
                `${p.name}: access ended on ${p.expires}; this deploy removes the account (the entry can go from bastion.users)`,
                this,
            );
        }
        let content: string;
        try {
            content = renderSshAccessDocument(args.people.filter((p) => isActive(p, today)));
        } catch (e) {
            throw new pulumi.ResourceError(`people: ${(e as Error).message}`, this);
        }

        const doc = new aws.ssm.Document(
            childName(name, "doc"),
            {
                documentType: "Command",
                documentFormat: "JSON",
                targetType: "/AWS::EC2::Instance",
                content,
            },
            { parent: this },
        );
        this.documentName = doc.name;
        this.documentArn = doc.arn;

        this.associationIds = {};
        for (const target of args.targets) {
            const association = new aws.ssm.Association(
                childName(name, target.role),
                {
                    associationName: `${args.prefix}-ssh-access-${target.role}`,
                    name: doc.name,
                    // The version this deploy wrote: a new one changes the association, and a
                    // changed association runs at once on every target.
                    documentVersion: doc.latestVersion,
                    targets: [{ key: `tag:${SSH_ACCESS_TAG}`, values: [target.tagValue] }],
                    parameters: { role: target.role },
                    scheduleExpression: RECONVERGE_SCHEDULE,
                    complianceSeverity: "HIGH",
                    // Every host at once, and on past a failing one: a revocation must reach all
                    // of them, and each host guards its own sshd (sshd -t, the lock-out check).
                    maxConcurrency: "100%",
                    maxErrors: "100%",
                },
                { parent: this },
            );
            this.associationIds[target.role] = association.associationId;
        }

        this.registerOutputs({
            documentName: this.documentName,
            documentArn: this.documentArn,
            associationIds: this.associationIds,
        });
    }

    /**
     * What an instance role needs for the SSM agent to run the associations (the bastion's
     * AmazonSSMManagedInstanceCore has it already): fetch this document and nothing else, and
     * list its instance's associations and report how they ran. Those are the agent's own calls
     * about the instance it runs on, granted on "*" as AWS's managed instance policies do (the
     * policy pack's iam-resource-wildcard knows them). No Run Command: nothing can be sent to
     * the servers ad hoc.
     */
    agentStatements(): pulumi.Input<Statement>[] {
        return [
            this.documentArn.apply((arn): Statement => ({
                Sid: "ReadSshAccessDocument",
                Effect: "Allow",
                Action: ["ssm:GetDocument", "ssm:DescribeDocument"],
                Resource: arn,
            })),
            {
                Sid: "RunStateManagerAssociations",
                Effect: "Allow",
                Action: [
                    "ssm:ListInstanceAssociations",
                    "ssm:UpdateInstanceAssociationStatus",
                    "ssm:PutComplianceItems",
                ],
                Resource: "*",
            },
        ];
    }
}
