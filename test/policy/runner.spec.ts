/**
 * offline/policyRunner.ts: the pack over recorded resources through the engine's entry points,
 * with the stack's config file. The whole-stack fixture must pass under dev and prod, its
 * broken variants must be caught, and the runner must behave like @pulumi/policy's server.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import * as aws from "@pulumi/aws";
import {
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
    validateResourceOfType,
} from "@pulumi/policy";
import {
    PolicyConfigError,
    PolicyReport,
    Violation,
    defaultConfigFile,
    runPolicyPack,
} from "../../offline/policyRunner";
import { RecordedResource } from "../../offline/types";
import { today } from "../../policy/lib/rule";
import { broken, patch, wholeStack } from "./fixtures";
import { UNKNOWN } from "./helpers";

/** The pack as the engine names it in its messages: name@v<policy/package.json version>. */
const PACK = `webfleet-guard@v${(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policy", "package.json"), "utf8")) as { version: string }).version}`;

const PROJECT = "webfleet";

function urnOf(resources: RecordedResource[], name: string): string {
    const r = resources.find((x) => x.name === name);
    if (!r) {
        throw new Error(`no resource ${name}`);
    }
    return r.urn;
}

function mandatory(report: PolicyReport): Violation[] {
    return report.violations.filter((v) => v.enforcementLevel === "mandatory");
}

let tmp: string;
function configFile(content: unknown): string {
    const file = path.join(tmp, `config-${Math.random().toString(16).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(content));
    return file;
}

describe("offline policy runner", () => {
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-policy-"));
    });
    after(() => {
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("uses policy/config/<stack>.json when it exists, and nothing for other stacks", () => {
        expect(defaultConfigFile("prod")).to.equal(
            path.resolve(__dirname, "..", "..", "policy", "config", "prod.json"),
        );
        expect(defaultConfigFile("staging")).to.equal(undefined);
    });

    describe("over the whole-stack fixture", () => {
        for (const stack of ["dev", "prod"]) {
            it(`finds nothing in the compliant stack under ${stack}.json`, async () => {
                const report = await runPolicyPack({ project: PROJECT, stack, resources: wholeStack() });
                expect(report).to.deep.equal({ violations: [], exempted: [], configFile: defaultConfigFile(stack) });
            });
        }

        const cases: {
            name: string;
            resources: () => RecordedResource[];
            expected: (r: RecordedResource[]) => Violation[];
        }[] = [
            {
                name: "a public database",
                resources: broken.publicDatabase,
                expected: (r) => [
                    {
                        policy: "rds-no-public-access",
                        enforcementLevel: "mandatory",
                        urn: urnOf(r, "database-db"),
                        message:
                            "RDS instance 'database-db' is publicly accessible; databases must stay in isolated subnets (set publiclyAccessible: false)",
                    },
                ],
            },
            {
                name: "SSH from 0.0.0.0/0",
                resources: broken.sshFromWorld,
                expected: (r) => [
                    {
                        policy: "sg-no-public-ingress",
                        enforcementLevel: "mandatory",
                        urn: urnOf(r, "web-ssh-debug"),
                        message:
                            "Security group ingress rule 'web-ssh-debug' allows tcp port 22 from 0.0.0.0/0, the whole internet; internet traffic may reach only the load balancer's security group, and only on tcp ports 80 and 443, one port per rule (reference a security group or a private CIDR instead)",
                    },
                    {
                        policy: "ssh-only-from-bastion",
                        enforcementLevel: "mandatory",
                        urn: urnOf(r, "web-ssh-debug"),
                        message:
                            "Security group ingress rule 'web-ssh-debug' on security group 'web-sg' allows SSH (tcp port 22) from 0.0.0.0/0; SSH must come only through the bastion (use the bastion's security group, tagged webfleet:role=bastion, as the only source), never a CIDR or prefix list",
                    },
                ],
            },
            {
                name: "an HTTP listener that forwards",
                resources: broken.forwardingHttpListener,
                expected: (r) => [
                    {
                        policy: "alb-http-redirects-to-https",
                        enforcementLevel: "mandatory",
                        urn: urnOf(r, "web-lb-http"),
                        message:
                            'Listener \'web-lb-http\' is an HTTP listener whose default action is a "forward" action; HTTP must never reach a server (make the only action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } })',
                    },
                ],
            },
            {
                name: "IMDSv1",
                resources: broken.imdsV1,
                expected: (r) => [
                    {
                        policy: "imdsv2-required",
                        enforcementLevel: "mandatory",
                        urn: urnOf(r, "web-lt"),
                        message:
                            'Launch template \'web-lt\' does not require IMDSv2 (metadataOptions.httpTokens is "optional"); IMDSv1 lets any SSRF in the app read the instance\'s credentials (set metadataOptions.httpTokens: "required")',
                    },
                ],
            },
        ];
        for (const c of cases) {
            for (const stack of ["dev", "prod"]) {
                it(`catches ${c.name} as mandatory under ${stack}.json`, async () => {
                    const resources = c.resources();
                    const report = await runPolicyPack({ project: PROJECT, stack, resources });
                    expect(report.violations).to.deep.equal(c.expected(resources));
                });
            }
        }

        it("applies the stack's settings: dev disables the prod-only rules, prod enforces them", async () => {
            const resources = patch(wholeStack(), "database-db", (p) => {
                p.multiAz = false;
                p.deletionProtection = false;
                p.backupRetentionPeriod = 1;
            });
            const dev = await runPolicyPack({ project: PROJECT, stack: "dev", resources });
            expect(dev.violations).to.deep.equal([]);
            const prod = await runPolicyPack({ project: PROJECT, stack: "prod", resources });
            expect(mandatory(prod).map((v) => `${v.policy}: ${v.message}`)).to.deep.equal([
                "rds-backup-retention: RDS instance 'database-db' keeps backups for 1 day(s); databases must keep automated backups for at least 14 day(s) (set backupRetentionPeriod: 14 or more)",
                "rds-deletion-protection: RDS instance 'database-db' has deletion protection off; production data must not be destroyable by one command (set deletionProtection: true)",
                "rds-multi-az: RDS instance 'database-db' runs in a single AZ; the database must survive an AZ outage (set multiAz: true)",
            ]);
        });

        it("reports advisories under dev without failing the stack", async () => {
            const resources = patch(wholeStack(), "web-lb-alb", (p) => {
                delete p.accessLogs;
            });
            const report = await runPolicyPack({ project: PROJECT, stack: "dev", resources });
            expect(report.violations).to.deep.equal([
                {
                    policy: "alb-access-logs",
                    enforcementLevel: "advisory",
                    urn: urnOf(resources, "web-lb-alb"),
                    message:
                        "Load balancer 'web-lb-alb' keeps no access logs (accessLogs is not set); every request must be traceable (set accessLogs: { bucket: <log bucket>, enabled: true })",
                },
            ]);
        });
    });

    describe("exemptions", () => {
        const noProtection = () =>
            patch(wholeStack(), "web-lb-alb", (p) => {
                p.enableDeletionProtection = false;
            });

        it("reports an exempted violation separately, with its reason and the level it would have had", async () => {
            const resources = noProtection();
            const file = configFile({
                all: "mandatory",
                "alb-deletion-protection": {
                    exemptions: [{ resource: "web-lb-*", reason: "blue/green cut-over until 2025-07-01 (OPS-123)" }],
                },
            });
            const report = await runPolicyPack({ project: PROJECT, stack: "prod", resources, configFile: file });
            expect(report.violations).to.deep.equal([]);
            expect(report.exempted).to.deep.equal([
                {
                    policy: "alb-deletion-protection",
                    enforcementLevel: "mandatory",
                    urn: urnOf(resources, "web-lb-alb"),
                    message:
                        "Load balancer 'web-lb-alb' has deletion protection off; the service's entry point must not be deletable by one command (set enableDeletionProtection: true)",
                    reason: "blue/green cut-over until 2025-07-01 (OPS-123)",
                    resourcePattern: "web-lb-*",
                },
            ]);
        });

        it("lets an exemption lapse on its expiry date: the violation counts again, naming the exemption that ran out", async () => {
            const resources = noProtection();
            const message =
                "Load balancer 'web-lb-alb' has deletion protection off; the service's entry point must not be deletable by one command (set enableDeletionProtection: true)";
            const withExpiry = (expires: string) =>
                configFile({
                    all: "mandatory",
                    "alb-deletion-protection": {
                        exemptions: [{ resource: "web-lb-*", reason: "blue/green cut-over (OPS-123)", expires }],
                    },
                });
            const live = await runPolicyPack({
                project: PROJECT,
                stack: "prod",
                resources,
                configFile: withExpiry("2999-12-31"),
            });
            expect(live.violations).to.deep.equal([]);
            expect(live.exempted.map((e) => [e.policy, e.message, e.reason])).to.deep.equal([
                ["alb-deletion-protection", message, "blue/green cut-over (OPS-123)"],
            ]);
            const lapsed = await runPolicyPack({
                project: PROJECT,
                stack: "prod",
                resources,
                configFile: withExpiry("2001-01-31"),
            });
            expect(lapsed.exempted).to.deep.equal([]);
            expect(lapsed.violations).to.deep.equal([
                {
                    policy: "alb-deletion-protection",
                    enforcementLevel: "mandatory",
                    urn: urnOf(resources, "web-lb-alb"),
                    message: `${message} (the exemption for 'web-lb-*' expired on 2001-01-31: blue/green cut-over (OPS-123); fix the resource, or renew the exemption with a new date and reason)`,
                },
            ]);
        });

        it("holds an exemption through its last day (today, UTC)", async () => {
            const resources = noProtection();
            const report = await runPolicyPack({
                project: PROJECT,
                stack: "prod",
                resources,
                configFile: configFile({
                    all: "mandatory",
                    "alb-deletion-protection": {
                        exemptions: [
                            { resource: "web-lb-*", reason: "blue/green cut-over (OPS-123)", expires: today() },
                        ],
                    },
                }),
            });
            expect(report.violations).to.deep.equal([]);
            expect(report.exempted.length).to.equal(1);
        });

        it("exempts stack-rule findings by the resource named in their URN, and nothing else", async () => {
            const resources = broken.sshFromWorld();
            const file = configFile({
                all: "mandatory",
                "ssh-only-from-bastion": {
                    exemptions: [{ resource: "web-ssh-debug", reason: "incident 4711 debugging, removed tonight" }],
                },
            });
            const report = await runPolicyPack({ project: PROJECT, stack: "prod", resources, configFile: file });
            expect(report.exempted.map((e) => [e.policy, e.urn, e.reason])).to.deep.equal([
                [
                    "ssh-only-from-bastion",
                    urnOf(resources, "web-ssh-debug"),
                    "incident 4711 debugging, removed tonight",
                ],
            ]);
            expect(report.violations.map((v) => v.policy)).to.deep.equal(["sg-no-public-ingress"]);
        });

        it("refuses an exemption without a real reason, or for everything", async () => {
            const file = configFile({
                "alb-deletion-protection": { exemptions: [{ resource: "*", reason: "temporary" }] },
            });
            try {
                await runPolicyPack({ project: PROJECT, stack: "prod", resources: noProtection(), configFile: file });
                expect.fail("expected a PolicyConfigError");
            } catch (e) {
                expect(e).to.be.instanceOf(PolicyConfigError);
                expect((e as PolicyConfigError).problems).to.deep.equal([
                    'alb-deletion-protection: exemptions[0].resource: must match /[^*?]/ (got "*")',
                    "alb-deletion-protection: exemptions[0].reason: must be at least 10 characters (got 9)",
                    'alb-deletion-protection: exemptions[0].reason: must match /^(\\s*\\S){10}/ (got "temporary")',
                ]);
                expect((e as Error).message).to.contain(file);
            }
        });
    });

    describe("config handling", () => {
        it("honours disabled, per-policy settings and the code's levels when a stack has no file", async () => {
            const resources = patch(wholeStack(), "database-db", (p) => {
                p.backupRetentionPeriod = 14;
                p.publiclyAccessible = true;
            });
            const file = configFile({
                "rds-no-public-access": "disabled",
                "rds-backup-retention": { enforcementLevel: "advisory", minimumDays: 30 },
            });
            const report = await runPolicyPack({ project: PROJECT, stack: "prod", resources, configFile: file });
            expect(report.violations.map((v) => [v.policy, v.enforcementLevel])).to.deep.equal([
                ["rds-backup-retention", "advisory"],
            ]);
            expect(report.violations[0].message).to.contain("at least 30 day(s)");
            const staging = await runPolicyPack({ project: PROJECT, stack: "staging", resources });
            expect(staging.configFile).to.equal(undefined);
            expect(staging.violations.map((v) => [v.policy, v.enforcementLevel])).to.deep.equal([
                ["rds-no-public-access", "mandatory"],
            ]);
        });

        it("treats remediate as mandatory, as the engine does for validations", async () => {
            const file = configFile({ "rds-no-public-access": "remediate" });
            const report = await runPolicyPack({
                project: PROJECT,
                stack: "prod",
                resources: broken.publicDatabase(),
                configFile: file,
            });
            expect(report.violations.map((v) => [v.policy, v.enforcementLevel])).to.deep.equal([
                ["rds-no-public-access", "mandatory"],
            ]);
        });

        it("refuses a config file with unknown policies, unknown settings or bad levels, listing every problem", async () => {
            const file = configFile({
                "rds-no-public-acess": "mandatory",
                "rds-backup-retention": { minimumDayz: 3 },
                "alb-access-logs": "strict",
            });
            try {
                await runPolicyPack({ project: PROJECT, stack: "prod", resources: wholeStack(), configFile: file });
                expect.fail("expected a PolicyConfigError");
            } catch (e) {
                expect((e as PolicyConfigError).problems).to.deep.equal([
                    'alb-access-logs: "strict" is not a valid enforcement level (advisory, mandatory, remediate, disabled)',
                ]);
            }
            const file2 = configFile({
                "rds-no-public-acess": "mandatory",
                "rds-backup-retention": { minimumDayz: 3 },
            });
            try {
                await runPolicyPack({ project: PROJECT, stack: "prod", resources: wholeStack(), configFile: file2 });
                expect.fail("expected a PolicyConfigError");
            } catch (e) {
                expect((e as PolicyConfigError).problems).to.deep.equal([
                    "rds-no-public-acess: no such policy in the pack (a typo would silently leave the real policy at its default level)",
                    "rds-backup-retention: minimumDayz: is not a setting of this policy (known: minimumDays, exemptions)",
                ]);
            }
        });
    });

    describe("the engine's entry points", () => {
        const resources = (): RecordedResource[] => wholeStack();

        it("calls validateResource with the analyzer's args: inputs behind unknownCheckingProxy, isType/asType, getConfig, notApplicable, stackTags, options", async () => {
            const seen: Record<string, unknown>[] = [];
            const probe: Policy & {
                validateResource: (args: ResourceValidationArgs, report: ReportViolation) => void;
            } = {
                name: "probe",
                description: "Probe.",
                enforcementLevel: "mandatory",
                configSchema: { properties: { level: { type: "string", default: "x" } } },
                validateResource: (args, report) => {
                    if (args.type !== "aws:rds/instance:Instance") {
                        args.notApplicable("not a database");
                    }
                    seen.push({
                        type: args.type,
                        name: args.name,
                        urn: args.urn,
                        parent: args.opts.parent,
                        protect: args.opts.protect,
                        isType: args.isType(aws.rds.Instance),
                        isBucket: args.isType(aws.s3.Bucket),
                        engine: args.asType(aws.rds.Instance)?.engine,
                        asBucket: args.asType(aws.s3.Bucket),
                        config: args.getConfig(),
                        project: args.stackTags.get("pulumi:project"),
                        outputOnly: (args.props as Record<string, unknown>).address,
                    });
                    report("seen", "urn:ignored");
                },
            };
            const list = resources();
            const report = await runPolicyPack({
                project: PROJECT,
                stack: "prod",
                resources: list,
                policies: [probe],
                configFile: configFile({ probe: { level: "y" } }),
            });
            const db = list.find((r) => r.name === "database-db")!;
            expect(seen).to.deep.equal([
                {
                    type: db.type,
                    name: db.name,
                    urn: db.urn,
                    parent: db.parent,
                    protect: true,
                    isType: true,
                    isBucket: false,
                    engine: "postgres",
                    asBucket: undefined,
                    config: { level: "y" },
                    project: PROJECT,
                    outputOnly: undefined,
                },
            ]);
            expect(report.violations).to.deep.equal([
                { policy: "probe", enforcementLevel: "mandatory", urn: db.urn, message: "seen" },
            ]);
        });

        it("skips policies of another type before calling them (validateResourceOfType's type tag)", async () => {
            let calls = 0;
            const count = () => {
                calls++;
            };
            // A bare function carrying the tag: only the runner's filter keeps it from other types.
            const tagged = Object.assign(count, { __pulumiType: "aws:s3/bucket:Bucket" });
            const probe = {
                name: "bucket-probe",
                description: "Probe.",
                validateResource: tagged,
            } as unknown as Policy;
            await runPolicyPack({ project: PROJECT, stack: "probe", resources: resources(), policies: [probe] });
            expect(calls).to.equal(2);
            // validateResourceOfType tags its function the same way.
            expect(
                (validateResourceOfType(aws.s3.Bucket, () => undefined) as unknown as { __pulumiType: string })
                    .__pulumiType,
            ).to.equal("aws:s3/bucket:Bucket");
        });

        it("turns a value unknown during preview into the engine's advisory note", async () => {
            const list = patch(resources(), "database-db", (p) => {
                p.publiclyAccessible = UNKNOWN;
            });
            const probe: Policy & { validateResource: unknown } = {
                name: "unknown-probe",
                description: "Probe.",
                enforcementLevel: "mandatory",
                validateResource: validateResourceOfType(aws.rds.Instance, (db, _args, report) => {
                    if (db.publiclyAccessible) {
                        report("public");
                    }
                }),
            };
            const report = await runPolicyPack({
                project: PROJECT,
                stack: "probe",
                resources: list,
                policies: [probe],
            });
            expect(report.violations).to.deep.equal([
                {
                    policy: "unknown-probe",
                    enforcementLevel: "advisory",
                    urn: urnOf(list, "database-db"),
                    message: `can't run policy 'unknown-probe' from policy pack '${PACK}' during preview: string value at .publiclyAccessible can't be known during preview`,
                },
            ]);
        });

        it("calls validateStack once with outputs as props and parent, dependencies and property dependencies linked", async () => {
            let args: StackValidationArgs | undefined;
            const probe: Policy & { validateStack: (a: StackValidationArgs) => void } = {
                name: "stack-probe",
                description: "Probe.",
                validateStack: (a) => {
                    args = a;
                },
                // "probe" has no policy config file, so only this rule's own level applies.
            };
            const list = resources();
            await runPolicyPack({ project: PROJECT, stack: "probe", resources: list, policies: [probe] });
            expect(args!.resources.length).to.equal(list.length);
            expect(args!.stackTags.get("pulumi:runtime")).to.equal("nodejs");
            const byName = (n: string) => args!.resources.find((r) => r.name === n) as PolicyResource;
            const db = byName("database-db");
            expect(db.props.address).to.equal("webfleet-prod-310fe249.c08864ee4c3d.us-east-1.rds.amazonaws.com");
            expect(db.parent).to.equal(byName("database"));
            expect(db.propertyDependencies.parameterGroupName).to.deep.equal([byName("database-pg17")]);
            expect(db.dependencies).to.include(byName("secrets-key"));
            expect(db.isType(aws.rds.Instance)).to.equal(true);
            expect(db.asType(aws.s3.Bucket)).to.equal(undefined);
        });

        it("takes a rule's own advisory level for one finding (the object form the engine accepts)", async () => {
            const probe: Policy & { validateStack: (a: StackValidationArgs, r: ReportViolation) => void } = {
                name: "level-probe",
                description: "Probe.",
                enforcementLevel: "mandatory",
                validateStack: (_a, report) => {
                    (report as unknown as (o: object) => void)({
                        message: "just a note",
                        enforcementLevel: "advisory",
                    });
                    report("a real one");
                },
            };
            const report = await runPolicyPack({
                project: PROJECT,
                stack: "probe",
                resources: resources(),
                policies: [probe],
            });
            expect(report.violations).to.deep.equal([
                { policy: "level-probe", enforcementLevel: "advisory", message: "just a note" },
                { policy: "level-probe", enforcementLevel: "mandatory", message: "a real one" },
            ]);
        });

        it("fails loudly, naming the policy, when a rule throws", async () => {
            const probe: Policy & { validateStack: () => void } = {
                name: "broken-probe",
                description: "Probe.",
                validateStack: () => {
                    throw new Error("boom");
                },
            };
            try {
                await runPolicyPack({ project: PROJECT, stack: "probe", resources: resources(), policies: [probe] });
                expect.fail("expected an error");
            } catch (e) {
                expect((e as Error).message).to.satisfy((m: string) =>
                    m.startsWith(
                        `Error validating the stack with policy 'broken-probe' from policy pack '${PACK}': Error: boom`,
                    ),
                );
            }
        });

        it("does not run disabled policies at all", async () => {
            let calls = 0;
            const probe: Policy & { validateStack: () => void } = {
                name: "off-probe",
                description: "Probe.",
                validateStack: () => {
                    calls++;
                },
            };
            await runPolicyPack({
                project: PROJECT,
                stack: "probe",
                resources: resources(),
                policies: [probe],
                configFile: configFile({ all: "disabled" }),
            });
            expect(calls).to.equal(0);
        });
    });
});

describe("offline policy runner: shared resources for stack policies", function () {
    this.timeout(120_000);

    it("gives every stack policy the same resources, which no rule of the pack changes, in both phases of both stacks", async () => {
        const { runPhase } = await import("../../offline/plan");
        for (const stack of ["dev", "prod"]) {
            for (const phase of ["preview", "update"] as const) {
                const run = await runPhase({ stack }, phase);
                const report = await runPolicyPack({
                    project: run.run.project,
                    stack,
                    resources: run.run.resources,
                    checkIsolation: true,
                });
                expect(
                    report.violations.filter((v) => v.enforcementLevel === "mandatory"),
                    `${stack} ${phase}`,
                ).to.deep.equal([]);
            }
        }
    });

    it("names a stack policy that changes what it was given", async () => {
        const meddler: Policy & { validateStack: (a: StackValidationArgs) => void } = {
            name: "meddler",
            description: "changes a resource's props",
            enforcementLevel: "advisory",
            validateStack: (args: StackValidationArgs) => {
                (args.resources[0].props as Record<string, unknown>).touched = true;
            },
        };
        let error: Error | undefined;
        try {
            await runPolicyPack({
                project: "webfleet",
                stack: "a-stack-without-a-config-file",
                resources: wholeStack(),
                policies: [meddler],
                checkIsolation: true,
            });
        } catch (e) {
            error = e as Error;
        }
        expect(error?.message).to.equal(
            "policy meddler changed the resources it was given, which other policies read too",
        );
    });
});
