import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    PEOPLE_DROPIN_PATH,
    ROLE_PARAMETER,
    renderSshAccessDocument,
    renderSshAccessScript,
    scriptFor,
} from "../lib/userData/sshAccess";
import { SSHD_DROPIN_PATH } from "../lib/userData/bastion";
import { MAX_PEOPLE } from "../stackConfig/sshKinds";
import { DSA, ECDSA_256, ED25519, RSA_3072, RSA_4096 } from "./support/sshKeys";
import { requireTool } from "./support/tools";

const people = [
    { name: "alice", publicKey: ED25519 },
    { name: "bob", publicKey: RSA_3072, expires: "2031-01-31" },
];

describe("SSH access script and document (lib/userData/sshAccess.ts)", () => {
    it("passes shellcheck for both roles, with people and with none", function () {
        requireTool(this, "shellcheck", "apt-get install shellcheck");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-"));
        for (const list of [people, []]) {
            for (const role of ["bastion", "web"] as const) {
                const file = path.join(dir, `${role}-${list.length}.sh`);
                fs.writeFileSync(file, scriptFor(renderSshAccessDocument(list), role));
                expect(
                    () => execFileSync("shellcheck", ["--severity=style", file], { stdio: "pipe" }),
                    `${role}, ${list.length} people`,
                ).to.not.throw();
            }
        }
    });

    it("lists each person once: name, last day, key type and blob (their own comment left out)", () => {
        const script = renderSshAccessScript(people);
        const block = script.split("<<'PEOPLE'\n")[1].split("PEOPLE\n")[0];
        const [type, blob] = ED25519.split(" ");
        const [rtype, rblob] = RSA_3072.split(" ");
        expect(block).to.equal(`alice - ${type} ${blob}\nbob 2031-01-31 ${rtype} ${rblob}\n`);
        expect(script).to.not.include("@example");
        expect(renderSshAccessScript([]).split("<<'PEOPLE'\n")[1].startsWith("PEOPLE\n")).to.equal(true);
    });

    it("is a Command document whose only parameter is the host's role, bastion or web", () => {
        const doc = JSON.parse(renderSshAccessDocument(people));
        expect(doc.schemaVersion).to.equal("2.2");
        expect(doc.parameters).to.deep.equal({
            role: {
                type: "String",
                description: "bastion (accounts that can only jump on to SSH in the VPC) or web (a shell)",
                allowedValues: ["bastion", "web"],
            },
        });
        expect(doc.mainSteps).to.have.length(1);
        expect(doc.mainSteps[0]).to.include({ action: "aws:runShellScript", name: "convergeSshAccess" });
        // SSM substitutes every {{ … }}: the role must be the only one in the script.
        const script = doc.mainSteps[0].inputs.runCommand.join("\n");
        expect(script.match(/\{\{[^}]*\}\}/g)).to.deep.equal([ROLE_PARAMETER]);
        expect(script).to.equal(renderSshAccessScript(people));
        expect(scriptFor(JSON.stringify(doc), "web"))
            .to.include("readonly ROLE='web'")
            .and.not.include("{{");
    });

    it("gives people on the bastion no shell and a forward to port 22 only, on the web servers a shell and no forwarding", () => {
        const bastion = scriptFor(renderSshAccessDocument(people), "bastion");
        expect(bastion).to.include("bastion) readonly PEOPLE_SHELL=/usr/sbin/nologin ;;");
        expect(bastion).to.include("web) readonly PEOPLE_SHELL=/bin/bash ;;");
        const dropin = bastion.slice(bastion.indexOf("render_dropin() {"), bastion.indexOf("lets_in() {"));
        expect(dropin).to.include('echo "    PermitOpen *:22"').and.include('echo "    AllowTcpForwarding no"');
        expect(dropin).to.include('echo "AllowUsers $BREAK_GLASS${allowed[*]:+ ${allowed[*]}}"');
    });

    it("writes its drop-in before the bastion's hardening one, so its values win where sshd keeps the first", () => {
        expect(path.dirname(PEOPLE_DROPIN_PATH)).to.equal(path.dirname(SSHD_DROPIN_PATH));
        expect(path.basename(PEOPLE_DROPIN_PATH) < path.basename(SSHD_DROPIN_PATH)).to.equal(true);
        expect(path.basename(PEOPLE_DROPIN_PATH) < "50-redhat.conf").to.equal(true);
    });

    it("reloads sshd only after sshd -t and the lock-out check pass, and puts the old drop-in back otherwise", () => {
        const script = renderSshAccessScript(people);
        const apply = script.slice(script.indexOf("apply_dropin() {"), script.indexOf("apply_dropin || "));
        const test = apply.indexOf("sshd -t");
        const check = apply.indexOf('lets_in "$user"');
        const reload = apply.indexOf("systemctl reload sshd");
        expect(test).to.be.greaterThan(0);
        expect(check).to.be.greaterThan(test);
        expect(reload).to.be.greaterThan(check);
        expect(apply.match(/systemctl reload/g)).to.have.length(1);
        expect(apply.slice(reload)).to.include('mv -f "$backup" "$DROPIN"');
    });

    it("refuses what the validator refuses, should anything bypass it", () => {
        const cases: [object, string][] = [
            [{ name: "root", publicKey: ED25519 }, 'people[0] (root): "root" is reserved'],
            [{ name: "x'; rm -rf / #", publicKey: ED25519 }, "not a Unix user name"],
            [{ name: "bob", publicKey: DSA }, "people[0] (bob): a DSA key"],
            [{ name: "bob", publicKey: `${ED25519}\nalice - ${ECDSA_256}` }, "not an OpenSSH public key"],
            [{ name: "bob", publicKey: ED25519, expires: "soon" }, 'people[0].expires: "soon" is not YYYY-MM-DD'],
        ];
        for (const [person, message] of cases) {
            expect(() => renderSshAccessScript([person as never]), message).to.throw(message);
        }
        expect(() => renderSshAccessScript([people[0], { ...people[0], publicKey: RSA_4096 }])).to.throw(
            "people[1]: alice is listed twice",
        );
    });

    it("refuses a document over SSM's 64 KB, saying what to do", () => {
        const many = Array.from({ length: 80 }, (_, i) => ({ name: `p${i}`, publicKey: RSA_4096 }));
        expect(() => renderSshAccessDocument(many)).to.throw(
            "over SSM's 64 KB; list fewer people or give them ssh-ed25519 keys",
        );
        // The most people the config takes, all with 4096-bit RSA keys, fit.
        const most = Array.from({ length: MAX_PEOPLE }, (_, i) => ({ name: `p${i}`, publicKey: RSA_4096 }));
        expect(Buffer.byteLength(renderSshAccessDocument(most))).to.be.below(64 * 1024);
    });
});
