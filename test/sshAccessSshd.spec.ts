/**
 * The account script against a real sshd: two throwaway hosts (test/support/sshHost.ts), a
 * bastion with the bastion's own hardening drop-in and a web server, each converged by the very
 * script the SSM document carries, and a real OpenSSH client going through the bastion with
 * ProxyJump as docs/ssh-access.md tells people to.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SSHD_DROPIN_PATH, SSHD_HARDENING } from "../lib/userData/bastion";
import { KEYS_DIR, PEOPLE_DROPIN_PATH, renderSshAccessDocument, scriptFor } from "../lib/userData/sshAccess";
import { SshPerson, utcToday } from "../lib/sshPeople";
import { SshClient } from "./support/sshClient";
import { SshHost, freePort, hostUnsupportedReason } from "./support/sshHost";
import { requireMachine } from "./support/tools";

describe("SSH access on a real sshd: bastion, web server, ProxyJump", function () {
    this.timeout(120_000);
    let bastion: SshHost | undefined;
    let web: SshHost | undefined;
    let client: SshClient;
    let clientDir: string | undefined;
    const key: Record<string, string> = {};
    const today = utcToday();
    const day = (offset: number) => utcToday(new Date(Date.now() + offset * 86_400_000));
    const tomorrow = day(1);

    const hosts = () => [bastion!, web!];
    const person = (name: string, expires?: string): SshPerson => ({ name, publicKey: key[name], expires });
    /** Runs the document's script on both hosts, as the two associations do; both must succeed. */
    function converge(people: SshPerson[]): string {
        const doc = renderSshAccessDocument(people);
        return [bastion!, web!]
            .map((h, i) => {
                const r = h.converge(scriptFor(doc, i === 0 ? "bastion" : "web"));
                expect(r.status, `${r.stdout}${r.stderr}`).to.equal(0);
                return r.stdout;
            })
            .join("");
    }
    const whoami = (user: string, opts: { key?: string } = {}) => client.ssh(user, "web", "id -un", opts);

    before(async function () {
        requireMachine(this, hostUnsupportedReason());
        const dir = (clientDir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-ssh-client-")));
        // The web server on port 22 of a loopback address of its own: the bastion lets people
        // forward to port 22 only, so the test uses the real port.
        const b = { address: "127.0.0.1", port: await freePort() };
        const w = {
            address: `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.9`,
            port: 22,
        };
        client = new SshClient(dir, b, w);
        for (const name of ["ec2-user", "alice", "bob", "carol", "dave", "erin", "mallory", "pushed"]) {
            key[name] = client.key(name);
        }
        bastion = await SshHost.start("bastion", {
            ...b,
            ec2UserKey: key["ec2-user"],
            dropins: { [path.basename(SSHD_DROPIN_PATH)]: SSHD_HARDENING },
            pushedKey: key.pushed,
        });
        web = await SshHost.start("web", { ...w, ec2UserKey: key["ec2-user"], pushedKey: key.pushed });
        // A local account someone made by hand, with a key of its own in ~/.ssh.
        web.must(
            `useradd --create-home erin && install -d -o erin -m 0700 ~erin/.ssh && echo '${key.erin}' > ~erin/.ssh/authorized_keys && chown erin ~erin/.ssh/authorized_keys`,
        );
    });
    after(() => {
        hosts().forEach((h) => h?.stop());
        // The throwaway private keys go with the hosts.
        if (clientDir) fs.rmSync(clientDir, { recursive: true, force: true });
    });

    it("lets each listed person in with their own key, through the bastion, and nobody else", () => {
        converge([person("alice"), person("bob", "2031-01-31")]);
        expect(whoami("alice")).to.include({ ok: true, out: "alice" });
        expect(whoami("bob")).to.include({ ok: true, out: "bob" });
        // Only their own key: not another person's, not one they add to ~/.ssh themselves.
        expect(whoami("bob", { key: "alice" }).ok).to.equal(false);
        expect(
            client.ssh("alice", "web", `mkdir -p ~/.ssh && echo '${key.mallory}' >> ~/.ssh/authorized_keys`).ok,
        ).to.equal(true);
        expect(whoami("alice", { key: "mallory" }).ok).to.equal(false);
        // Nobody unlisted: an unknown user, nor a local account with a key of its own.
        expect(whoami("mallory").ok).to.equal(false);
        expect(client.ssh("erin", "web", "true").ok).to.equal(false);
        for (const h of hosts()) {
            expect(h.effective("alice"))
                .to.include("allowusers alice")
                .and.include(`authorizedkeysfile ${KEYS_DIR}/%u`);
        }
        // No sudo, no other group; the key file is root's, readable by the person's group only.
        expect(
            client.ssh("alice", "web", "id -nG; stat -c '%U:%G %a' /etc/webfleet/ssh/authorized_keys/alice").out,
        ).to.equal("alice webfleet-ssh\nroot:alice 640");
    });

    it("makes the bastion a jump host for people: no shell, forwarding to port 22 only", () => {
        converge([person("alice")]);
        const shell = client.ssh("alice", "bastion", "id -un");
        expect(shell.ok).to.equal(false);
        expect(shell.out).to.include("This account is currently not available.");
        // Port 9 on the bastion's own loopback: anything but SSH is refused.
        const elsewhere = client.ssh("alice", "bastion", "", { args: ["-W", "127.0.0.1:9"] });
        expect(elsewhere.ok).to.equal(false);
        expect(bastion!.must("cat /run/sshd.log")).to.include(
            "to connect to host 127.0.0.1 port 9, but the request was denied",
        );
    });

    it("keeps ec2-user's way in with the stack's key, next to the bastion's hardening drop-in", () => {
        converge([person("alice")]);
        expect(client.ssh("ec2-user", "bastion", "id -un")).to.include({ ok: true, out: "ec2-user" });
        expect(whoami("ec2-user")).to.include({ ok: true, out: "ec2-user" });
        // sshd adds the AllowUsers lines of both drop-ins up: exactly ec2-user and the people.
        const allows = bastion!.effective("alice").filter((l) => l.startsWith("allowusers "));
        expect([...new Set(allows)].sort()).to.deep.equal(["allowusers alice", "allowusers ec2-user"]);
        // A key pushed the way EC2 Instance Connect does works for ec2-user, never for a person.
        expect(client.ssh("ec2-user", "bastion", "true", { key: "pushed" }).ok).to.equal(true);
        expect(
            client.ssh("alice", "bastion", "", { key: "pushed", args: ["-N", "-o", "ConnectTimeout=5"] }).out,
        ).to.include("Permission denied");
        expect(bastion!.must("cat /run/sshd.log")).to.not.include("AuthorizedKeysCommand path is not absolute");
    });

    it("removes a person taken off the list: key, running session, account and home, on both hosts", async () => {
        converge([person("alice"), person("bob")]);
        const session = client.session("bob", "web", "sleep 300");
        for (let i = 0; i < 100 && web!.run("pgrep -u bob sleep").status !== 0; i++) {
            await new Promise((r) => setTimeout(r, 100));
        }
        expect(web!.run("pgrep -u bob sleep").status, "bob's session runs").to.equal(0);
        const ended = new Promise<number | null>((r) => session.on("exit", r));
        const out = converge([person("alice")]);
        expect(out).to.include("bob: removed (key, sessions, account, home)");
        expect(
            await Promise.race([ended, new Promise((r) => setTimeout(() => r("still running"), 10_000))]),
        ).to.not.equal("still running");
        expect(whoami("bob").ok).to.equal(false);
        for (const h of hosts()) {
            expect(h.run("id bob").status).to.not.equal(0);
            expect(h.run(`test -e ${KEYS_DIR}/bob || test -e /home/bob`).status).to.not.equal(0);
            expect(h.effective("alice")).to.not.include("allowusers bob");
        }
        expect(whoami("alice")).to.include({ ok: true, out: "alice" });
    });

    it("locks an account from 00:00 UTC on its last day before anything runs, and the next run removes it", () => {
        converge([person("alice"), person("carol", day(30))]);
        // A new last day reaches the account at the next run.
        expect(converge([person("alice"), person("carol", tomorrow)])).to.include(
            `carol: account updated (expires ${tomorrow})`,
        );
        expect(whoami("carol")).to.include({ ok: true, out: "carol" });
        // The account carries the date itself (shadow counts days since 1970, in UTC).
        const days = Date.parse(`${tomorrow}T00:00:00Z`) / 86_400_000;
        for (const h of hosts()) expect(h.must("getent shadow carol").split(":")[7]).to.equal(String(days));
        // The day comes (what the clock does to shadow's comparison, done to the date instead):
        // sshd's PAM account check refuses her with nothing run and nothing deployed.
        for (const h of hosts()) h.must(`chage --expiredate ${today} carol`);
        expect(whoami("carol").ok).to.equal(false);
        expect(bastion!.must("cat /run/sshd.log")).to.include(
            "Access denied for user carol by PAM account configuration",
        );
        // The next scheduled run, still holding her with that date, removes her account.
        const out = converge([person("alice"), person("carol", today)]);
        expect(out).to.include(`carol: access ended on ${today}`).and.include("carol: removed");
        for (const h of hosts()) expect(h.run("id carol").status).to.not.equal(0);
    });

    it("changes nothing and reloads nothing when the people are the same", () => {
        converge([person("alice")]);
        const hups = () => (bastion!.must("cat /run/sshd.log").match(/Received SIGHUP/g) ?? []).length;
        const before = hups();
        const out = converge([person("alice")]);
        for (const change of ["sshd allows", "created", "updated", "removed"]) expect(out).to.not.include(change);
        expect(hups()).to.equal(before);
    });

    it("keeps the working sshd config when the new one would lock ec2-user out or does not parse", () => {
        converge([person("alice")]);
        const dropin = web!.must(`cat ${PEOPLE_DROPIN_PATH}`);
        const doc = renderSshAccessDocument([person("alice"), person("dave")]);
        for (const [local, says] of [
            ["DenyUsers ec2-user", "the new sshd config would not let ec2-user in"],
            ["NotAnOption yes", "sshd config refused"],
        ]) {
            web!.must(`echo '${local}' > /etc/ssh/sshd_config.d/90-local.conf`);
            const r = web!.converge(scriptFor(doc, "web"));
            expect(r.status, local).to.equal(1);
            expect(r.stdout, local).to.include(says).and.include("the previous one stays and sshd was not reloaded");
            expect(web!.must(`cat ${PEOPLE_DROPIN_PATH}`), local).to.equal(dropin);
            expect(whoami("ec2-user").ok, local).to.equal(true);
            expect(whoami("dave").ok, local).to.equal(false);
        }
        web!.must("rm /etc/ssh/sshd_config.d/90-local.conf");
        converge([person("alice"), person("dave")]);
        expect(whoami("dave")).to.include({ ok: true, out: "dave" });
    });

    it("never takes over an account it did not create, and gives it no SSH", () => {
        const r = web!.converge(scriptFor(renderSshAccessDocument([person("alice"), person("erin")]), "web"));
        expect(r.status).to.equal(1);
        expect(r.stdout).to.include("erin: an account of that name exists and is not one of the people");
        expect(web!.effective("erin")).to.not.include("allowusers erin");
        expect(client.ssh("erin", "web", "true").ok).to.equal(false);
        expect(web!.must("id -nG erin").trim()).to.equal("erin");
        expect(whoami("alice").ok).to.equal(true);
    });
});
