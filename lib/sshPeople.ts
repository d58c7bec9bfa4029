/**
 * The people who may SSH to the bastion and through it to the web servers: who counts as a valid
 * person (a Unix name of their own, a strong key, an optional last day), and who is still in on
 * a given day. Pure, so the config validator, the component and the account script's renderer
 * agree.
 */

export interface SshPerson {
    /** Their Unix account name on the bastion and the web servers. */
    name: string;
    /** One OpenSSH public key (lib/sshKeys.ts decides which are strong enough). */
    publicKey: string;
    /** YYYY-MM-DD (UTC): from 00:00 UTC that day the account is locked, and removed at the next run. */
    expires?: string;
}

/** Lower-case letters, digits, _ and -, starting with a letter, 32 at most: what useradd takes everywhere. */
export const UNIX_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** The group that marks an account as a person's: the account script never touches any other. */
export const PEOPLE_GROUP = "webfleet-ssh";

/** The default user: the break-glass SSH path, always allowed, never managed as a person. */
export const BREAK_GLASS_USER = "ec2-user";

/**
 * Accounts and groups a person's name may not take: the default and SSM users, the app's own
 * user, the people group, and the system accounts and groups of Amazon Linux 2023 (a person
 * named after one would take its identity or collide with it).
 */
export const RESERVED_NAMES: readonly string[] = [
    "root",
    BREAK_GLASS_USER,
    "ssm-user",
    "webfleet",
    PEOPLE_GROUP,
    "ec2-instance-connect",
    "cwagent",
    "bin",
    "daemon",
    "adm",
    "lp",
    "sync",
    "shutdown",
    "halt",
    "mail",
    "operator",
    "games",
    "ftp",
    "nobody",
    "sshd",
    "dbus",
    "tss",
    "chrony",
    "rpc",
    "rpcuser",
    "postfix",
    "unbound",
    "polkitd",
    "sssd",
    "libstoragemgmt",
    "wheel",
    "sudo",
    "admin",
    "users",
    "utmp",
    "tty",
    "disk",
    "kmem",
    "input",
    "audio",
    "video",
    "docker",
    "nginx",
    "apache",
    "postgres",
];

/** Name prefixes of accounts the OS and AWS's agents create. */
const RESERVED_PREFIXES = ["systemd-", "aws", "ec2", "ssm", "amazon"];

/** Why `name` cannot be a person's account (undefined: it can). */
export function nameProblem(name: string): string | undefined {
    if (!UNIX_NAME.test(name)) {
        return "not a Unix user name: lower-case letters, digits, _ or -, starting with a letter, 32 characters at most";
    }
    if (RESERVED_NAMES.includes(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p))) {
        return `"${name}" is reserved (a system, AWS agent or webfleet account; ec2-user is the break-glass path): use the person's own name`;
    }
    return undefined;
}

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
    const d = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Today in UTC, as the account script and shadow's expiry count days. */
export function utcToday(now = new Date()): string {
    return now.toISOString().slice(0, 10);
}

/** Whether `person` still has access on `today` (both YYYY-MM-DD, UTC): the expiry day itself is out. */
export function isActive(person: SshPerson, today: string): boolean {
    return person.expires === undefined || person.expires > today;
}
