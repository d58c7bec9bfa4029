/**
 * The web servers' own TLS certificate, made at boot by user data, so the hop from the load
 * balancer to the app is encrypted too. Each instance makes a new P-256 key and a self-signed
 * certificate for its private DNS name and address; the key never leaves the instance and
 * nothing about it is in user data, state or outputs. Self-signed is enough: the ALB does not
 * verify target certificates (it encrypts to whatever the target presents), and inside the VPC
 * AWS authenticates traffic at the packet level, so no one can stand in for a target.
 *
 * `make_tls_certificate` is shared with the local fleet (e2e/fleet/instance.ts), which runs the
 * same shell function for each of its servers.
 */

export const TLS_DIR = "/etc/webfleet/tls";
export const TLS_CERT_FILE = `${TLS_DIR}/server.crt`;
export const TLS_KEY_FILE = `${TLS_DIR}/server.key`;
/**
 * Longer than a server lives (the group replaces it after 30 days), so a certificate never
 * expires under a running app; short, so a copied key is not useful for long.
 */
export const TLS_CERT_DAYS = 90;
/** The instance metadata service; IMDSv2 only (the launch template requires tokens). */
export const IMDS_ENDPOINT = "http://169.254.169.254";

/**
 * `make_tls_certificate KEY CERT NAME IP`: a P-256 key (ECDSA, as the ALB's own certificate) and a
 * self-signed server certificate naming NAME and IP. A NAME that cannot go into a certificate
 * (an odd DHCP domain) is left out rather than failing the boot: the address alone is enough.
 * Expects a `log` function.
 */
export function renderMakeCertificateFunction(): string {
    return `
# A new key and a self-signed certificate for this server, valid ${TLS_CERT_DAYS} days.
make_tls_certificate() {
    local key=$1 cert=$2 name=$3 ip=$4 san
    if [[ ! $ip =~ ^[0-9]{1,3}(\\.[0-9]{1,3}){3}$ ]]; then
        log "address '$ip' is not an IPv4 address; cannot make a certificate"
        return 1
    fi
    san="IP:$ip"
    if [[ $name =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$ ]]; then
        san="DNS:$name,$san"
    else
        log "host name '$name' cannot go into a certificate; naming $ip only"
        name=$ip
    fi
    # umask 077: the key is readable by its owner only from the moment it exists.
    (
        umask 077
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \\
            -keyout "$key" -out "$cert" -days ${TLS_CERT_DAYS} -subj "/CN=$name" \\
            -addext "subjectAltName=$san" \\
            -addext "basicConstraints=critical,CA:FALSE" \\
            -addext "keyUsage=critical,digitalSignature" \\
            -addext "extendedKeyUsage=serverAuth"
    )
}
`;
}

/**
 * User data's step: the instance's private DNS name and address from IMDSv2, the certificate,
 * then the key handed to the app's user alone. Sets TLS_IP, which start_app's first health check
 * uses to verify the app serves this very certificate. Expects APP_USER, IMDS, TLS_DIR, TLS_KEY,
 * TLS_CERT and `log`.
 */
export function renderInstallCertificateFunction(): string {
    return `${renderMakeCertificateFunction()}
install_tls_certificate() {
    local token name
    command -v openssl >/dev/null 2>&1 || retry dnf install -y openssl
    token=$(curl -fsS --retry 5 --retry-connrefused -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/latest/api/token")
    name=$(curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS/latest/meta-data/local-hostname")
    TLS_IP=$(curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS/latest/meta-data/local-ipv4")
    # Only root and the app's group may enter the directory.
    install -d -g "$APP_USER" -m 0750 "$TLS_DIR"
    make_tls_certificate "$TLS_KEY" "$TLS_CERT" "$name" "$TLS_IP"
    # The key: the app's user alone may read it (no one may write it); the certificate is public.
    chown "$APP_USER:$APP_USER" "$TLS_KEY"
    chmod 0400 "$TLS_KEY"
    chmod 0644 "$TLS_CERT"
    log "TLS certificate made for $name ($TLS_IP)"
}
`;
}
