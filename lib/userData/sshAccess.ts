/**
 * The script that converges the people's SSH access on one host, and the SSM Command document
 * that carries it (an association runs it on the bastion and the web servers on every change of
 * the people and every 30 minutes). Rendered by pure functions so it is unit-tested, run through
 * shellcheck and run for real against sshd. It carries public keys and names, nothing secret.
 *
 * On each run, as root: people whose last day has come, or who are no longer listed, lose their
 * key file, their live sessions and their account; the listed ones get an account of their own
 * (in the group webfleet-ssh, nothing else: no sudo) with the shadow expiry of their last day,
 * and their one key in a root-owned file only sshd reads; then sshd's drop-in is rewritten to
 * allow exactly ec2-user and them, checked with `sshd -t` and a lock-out check, and sshd is
 * reloaded only if both pass (otherwise the previous drop-in comes back).
 */
import { keyProblem, parsePublicKey } from "../sshKeys";
import { BREAK_GLASS_USER, PEOPLE_GROUP, SshPerson, isIsoDate, nameProblem } from "../sshPeople";

/** Where each person's one key lives: root-owned, so nobody can add a key of their own. */
export const KEYS_DIR = "/etc/webfleet/ssh/authorized_keys";
/**
 * The people's sshd drop-in. 05-… so it comes before the bastion's 10-…-hardening.conf and
 * AL2023's own drop-ins: sshd keeps the first value it reads (AllowUsers lines add up instead).
 */
export const PEOPLE_DROPIN_PATH = "/etc/ssh/sshd_config.d/05-webfleet-people.conf";
/** The document parameter SSM substitutes before the script runs. */
export const ROLE_PARAMETER = "{{ role }}";
export type HostRole = "bastion" | "web";
export const HOST_ROLES: readonly HostRole[] = ["bastion", "web"];
/** SSM's limit on a document's content. */
export const SSM_DOCUMENT_MAX_BYTES = 64 * 1024;

function fail(message: string): never {
    throw new Error(`renderSshAccessScript: ${message}`);
}

/** One line per person: name, last day (- for none), key type and blob. */
function peopleLines(people: SshPerson[]): string {
    const seen = new Set<string>();
    return people
        .map((p, i) => {
            const problem = nameProblem(p.name) ?? keyProblem(p.publicKey);
            if (problem) fail(`people[${i}] (${p.name}): ${problem}`);
            if (p.expires !== undefined && !isIsoDate(p.expires))
                fail(`people[${i}].expires: "${p.expires}" is not YYYY-MM-DD`);
            if (seen.has(p.name)) fail(`people[${i}]: ${p.name} is listed twice`);
            seen.add(p.name);
            const key = parsePublicKey(p.publicKey) as { type: string; blob: string };
            return `${p.name} ${p.expires ?? "-"} ${key.type} ${key.blob}\n`;
        })
        .join("");
}

/**
 * The script, with the role left as SSM's `{{ role }}` parameter (bastion: accounts that can
 * only jump on to port 22 in the VPC; web: a shell). `people` are everyone configured, expired
 * or not: the script itself drops those whose last day has come, so a scheduled run removes them
 * on the day even when no deploy happens.
 */
export function renderSshAccessScript(people: SshPerson[]): string {
    return `#!/bin/bash
# webfleet SSH access: converge this host's people accounts and sshd's AllowUsers to the list
# below (docs/ssh-access.md). Run by an SSM association as root. Contains public keys only.
set -euo pipefail
umask 077
# sshd, useradd and friends live in sbin, which the agent's PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

readonly ROLE='${ROLE_PARAMETER}'
readonly GROUP='${PEOPLE_GROUP}'
readonly BREAK_GLASS='${BREAK_GLASS_USER}'
readonly KEYS_DIR='${KEYS_DIR}'
readonly DROPIN='${PEOPLE_DROPIN_PATH}'
readonly UID_MIN=1000
TODAY=$(date -u +%F)
readonly TODAY

log() {
    echo "webfleet-ssh-access: $*"
    logger -t webfleet-ssh-access -- "$*" 2>/dev/null || true
}

case "$ROLE" in
    bastion) readonly PEOPLE_SHELL=/usr/sbin/nologin ;;
    web) readonly PEOPLE_SHELL=/bin/bash ;;
    *) log "unknown role '$ROLE' (bastion or web)"; exit 2 ;;
esac

# name, last day (- for none), key type and blob.
people() {
    cat <<'PEOPLE'
${peopleLines(people)}PEOPLE
}

# One run at a time: a scheduled run and the run of a new deploy may meet.
exec 9>/run/webfleet-ssh-access.lock
flock 9

errors=0
declare -A WANT_KEY=() WANT_EXPIRES=()
while read -r name expires type blob; do
    [ -n "$name" ] || continue
    if [ "$expires" != "-" ] && [[ ! "$expires" > "$TODAY" ]]; then
        log "$name: access ended on $expires"
        continue
    fi
    WANT_KEY[$name]="$type $blob webfleet:$name"
    WANT_EXPIRES[$name]=$expires
done < <(people)

is_person() {
    [[ " $(id -nG "$1" 2>/dev/null) " == *" $GROUP "* ]]
}

# Key first (no new login), then the live sessions, then the account and its home.
remove_person() {
    local name=$1 uid
    rm -f "$KEYS_DIR/$name"
    if ! uid=$(id -u "$name" 2>/dev/null); then
        gpasswd -d "$name" "$GROUP" >/dev/null 2>&1 || true
        return 0
    fi
    if [ "$uid" -lt "$UID_MIN" ] || [ "$name" = "$BREAK_GLASS" ]; then
        gpasswd -d "$name" "$GROUP" >/dev/null
        log "$name: a system or break-glass account in $GROUP; taken out of the group, account left alone"
        return 0
    fi
    pkill -KILL -U "$uid" 2>/dev/null || true
    userdel --force --remove "$name" 2>/dev/null || true
    if id -u "$name" >/dev/null 2>&1; then
        log "$name: could not remove the account"
        return 1
    fi
    log "$name: removed (key, sessions, account, home)"
}

# The account (created, or its shell and expiry brought up to date), then its one key.
grant_person() {
    local name=$1 expires=\${WANT_EXPIRES[$1]} date="" days="" tmp
    # shadow counts an expiry in days since 1970 (UTC); empty is none.
    if [ "$expires" != "-" ]; then
        date=$expires
        days=$(($(date -u -d "$date" +%s) / 86400))
    fi
    if id -u "$name" >/dev/null 2>&1; then
        if ! is_person "$name"; then
            log "$name: an account of that name exists and is not one of the people ($GROUP); not touching it, no SSH for it"
            return 1
        fi
        if [ "$(getent passwd "$name" | cut -d: -f7)" != "$PEOPLE_SHELL" ] ||
            [ "$(getent shadow "$name" | cut -d: -f8)" != "$days" ]; then
            usermod --shell "$PEOPLE_SHELL" --expiredate "$date" "$name"
            log "$name: account updated\${date:+ (expires $date)}"
        fi
    else
        useradd --create-home --user-group --groups "$GROUP" --shell "$PEOPLE_SHELL" \\
            --expiredate "$date" --comment "webfleet person" "$name"
        log "$name: account created\${date:+ (expires $date)}"
    fi
    tmp=$(mktemp "$KEYS_DIR/.new.XXXXXX")
    printf '%s\\n' "\${WANT_KEY[$name]}" >"$tmp"
    # Root's file, readable by the person's own group only: sshd reads it as them.
    chown "root:$(id -g "$name")" "$tmp"
    chmod 0640 "$tmp"
    mv -f "$tmp" "$KEYS_DIR/$name"
}

getent group "$GROUP" >/dev/null || groupadd --system "$GROUP"
install -d -o root -g root -m 0755 /etc/webfleet /etc/webfleet/ssh "$KEYS_DIR"

for name in $(getent group "$GROUP" | cut -d: -f4 | tr ',' ' '); do
    [ -n "\${WANT_KEY[$name]+x}" ] || remove_person "$name" || errors=$((errors + 1))
done

allowed=()
for name in $(printf '%s\\n' "\${!WANT_KEY[@]}" | sort); do
    if grant_person "$name"; then
        allowed+=("$name")
    else
        errors=$((errors + 1))
    fi
done

# Key files of nobody listed (a person whose grant failed, a file left by hand) go too.
for file in "$KEYS_DIR"/*; do
    [ -e "$file" ] || continue
    name=$(basename "$file")
    [[ " \${allowed[*]} " == *" $name "* ]] || rm -f "$file"
done

render_dropin() {
    echo "# Managed by webfleet's SSH access association (docs/ssh-access.md); rewritten on every run."
    echo "# sshd adds AllowUsers lines up: with the bastion's hardening drop-in, exactly these."
    echo "AllowUsers $BREAK_GLASS\${allowed[*]:+ \${allowed[*]}}"
    echo "PermitRootLogin no"
    echo "PasswordAuthentication no"
    echo "KbdInteractiveAuthentication no"
    echo "Match Group $GROUP"
    echo "    AuthorizedKeysFile $KEYS_DIR/%u"
    # No other source of keys (EC2 Instance Connect's command on AL2023): a command that
    # offers none. ("none" is run as a command and logged as an error at every other key.)
    echo "    AuthorizedKeysCommand /usr/bin/true"
    echo "    AuthorizedKeysCommandUser nobody"
    echo "    AllowAgentForwarding no"
    echo "    X11Forwarding no"
    echo "    PermitTunnel no"
    if [ "$ROLE" = bastion ]; then
        # A jump host: forwarding to SSH in the VPC (ProxyJump), no terminal, nothing else.
        echo "    AllowTcpForwarding local"
        echo "    PermitOpen *:22"
        echo "    PermitTTY no"
    else
        echo "    AllowTcpForwarding no"
    fi
}

# Whether sshd's effective config for $1 lets them in: listed in AllowUsers, matched by no
# DenyUsers pattern, and for a person, their key file is the one sshd reads.
lets_in() {
    local user=$1 effective pattern
    effective=$(sshd -T -C "user=$user,host=localhost,addr=127.0.0.1") || return 1
    grep -qx "allowusers $user" <<<"$effective" || return 1
    while read -r pattern; do
        # shellcheck disable=SC2053 # sshd's patterns are globs
        [[ $user == $pattern ]] && return 1
    done < <(awk '$1 == "denyusers" { print $2 }' <<<"$effective")
    [ "$user" = "$BREAK_GLASS" ] || grep -qx "authorizedkeysfile $KEYS_DIR/%u" <<<"$effective"
}

apply_dropin() {
    local new backup="" user
    new=$(mktemp)
    render_dropin >"$new"
    if [ -f "$DROPIN" ] && [ "$(<"$new")" = "$(<"$DROPIN")" ]; then
        rm -f "$new"
        return 0
    fi
    if [ -f "$DROPIN" ]; then
        backup=$(mktemp)
        cp -p "$DROPIN" "$backup"
    fi
    install -o root -g root -m 0600 "$new" "$DROPIN"
    rm -f "$new"
    local ok=true
    sshd -t || ok=false
    for user in "$BREAK_GLASS" "\${allowed[@]}"; do
        $ok || break
        lets_in "$user" || { log "the new sshd config would not let $user in"; ok=false; }
    done
    if $ok; then
        systemctl reload sshd
        [ -z "$backup" ] || rm -f "$backup"
        log "sshd allows $BREAK_GLASS\${allowed[*]:+ \${allowed[*]}}"
        return 0
    fi
    if [ -n "$backup" ]; then mv -f "$backup" "$DROPIN"; else rm -f "$DROPIN"; fi
    log "sshd config refused; the previous one stays and sshd was not reloaded"
    return 1
}

apply_dropin || errors=$((errors + 1))
if [ "$errors" -gt 0 ]; then
    log "finished with $errors problem(s)"
    exit 1
fi
log "converged: \${#allowed[@]} people on this $ROLE"
`;
}

/** The SSM Command document: the script, and the role each association passes it. */
export function renderSshAccessDocument(people: SshPerson[]): string {
    const script = renderSshAccessScript(people);
    const doc = JSON.stringify(
        {
            schemaVersion: "2.2",
            description:
                "webfleet: converge the people's SSH accounts and sshd's AllowUsers on this host (docs/ssh-access.md)",
            parameters: {
                role: {
                    type: "String",
                    description: "bastion (accounts that can only jump on to SSH in the VPC) or web (a shell)",
                    allowedValues: [...HOST_ROLES],
                },
            },
            mainSteps: [
                {
                    action: "aws:runShellScript",
                    name: "convergeSshAccess",
                    precondition: { StringEquals: ["platformType", "Linux"] },
                    inputs: { timeoutSeconds: "300", runCommand: script.split("\n") },
                },
            ],
        },
        null,
        2,
    );
    if (Buffer.byteLength(doc) > SSM_DOCUMENT_MAX_BYTES) {
        fail(
            `the document is ${Math.ceil(Buffer.byteLength(doc) / 1024)} KB, over SSM's 64 KB; list fewer people or give them ssh-ed25519 keys (a tenth of an RSA key's size)`,
        );
    }
    return doc;
}

/** The script as SSM runs it on a host of `role` (what the document's parameter does). */
export function scriptFor(document: string, role: HostRole): string {
    const doc = JSON.parse(document) as { mainSteps: { inputs: { runCommand: string[] } }[] };
    return doc.mainSteps[0].inputs.runCommand.join("\n").split(ROLE_PARAMETER).join(role);
}
