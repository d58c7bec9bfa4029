/**
 * The preflight's output: what the stack needs, then (with credentials) each check with its
 * fix, as text or as one JSON document.
 */
import { estimatedVcpus, isStandardFamily } from "../lib/instanceTypes";
import { CheckResult } from "./checks";
import { AUTOSCALING_ROLE, StackNeeds, isPlaceholderAddress, vcpuNeed } from "./needs";

export interface PreflightReport {
    needs: StackNeeds;
    /** Set with credentials: the account checked. */
    account?: string;
    /** Why the account was not checked (--offline, no credentials); undefined when it was. */
    notChecked?: string;
    checks: CheckResult[];
}

/** The need lines, each a label and what the stack needs; vCPUs estimated from the type names. */
export function needLines(needs: StackNeeds): [string, string][] {
    const eips = needs.elasticIps;
    const vcpus = vcpuNeed(needs.instances, estimatedVcpus, isStandardFamily);
    const fleet = needs.instances
        .map((i) => {
            const each = estimatedVcpus(i.instanceType);
            return `${i.count} × ${i.instanceType} (${each ?? "?"} vCPUs each, ${i.role === "web" ? "web.maxSize" : "bastion"})`;
        })
        .join(" + ");
    const vcpuText = [
        `${vcpus.standard}${vcpus.unknown.length ? ` + those of ${vcpus.unknown.join(", ")}` : ""} at most: ${fleet}`,
        vcpus.otherFamilies.length ? `(${vcpus.otherFamilies.join(", ")}: another family's quota)` : "",
    ]
        .filter(Boolean)
        .join(" ");
    const azs = needs.availabilityZones;
    const recipients = needs.alarmRecipients;
    const recipientText =
        [
            recipients.email &&
                `${recipients.email}${isPlaceholderAddress(recipients.email) ? " (a placeholder at a reserved example domain: set your on-call address before the first deploy)" : ""}`,
            recipients.topicArn,
        ]
            .filter(Boolean)
            .join(" and ") || "none (subscribe to the alarmTopicArn output yourself)";
    return [
        [
            "Elastic IPs",
            `${eips.total}: ${eips.natGateways} NAT gateway${eips.natGateways === 1 ? "" : "s"} (${eips.natStrategy} over ${eips.azCount} AZs)${eips.bastion ? ` + ${eips.bastion} bastion` : " (the bastion takes none without bastion.allowedCidrs)"}; the region's default quota is 5`,
        ],
        ["VPCs", `${needs.vpcs}; the region's default quota is 5`],
        ["On-Demand Standard vCPUs", vcpuText],
        ["Availability Zones", azs.names ? azs.names.join(", ") : `the region's first ${azs.count} available`],
        ["Instance types", `${needs.instanceTypes.join(", ")}, each offered in every AZ`],
        ["AMI parameters", needs.amiParameters.join(", ")],
        [
            "Service-linked roles",
            needs.serviceLinkedRoles
                .map((r) =>
                    r.createdBy === "you"
                        ? `${r.name} (create it once: aws iam create-service-linked-role --aws-service-name ${AUTOSCALING_ROLE.service})`
                        : r.createdBy === "the stack"
                          ? `${r.name} (the stack creates it: account.createAutoScalingServiceLinkedRole)`
                          : `${r.name} (${r.service} creates it on first use)`,
                )
                .join("; "),
        ],
        [
            "Database",
            `PostgreSQL ${needs.database.engineVersion} on ${needs.database.instanceClass}${needs.database.multiAz ? ", Multi-AZ" : ""}`,
        ],
        [
            "Hosted zone",
            needs.hostedZone
                ? `${needs.hostedZone.id}, public, holding ${needs.hostedZone.domain}`
                : "none (no web.domain: self-signed certificate)",
        ],
        ["Alarm recipients", recipientText],
    ];
}

const MARK: Record<CheckResult["status"], string> = { pass: "PASS", warn: "WARN", fail: "FAIL" };

export function renderText(report: PreflightReport): string {
    const { needs } = report;
    const lines = [
        `Preflight of stack ${needs.stack} (${needs.project}) in ${needs.region}${report.account ? `, account ${report.account}` : ""}`,
        "",
        "What the stack needs from the account:",
    ];
    const rows = needLines(needs);
    const width = Math.max(...rows.map(([label]) => label.length));
    lines.push(...rows.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`));
    lines.push("");
    if (report.notChecked) {
        lines.push(`Not checked against an account: ${report.notChecked}.`);
        lines.push("Run it with AWS credentials for the target account to check each need (docs/first-deploy.md).");
        return lines.join("\n");
    }
    lines.push("Checks:");
    const idWidth = Math.max(...report.checks.map((c) => c.id.length));
    for (const c of report.checks) {
        lines.push(`  ${MARK[c.status]}  ${c.id.padEnd(idWidth)}  ${c.message}`);
        if (c.fix && c.status !== "pass") {
            lines.push(`        ${" ".repeat(idWidth)}  fix: ${c.fix}`);
        }
    }
    const failed = report.checks.filter((c) => c.status === "fail").length;
    const warned = report.checks.filter((c) => c.status === "warn").length;
    lines.push("");
    lines.push(
        failed
            ? `${failed} check${failed === 1 ? "" : "s"} failed: fix ${failed === 1 ? "it" : "them"} before \`pulumi up\`.`
            : `All checks passed${warned ? ` (${warned} warning${warned === 1 ? "" : "s"})` : ""}.`,
    );
    return lines.join("\n");
}

export function renderJson(report: PreflightReport): string {
    return JSON.stringify(
        {
            project: report.needs.project,
            stack: report.needs.stack,
            region: report.needs.region,
            checked: report.notChecked === undefined,
            account: report.account,
            notChecked: report.notChecked,
            needs: report.needs,
            checks: report.checks,
        },
        null,
        2,
    );
}

/** 1 when a check failed, 0 otherwise (warnings pass). */
export function exitCodeOf(report: PreflightReport): number {
    return report.checks.some((c) => c.status === "fail") ? 1 : 0;
}
