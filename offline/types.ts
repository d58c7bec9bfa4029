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
    /** Inputs as the program passed them, secrets unwrapped (policies see real values). */
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
    /** Resource options as the program set them, when recorded (the policy runner passes them on). */
    options?: RecordedOptions;
}

export interface RecordedOptions {
    protect?: boolean;
    retainOnDelete?: boolean;
    deleteBeforeReplace?: boolean;
    ignoreChanges?: string[];
    replaceOnChanges?: string[];
    dependsOn?: string[];
}
