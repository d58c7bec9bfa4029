/**
 * VPC rules: every VPC adopts its default security group with no rules, and records its
 * traffic in flow logs. An awsx:ec2:Vpc and the aws:ec2/vpc:Vpc it contains count as one VPC;
 * a default VPC the stack adopts (aws.ec2.DefaultVpc) is a VPC like any other. Network ACLs the
 * stack declares keep the remote administration ports closed to the internet: networkAcls.ts.
 */
import { PolicyResource, ReportViolation } from "@pulumi/policy";
import { lineage, ofType, resolveRef } from "./lib/graph";
import { WebfleetPolicy, configOf, stackRule } from "./lib/rule";
import { STANDALONE_RULE_TYPES, ownerOf } from "./lib/securityGroups";
import { T, subject } from "./lib/types";
import { declaredButUnknown, peek } from "./lib/values";

interface VpcGroup {
    /** The resource reported on: the awsx:ec2:Vpc component, or a standalone aws:ec2/vpc:Vpc or DefaultVpc. */
    head: PolicyResource;
    members: PolicyResource[];
}

/** Logical VPCs: an awsx:ec2:Vpc with its aws:ec2/vpc:Vpc child (a real preview) is one. */
export function vpcGroups(resources: PolicyResource[]): VpcGroup[] {
    const groups: VpcGroup[] = ofType(resources, T.awsxVpc).map((head) => ({ head, members: [head] }));
    for (const vpc of ofType(resources, T.vpc, T.defaultVpc)) {
        const owner = groups.find((g) => lineage(vpc).some((a) => a.urn === g.head.urn));
        if (owner) {
            owner.members.push(vpc);
        } else {
            groups.push({ head: vpc, members: [vpc] });
        }
    }
    return groups;
}

function covers(r: PolicyResource, group: VpcGroup): boolean {
    const res = resolveRef(r, "vpcId", group.members);
    return res.kind === "resolved";
}

const defaultSgClosed = stackRule({
    name: "default-sg-closed",
    description:
        "Every VPC's default security group is adopted by the stack and has no rules, so nothing launched without an explicit group gets AWS's allow-all default.",
    severity: "high",
    resources: [
        T.vpc,
        T.awsxVpc,
        T.defaultVpc,
        T.defaultSecurityGroup,
        T.securityGroupRule,
        T.ingressRule,
        T.egressRule,
    ],
    checks: "Each VPC (aws.ec2.Vpc, awsx:ec2:Vpc or an adopted aws.ec2.DefaultVpc) has an aws.ec2.DefaultSecurityGroup with no inline or standalone rules",
    equivalents: { cdkNag: ["NIST.800.53.R5-VPCDefaultSecurityGroupClosed"], checkov: ["CKV2_AWS_12"] },
    unknown: "violation",
    unknownNote:
        "A default group whose vpcId cannot be traced covers no VPC (the VPC is reported); its wholly unknown rule list at preview counts as empty (adoption removes every rule AWS had) unless the list depends on other resources (the program built it from their outputs), which is a violation whatever it turns out to be.",
    validate: (args, report: ReportViolation) => {
        const resources = args.resources;
        const defaults = ofType(resources, T.defaultSecurityGroup);
        for (const sg of defaults) {
            for (const direction of ["ingress", "egress"] as const) {
                const entries = peek<unknown[]>(sg.props, direction);
                if (declaredButUnknown(sg, direction)) {
                    report(
                        `${subject(sg.type, sg.name)} has ${direction} rules built from other resources' outputs, unknown during preview; the default security group must stay closed, whatever they turn out to be (set ${direction}: [] and give resources their own security groups)`,
                        sg.urn,
                    );
                } else if (entries.known && Array.isArray(entries.value) && entries.value.length > 0) {
                    report(
                        `${subject(sg.type, sg.name)} has ${entries.value.length} ${direction} rule(s); the default security group must stay closed (set ${direction}: [] and give resources their own security groups)`,
                        sg.urn,
                    );
                }
            }
        }
        for (const rule of ofType(resources, ...STANDALONE_RULE_TYPES)) {
            const owner = ownerOf(rule, defaults);
            if (owner.kind === "resolved") {
                report(
                    `${subject(rule.type, rule.name)} adds a rule to the default security group '${owner.targets[0].name}'; the default security group must stay closed (attach the rule to a purpose-made security group)`,
                    rule.urn,
                );
            }
        }
        const untraced = defaults.filter((d) => resolveRef(d, "vpcId", []).kind === "unresolved");
        const note =
            untraced.length > 0
                ? ` (default security group(s) ${untraced.map((d) => `'${d.name}'`).join(", ")} could not be traced to a VPC during preview)`
                : "";
        for (const vpc of vpcGroups(resources)) {
            if (!defaults.some((d) => covers(d, vpc))) {
                report(
                    `${subject(vpc.head.type, vpc.head.name)} has no aws.ec2.DefaultSecurityGroup in the stack${note}, so its default security group keeps AWS's allow-all rules; adopt it with no rules (new aws.ec2.DefaultSecurityGroup with vpcId set to this VPC, ingress: [] and egress: [])`,
                    vpc.head.urn,
                );
            }
        }
    },
});

const vpcFlowLogsEnabled = stackRule({
    name: "vpc-flow-logs-enabled",
    description: "Every VPC has a flow log recording all traffic, so incidents can be investigated.",
    severity: "medium",
    resources: [T.vpc, T.awsxVpc, T.defaultVpc, T.flowLog],
    checks: "Each VPC (aws.ec2.Vpc, awsx:ec2:Vpc or an adopted aws.ec2.DefaultVpc) is covered by an aws.ec2.FlowLog whose vpcId matches (by ID, or through property dependencies at preview) with an allowed trafficType",
    equivalents: { cdkNag: ["AwsSolutions-VPC7", "NIST.800.53.R5-VPCFlowLogsEnabled"], checkov: ["CKV2_AWS_11"] },
    unknown: "violation",
    unknownNote:
        "A flow log whose vpcId is unknown and has no property dependency covers nothing; an unknown trafficType is a violation.",
    config: {
        trafficTypes: {
            type: "array",
            items: { type: "string", enum: ["ALL", "ACCEPT", "REJECT"] },
            minItems: 1,
            default: ["ALL"],
            description: "Accepted flow log traffic types.",
        },
    },
    validate: (args, report: ReportViolation) => {
        const { trafficTypes } = configOf(args, { trafficTypes: ["ALL"] as string[] });
        const resources = args.resources;
        const flowLogs = ofType(resources, T.flowLog);
        for (const vpc of vpcGroups(resources)) {
            const covering = flowLogs.filter((f) => covers(f, vpc));
            if (covering.length === 0) {
                const untraced = flowLogs.filter((f) => resolveRef(f, "vpcId", []).kind === "unresolved");
                const note =
                    untraced.length > 0
                        ? ` (flow log(s) ${untraced.map((f) => `'${f.name}'`).join(", ")} could not be traced to a VPC during preview)`
                        : "";
                report(
                    `${subject(vpc.head.type, vpc.head.name)} has no flow log${note}; every VPC's traffic must be recorded for incident response (add an aws.ec2.FlowLog with vpcId set to this VPC and trafficType "${trafficTypes[0]}")`,
                    vpc.head.urn,
                );
                continue;
            }
            const types = covering.map((f) => ({ f, t: peek<string>(f.props, "trafficType") }));
            if (types.some(({ t }) => t.known && typeof t.value === "string" && trafficTypes.includes(t.value))) {
                continue;
            }
            const unknown = types.find(({ t }) => !t.known);
            if (unknown) {
                report(
                    `${subject(unknown.f.type, unknown.f.name)} has a trafficType unknown during preview, so the flow logs of ${subject(vpc.head.type, vpc.head.name)} cannot be verified; flow logs must record ${trafficTypes.join(" or ")} traffic (set trafficType to a literal value)`,
                    unknown.f.urn,
                );
            } else {
                const got = types
                    .map(({ f, t }) => `'${f.name}' (${t.known ? String(t.value ?? "unset") : "unknown"})`)
                    .join(", ");
                report(
                    `${subject(vpc.head.type, vpc.head.name)} is covered only by flow log(s) ${got}; flow logs must record ${trafficTypes.join(" or ")} traffic (set trafficType: "${trafficTypes[0]}")`,
                    vpc.head.urn,
                );
            }
        }
    },
});

export const vpcPolicies: WebfleetPolicy[] = [defaultSgClosed, vpcFlowLogsEnabled];
