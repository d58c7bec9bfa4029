import { expect } from "chai";
import { RECONVERGE_SCHEDULE, SSH_ACCESS_TAG, SshAccess } from "../components/sshAccess";
import { utcToday } from "../lib/sshPeople";
import { scriptFor } from "../lib/userData/sshAccess";
import { ProgramRun } from "../offline/program";
import { runComponent } from "./support/component";
import { named, ofType, runStack, sharedRun } from "./support/program";
import { ECDSA_256, ED25519, RSA_3072 } from "./support/sshKeys";

const DOC = "aws:ssm/document:Document";
const ASSOC = "aws:ssm/association:Association";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";

const blob = (key: string) => key.split(" ")[1];
const document = (run: ProgramRun) => named(run, DOC, "ssh-access-doc");
const instanceTags = (run: ProgramRun, lt: string) =>
    named(run, LT, lt).inputs.tagSpecifications.find((s: { resourceType: string }) => s.resourceType === "instance")
        .tags;
const day = (offset: number) => utcToday(new Date(Date.now() + offset * 86_400_000));

describe("SSH access (mocked program)", function () {
    let dev: ProgramRun;
    let prod: ProgramRun;
    let withPeople: ProgramRun;
    const people = [
        { name: "alice", publicKey: ED25519 },
        { name: "bob", publicKey: RSA_3072, expires: day(30) },
        { name: "carol", publicKey: ECDSA_256, expires: day(0) },
    ];
    before(async () => {
        dev = await sharedRun("dev");
        prod = await sharedRun("prod");
        withPeople = await runStack("dev", { "webfleet:bastion": { users: people } });
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: one Command document, and an association per host role targeting that role's instances by tag`, () => {
            const run = stack === "dev" ? dev : prod;
            const doc = document(run);
            expect(doc.inputs).to.include({
                documentType: "Command",
                documentFormat: "JSON",
                targetType: "/AWS::EC2::Instance",
            });
            const associations = ofType(run, ASSOC);
            expect(associations.map((a) => a.name).sort()).to.deep.equal(["ssh-access-bastion", "ssh-access-web"]);
            for (const [role, lt] of [
                ["bastion", "bastion-lt"],
                ["web", "web-lt"],
            ]) {
                const a = named(run, ASSOC, `ssh-access-${role}`);
                const value = `webfleet/${stack}/${role}`;
                expect(a.inputs).to.deep.include({
                    associationName: `webfleet-${stack}-ssh-access-${role}`,
                    name: doc.outputs.name,
                    documentVersion: doc.outputs.latestVersion,
                    targets: [{ key: `tag:${SSH_ACCESS_TAG}`, values: [value] }],
                    parameters: { role },
                    scheduleExpression: RECONVERGE_SCHEDULE,
                    maxConcurrency: "100%",
                    maxErrors: "100%",
                });
                // The tag the association looks for is on the instances the role's group launches.
                expect(instanceTags(run, lt)).to.include({ [SSH_ACCESS_TAG]: value });
            }
        });
    }

    it("puts the configured people in the document, leaving out those whose last day has come", () => {
        const script = scriptFor(document(withPeople).inputs.content, "web");
        const block = script.split("<<'PEOPLE'\n")[1].split("PEOPLE\n")[0];
        expect(block).to.equal(`alice - ssh-ed25519 ${blob(ED25519)}\nbob ${day(30)} ssh-rsa ${blob(RSA_3072)}\n`);
        // Nobody configured: the document still exists and converges the hosts to ec2-user alone.
        const none = scriptFor(document(dev).inputs.content, "web");
        expect(none.split("<<'PEOPLE'\n")[1].startsWith("PEOPLE\n")).to.equal(true);
    });

    it("changes only the document when the people change: no launch template, so no instance is replaced", () => {
        for (const lt of ["bastion-lt", "web-lt"]) {
            const before = named(dev, LT, lt).inputs;
            const after = named(withPeople, LT, lt).inputs;
            expect(after.userData, lt).to.equal(before.userData);
            expect(after.tagSpecifications, lt).to.deep.equal(before.tagSpecifications);
        }
        expect(document(withPeople).inputs.content).to.not.equal(document(dev).inputs.content);
        // A new content is a new document version, which the associations name: changed, they
        // run at once on every instance they target.
        for (const role of ["bastion", "web"]) {
            const a = named(withPeople, ASSOC, `ssh-access-${role}`);
            expect(a.propertyDependencies.documentVersion).to.deep.equal([document(withPeople).urn]);
        }
    });

    it("keeps the keys out of tags and stack outputs", () => {
        const keys = people.map((p) => blob(p.publicKey));
        const tagText = JSON.stringify(withPeople.resources.map((r) => [r.inputs.tags, r.inputs.tagSpecifications]));
        const outputText = JSON.stringify(withPeople.outputs);
        for (const k of keys) {
            expect(tagText).to.not.include(k);
            expect(outputText).to.not.include(k);
        }
        expect(JSON.stringify(withPeople.resources.filter((r) => r.type !== DOC).map((r) => r.inputs))).to.not.include(
            blob(ED25519),
        );
    });

    it("lets the web servers' agent read this document only, and report on its associations", () => {
        const policy = JSON.parse(named(dev, "aws:iam/rolePolicy:RolePolicy", "web-role-policy").inputs.policy);
        const bySid = (sid: string) => policy.Statement.find((s: { Sid: string }) => s.Sid === sid);
        expect(bySid("ReadSshAccessDocument")).to.deep.equal({
            Sid: "ReadSshAccessDocument",
            Effect: "Allow",
            Action: ["ssm:GetDocument", "ssm:DescribeDocument"],
            Resource: document(dev).outputs.arn,
        });
        expect(bySid("RunStateManagerAssociations")).to.deep.equal({
            Sid: "RunStateManagerAssociations",
            Effect: "Allow",
            Action: ["ssm:ListInstanceAssociations", "ssm:UpdateInstanceAssociationStatus", "ssm:PutComplianceItems"],
            Resource: "*",
        });
        // SSH access needs no Run Command: the agent runs State Manager associations, nothing sent
        // ad hoc. (Run Command's channel, ec2messages, is Patch Manager's, only with patching on.)
        const others = policy.Statement.filter((s: { Sid: string }) => s.Sid !== "PatchManager");
        expect(JSON.stringify(others)).to.not.include("ssm:SendCommand").and.not.include("ec2messages");
        expect(JSON.stringify(policy)).to.not.include("ssm:SendCommand");
    });

    it("without a bastion, still converges the web servers (to ec2-user alone)", async () => {
        const run = await runStack("dev", { "webfleet:bastion": { enabled: false } });
        expect(ofType(run, ASSOC).map((a) => a.name)).to.deep.equal(["ssh-access-web"]);
        expect(instanceTags(run, "web-lt")).to.include({ [SSH_ACCESS_TAG]: "webfleet/dev/web" });
    });

    describe("the component on its own", () => {
        const target = { role: "web" as const, tagValue: "webfleet/seams/web" };

        it("takes the deploy's day from its caller, so a last day is judged on the day of the deploy", async () => {
            const run = await runComponent(
                () =>
                    new SshAccess("ssh-access", {
                        prefix: "webfleet-seams",
                        people: [{ name: "bob", publicKey: RSA_3072, expires: "2030-06-01" }],
                        targets: [target],
                        today: "2030-06-01",
                    }),
            );
            expect(run.error).to.equal(undefined);
            const doc = run.resources.find((r) => r.type === DOC)!;
            expect(scriptFor(doc.inputs.content, "web")).to.not.include("bob ");
        });

        it("refuses a role given twice, and people the script would refuse, naming the argument", async () => {
            const twice = await runComponent(
                () => new SshAccess("ssh-access", { prefix: "p", people: [], targets: [target, target] }),
            );
            expect(twice.error?.message).to.include('targets: [{"role":"web"').and.include("give each role");
            const root = await runComponent(
                () =>
                    new SshAccess("ssh-access", {
                        prefix: "p",
                        people: [{ name: "root", publicKey: ED25519 }],
                        targets: [target],
                    }),
            );
            expect(root.error?.message).to.include(
                'people: renderSshAccessScript: people[0] (root): "root" is reserved',
            );
            expect(root.resources.filter((r) => r.type === DOC)).to.deep.equal([]);
        });
    });
});
