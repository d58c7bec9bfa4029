/**
 * A throwaway "host" for running the real account script and a real sshd: a private mount and
 * PID namespace with its own copy of /etc (so useradd, userdel and chage edit that copy's
 * passwd, shadow and group, never this machine's), its own /home, /run and /var/log, and an sshd
 * configured like Amazon Linux 2023's (the drop-in directory first, PAM on, ec2-user holding the
 * stack's key in ~/.ssh). Everything else (binaries, PAM modules, the network) is the machine's
 * own, so sshd's decisions are the real ones. Needs root, unshare and nsenter.
 */
import { ChildProcess, SpawnSyncReturns, execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const SSHD = "/usr/sbin/sshd";

/** Why this machine cannot run a host (undefined: it can). */
export function hostUnsupportedReason(): string | undefined {
    if (process.getuid?.() !== 0) return "creating accounts and running sshd for other users needs root";
    for (const tool of ["unshare", "nsenter", SSHD, "useradd"]) {
        if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
    }
    if (spawnSync("unshare", ["--mount", "--pid", "--fork", "true"]).status !== 0) {
        return "unshare --mount --pid is not permitted here (the container lacks CAP_SYS_ADMIN)";
    }
    return undefined;
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
    const net = await import("node:net");
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as { port: number }).port;
            s.close(() => resolve(port));
        });
    });
}

export interface HostOptions {
    /** Where sshd listens. */
    address: string;
    port: number;
    /** The stack's shared key, installed for ec2-user as cloud-init does. */
    ec2UserKey: string;
    /** Extra drop-ins, by file name (the bastion's hardening one). */
    dropins?: Record<string, string>;
    /** A key an AuthorizedKeysCommand offers for every user, as EC2 Instance Connect pushes one. */
    pushedKey?: string;
}

export class SshHost {
    readonly root: string;
    private readonly pid: number;
    private readonly holder: ChildProcess;

    private constructor(root: string, holder: ChildProcess, pid: number) {
        this.root = root;
        this.holder = holder;
        this.pid = pid;
    }

    static async start(name: string, opts: HostOptions): Promise<SshHost> {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), `webfleet-host-${name}-`));
        execFileSync("cp", ["-a", "/etc", path.join(root, "etc")]);
        for (const dir of ["home", "run/sshd", "run/shim", "varlog", "varmail"]) {
            fs.mkdirSync(path.join(root, dir), { recursive: true, mode: 0o755 });
        }
        const mounts = [
            ["etc", "/etc"],
            ["home", "/home"],
            ["run", "/run"],
            ["varlog", "/var/log"],
            ["varmail", "/var/mail"],
        ]
            .map(([from, to]) => `mount --bind ${root}/${from} ${to}`)
            .join(" && ");
        const holder = spawn(
            "unshare",
            ["--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private", "--", "sh", "-c"].concat(
                `${mounts} && touch /run/ready && exec sleep 3600`,
            ),
            { stdio: "ignore" },
        );
        // The namespace's first process is unshare's child; nsenter joins through it.
        let pid = 0;
        for (let i = 0; i < 100 && !pid; i++) {
            await new Promise((r) => setTimeout(r, 50));
            const children = fs.readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, "utf8").trim();
            if (children && fs.existsSync(path.join(root, "run", "ready"))) pid = Number(children.split(" ")[0]);
        }
        if (!pid) {
            holder.kill("SIGKILL");
            throw new Error(`host ${name}: the namespace did not come up`);
        }
        const host = new SshHost(root, holder, pid);
        try {
            host.setUp(opts);
        } catch (e) {
            host.stop();
            throw e;
        }
        return host;
    }

    /** Runs a command inside the host; never throws, the caller checks the status. */
    run(command: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
        return spawnSync("nsenter", ["-t", String(this.pid), "-m", "-p", "--", "bash", "-c", command], {
            stdio: ["ignore", "pipe", "pipe"],
            encoding: "utf8",
            env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...env },
        });
    }

    /** Like run, but a failure is an error with what the command printed. */
    must(command: string): string {
        const r = this.run(command);
        if (r.status !== 0) throw new Error(`${command}: exit ${r.status}\n${r.stdout}${r.stderr}`);
        return r.stdout;
    }

    /**
     * Runs the account script as SSM would (as root), with `systemctl reload sshd` doing what
     * AL2023's unit does (sshd.service's ExecReload is a SIGHUP to sshd): there is no systemd here.
     */
    converge(script: string): SpawnSyncReturns<string> {
        const file = path.join(this.root, "run", "converge.sh");
        fs.writeFileSync(file, script, { mode: 0o700 });
        return this.run("/run/converge.sh", { PATH: "/run/shim:/usr/bin:/bin" });
    }

    /** The effective sshd config for a user, as sshd -T prints it. */
    effective(user: string): string[] {
        return this.must(`${SSHD} -T -C user=${user},host=localhost,addr=127.0.0.1`).split("\n");
    }

    private setUp(opts: HostOptions): void {
        const etc = path.join(this.root, "etc");
        const ssh = path.join(etc, "ssh");
        fs.mkdirSync(path.join(ssh, "sshd_config.d"), { recursive: true });
        for (const f of fs.readdirSync(path.join(ssh, "sshd_config.d"))) fs.rmSync(path.join(ssh, "sshd_config.d", f));
        for (const [file, text] of Object.entries(opts.dropins ?? {})) {
            fs.writeFileSync(path.join(ssh, "sshd_config.d", file), text + "\n", { mode: 0o600 });
        }
        const hostKey = path.join(ssh, "webfleet_test_host_ed25519_key");
        fs.rmSync(hostKey, { force: true });
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
        if (opts.pushedKey) {
            fs.writeFileSync(
                path.join(ssh, "webfleet_test_instance_connect"),
                `#!/bin/sh\necho '${opts.pushedKey}'\n`,
                {
                    mode: 0o755,
                },
            );
        }
        // AL2023's layout: the drop-ins first (sshd keeps the first value it reads), PAM on.
        fs.writeFileSync(
            path.join(ssh, "sshd_config"),
            [
                "Include /etc/ssh/sshd_config.d/*.conf",
                `ListenAddress ${opts.address}:${opts.port}`,
                `HostKey ${hostKey}`,
                "PidFile /run/sshd.pid",
                "AuthorizedKeysFile .ssh/authorized_keys",
                "UsePAM yes",
                "PrintMotd no",
                "",
            ].join("\n"),
        );
        // The account phase as AL2023's password-auth stack has it (pam_unix refuses an expired
        // account); no session modules that need a real login (loginuid, systemd).
        fs.writeFileSync(
            path.join(etc, "pam.d", "sshd"),
            "auth required pam_unix.so\naccount required pam_nologin.so\naccount required pam_unix.so\nsession required pam_unix.so\n",
        );
        fs.writeFileSync(
            path.join(this.root, "run", "shim", "systemctl"),
            '#!/bin/sh\n[ "$1 $2" = "reload sshd" ] || exit 1\nkill -HUP "$(cat /run/sshd.pid)"\n',
            { mode: 0o755 },
        );
        this.must(
            "useradd --create-home ec2-user && install -d -o ec2-user -g ec2-user -m 0700 ~ec2-user/.ssh" +
                ` && echo '${opts.ec2UserKey}' > ~ec2-user/.ssh/authorized_keys` +
                " && chown ec2-user: ~ec2-user/.ssh/authorized_keys && chmod 0600 ~ec2-user/.ssh/authorized_keys",
        );
        // AL2023's EC2 Instance Connect sets its command on sshd's command line (its
        // sshd.service.d drop-in), where it wins over everything the config file says globally.
        const pushed = opts.pushedKey
            ? ` -o "AuthorizedKeysCommand /etc/ssh/webfleet_test_instance_connect %u %f" -o "AuthorizedKeysCommandUser nobody"`
            : "";
        this.must(`${SSHD} -E /run/sshd.log${pushed}`);
    }

    /** Ends every process of the host (sshd, sessions) and removes its files. */
    stop(): void {
        this.holder.kill("SIGKILL");
        spawnSync("kill", ["-KILL", String(this.pid)]);
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}
