/** Which picture of the engine a run shows (DESIGN.md, "Offline preview"; offline/plan.ts). */
export type Phase = "preview" | "update";

export const PHASES: readonly Phase[] = ["preview", "update"];

/** What each phase stands for, in the words the output uses. */
export const PHASE_TITLES: Record<Phase, string> = {
    preview: "preview (a first `pulumi preview`: values the provider computes are unknown)",
    update: "update (the state after `pulumi up`: every value known)",
};

/** The resource options the program set, as the engine receives them. */
export interface RecordedOptions {
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    /** Custom create/update/delete timeouts ("45m"), where the program set any. */
    customTimeouts?: { create?: string; update?: string; delete?: string };
    /**
     * URNs of explicit dependencies: the registration's dependencies that no input implies. (The
     * engine receives both kinds in one list; a `dependsOn` on a resource an input also names
     * is indistinguishable from the input's own dependency, and means the same.)
     */
    dependsOn: string[];
    /** URNs the resource was known by before it moved (the `aliases` option), when it has any: the engine carries its state over. */
    aliases?: string[];
}

/**
 * What the offline preview records for every resource registration. The policy runner,
 * the JSON output, the diagram and the unit tests all read this one shape.
 */
export interface RecordedResource {
    urn: string;
    /** Type token, e.g. "aws:lb/listener:Listener". */
    type: string;
    /** Logical name. */
    name: string;
    /** URN of the parent resource, or null for the stack's direct children. */
    parent: string | null;
    /** true for resources managed by a provider; false for ComponentResources. */
    custom: boolean;
    /**
     * Inputs as the program passed them, secrets unwrapped (policies see real values). In the
     * preview phase a value unknown until deploy is the engine's unknown sentinel (`UNKNOWN`).
     */
    inputs: Record<string, any>;
    /** State returned by the mocks (inputs merged with the mocked outputs), secrets unwrapped. */
    outputs: Record<string, any>;
    /** URNs this resource depends on (explicit dependsOn and those implied by its inputs). */
    dependencies: string[];
    /** For each input property, the URNs of the resources its value came from. */
    propertyDependencies: Record<string, string[]>;
    /** Dotted paths (within inputs) whose values were Pulumi secrets. */
    secretInputPaths: string[];
    /** Output properties the resource's SDK marks secret (additionalSecretOutputs). */
    secretOutputNames?: string[];
    /** The resource options; absent in hand-built records, which then have none set. */
    options?: RecordedOptions;
    /** Dotted paths (within inputs) whose values were unknown; only the preview phase has any. */
    unknownInputPaths?: string[];
}

/**
 * The engine's sentinel for a value not known until deploy, as the policy analyzer receives it
 * (@pulumi/policy's unknownStringValue, the same string as @pulumi/pulumi's rpc unknownValue).
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
