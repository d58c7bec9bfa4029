/**
 * Where each resource that matters for the picture is drawn. A resource in several subnets is
 * drawn once per subnet: an Auto Scaling group in each AZ it launches into, with the instances
 * that AZ holds (Auto Scaling keeps AZs balanced); a Lambda in each subnet it has a network
 * interface in; RDS as its primary and, Multi-AZ, its standby in the DB subnet group's subnets.
 */
import { RecordedResource } from "../types";
import { GraphBuilder, DiagramNode, NodeKind, Where } from "./graph";
import { autoScalingLines, databaseLines, loadBalancerLines, SIMPLE_NODES } from "./labels";
import { SubnetView } from "./network";
import { ASG, RESTORE_TESTING_SELECTION, list, templateOf, truthy } from "./reachability";

export const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
export const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];

type NodeSpec = Omit<DiagramNode, "id">;

export function placeNodes(g: GraphBuilder): void {
    const inSubnets = (ids: unknown): SubnetView[] =>
        list(ids).flatMap((id) => (g.subnetById.has(id) ? [g.subnetById.get(id)!] : []));
    /** The VPC of the first known subnet (or of the vpcId input), else outside. */
    const vpcOf = (r: RecordedResource, ids: string[] = []): Where => {
        const vpc = g.subnetById.get(ids.find((id) => g.subnetById.has(id)) ?? "")?.vpc ?? r.inputs.vpcId;
        return g.vpcs.some((v) => v.id === vpc) ? { area: "vpc", id: vpc } : { area: "outside" };
    };
    const at = (s: SubnetView | undefined, otherwise: Where): Where => (s ? { area: "subnet", id: s.id } : otherwise);
    /** One node per subnet, or a single one where the subnets are not known. */
    const perSubnet = (r: RecordedResource, subnets: SubnetView[], spec: (s?: SubnetView) => NodeSpec) => {
        if (subnets.length === 0) {
            g.add(r.name, spec(), r.urn);
        }
        subnets.forEach((s) => g.add(`${r.name}@${s.az}`, spec(s), r.urn));
    };

    for (const r of g.resources) {
        const i = r.inputs;
        if (LOAD_BALANCERS.includes(r.type)) {
            const listeners = g.ofType(...LISTENERS).filter((l) => l.inputs.loadBalancerArn === r.outputs.arn);
            const ids = [...list(i.subnets), ...list((i.subnetMappings ?? []).map((m: any) => m?.subnetId))];
            const lines = loadBalancerLines(r, listeners);
            g.add(r.name, { lines, kind: "edge", where: vpcOf(r, ids), urn: r.urn }, r.urn);
        } else if (r.type === ASG) {
            const subnets = inSubnets(i.vpcZoneIdentifiers);
            const azCount = Math.max(1, new Set(subnets.map((s) => s.az)).size);
            const lines = autoScalingLines(r, templateOf(r, g.resources)?.inputs.instanceType, azCount);
            // Fewer instances than AZs: some AZ holds none at any moment.
            const optional = (i.desiredCapacity ?? i.minSize ?? 0) < azCount;
            perSubnet(r, subnets, (s) => ({
                lines,
                kind: "compute",
                where: at(s, vpcOf(r)),
                urn: r.urn,
                ...(s && optional ? { optional } : {}),
            }));
        } else if (r.type === "aws:lambda/function:Function" || r.type === "aws:ec2/instance:Instance") {
            const lambda = r.type === "aws:lambda/function:Function";
            const subnets = inSubnets(lambda ? i.vpcConfig?.subnetIds : [i.subnetId]);
            // A Lambda outside any VPC runs in AWS's network, beside the VPC.
            const otherwise: Where = lambda ? { area: "services" } : vpcOf(r);
            perSubnet(r, subnets, (s) => ({
                lines: SIMPLE_NODES[r.type](r),
                kind: "compute",
                where: at(s, otherwise),
                urn: r.urn,
            }));
        } else if (r.type === "aws:rds/instance:Instance") {
            placeDatabase(g, r, inSubnets, (s) => at(s, vpcOf(r)));
        } else if (r.type === RESTORE_TESTING_SELECTION && r.inputs.protectedResourceType === "RDS") {
            placeRestoreTest(g, r, inSubnets);
        } else if (r.type === "aws:ec2/natGateway:NatGateway") {
            const where = at(g.subnetById.get(i.subnetId), vpcOf(r));
            g.add(r.name, { lines: SIMPLE_NODES[r.type](r), kind: "network", where, urn: r.urn }, r.urn);
        } else if (r.type in SIMPLE_NODES) {
            const kind = simpleKind(r.type);
            const where: Where = kind === "edge" || kind === "firewall" ? { area: "edge" } : { area: "services" };
            g.add(r.name, { lines: SIMPLE_NODES[r.type](r), kind, where, urn: r.urn }, r.urn);
        }
    }
}

function simpleKind(type: string): NodeKind {
    if (type.startsWith("aws:s3")) return "storage";
    if (type === DISTRIBUTION) return "edge";
    if (type.startsWith("aws:wafv2")) return "firewall";
    if (type.startsWith("aws:rds")) return "database";
    return "security";
}

/**
 * The instance a restore test restores (AWS Backup creates it for the test and deletes it after)
 * in the DB subnet group its overrides name: dashed in each of the group's subnets, since it
 * exists only while a test runs, in whichever AZ RDS picks.
 */
function placeRestoreTest(g: GraphBuilder, r: RecordedResource, inSubnets: (ids: unknown) => SubnetView[]): void {
    const overrides = r.inputs.restoreMetadataOverrides ?? {};
    const group = g
        .ofType("aws:rds/subnetGroup:SubnetGroup")
        .find((sg) => (sg.outputs.name ?? sg.outputs.id) === overrides.dbSubnetGroupName);
    const lines = ["RDS restore test", `${String(overrides.dbInstanceClass ?? "?")}, while a test runs`, r.name];
    const subnets = inSubnets(group?.inputs.subnetIds);
    if (subnets.length === 0) {
        g.add(r.name, { lines, kind: "database", where: { area: "outside" }, urn: r.urn, optional: true }, r.urn);
    }
    for (const s of subnets) {
        const where: Where = { area: "subnet", id: s.id };
        g.add(`${r.name}@${s.az}`, { lines, kind: "database", where, urn: r.urn, optional: true }, r.urn);
    }
}

function placeDatabase(
    g: GraphBuilder,
    db: RecordedResource,
    inSubnets: (ids: unknown) => SubnetView[],
    at: (s: SubnetView | undefined) => Where,
): void {
    const name = db.inputs.dbSubnetGroupName;
    const group = g
        .ofType("aws:rds/subnetGroup:SubnetGroup")
        .find((sg) => name !== undefined && (sg.outputs.name ?? sg.outputs.id) === name);
    const subnets = inSubnets(group?.inputs.subnetIds);
    // RDS picks the AZs unless told: drawn in the asked-for AZ, else the group's first.
    const primary = subnets.find((s) => s.az === db.inputs.availabilityZone) ?? subnets[0];
    const standby = truthy(db.inputs.multiAz) ? subnets.find((s) => s.az !== primary?.az) : undefined;
    const lines = databaseLines(db, standby ? "primary" : undefined);
    const main = g.add(db.name, { lines, kind: "database", where: at(primary), urn: db.urn }, db.urn);
    g.reachable.set(db.urn, [main]);
    if (standby) {
        const spec = {
            lines: databaseLines(db, "standby"),
            kind: "database" as const,
            where: at(standby),
            urn: db.urn,
        };
        g.connect(main, g.add(`${db.name} standby`, spec), "replication", "sync");
    }
    if (truthy(db.inputs.manageMasterUserPassword)) {
        g.add(`${db.name} master secret`, {
            lines: ["Secrets Manager secret", "RDS master password", `(managed by RDS for ${db.name})`],
            kind: "security",
            where: { area: "services" },
            urn: db.urn,
        });
    }
}
