/**
 * The pack inside the real @pulumi/policy analyzer server, driven over gRPC the way the Pulumi
 * CLI drives it: policy/index.ts runs in a child process (never imported here: constructing the
 * pack starts the server), gets the stack's config, and analyzes resources. This is the one
 * check that the engine's own code accepts the pack's schemas, levels, exemption reports and
 * unknown-value handling, not just the offline runner's mirror of it.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { expect } from "chai";
import { loadStackConfigs } from "../../policy/docs";
import { resolvePolicyConfig } from "../../policy/lib/packConfig";
import { PACK_ENFORCEMENT_LEVEL, policies } from "../../policy/policies";
import { UNKNOWN_BOOL } from "./helpers";

const grpc = require("@grpc/grpc-js");
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const pb = require("@pulumi/pulumi/proto/analyzer_pb");
const structPb = require("google-protobuf/google/protobuf/struct_pb");
const emptyPb = require("google-protobuf/google/protobuf/empty_pb");

const LEVELS: Record<string, number> = {
    advisory: pb.EnforcementLevel.ADVISORY,
    mandatory: pb.EnforcementLevel.MANDATORY,
    remediate: pb.EnforcementLevel.REMEDIATE,
    disabled: pb.EnforcementLevel.DISABLED,
};
const NAMES: Record<number, string> = Object.fromEntries(Object.entries(LEVELS).map(([k, v]) => [v, k]));

interface Diagnostic {
    policy: string;
    level: string;
    message: string;
    urn: string;
}

describe("policy pack in the real analyzer server", function () {
    this.timeout(60000);
    let child: ChildProcess;
    let client: Record<string, (req: unknown, cb: (e: Error | null, r: unknown) => void) => void> & { close(): void };
    const call = <T>(method: string, req: unknown) =>
        new Promise<T>((resolve, reject) => client[method](req, (e, r) => (e ? reject(e) : resolve(r as T))));

    before(async () => {
        child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], {
            cwd: path.resolve(__dirname, "..", "..", "policy"),
            stdio: ["ignore", "pipe", "pipe"],
        });
        const port = await new Promise<string>((resolve, reject) => {
            let err = "";
            child.stderr!.on("data", (d) => (err += d));
            child.stdout!.once("data", (d) => resolve(String(d).trim()));
            child.once("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${err}`)));
        });
        client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        // What `pulumi preview --policy-pack-config policy/config/prod.json` sends: every policy's
        // resolved level and properties.
        const resolved = resolvePolicyConfig(policies, loadStackConfigs().prod, PACK_ENFORCEMENT_LEVEL);
        resolved["rds-deletion-protection"].properties.exemptions = [
            { resource: "legacy-*", reason: "restored from a snapshot, replaced in Q3" },
        ];
        const req = new pb.ConfigureAnalyzerRequest();
        for (const [name, c] of Object.entries(resolved)) {
            const config = new pb.PolicyConfig();
            config.setEnforcementlevel(LEVELS[c.enforcementLevel]);
            config.setProperties(structPb.Struct.fromJavaScript(c.properties));
            req.getPolicyconfigMap().set(name, config);
        }
        await call("configure", req);
    });

    after(() => {
        client?.close();
        child?.kill();
    });

    function diagnostics(resp: {
        getDiagnosticsList(): {
            getPolicyname(): string;
            getEnforcementlevel(): number;
            getMessage(): string;
            getUrn(): string;
        }[];
    }): Diagnostic[] {
        return resp.getDiagnosticsList().map((d) => ({
            policy: d.getPolicyname(),
            level: NAMES[d.getEnforcementlevel()],
            message: d.getMessage(),
            urn: d.getUrn(),
        }));
    }

    async function analyze(
        type: string,
        name: string,
        props: Record<string, unknown>,
        protect = true,
    ): Promise<Diagnostic[]> {
        const req = new pb.AnalyzeRequest();
        req.setType(type);
        req.setName(name);
        req.setUrn(`urn:pulumi:prod::webfleet::${type}::${name}`);
        const options = new pb.AnalyzerResourceOptions();
        options.setProtect(protect);
        req.setOptions(options);
        req.setProperties(structPb.Struct.fromJavaScript(props));
        return diagnostics(await call("analyze", req));
    }

    it("serves every rule of the pack under its name", async () => {
        const info = await call<{ getName(): string; getPoliciesList(): { getName(): string }[] }>(
            "getAnalyzerInfo",
            new emptyPb.Empty(),
        );
        expect(info.getName()).to.equal("webfleet-guard");
        expect(info.getPoliciesList().map((p) => p.getName())).to.deep.equal(policies.map((p) => p.name));
    });

    const compliantDb = {
        engine: "postgres",
        publiclyAccessible: false,
        storageEncrypted: true,
        kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1",
        iamDatabaseAuthenticationEnabled: true,
        enabledCloudwatchLogsExports: ["postgresql"],
        backupRetentionPeriod: 14,
        deletionProtection: true,
        multiAz: true,
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1",
        monitoringInterval: 60,
        monitoringRoleArn: "arn:aws:iam::123456789012:role/rds-monitoring",
    };

    it("passes a compliant database and reports a public one as mandatory, with the prod settings applied", async () => {
        expect(await analyze("aws:rds/instance:Instance", "db", compliantDb)).to.deep.equal([]);
        const found = await analyze("aws:rds/instance:Instance", "db", {
            ...compliantDb,
            publiclyAccessible: true,
            backupRetentionPeriod: 7,
        });
        expect(found.map((d) => [d.policy, d.level, d.message.split("\n")[1]])).to.deep.equal([
            [
                "rds-no-public-access",
                "mandatory",
                "RDS instance 'db' is publicly accessible; databases must stay in isolated subnets (set publiclyAccessible: false)",
            ],
            [
                "rds-backup-retention",
                "mandatory",
                "RDS instance 'db' keeps backups for 7 day(s); databases must keep automated backups for at least 14 day(s) (set backupRetentionPeriod: 14 or more)",
            ],
        ]);
    });

    it("shows an exempted violation as an advisory with its reason", async () => {
        const found = await analyze("aws:rds/instance:Instance", "legacy-db", {
            ...compliantDb,
            deletionProtection: false,
        });
        expect(found.map((d) => [d.policy, d.level, d.message])).to.deep.equal([
            [
                "rds-deletion-protection",
                "advisory",
                "[exempted: restored from a snapshot, replaced in Q3] RDS instance 'legacy-db' has deletion protection off; production data must not be destroyable by one command (set deletionProtection: true)",
            ],
        ]);
    });

    it("says it cannot verify a security setting unknown during preview (advisory, never a silent pass), and enforces it once known", async () => {
        const found = await analyze("aws:rds/instance:Instance", "db", {
            ...compliantDb,
            publiclyAccessible: UNKNOWN_BOOL,
        });
        expect(found.map((d) => [d.policy, d.level, d.message, d.urn])).to.deep.equal([
            [
                "rds-no-public-access",
                "advisory",
                "RDS instance 'db' has a value unknown during preview at publiclyAccessible, so it cannot be verified yet; it is checked on the real value before the resource is created (databases must stay in isolated subnets (set publiclyAccessible: false))",
                "urn:pulumi:prod::webfleet::aws:rds/instance:Instance::db",
            ],
        ]);
        // `pulumi up` analyzes the resource again with the real value, before creating it.
        const known = await analyze("aws:rds/instance:Instance", "db", { ...compliantDb, publiclyAccessible: true });
        expect(known.map((d) => [d.policy, d.level])).to.deep.equal([["rds-no-public-access", "mandatory"]]);
    });

    it("reads the resource options the engine sends: an unprotected prod database is refused", async () => {
        const found = await analyze("aws:rds/instance:Instance", "db", compliantDb, false);
        expect(found.map((d) => [d.policy, d.level, d.message.split("\n")[1]])).to.deep.equal([
            [
                "prod-stateful-protected",
                "mandatory",
                "RDS instance 'db' is not protected; prod's stateful resources are protected, so a destroy stops before it deletes them (set the resource option protect: true for prod)",
            ],
        ]);
    });

    it("notes that the engine passes no retainOnDelete, instead of passing the key silently", async () => {
        const found = await analyze("aws:kms/key:Key", "key", { enableKeyRotation: true });
        expect(found.map((d) => [d.policy, d.level])).to.deep.equal([["kms-key-retain-on-delete", "advisory"]]);
        expect(found[0].message).to.contain("retainOnDelete is not among the options this check received");
    });

    it("runs the stack rules over the stack with parents and property dependencies", async () => {
        const resource = (
            type: string,
            name: string,
            props: Record<string, unknown>,
            deps: Record<string, string[]> = {},
        ) => {
            const r = new pb.AnalyzerResource();
            r.setType(type);
            r.setName(name);
            r.setUrn(`urn:pulumi:prod::webfleet::${type}::${name}`);
            const options = new pb.AnalyzerResourceOptions();
            options.setProtect(true);
            r.setOptions(options);
            r.setProperties(structPb.Struct.fromJavaScript(props));
            for (const [k, names] of Object.entries(deps)) {
                const d = new pb.AnalyzerPropertyDependencies();
                d.setUrnsList(names.map((n) => `urn:pulumi:prod::webfleet::aws:ec2/securityGroup:SecurityGroup::${n}`));
                r.getPropertydependenciesMap().set(k, d);
            }
            return r;
        };
        const req = new pb.AnalyzeStackRequest();
        req.setResourcesList([
            resource("aws:ec2/securityGroup:SecurityGroup", "web-sg", {
                description: "web",
                tags: { "webfleet:role": "web" },
            }),
            // A new group at preview: the rule's securityGroupId is unknown, traced by dependency.
            resource(
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                "web-ssh",
                {
                    securityGroupId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
                    ipProtocol: "tcp",
                    fromPort: 22,
                    toPort: 22,
                    cidrIpv4: "0.0.0.0/0",
                    description: "x",
                },
                { securityGroupId: ["web-sg"] },
            ),
        ]);
        const found = diagnostics(await call("analyzeStack", req));
        expect(found.map((d) => [d.policy, d.level, d.urn])).to.deep.equal([
            [
                "ssh-only-from-bastion",
                "mandatory",
                "urn:pulumi:prod::webfleet::aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::web-ssh",
            ],
        ]);
        // The world-open port itself is refused per resource, before the rule is created, by the
        // same rule's pre-creation check (the engine's Analyze call), whatever group it opens.
        const before = await analyze("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "web-ssh", {
            securityGroupId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
            ipProtocol: "tcp",
            fromPort: 22,
            toPort: 22,
            cidrIpv4: "0.0.0.0/0",
            description: "x",
        });
        expect(before.map((d) => [d.policy, d.level])).to.deep.equal([["sg-no-public-ingress", "mandatory"]]);
        expect(found[0].message.split("\n")[1]).to.equal(
            "Security group ingress rule 'web-ssh' on security group 'web-sg' allows SSH (tcp port 22) from 0.0.0.0/0; SSH must come only through the bastion (use the bastion's security group, tagged webfleet:role=bastion, as the only source), never a CIDR or prefix list",
        );
    });
});
