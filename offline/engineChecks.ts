/**
 * What the engine refuses when a registration arrives, before any provider sees it, and the
 * mock monitor does not (it keys resources by a URN of its own and overwrites a duplicate):
 *
 * - a type token that is not `package:module:member` ("Type 'x' is not a valid type token (must
 *   have format '*:*:*')", the resource monitor's InvalidArgument);
 * - a second resource with the URN of one already registered ("Duplicate resource URN '…'; try
 *   giving it a unique name", the step generator's error 2001, which fails the preview).
 *
 * The engine's URN carries the whole chain of parent types (`A$B$C::name`), not only the
 * parent's own type as the mock monitor's does, and leaves out the root stack's type: two
 * resources collide when type, name and that chain are all the same, whoever their parents are.
 */

const ROOT_STACK = "pulumi:pulumi:Stack";

export class RegistrationChecks {
    /** The engine's qualified type (the parent chain) of each registered resource, by the mock monitor's URN. */
    private readonly chains = new Map<string, string>();
    private readonly engineUrns = new Set<string>();

    constructor(
        private readonly stack: string,
        private readonly project: string,
    ) {}

    /** The engine's error for this registration, if it would refuse it; otherwise records it. */
    register(mockUrn: string, parent: string, type: string, name: string): Error | undefined {
        if (type.split(":").length < 3) {
            return new Error(`Type '${type}' is not a valid type token (must have format '*:*:*')`);
        }
        // (A parent the monitor did not register here, e.g. one read: its URN's own chain.)
        const parentChain = parent ? (this.chains.get(parent) ?? parent.split("::")[2]) : undefined;
        const chain = parentChain === undefined || parentChain === ROOT_STACK ? type : `${parentChain}$${type}`;
        const urn = `urn:pulumi:${this.stack}::${this.project}::${chain}::${name}`;
        if (this.engineUrns.has(urn)) {
            return new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
        }
        this.engineUrns.add(urn);
        this.chains.set(mockUrn, chain);
        return undefined;
    }
}
