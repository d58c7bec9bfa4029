/**
 * The bastion's user data, rendered by a pure function so it can be unit-tested and run
 * through shellcheck. It carries no secret: only the Elastic IP's allocation ID.
 */

/** The sshd drop-in. Named 10-… because sshd keeps the first value it reads and AL2023 ships 50-redhat.conf. */
export const SSHD_DROPIN_PATH = "/etc/ssh/sshd_config.d/10-webfleet-hardening.conf";

export const SSHD_HARDENING = [
    "# Managed by webfleet (bastion user data). Keys only. sshd adds AllowUsers lines up: the people's",
    "# drop-in (05-webfleet-people.conf, docs/ssh-access.md) adds theirs to ec2-user.",
    "PermitRootLogin no",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    "AllowUsers ec2-user",
    "MaxAuthTries 3",
    "LoginGraceTime 30",
    "X11Forwarding no",
    "AllowAgentForwarding no",
    // ProxyJump to the web servers needs local forwarding; nothing else does.
    "AllowTcpForwarding local",
    "ClientAliveInterval 300",
    "ClientAliveCountMax 2",
].join("\n");

export interface BastionUserDataArgs {
    /**
     * The Elastic IP to attach, so the bastion keeps one address across replacements; undefined
     * when nobody may SSH in from outside (no allowed CIDRs): SSM needs no fixed address.
     */
    eipAllocationId?: string;
}

export function renderBastionUserData(args: BastionUserDataArgs): string {
    if (args.eipAllocationId !== undefined && !/^eipalloc-[0-9a-f]+$/.test(args.eipAllocationId)) {
        throw new Error(
            `renderBastionUserData: eipAllocationId "${args.eipAllocationId}" is not an allocation ID (eipalloc-…)`,
        );
    }
    return `#!/bin/bash
# webfleet bastion bootstrap: harden sshd without ever locking ec2-user out, then take the
# stack's Elastic IP. Contains no secrets.
set -euo pipefail

readonly DROPIN='${SSHD_DROPIN_PATH}'

# cloud-init keeps this output in /var/log/cloud-init-output.log.
log() { echo "webfleet-bastion: $*"; }

harden_sshd() {
    install -d -m 0755 "$(dirname "$DROPIN")"
    cat > "$DROPIN" <<'SSHD'
${SSHD_HARDENING}
SSHD
    chmod 0600 "$DROPIN"
    # Validate before reloading: a config sshd rejects, or one that would not let ec2-user in,
    # is removed again and the running sshd keeps its working configuration.
    if sshd -t && sshd -T -C user=ec2-user,host=localhost,addr=127.0.0.1 | grep -qi '^allowusers ec2-user$'; then
        systemctl reload sshd
        log "sshd hardened"
    else
        rm -f "$DROPIN"
        log "sshd rejected the hardening drop-in; removed it, sshd unchanged"
    fi
}

${args.eipAllocationId ? attachElasticIp(args.eipAllocationId) : ""}harden_sshd
${args.eipAllocationId ? "attach_elastic_ip" : 'log "no Elastic IP (no SSH ingress): reach this instance with SSM Session Manager"'}
`;
}

/** The shell function that takes the stack's Elastic IP, retrying while IAM settles. */
function attachElasticIp(allocationId: string): string {
    return `readonly EIP_ALLOCATION_ID='${allocationId}'
readonly IMDS='http://169.254.169.254/latest'

attach_elastic_ip() {
    local token instance_id region
    token=$(curl -fsS --retry 5 -X PUT "$IMDS/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
    instance_id=$(curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS/meta-data/instance-id")
    region=$(curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS/meta-data/placement/region")
    for attempt in 1 2 3 4 5; do
        if aws ec2 associate-address --region "$region" --allocation-id "$EIP_ALLOCATION_ID" \\
            --instance-id "$instance_id" --allow-reassociation >/dev/null; then
            log "Elastic IP $EIP_ALLOCATION_ID attached to $instance_id"
            return 0
        fi
        log "associate-address failed (attempt $attempt), retrying"
        sleep $((attempt * 5))
    done
    log "could not attach the Elastic IP; SSM Session Manager still reaches this instance"
    return 1
}

`;
}
