/**
 * The one mocks module: the offline preview and the unit tests both run the program through it,
 * so tests, CI and users see one picture. Outputs are realistic per resource type
 * (offline/mockState.ts); an invoke it does not know is an error, so a new data source can never
 * silently return nothing.
 *
 * It runs in one of two phases, like the engine: "update", the state after `pulumi up` (every
 * value known), or "preview", a first `pulumi preview` of a stack that does not exist yet (a dry
 * run: what providers compute is unknown; inputs, config and autonamed names are known). A remote
 * component's children, which its provider registers, are recorded too (offline/awsxVpc.ts).
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { AWSX_VPC, AwsxVpcInputs, vpcChildren } from "./awsxVpc";
import { RegistrationChecks } from "./engineChecks";
import { DEFAULT_EXISTING_ROLES, mockInvoke } from "./mockInvoke";
import { stateFor } from "./mockPhases";
import { MOCK_ACCOUNT_ID } from "./mockState";
import { Phase, RecordedOptions, RecordedResource, UNKNOWN } from "./types";

export { MOCK_ACCOUNT_ID } from "./mockState";
export { mockAzNames } from "./awsxVpc";
export { DEFAULT_EXISTING_ROLES } from "./mockInvoke";

// Signatures of the Pulumi wire format (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SIG_SECRET = "1b47061264138c4ac30d75fd1eb44270";
const SIG_RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e";
const SIG_OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const SIG_ASSET = "c44067f5952c0a294b673a41bacd8c17";
const SIG_ARCHIVE = "0def7320c3a5731c473e5ecbe6d01bc7";

/** Assets and archives are recorded by their digest and size, not their (possibly megabytes of) text. */
function summarizeAsset(obj: Record<string, unknown>): Record<string, unknown> {
    if (typeof obj.text === "string") {
        return {
            asset: {
                sha256: crypto.createHash("sha256").update(obj.text).digest("hex"),
                bytes: Buffer.byteLength(obj.text),
            },
        };
    }
    return { asset: { path: obj.path, uri: obj.uri } };
}

interface Paths {
    secret: string[];
    unknown: string[];
}

/**
 * Unwraps wire values: secrets become plain values (their paths noted), resource references
 * their IDs; an unknown value (preview only) stays the engine's sentinel, its path noted.
 */
function unwrap(value: unknown, path: string, paths: Paths): any {
    if (Array.isArray(value)) {
        return value.map((v, i) => unwrap(v, `${path}[${i}]`, paths));
    }
    if (value === UNKNOWN) {
        paths.unknown.push(path);
        return UNKNOWN;
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const obj = value as Record<string, unknown>;
    switch (obj[SIG_KEY]) {
        case SIG_SECRET:
            paths.secret.push(path);
            return unwrap(obj.value, path, { secret: [], unknown: paths.unknown });
        case SIG_OUTPUT:
            if (obj.secret) {
                paths.secret.push(path);
            }
            return unwrap(obj.value, path, paths);
        case SIG_RESOURCE:
            return obj.id === "" || obj.id === undefined ? (obj.urn ?? UNKNOWN) : unwrap(obj.id, path, paths);
        case SIG_ASSET:
            return summarizeAsset(obj);
        case SIG_ARCHIVE:
            if (obj.assets && typeof obj.assets === "object") {
                return {
                    archive: Object.fromEntries(
                        Object.entries(obj.assets as Record<string, unknown>).map(([k, v]) => [
                            k,
                            unwrap(v, `${path}.${k}`, paths),
                        ]),
                    ),
                };
            }
            return { archive: { path: obj.path, uri: obj.uri } };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
        if (k !== SIG_KEY) {
            out[k] = unwrap(v, path ? `${path}.${k}` : k, paths);
        }
    }
    return out;
}

export interface MockOptions {
    region: string;
    /** Default "update": every value known, as after a deploy. */
    phase?: Phase;
    /** IAM roles the mocked account has, by name; default: the Auto Scaling service-linked role. */
    existingRoles?: string[];
}

/**
 * Records every registration: MockMonitor gives the mocks only type, name and inputs, so the
 * recorder wraps its registerResource to also keep parent, dependencies and property
 * dependencies, which the stack policies and the resource tree need.
 */
export class Recorder {
    readonly resources: RecordedResource[] = [];
    readonly invokes: string[] = [];
    /** Registrations the engine would refuse (offline/engineChecks.ts): each fails the run, as it fails a preview. */
    readonly refused: Error[] = [];
}

let active: { recorder: Recorder; region: string; phase: Phase } | undefined;
/** One engine's checks per mock monitor: every setMocks (ours or a test's own) is a fresh deployment. */
const checksOf = new WeakMap<MockMonitor, RegistrationChecks>();
let patched = false;

/**
 * The URNs a registration's aliases name: a spec's missing name, type, project or stack is the
 * resource's own; its parent is the one it names, none with noParent, else the resource's. The
 * URN is built the way the mock monitor builds every URN (its parent's own type, not the whole
 * chain of parent types the engine writes), so an alias matches the URN its resource had in an
 * earlier plan.
 */
export function aliasUrns(req: any): string[] {
    const stackPart = pulumi.getStack();
    const project = pulumi.getProject();
    const urns = (req.getAliasesList() as any[]).map((alias): string => {
        if (alias.hasUrn()) {
            return alias.getUrn() as string;
        }
        const spec = alias.getSpec();
        const parent: string = spec.getNoparent() ? "" : spec.getParenturn() || req.getParent() || "";
        const root = `urn:pulumi:${spec.getStack() || stackPart}::${spec.getProject() || project}::`;
        const prefix = parent.includes("::") ? `${root}${parent.split("::")[2].split("$").pop()}$` : root;
        return `${prefix}${spec.getType() || req.getType()}::${spec.getName() || req.getName()}`;
    });
    return [...new Set(urns)];
}

/** The options the engine receives with a registration (req: a RegisterResourceRequest). */
function optionsOf(req: any, propertyDependencies: Record<string, string[]>): RecordedOptions {
    const implied = new Set(Object.values(propertyDependencies).flat());
    const t = req.hasCustomtimeouts() ? req.getCustomtimeouts() : undefined;
    const timeouts = Object.fromEntries(
        Object.entries({ create: t?.getCreate(), update: t?.getUpdate(), delete: t?.getDelete() }).filter(
            ([, v]) => typeof v === "string" && v !== "",
        ),
    );
    const aliases = aliasUrns(req);
    return {
        ...(Object.keys(timeouts).length > 0 ? { customTimeouts: timeouts } : {}),
        ...(aliases.length > 0 ? { aliases } : {}),
        protect: req.hasProtect() ? Boolean(req.getProtect()) : false,
        retainOnDelete: req.hasRetainondelete() ? Boolean(req.getRetainondelete()) : false,
        deleteBeforeReplace: Boolean(req.getDeletebeforereplace()),
        ignoreChanges: req.getIgnorechangesList(),
        replaceOnChanges: req.getReplaceonchangesList(),
        dependsOn: (req.getDependenciesList() as string[]).filter((urn) => !implied.has(urn)),
    };
}

function patchMonitor(): void {
    if (patched) {
        return;
    }
    patched = true;
    // Every registration captures a full stack trace for its source position, which only the
    // Pulumi service's UI shows; the mocks drop it, and formatting thousands of traces was a
    // tenth of a plan's time.
    (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites = () => [];
    // The runtime also captures a stack trace for every promise it tracks, read only by its
    // promise-leak debug message; capturing and formatting them was another tenth. Errors the
    // program throws keep their stack traces.

    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
        debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown>;
    };
    const tracked = debuggable.debuggablePromise;
    debuggable.debuggablePromise = (p, ctx) => {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return tracked(p, ctx);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its own `this` below
    const original = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = async function (
        this: MockMonitor,
        req: any,
        callback: (err: any, res: any) => void,
    ) {
        const run = active;
        const urn = (this as any).newUrn(req.getParent(), req.getType(), req.getName());
        if (!checksOf.has(this)) {
            checksOf.set(this, new RegistrationChecks(pulumi.getStack(), pulumi.getProject()));
        }
        const refused = checksOf.get(this)!.register(urn, req.getParent(), req.getType(), req.getName());
        if (refused) {
            run?.recorder.refused.push(refused);
            return callback(refused, undefined);
        }
        return original.call(this, req, (err: any, res: any) => {
            if (!err && run) {
                const paths: Paths = { secret: [], unknown: [] };
                const inputs = unwrap(req.getObject()?.toJavaScript() ?? {}, "", paths);
                const outputs = unwrap(res.getObject()?.toJavaScript() ?? {}, "", { secret: [], unknown: [] });
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
                    propertyDependencies[key] = deps.getUrnsList();
                });
                const record: RecordedResource = {
                    urn: res.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent() || null,
                    custom: req.getCustom(),
                    inputs,
                    outputs: { id: res.getId() || (run.phase === "preview" ? UNKNOWN : undefined), ...outputs },
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                    secretInputPaths: paths.secret,
                    secretOutputNames: req.getAdditionalsecretoutputsList(),
                    options: optionsOf(req, propertyDependencies),
                    unknownInputPaths: paths.unknown,
                };
                run.recorder.resources.push(record);
                if (record.type === AWSX_VPC) {
                    const children = vpcChildren(
                        record.urn,
                        record.name,
                        inputs as AwsxVpcInputs,
                        run.region,
                        MOCK_ACCOUNT_ID,
                        run.phase,
                        record.options?.protect,
                    );
                    run.recorder.resources.push(...children);
                }
            }
            callback(err, res);
        });
    };
}

/**
 * Installs the mocks for one program run and returns the recorder that fills as it runs.
 */
export async function installMocks(project: string, stack: string, opts: MockOptions): Promise<Recorder> {
    patchMonitor();
    const recorder = new Recorder();
    const phase = opts.phase ?? "update";
    active = { recorder, region: opts.region, phase };
    // A second AWS provider (another region, e.g. the backup copy's) answers for its own region.
    const providerRegions = new Map<string, string>();
    const regionOf = (provider: string | undefined): string => {
        // A provider reference is "<provider URN>::<ID>"; the URN ends with the provider's name.
        const providerName = provider?.split("::")[3];
        return (providerName && providerRegions.get(providerName)) ?? opts.region;
    };
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                if (args.type === "pulumi:providers:aws" && typeof args.inputs.region === "string") {
                    providerRegions.set(args.name, args.inputs.region);
                }
                return stateFor(phase, args.type, args.name, args.inputs, regionOf(args.provider));
            },
            call: (args) => {
                recorder.invokes.push(args.token);
                return mockInvoke(
                    args.token,
                    args.inputs,
                    regionOf(args.provider),
                    opts.existingRoles ?? DEFAULT_EXISTING_ROLES,
                );
            },
        },
        project,
        stack,
        phase === "preview",
    );
    return recorder;
}
