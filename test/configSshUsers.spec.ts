import { expect } from "chai";
import { validateStackConfig } from "../stackConfig";
import { configProblems, expectFixesAccepted, rawConfig as raw } from "./support/config";
import { DSA, ECDSA_256, ED25519, RSA_2048, RSA_3072, RSA_4096 } from "./support/sshKeys";

const alice = { name: "alice", publicKey: ED25519 };
const bob = { name: "bob", publicKey: RSA_3072, expires: "2031-01-31" };
const bastion = (more: Record<string, unknown>) => ({ bastion: more });
const message = (values: Record<string, unknown>) => configProblems(() => validateStackConfig(raw("dev", values)));

describe("stack config: bastion.users", () => {
    it("defaults to nobody and takes people with strong keys and an optional last day", () => {
        expect(validateStackConfig(raw("dev", {})).bastion.users).to.deep.equal([]);
        const carol = { name: "carol_ops-2", publicKey: ECDSA_256 };
        const dave = { name: "dave", publicKey: RSA_4096, expires: "2030-02-28" };
        expect(
            validateStackConfig(raw("dev", bastion({ users: [alice, bob, carol, dave] }))).bastion.users,
        ).to.deep.equal([alice, bob, carol, dave]);
    });

    /** What the stack file holds, and what the message must say (its fix included). */
    const cases: [string, Record<string, unknown>, string][] = [
        [
            "an RSA key shorter than 3072 bits, counted from the key itself",
            bastion({ users: [alice, { name: "bob", publicKey: RSA_2048 }] }),
            `  - bastion.users[1].publicKey: expected one OpenSSH public key of a strong type: ssh-ed25519, ecdsa-sha2-nistp256/384/521, their sk-…@openssh.com (FIDO) forms, or ssh-rsa of 3072 bits or more; an RSA key of 2048 bits, below 3072; make a new one with ssh-keygen -t ed25519 (or -t rsa -b 3072); found "${RSA_2048}".\n    Fix: pulumi config rm --stack dev --path 'bastion.users[1]'`,
        ],
        [
            "a DSA key",
            bastion({ users: [{ name: "bob", publicKey: DSA }] }),
            `  - bastion.users[0].publicKey: expected one OpenSSH public key of a strong type: ssh-ed25519, ecdsa-sha2-nistp256/384/521, their sk-…@openssh.com (FIDO) forms, or ssh-rsa of 3072 bits or more; a DSA key, which OpenSSH itself no longer accepts; make a new one with ssh-keygen -t ed25519; found "${DSA}".\n    Fix: pulumi config rm --stack dev --path 'bastion.users[0]'`,
        ],
        [
            "a key that is not one (a fingerprint)",
            bastion({ users: [{ name: "bob", publicKey: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s" }] }),
            `  - bastion.users[0].publicKey: expected one OpenSSH public key of a strong type: ssh-ed25519, ecdsa-sha2-nistp256/384/521, their sk-…@openssh.com (FIDO) forms, or ssh-rsa of 3072 bits or more; not an OpenSSH public key: it does not start with a key type (was an authorized_keys option, a private key or a fingerprint pasted?); paste the whole line of the .pub file; found "SHA256:`,
        ],
        [
            "a reserved name",
            bastion({ users: [alice, { name: "root", publicKey: RSA_4096 }] }),
            `  - bastion.users[1].name: expected the person's own Unix user name (lower-case letters, digits, _ or -, starting with a letter; not a system or reserved account); "root" is reserved (a system, AWS agent or webfleet account; ec2-user is the break-glass path): use the person's own name; found "root".\n    Fix: pulumi config rm --stack dev --path 'bastion.users[1]'`,
        ],
        [
            "the break-glass user as a person",
            bastion({ users: [{ name: "ec2-user", publicKey: RSA_4096 }] }),
            `  - bastion.users[0].name: expected the person's own Unix user name (lower-case letters, digits, _ or -, starting with a letter; not a system or reserved account); "ec2-user" is reserved`,
        ],
        [
            "a system account's prefix",
            bastion({ users: [{ name: "systemd-alice", publicKey: ED25519 }] }),
            `  - bastion.users[0].name: expected the person's own Unix user name`,
        ],
        [
            "a name in capitals (the fix is the same name, lower case)",
            bastion({ users: [{ name: "Alice", publicKey: ED25519 }] }),
            `  - bastion.users[0].name: expected the person's own Unix user name (lower-case letters, digits, _ or -, starting with a letter; not a system or reserved account); found "Alice".\n    Fix: pulumi config set --stack dev --path 'bastion.users[0].name' alice`,
        ],
        [
            "a name that is no Unix user name",
            bastion({ users: [{ name: "alice smith@corp", publicKey: ED25519 }] }),
            `  - bastion.users[0].name: expected the person's own Unix user name (lower-case letters, digits, _ or -, starting with a letter; not a system or reserved account); not a Unix user name: lower-case letters, digits, _ or -, starting with a letter, 32 characters at most; found "alice smith@corp".\n    Fix: pulumi config rm --stack dev --path 'bastion.users[0]'`,
        ],
        [
            "two entries with one name",
            bastion({ users: [alice, bob, { name: "alice", publicKey: RSA_4096 }] }),
            `  - bastion.users[2].name: expected a name no other entry has (bastion.users[0] is alice too): one account per person, so merge the two entries; found "alice".\n    Fix: pulumi config rm --stack dev --path 'bastion.users[2]'`,
        ],
        [
            "two people with one key (the comment does not make it another)",
            bastion({ users: [alice, { name: "mallory", publicKey: ED25519.replace(/ \S+$/, " other@laptop") }] }),
            `  - bastion.users[1].publicKey: expected a key of this person's own, not the one bastion.users[0] (alice) has: a shared key makes the log say nothing about who it was; found`,
        ],
        [
            "a person holding ec2-user's shared key",
            bastion({ sshPublicKey: RSA_4096, users: [{ name: "bob", publicKey: RSA_4096 }] }),
            `  - bastion.users[0].publicKey: expected a key of this person's own, not the one bastion.sshPublicKey (ec2-user's shared key) has`,
        ],
        [
            "a date that is none",
            bastion({ users: [{ ...alice, expires: "2031-02-30" }] }),
            `  - bastion.users[0].expires: expected a date written YYYY-MM-DD (UTC): the day the access ends, at 00:00 UTC; it is not a calendar date written YYYY-MM-DD; found "2031-02-30".\n    Fix: pulumi config rm --stack dev --path 'bastion.users[0]'`,
        ],
        [
            "a date as YAML's timestamp (the fix is its day)",
            bastion({ users: [{ ...alice, expires: "2031-01-31T00:00:00Z" }] }),
            `  - bastion.users[0].expires: expected a date written YYYY-MM-DD (UTC): the day the access ends, at 00:00 UTC; found "2031-01-31T00:00:00Z".\n    Fix: pulumi config set --stack dev --path 'bastion.users[0].expires' 2031-01-31`,
        ],
        [
            "an entry without a key",
            bastion({ users: [alice, { name: "bob" }] }),
            `  - bastion.users[1].publicKey: expected one OpenSSH public key of a strong type: ssh-ed25519, ecdsa-sha2-nistp256/384/521, their sk-…@openssh.com (FIDO) forms, or ssh-rsa of 3072 bits or more (every entry needs name and publicKey); found nothing.\n    Fix: pulumi config rm --stack dev --path 'bastion.users[1]'`,
        ],
        [
            "a misspelt field (moved to the one it is a typo of)",
            bastion({ users: [{ name: "alice", publickey: ED25519 }] }),
            `  - bastion.users[0].publickey: expected one of the fields of bastion.users[0]: name, publicKey, expires; did you mean bastion.users[0].publicKey?; found "${ED25519}".\n    Fix: pulumi config rm --stack dev --path 'bastion.users[0].publickey' && pulumi config set --stack dev --path 'bastion.users[0].publicKey' '${ED25519}'`,
        ],
        [
            "an entry that is not a map",
            bastion({ users: ["alice"] }),
            `  - bastion.users[0]: expected a person: {name, publicKey, expires?}; found "alice".\n    Fix: pulumi config rm --stack dev --path 'bastion.users[0]'`,
        ],
        [
            "people for a disabled bastion",
            bastion({ enabled: false, users: [alice] }),
            `  - bastion.users: expected empty while bastion.enabled is false: the people reach the web servers only through the bastion; found [{"name":"alice","publicKey":"${ED25519}"}].\n    Fix: pulumi config rm --stack dev --path bastion.users`,
        ],
        [
            "an ec2-user key EC2 cannot import",
            bastion({ sshPublicKey: ECDSA_256 }),
            `  - bastion.sshPublicKey: expected an OpenSSH public key EC2 can import: ssh-ed25519, or ssh-rsa of 3072 bits or more; a key of type ecdsa-sha2-nistp256, which is not one of ssh-ed25519, ssh-rsa; make a new one with ssh-keygen -t ed25519; found "${ECDSA_256}".\n    Fix: pulumi config rm --stack dev --path bastion.sshPublicKey`,
        ],
        [
            "a short RSA key for ec2-user",
            bastion({ sshPublicKey: RSA_2048 }),
            `  - bastion.sshPublicKey: expected an OpenSSH public key EC2 can import: ssh-ed25519, or ssh-rsa of 3072 bits or more; an RSA key of 2048 bits, below 3072;`,
        ],
    ];

    for (const [title, values, expected] of cases) {
        it(`rejects ${title}, naming the entry's field and a fix that is accepted`, () => {
            expect(message(values)).to.include(expected);
            expectFixesAccepted("dev", values);
        });
    }

    it("gives fixes that hold together for several bad people at once", () => {
        expectFixesAccepted("dev", {
            bastion: {
                sshPublicKey: ED25519,
                users: [
                    { name: "Bob", publicKey: RSA_3072 },
                    { name: "carol", publicKey: DSA },
                    { name: "dave", publicKey: ED25519, expires: "2031-1-5" },
                    { name: "erin", pubkey: RSA_4096 },
                ],
            },
        });
    });
});
