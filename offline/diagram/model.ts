/**
 * The diagram's content, built from the recorded resources (pure, deterministic for the same
 * records): the VPC with one column per AZ holding that AZ's public, private and isolated subnets
 * and what runs in each; the request path from the internet through CloudFront and the WAF to
 * the load balancer and its servers; who may connect to whom (security groups, with ports); and
 * the services beside the VPC. Everything is matched by the IDs in the inputs (known in the
 * update phase), never by names.
 */
import { RecordedResource } from "../types";
import { connectSecurityGroups } from "./connect";
import { Architecture, GraphBuilder } from "./graph";
import { readNetwork } from "./network";
import { guardEdges, requestPath, routeEdges } from "./path";
import { placeNodes } from "./place";

export function architecture(resources: RecordedResource[]): Architecture {
    const { vpcs, subnets, natRoutes } = readNetwork(resources);
    const g = new GraphBuilder(resources, vpcs, subnets);
    placeNodes(g);
    connectSecurityGroups(g);
    const path = requestPath(g);
    guardEdges(g);
    routeEdges(g, natRoutes);
    const edges = [...g.edges].sort(
        (a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind),
    );
    const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const [, stackName, project] = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(stack?.urn ?? "") ?? [];
    const title = stackName ? `${project} ${stackName}` : "architecture";
    return { title, vpcs, subnets, nodes: g.nodes, edges, requestPath: path };
}
