import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ProgramRun } from "../offline/program";
import { BASTION_TAG } from "../components/bastion";
import { SSHD_DROPIN_PATH, renderBastionUserData } from "../lib/userData/bastion";
import { named, ofType, runStack } from "./support/program";
import { ED25519 } from "./support/sshKeys";
import { requireTool } from "./support/tools";

/** sshd lives in /usr/sbin, which a non-root PATH may lack. */
function sshd(): string {
    return fs.existsSync("/usr/sbin/sshd") ? "/usr/sbin/sshd" : "sshd";
}

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

function rulesOf(run: ProgramRun, type: string, sgId: string) {
    return ofType(run, type).filter((r) => r.inputs.securityGroupId === sgId);
}

describe("bastion (mocked program)", function () {
    let dev: ProgramRun;
    let withCidrs: ProgramRun;
    let prodWithCidrs: ProgramRun;
    let sgId: string;
    before(async () => {
        dev = await runStack("dev");
        withCidrs = await runStack("dev", {
            "webfleet:bastion": { allowedCidrs: ["203.0.113.0/24", "198.51.100.0/28"] },
        });
        prodWithCidrs = await runStack("prod", { "webfleet:bastion": { allowedCidrs: ["203.0.113.0/24"] } });
        sgId = named(dev, "aws:ec2/securityGroup:SecurityGroup", "bastion-sg").outputs.id;
    });

    it("has no SSH ingress at all without allowed CIDRs", () => {
        expect(rulesOf(dev, INGRESS, sgId)).to.deep.equal([]);
        expect(named(dev, "aws:ec2/securityGroup:SecurityGroup", "bastion-sg").inputs.ingress).to.equal(undefined);
    });

    it("allows port 22 from exactly the allowed CIDRs", () => {
        const id = named(withCidrs, "aws:ec2/securityGroup:SecurityGroup", "bastion-sg").outputs.id;
        const rules = rulesOf(withCidrs, INGRESS, id).map((r) => [
            r.inputs.ipProtocol,
            r.inputs.fromPort,
            r.inputs.toPort,
            r.inputs.cidrIpv4,
        ]);
        expect(rules).to.deep.equal([
            ["tcp", 22, 22, "203.0.113.0/24"],
            ["tcp", 22, 22, "198.51.100.0/28"],
        ]);
    });

    it("limits egress to SSH into the VPC and HTTPS out", () => {
        const rules = rulesOf(dev, EGRESS, sgId).map((r) => [
            r.inputs.ipProtocol,
            r.inputs.fromPort,
            r.inputs.cidrIpv4,
        ]);
        expect(rules).to.have.deep.members([
            ["tcp", 22, "10.10.0.0/16"],
            ["tcp", 443, "0.0.0.0/0"],
        ]);
    });

    it("runs one instance from a hardened launch template in the public subnets", () => {
        const lt = named(dev, "aws:ec2/launchTemplate:LaunchTemplate", "bastion-lt");
        expect(lt.inputs.metadataOptions).to.include({ httpTokens: "required", httpPutResponseHopLimit: 1 });
        expect(lt.inputs.blockDeviceMappings[0].ebs).to.include({ encrypted: "true", volumeType: "gp3" });
        expect(lt.inputs.imageId).to.equal(
            "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        );
        expect(lt.inputs.networkInterfaces[0]).to.include({ associatePublicIpAddress: "true" });
        expect(lt.inputs.networkInterfaces[0].securityGroups).to.deep.equal([sgId]);
        expect(lt.inputs.iamInstanceProfile.arn).to.equal(
            named(dev, "aws:iam/instanceProfile:InstanceProfile", "bastion-profile").outputs.arn,
        );
        const asg = named(dev, "aws:autoscaling/group:Group", "bastion-asg");
        expect(asg.inputs).to.include({ minSize: 1, maxSize: 1, desiredCapacity: 1 });
        expect(asg.inputs.vpcZoneIdentifiers).to.deep.equal(dev.outputs.publicSubnetIds.value);
        expect(asg.inputs.launchTemplate).to.deep.equal({ id: lt.outputs.id, version: "1" });
    });

    it("takes an Elastic IP only when someone may SSH in from outside", () => {
        // No allowed CIDRs: no SSH ingress, so no fixed address to spend one of the region's five on.
        expect(ofType(dev, "aws:ec2/eip:Eip").filter((e) => e.name.startsWith("bastion"))).to.deep.equal([]);
        expect(ofType(dev, "aws:iam/rolePolicy:RolePolicy").map((p) => p.name)).to.not.include("bastion-eip");
        expect(dev.outputs.bastionPublicIp).to.deep.equal({ value: null, secret: false });
        const script = Buffer.from(named(dev, LT, "bastion-lt").inputs.userData, "base64").toString("utf8");
        expect(script).to.not.include("associate-address");
        expect(named(withCidrs, "aws:ec2/eip:Eip", "bastion-eip").inputs.domain).to.equal("vpc");
    });

    it("gives its role SSM access and its own Elastic IP onto its own instances only", () => {
        const attachment = named(dev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "bastion-ssm");
        expect(attachment.inputs.policyArn).to.equal("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
        const eip = named(withCidrs, "aws:ec2/eip:Eip", "bastion-eip");
        const policy = JSON.parse(named(withCidrs, "aws:iam/rolePolicy:RolePolicy", "bastion-eip").inputs.policy);
        expect(policy.Statement).to.have.length(1);
        expect(policy.Statement[0].Action).to.equal("ec2:AssociateAddress");
        expect(policy.Statement[0].Resource[0]).to.equal(eip.outputs.arn);
        // Every resource of the call (address, instance, interface) must carry this bastion's
        // marker, so the role cannot move the address onto another stack's bastion.
        const marker = eip.inputs.tags[BASTION_TAG];
        expect(marker).to.match(/^[0-9a-f]{16}$/);
        expect(policy.Statement[0].Condition).to.deep.equal({
            StringEquals: { "aws:ResourceTag/webfleet:role": "bastion", [`aws:ResourceTag/${BASTION_TAG}`]: marker },
        });
        const lt = named(withCidrs, LT, "bastion-lt");
        for (const spec of lt.inputs.tagSpecifications) {
            expect(spec.tags, spec.resourceType).to.include({ "webfleet:role": "bastion", [BASTION_TAG]: marker });
        }
        // Another stack's bastion gets another marker.
        const other = JSON.parse(named(prodWithCidrs, "aws:iam/rolePolicy:RolePolicy", "bastion-eip").inputs.policy);
        expect(other.Statement[0].Condition.StringEquals[`aws:ResourceTag/${BASTION_TAG}`]).to.not.equal(marker);
    });

    it("starts its group only once the Elastic IP permission is in place", () => {
        const asg = named(withCidrs, "aws:autoscaling/group:Group", "bastion-asg");
        expect(asg.options?.dependsOn).to.deep.equal([
            named(withCidrs, "aws:iam/rolePolicy:RolePolicy", "bastion-eip").urn,
        ]);
    });

    it("tags its instances, volumes and interfaces with the stack's tags", () => {
        const lt = named(dev, LT, "bastion-lt");
        expect(lt.inputs.tagSpecifications.map((s: any) => s.resourceType)).to.deep.equal([
            "instance",
            "volume",
            "network-interface",
        ]);
        for (const spec of lt.inputs.tagSpecifications) {
            expect(spec.tags, spec.resourceType).to.include({
                "webfleet:stack": "dev",
                "webfleet:environment": "dev",
                team: "platform",
            });
        }
        const asgTags = named(dev, "aws:autoscaling/group:Group", "bastion-asg").inputs.tags;
        expect(asgTags).to.deep.include({ key: "webfleet:stack", value: "dev", propagateAtLaunch: true });
    });

    it("exports its security group and the Elastic IP's address", () => {
        expect(dev.outputs.bastionSecurityGroupId.value).to.equal(sgId);
        expect(withCidrs.outputs.bastionPublicIp.value).to.equal(
            named(withCidrs, "aws:ec2/eip:Eip", "bastion-eip").outputs.publicIp,
        );
    });

    it("installs the configured SSH key as a key pair", async () => {
        const key = ED25519;
        const run = await runStack("dev", { "webfleet:bastion": { sshPublicKey: key } });
        const pair = named(run, "aws:ec2/keyPair:KeyPair", "bastion-key");
        expect(pair.inputs.publicKey).to.equal(key);
        expect(named(run, "aws:ec2/launchTemplate:LaunchTemplate", "bastion-lt").inputs.keyName).to.equal(
            pair.outputs.keyName,
        );
        expect(ofType(dev, "aws:ec2/keyPair:KeyPair")).to.deep.equal([]);
    });

    it("is absent when disabled, its outputs null (present for consumers, no engine warning)", async () => {
        const run = await runStack("dev", { "webfleet:bastion": { enabled: false } });
        expect(run.resources.filter((r) => r.type === "webfleet:network:Bastion")).to.deep.equal([]);
        expect(run.outputs.bastionSecurityGroupId).to.deep.equal({ value: null, secret: false });
        expect(run.outputs.bastionPublicIp).to.deep.equal({ value: null, secret: false });
    });

    it("renders user data from the Elastic IP it owns", () => {
        const lt = named(withCidrs, LT, "bastion-lt");
        const script = Buffer.from(lt.inputs.userData, "base64").toString("utf8");
        expect(script).to.equal(
            renderBastionUserData({
                eipAllocationId: named(withCidrs, "aws:ec2/eip:Eip", "bastion-eip").outputs.allocationId,
            }),
        );
        expect(script).to.include("attach_elastic_ip\n");
    });
});

describe("bastion user data", () => {
    const script = renderBastionUserData({ eipAllocationId: "eipalloc-0123456789abcdef0" });

    it("writes the sshd hardening drop-in", () => {
        expect(script).to.include(`readonly DROPIN='${SSHD_DROPIN_PATH}'`);
        const dropin = script.split("<<'SSHD'\n")[1].split("\nSSHD\n")[0].split("\n");
        for (const line of [
            "PermitRootLogin no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "AllowUsers ec2-user",
            "MaxAuthTries 3",
        ]) {
            expect(dropin, line).to.include(line);
        }
    });

    it("validates with sshd -t before reloading and backs out what sshd rejects", () => {
        const test = script.indexOf("sshd -t");
        const reload = script.indexOf("systemctl reload sshd");
        expect(test).to.be.greaterThan(0);
        expect(reload).to.be.greaterThan(test);
        const branch = script.slice(test, script.indexOf("fi", reload));
        expect(branch).to.match(/else\s+rm -f "\$DROPIN"/);
        expect(branch.match(/systemctl reload/g)).to.have.length(1);
    });

    it("refuses an allocation ID that is not one (nothing else reaches the script)", () => {
        expect(() => renderBastionUserData({ eipAllocationId: "x'; rm -rf / #" })).to.throw("not an allocation ID");
    });

    it("passes shellcheck, with and without an Elastic IP", function () {
        requireTool(this, "shellcheck", "apt-get install shellcheck");
        for (const [label, text] of [
            ["with", script],
            ["without", renderBastionUserData({})],
        ]) {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-")), "bastion.sh");
            fs.writeFileSync(file, text);
            expect(
                () => execFileSync("shellcheck", ["--severity=style", file], { stdio: "pipe" }),
                `${label} an Elastic IP`,
            ).to.not.throw();
        }
        expect(renderBastionUserData({})).to.not.include("EIP_ALLOCATION_ID");
    });

    it("is accepted by a real sshd, wins over the distribution's later drop-in, and lets ec2-user in", function () {
        requireTool(this, sshd(), "apt-get install openssh-server");
        requireTool(this, "ssh-keygen", "apt-get install openssh-client");
        if (!fs.existsSync("/run/sshd")) {
            // sshd -t insists on its privilege separation directory.
            fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-sshd-"));
        fs.mkdirSync(path.join(dir, "conf.d"));
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "host_key")]);
        fs.writeFileSync(path.join(dir, "sshd_config"), `Include ${dir}/conf.d/*.conf\nHostKey ${dir}/host_key\n`);
        const dropin = script.split("<<'SSHD'\n")[1].split("\nSSHD\n")[0];
        fs.writeFileSync(path.join(dir, "conf.d", path.basename(SSHD_DROPIN_PATH)), dropin + "\n");
        // Amazon Linux 2023 ships 50-redhat.conf, which turns X11 forwarding on.
        fs.writeFileSync(path.join(dir, "conf.d", "50-redhat.conf"), "X11Forwarding yes\nPasswordAuthentication yes\n");
        const config = path.join(dir, "sshd_config");
        execFileSync(sshd(), ["-t", "-f", config]);
        const effective = execFileSync(
            sshd(),
            ["-T", "-f", config, "-C", "user=ec2-user,host=localhost,addr=127.0.0.1"],
            { encoding: "utf8" },
        ).split("\n");
        for (const line of [
            "permitrootlogin no",
            "passwordauthentication no",
            "kbdinteractiveauthentication no",
            "allowusers ec2-user",
            "maxauthtries 3",
            "x11forwarding no",
            "allowtcpforwarding local",
        ]) {
            expect(effective, line).to.include(line);
        }
        // And the guard the script relies on does catch a broken drop-in.
        fs.appendFileSync(path.join(dir, "conf.d", path.basename(SSHD_DROPIN_PATH)), "NotAnOption yes\n");
        expect(() => execFileSync(sshd(), ["-t", "-f", config], { stdio: "pipe" })).to.throw(
            /Bad configuration option: NotAnOption/,
        );
    });
});
