/**
 * The kinds of the bastion's SSH keys: the stack's ec2-user key pair, and the people of
 * `bastion.users` with their names, keys and last days. What counts as a strong key or a
 * person's name is decided in lib/sshKeys.ts and lib/sshPeople.ts, shared with the renderers.
 */
import { EC2_KEY_PAIR_TYPES, MIN_RSA_BITS, keyProblem } from "../lib/sshKeys";
import { SshPerson, isIsoDate, nameProblem } from "../lib/sshPeople";
import { judged, list, record } from "./kinds";

/** An example key (a real Ed25519 public key; its private half was never kept). */
export const EXAMPLE_KEY =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEw05qF+oZ0kw+HIoew1gjLDKkYzR/sy8YxwUwSo2NRl alice@example";

/** Each person's key is in the SSM document that converges the accounts (64 KB at most). */
export const MAX_PEOPLE = 50;

/** The date in a timestamp (an unquoted YAML date may arrive as one) or a date written without zeros. */
function isoDateOf(s: string): string {
    const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?\s*$/.exec(s);
    return m ? `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}` : s.trim();
}

/** ec2-user's key: EC2 imports Ed25519 and RSA only, and RSA must be strong too. */
export const ec2KeyPairKey = judged(
    (k) => keyProblem(k, EC2_KEY_PAIR_TYPES),
    `an OpenSSH public key EC2 can import: ssh-ed25519, or ssh-rsa of ${MIN_RSA_BITS} bits or more`,
    "OpenSSH public key",
    (s) => s.trim(),
    16384,
);

const personName = judged(
    (s) => nameProblem(s),
    "the person's own Unix user name (lower-case letters, digits, _ or -, starting with a letter; not a system or reserved account)",
    "Unix user name",
    (s) => s.trim().toLowerCase(),
    32,
);

const personKey = judged(
    (k) => keyProblem(k),
    `one OpenSSH public key of a strong type: ssh-ed25519, ecdsa-sha2-nistp256/384/521, their sk-…@openssh.com (FIDO) forms, or ssh-rsa of ${MIN_RSA_BITS} bits or more`,
    "OpenSSH public key",
    (s) => s.trim(),
    16384,
);

const lastDay = judged(
    (s) => (isIsoDate(s) ? undefined : "it is not a calendar date written YYYY-MM-DD"),
    "a date written YYYY-MM-DD (UTC): the day the access ends, at 00:00 UTC",
    "YYYY-MM-DD",
    isoDateOf,
    10,
);

export const people = list(
    record<SshPerson>(
        {
            name: { kind: personName, required: true },
            publicKey: { kind: personKey, required: true },
            expires: { kind: lastDay },
        },
        "a person: {name, publicKey, expires?}",
        "{name, publicKey, expires?}",
    ),
    0,
    MAX_PEOPLE,
    `a list of at most ${MAX_PEOPLE} people, each {name, publicKey, expires?}`,
);
