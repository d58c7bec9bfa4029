/**
 * An OpenSSH client for the sshd tests: a key per person (made here), and the ~/.ssh/config a
 * person would write from docs/ssh-access.md (the bastion, and the web server through
 * `ProxyJump bastion`).
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Outcome {
    ok: boolean;
    status: number | null;
    out: string;
}

export class SshClient {
    constructor(
        private readonly dir: string,
        private readonly bastion: { address: string; port: number },
        private readonly web: { address: string; port: number },
    ) {}

    /** A new key pair named `name`; returns the public key's line. */
    key(name: string, type = "ed25519"): string {
        const file = path.join(this.dir, name);
        spawnSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", `${name}@laptop`, "-f", file]);
        return fs.readFileSync(`${file}.pub`, "utf8").trim();
    }

    /** The person's ~/.ssh/config: their user and key, the bastion, and the web server behind it. */
    private config(user: string, key: string): string {
        const file = path.join(this.dir, `${user}-with-${key}.config`);
        fs.writeFileSync(
            file,
            [
                "Host bastion",
                `    HostName ${this.bastion.address}`,
                `    Port ${this.bastion.port}`,
                "Host web",
                `    HostName ${this.web.address}`,
                `    Port ${this.web.port}`,
                "    ProxyJump bastion",
                "Host *",
                `    User ${user}`,
                `    IdentityFile ${path.join(this.dir, key)}`,
                "    IdentitiesOnly yes",
                "    IdentityAgent none",
                "    PasswordAuthentication no",
                "    KbdInteractiveAuthentication no",
                "    BatchMode yes",
                "    UserKnownHostsFile /dev/null",
                "    StrictHostKeyChecking no",
                "    LogLevel ERROR",
                "    ConnectTimeout 10",
                "",
            ].join("\n"),
        );
        return file;
    }

    /** `ssh <host> <command>` as `user` with the key `key` (default: their own). */
    ssh(user: string, host: "bastion" | "web", command: string, opts: { key?: string; args?: string[] } = {}): Outcome {
        const r = spawnSync("ssh", ["-F", this.config(user, opts.key ?? user), ...(opts.args ?? []), host, command], {
            encoding: "utf8",
            timeout: 30_000,
        });
        return { ok: r.status === 0, status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
    }

    /** Starts a long session (for revocation to end); returns the running client. */
    session(user: string, host: "bastion" | "web", command: string): ChildProcess {
        return spawn("ssh", ["-F", this.config(user, user), host, command], { stdio: "ignore" });
    }
}
