/**
 * The preflight's checks: what the stack needs (preflight/needs.ts) against what the account
 * has (preflight/account.ts). Each result says what was found and, when it fails, the exact fix:
 * an `aws` command, a Service Quotas request or a `pulumi config set`. What was already made
 * by this very stack (tagged webfleet:project and webfleet:stack) is not counted against it, so
 * the preflight of a deployed stack passes as its first one did.
 *
 * A check that cannot read what it needs fails, naming the denied action, rather than passing:
 * the preflight is never kinder than the deploy. Two exceptions, both warnings: quotas when the
 * Service Quotas API is not allowed (the AWS defaults are assumed, and said), and the vCPUs in
 * use when instances cannot be listed (the need is compared with the whole quota).
 */
import { Account } from "./account";
import { elasticIps, vcpus, vpcs } from "./capacity";
import { AUTOSCALING_ROLE, StackNeeds, isPlaceholderAddress } from "./needs";
import { amiParameters, availabilityZones, database, instanceTypeOfferings } from "./placement";
import { Check, CheckResult, guarded } from "./result";

export { CheckResult, CheckStatus, isAccessDenied } from "./result";

/**
 * Who the credentials are, checked first: when STS refuses them (expired, invalid), every other
 * check would fail the same way, so the preflight reports this one alone.
 */
export async function checkIdentity(account: Account): Promise<{ accountId?: string; result: CheckResult }> {
    try {
        const { account: accountId, arn } = await account.identity();
        return { accountId, result: { id: "identity", status: "pass", message: `account ${accountId} as ${arn}` } };
    } catch (e) {
        return {
            result: {
                id: "identity",
                status: "fail",
                message: `the credentials were refused: ${(e as Error).name}: ${(e as Error).message}`,
                fix: "refresh them (e.g. `aws sso login`, or new keys) and check with `aws sts get-caller-identity`",
            },
        };
    }
}

const autoScalingRole: Check = async (needs, account) => {
    const { name, service } = AUTOSCALING_ROLE;
    if (needs.serviceLinkedRoles.some((r) => r.name === name && r.createdBy === "the stack")) {
        return [
            {
                id: "autoscaling-role",
                status: "pass",
                message: `${name}: the stack creates it (account.createAutoScalingServiceLinkedRole); if it exists already, turn that off or the create fails`,
            },
        ];
    }
    return (await account.roleExists(name))
        ? [{ id: "autoscaling-role", status: "pass", message: `${name} exists` }]
        : [
              {
                  id: "autoscaling-role",
                  status: "fail",
                  message: `${name} does not exist (an account that never used Auto Scaling): the stack key's policy names it, so creating the key, the first resource, would fail with MalformedPolicyDocumentException`,
                  fix: `aws iam create-service-linked-role --aws-service-name ${service} (or: pulumi config set --path account.createAutoScalingServiceLinkedRole true)`,
              },
          ];
};

const hostedZone: Check = async (needs, account) => {
    const want = needs.hostedZone;
    if (!want) {
        return [];
    }
    const zone = await account.hostedZone(want.id);
    const setZone = `pulumi config set --stack ${needs.stack} --path web.hostedZoneId <the zone's ID>`;
    const lookup = `aws route53 list-hosted-zones-by-name --dns-name ${want.domain.split(".").slice(1).join(".")} --query 'HostedZones[?Config.PrivateZone==\`false\`].[Id,Name]'`;
    if (!zone) {
        return [
            {
                id: "hosted-zone",
                status: "fail",
                message: `web.hostedZoneId ${want.id} does not exist (or is in another account)`,
                fix: `${lookup}, then ${setZone}`,
            },
        ];
    }
    if (zone.privateZone) {
        return [
            {
                id: "hosted-zone",
                status: "fail",
                message: `${want.id} (${zone.name}) is a private zone: ACM cannot validate through it and the internet cannot resolve the domain`,
                fix: `${lookup}, then ${setZone}`,
            },
        ];
    }
    const inZone = want.domain === zone.name || want.domain.endsWith(`.${zone.name}`);
    return [
        inZone
            ? {
                  id: "hosted-zone",
                  status: "pass",
                  message: `${want.domain} is in the public zone ${zone.name} (${want.id})`,
              }
            : {
                  id: "hosted-zone",
                  status: "fail",
                  message: `web.domain ${want.domain} is not in ${want.id}, which holds ${zone.name}`,
                  fix: `${lookup}, then ${setZone}`,
              },
    ];
};

/** No account call: a recipient at a reserved example domain receives nothing. */
export function alarmRecipientChecks(needs: StackNeeds): CheckResult[] {
    const { email, topicArn } = needs.alarmRecipients;
    if (email && isPlaceholderAddress(email)) {
        return [
            {
                id: "alarm-recipient",
                status: "fail",
                message: `monitoring.alarmEmail ${email} is at a reserved example domain: no alarm would reach anyone`,
                fix: `pulumi config set --stack ${needs.stack} --path monitoring.alarmEmail <your on-call address>`,
            },
        ];
    }
    if (!email && !topicArn) {
        return [
            {
                id: "alarm-recipient",
                status: "warn",
                message:
                    "no monitoring.alarmEmail or monitoring.alarmTopicArn: alarms reach only whoever subscribes to the topic",
                fix: `pulumi config set --stack ${needs.stack} --path monitoring.alarmEmail <your on-call address>`,
            },
        ];
    }
    return [
        {
            id: "alarm-recipient",
            status: "pass",
            message: [email && `${email} (confirm the subscription AWS mails)`, topicArn].filter(Boolean).join(" and "),
        },
    ];
}

/** Every check but the identity, run side by side; the results in a fixed order. */
export async function runChecks(needs: StackNeeds, account: Account): Promise<CheckResult[]> {
    const zones = guarded("availability-zones", "ec2:DescribeAvailabilityZones", async () => {
        const { zones: picked, results } = await availabilityZones(needs, account);
        if (!picked) {
            return results;
        }
        const offerings = await guarded("instance-types", "ec2:DescribeInstanceTypeOfferings", () =>
            instanceTypeOfferings(needs, account, picked),
        );
        return [...results, ...offerings];
    });
    const groups = await Promise.all([
        guarded("autoscaling-role", "iam:GetRole", () => autoScalingRole(needs, account)),
        guarded("elastic-ips", "ec2:DescribeAddresses", () => elasticIps(needs, account)),
        guarded("vpcs", "ec2:DescribeVpcs", () => vpcs(needs, account)),
        guarded("vcpus", "ec2:DescribeInstanceTypes", () => vcpus(needs, account)),
        zones,
        guarded("ami", "ssm:GetParameter", () => amiParameters(needs, account)),
        guarded("hosted-zone", "route53:GetHostedZone", () => hostedZone(needs, account)),
        guarded("database", "rds:DescribeOrderableDBInstanceOptions", () => database(needs, account)),
        Promise.resolve(alarmRecipientChecks(needs)),
    ]);
    return groups.flat();
}
