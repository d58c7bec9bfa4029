/**
 * Resources that moved to another component keep their state: a move changes a resource's URN,
 * and without an alias the engine would create the "new" one and delete the old, which for a
 * named SNS topic or a security group rule fails (or deletes what was just adopted). The
 * composition root, which knows the program's history, hands each moved resource its old name
 * and parent through a transformation on the component it moved to.
 */
import * as pulumi from "@pulumi/pulumi";

export interface OldPlace {
    /** The resource's old logical name. */
    name: string;
    /** Its old parent component: name and type token (a component directly under the stack). */
    parent: { name: string; type: string };
}

/** A transformation giving each resource named in `moves` (by its new name) an alias to its old place. */
export function movedFrom(moves: Record<string, OldPlace>): pulumi.ResourceTransformation {
    return ({ name, props, opts }) => {
        const old = moves[name];
        if (!old) {
            return undefined;
        }
        const parent = pulumi.createUrn(old.parent.name, old.parent.type);
        return { props, opts: pulumi.mergeOptions(opts, { aliases: [{ name: old.name, parent }] }) };
    };
}
