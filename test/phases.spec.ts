import { expect } from "chai";
import { exitCodeFor } from "../offline/plan";
import { PolicyReport } from "../offline/policyRunner";
import { ProgramRun, runProgram } from "../offline/program";
import { RecordedResource, UNKNOWN } from "../offline/types";
import { named, ofType, sharedRun } from "./support/program";

/** Every path in `value` whose value is the engine's unknown sentinel. */
function unknownPaths(value: unknown, path = ""): string[] {
    if (value === UNKNOWN) return [path];
    if (Array.isArray(value)) return value.flatMap((v, i) => unknownPaths(v, `${path}[${i}]`));
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => unknownPaths(v, path ? `${path}.${k}` : k));
    }
    return [];
}

describe("offline preview phases (a first `pulumi preview`, then the state after `pulumi up`)", function () {
    this.timeout(120000);
    let preview: ProgramRun;
    let update: ProgramRun;
    before(async () => {
        preview = await runProgram({ stack: "prod", phase: "preview" });
        update = await sharedRun("prod");
    });

    it("registers the same resources in both phases", () => {
        expect(preview.phase).to.equal("preview");
        expect(update.phase).to.equal("update");
        // (Registration order follows promise resolution, which unknown values change.)
        expect(preview.resources.map((r) => r.urn).sort()).to.deep.equal(update.resources.map((r) => r.urn).sort());
    });

    it("in preview, leaves what the provider computes unknown: IDs, ARNs, generated values", () => {
        const key = named(preview, "aws:kms/key:Key", "secrets-key");
        expect(key.outputs.id).to.equal(UNKNOWN);
        expect(key.outputs.arn).to.equal(UNKNOWN);
        const suffix = named(preview, "random:index/randomId:RandomId", "database-id");
        expect(suffix.outputs.hex).to.equal(UNKNOWN);
        // Built from them: the database identifier, the stack key on every log group.
        const db = named(preview, "aws:rds/instance:Instance", "database-db");
        expect(db.inputs.identifier).to.equal(UNKNOWN);
        expect(db.unknownInputPaths).to.include.members(["identifier", "kmsKeyId", "vpcSecurityGroupIds[0]"]);
        const web = named(preview, "aws:ec2/launchTemplate:LaunchTemplate", "web-lt");
        expect(web.unknownInputPaths).to.include("userData");
        expect(preview.outputs.url.value).to.equal(UNKNOWN);
        expect(preview.outputs.kmsKeyArn.value).to.equal(UNKNOWN);
    });

    it("in preview, keeps what Pulumi itself knows: literal inputs, config, autonamed names", () => {
        const db = named(preview, "aws:rds/instance:Instance", "database-db");
        expect(db.inputs).to.include({ instanceClass: "db.m7g.large", publiclyAccessible: false, multiAz: true });
        // Pulumi names these in the provider's Check, before anything exists.
        const bucket = named(preview, "aws:s3/bucket:Bucket", "web-artifact-bucket");
        expect(bucket.outputs.bucket).to.equal(
            named(update, "aws:s3/bucket:Bucket", "web-artifact-bucket").outputs.bucket,
        );
        expect(bucket.outputs.id).to.equal(UNKNOWN);
        expect(named(preview, "aws:ec2/securityGroup:SecurityGroup", "web-sg").outputs.name).to.match(/^web-sg-/);
        expect(preview.outputs.appLogGroupName.value).to.equal("/webfleet/prod/web/app");
        expect(preview.outputs.dbPort.value).to.equal(5432);
    });

    it("in preview, lists exactly the unknown input paths of each resource", () => {
        for (const r of preview.resources) {
            expect([...(r.unknownInputPaths ?? [])].sort(), r.name).to.deep.equal(unknownPaths(r.inputs).sort());
        }
        expect(preview.resources.filter((r) => (r.unknownInputPaths ?? []).length > 0).length).to.be.greaterThan(50);
    });

    it("after the update, knows every value", () => {
        const unknown = update.resources.flatMap((r) =>
            unknownPaths({ i: r.inputs, o: r.outputs }).map((p) => `${r.name}.${p}`),
        );
        expect(unknown).to.deep.equal([]);
        expect(update.resources.every((r) => (r.unknownInputPaths ?? []).length === 0)).to.equal(true);
    });

    it("fails the plan on a mandatory violation in either phase", () => {
        const report = (levels: ("mandatory" | "advisory")[]): PolicyReport => ({
            violations: levels.map((enforcementLevel) => ({ policy: "p", enforcementLevel, message: "m" })),
            exempted: [],
        });
        const plan = (preview: PolicyReport, update: PolicyReport) => ({
            phases: [
                { phase: "preview" as const, run: {} as ProgramRun, policy: preview },
                { phase: "update" as const, run: {} as ProgramRun, policy: update },
            ],
        });
        expect(exitCodeFor(plan(report([]), report(["advisory"])))).to.equal(0);
        expect(exitCodeFor(plan(report(["mandatory"]), report([])))).to.equal(1);
        expect(exitCodeFor(plan(report(["advisory"]), report(["mandatory"])))).to.equal(1);
    });
});

describe("resource options in the plan", function () {
    this.timeout(120000);
    const options = (r: RecordedResource) => r.options!;

    it("protects prod's stateful resources, and keeps its key in the account after the stack", async () => {
        const prod = await sharedRun("prod");
        const dev = await sharedRun("dev");
        for (const [type, name] of [
            ["aws:kms/key:Key", "secrets-key"],
            ["aws:rds/instance:Instance", "database-db"],
            ["aws:s3/bucket:Bucket", "access-logs-bucket"],
            ["aws:lb/loadBalancer:LoadBalancer", "web-lb-alb"],
        ]) {
            expect(options(named(prod, type, name)).protect, `prod ${name}`).to.equal(true);
            expect(options(named(dev, type, name)).protect, `dev ${name}`).to.equal(false);
        }
        expect(options(named(prod, "aws:kms/key:Key", "secrets-key")).retainOnDelete).to.equal(true);
        expect(options(named(dev, "aws:kms/key:Key", "secrets-key")).retainOnDelete).to.equal(false);
        // Nothing else is protected: a protected subnet or security group could never be replaced.
        const protectedNames = prod.resources.filter((r) => r.options?.protect).map((r) => r.name);
        // The backup vaults and the copy key too (issue 15), tested in test/backup.spec.ts.
        expect(protectedNames.sort()).to.deep.equal([
            "access-logs-bucket",
            "backup-copy-key",
            "backup-copy-vault",
            "backup-vault",
            "database-db",
            "secrets-key",
            "web-lb-alb",
        ]);
    });

    it("records ignoreChanges, explicit dependsOn and custom timeouts as the program set them", async () => {
        const prod = await sharedRun("prod");
        const asg = named(prod, "aws:autoscaling/group:Group", "web-asg");
        expect(options(asg).ignoreChanges).to.deep.equal(["desiredCapacity"]);
        // The group waits for the migrations and the rollout alarm, which no input names.
        const invocation = named(prod, "aws:lambda/invocation:Invocation", "migrations-run");
        expect(options(asg).dependsOn).to.include(invocation.urn);
        expect(asg.propertyDependencies.launchTemplate).to.not.include(invocation.urn);
        const sg = named(prod, "aws:ec2/securityGroup:SecurityGroup", "migrations-sg");
        expect(options(sg).customTimeouts).to.deep.equal({ delete: "45m" });
        // A parameter group is left behind rather than failing a major upgrade's update.
        expect(options(named(prod, "aws:rds/parameterGroup:ParameterGroup", "database-pg17")).retainOnDelete).to.equal(
            true,
        );
        expect(ofType(prod, "aws:ec2/subnet:Subnet").every((s) => options(s).protect === false)).to.equal(true);
    });
});
