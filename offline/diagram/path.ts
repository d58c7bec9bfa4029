/**
 * The way in: a visitor's request path (internet → CloudFront → load balancer → the servers its
 * listeners forward to), the WAF web ACLs where they inspect requests, and the private subnets'
 * default routes through the NAT gateways.
 */
import { RecordedResource } from "../types";
import { GraphBuilder, INTERNET } from "./graph";
import { originsOf } from "./connect";
import { NatRoute } from "./network";
import { DISTRIBUTION, LOAD_BALANCERS } from "./place";
import { ASG, list } from "./reachability";

function viewerLabel(policy: unknown): string {
    return policy === "redirect-to-https" ? "443 (80 → 301)" : policy === "https-only" ? "443" : "80, 443";
}

/** The groups registered in the target groups a load balancer's listeners and rules forward to. */
function forwardTargets(lb: RecordedResource, resources: RecordedResource[]) {
    const listeners = resources.filter(
        (r) => r.type.endsWith("/listener:Listener") && r.inputs.loadBalancerArn === lb.outputs.arn,
    );
    const rules = resources.filter(
        (r) =>
            r.type.endsWith("/listenerRule:ListenerRule") &&
            listeners.some((l) => l.outputs.arn === r.inputs.listenerArn),
    );
    const actions: any[] = [
        ...listeners.flatMap((l) => l.inputs.defaultActions ?? []),
        ...rules.flatMap((r) => r.inputs.actions ?? []),
    ];
    const arns = new Set(
        actions.flatMap((a) => list([a?.targetGroupArn, ...(a?.forward?.targetGroups ?? []).map((t: any) => t?.arn)])),
    );
    return [...arns].flatMap((arn) => {
        const tg = resources.find((r) => r.type.endsWith("/targetGroup:TargetGroup") && r.outputs.arn === arn);
        return resources
            .filter((r) => r.type === ASG && list(r.inputs.targetGroupArns).includes(arn))
            .map((group) => ({ group, port: String(tg?.inputs.port ?? "") }));
    });
}

/** Marks the hop as the request path: its security-group edge, or a forward edge where none. */
function onPath(g: GraphBuilder, from: string, to: string, label: string): void {
    const edge = g.edges.find((e) => e.from === from && e.to === to && e.kind === "connect");
    if (edge) {
        edge.path = true;
    } else {
        g.connect(from, to, "forward", label, true);
    }
}

export function requestPath(g: GraphBuilder): string[][] {
    const drawn = (r: RecordedResource) => g.copies.get(r.urn) ?? [];
    const distributions = g.ofType(DISTRIBUTION).filter((d) => g.copies.has(d.urn));
    const fromInternet = g
        .ofType(...LOAD_BALANCERS)
        .filter((lb) => drawn(lb).some((id) => g.edges.some((e) => e.from === INTERNET && e.to === id)));
    if (distributions.length === 0 && fromInternet.length === 0) {
        return [];
    }
    const stages: string[][] = [[g.special(INTERNET, ["internet", "0.0.0.0/0"])]];
    let lbs = fromInternet;
    fromInternet.forEach((lb) => drawn(lb).forEach((id) => onPath(g, INTERNET, id, "")));
    if (distributions.length > 0) {
        stages.push(distributions.flatMap(drawn));
        lbs = [...new Set(distributions.flatMap((d) => originsOf(d, g.resources)))];
        for (const d of distributions) {
            onPath(g, INTERNET, g.first(d)!, viewerLabel(d.inputs.defaultCacheBehavior?.viewerProtocolPolicy));
            originsOf(d, g.resources).forEach((lb) => drawn(lb).forEach((id) => onPath(g, g.first(d)!, id, "origin")));
        }
    }
    stages.push(lbs.flatMap(drawn));
    const targets = new Set<string>();
    for (const lb of lbs) {
        for (const { group, port } of forwardTargets(lb, g.resources)) {
            for (const id of drawn(group)) {
                drawn(lb).forEach((from) => onPath(g, from, id, port));
                targets.add(id);
            }
        }
    }
    return targets.size > 0 ? [...stages, [...targets]] : stages;
}

/** Where each WAF web ACL inspects requests: a resource it is associated with, or a distribution. */
export function guardEdges(g: GraphBuilder): void {
    for (const acl of g.ofType("aws:wafv2/webAcl:WebAcl").filter((a) => g.copies.has(a.urn))) {
        const associated = g
            .ofType("aws:wafv2/webAclAssociation:WebAclAssociation")
            .filter((a) => a.inputs.webAclArn === acl.outputs.arn)
            .map((a) => g.resources.find((r) => r.outputs.arn === a.inputs.resourceArn));
        const fronted = g
            .ofType(DISTRIBUTION)
            .filter((d) => d.inputs.webAclId && [acl.outputs.arn, acl.outputs.id].includes(d.inputs.webAclId));
        for (const target of [...associated, ...fronted]) {
            (g.copies.get(target?.urn ?? "") ?? []).forEach((to) => g.connect(g.first(acl)!, to, "guard", "inspects"));
        }
    }
}

export function routeEdges(g: GraphBuilder, routes: NatRoute[]): void {
    for (const route of routes) {
        const nat = g.ofType("aws:ec2/natGateway:NatGateway").find((r) => r.outputs.id === route.nat);
        const to = nat && g.first(nat);
        if (to && g.subnetById.has(route.subnet)) {
            g.connect(route.subnet, to, "route", "0.0.0.0/0");
        }
    }
}
