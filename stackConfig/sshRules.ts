/**
 * The rules between the people of `bastion.users` and the rest of the bastion section: one
 * account per person, one key per person, and people only where there is a bastion to reach.
 * (Each entry on its own is checked by its kind in keys.ts: the name, the key's strength, the
 * date.) A repair removes the offending entry: a grant the validator cannot make right is
 * dropped, never widened.
 */
import { parsePublicKey } from "../lib/sshKeys";
import type { Issue, Path, RuleContext } from "./rules";
import type { ResolvedSections } from "./keys";

const USERS: Path = ["bastion", "users"];

/** The key without its comment: two lines with the same type and blob are the same key. */
function keyId(text: string): string | undefined {
    const k = parsePublicKey(text);
    return "problem" in k ? undefined : `${k.type} ${k.blob}`;
}

export function sshUsersRule(c: ResolvedSections, _ctx: RuleContext): Issue[] {
    const users = c.bastion.users;
    if (users.length === 0) return [];
    if (!c.bastion.enabled) {
        return [
            {
                path: USERS,
                expected:
                    "empty while bastion.enabled is false: the people reach the web servers only through the bastion",
                found: users,
                repairs: [{ op: "rm", path: USERS }],
            },
        ];
    }
    const issues: Issue[] = [];
    const firstName = new Map<string, number>();
    const firstKey = new Map<string, string>();
    const stackKey = c.bastion.sshPublicKey ? keyId(c.bastion.sshPublicKey) : undefined;
    if (stackKey) firstKey.set(stackKey, "bastion.sshPublicKey (ec2-user's shared key)");
    users.forEach((u, i) => {
        const at: Path = [...USERS, i];
        const earlier = firstName.get(u.name);
        if (earlier !== undefined) {
            issues.push({
                path: [...at, "name"],
                expected: `a name no other entry has (bastion.users[${earlier}] is ${u.name} too): one account per person, so merge the two entries`,
                found: u.name,
                repairs: [{ op: "rm", path: at }],
            });
            return;
        }
        firstName.set(u.name, i);
        const id = keyId(u.publicKey);
        const holder = id ? firstKey.get(id) : undefined;
        if (holder) {
            issues.push({
                path: [...at, "publicKey"],
                expected: `a key of this person's own, not the one ${holder} has: a shared key makes the log say nothing about who it was`,
                found: u.publicKey,
                repairs: [{ op: "rm", path: at }],
            });
            return;
        }
        if (id) firstKey.set(id, `bastion.users[${i}] (${u.name})`);
    });
    return issues;
}
