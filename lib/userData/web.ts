/**
 * The web servers' user data, rendered by a pure function so it can be unit-tested and run
 * through shellcheck. It installs Node.js from Amazon Linux 2023's own repositories, fetches
 * the app bundle from S3 by its content-hash key, checks its sha256, and runs it as a
 * hardened systemd service that serves HTTPS with a certificate the instance makes at boot
 * (lib/userData/tls.ts). With log groups given, it first starts shipping the app's and the
 * system's logs to CloudWatch Logs with the CloudWatch agent. It carries no secret: bucket,
 * key, hash, port, log group names and the non-secret environment (database host and user
 * names; the app authenticates with IAM tokens).
 */

/** AL2023 namespaces Node.js per major version: package nodejs22, binary /usr/bin/node-22. */
export const NODE_MAJOR = 22;
export const NODE_PACKAGE = `nodejs${NODE_MAJOR}`;
export const NODE_BIN = `/usr/bin/node-${NODE_MAJOR}`;

export const APP_USER = "webfleet";
export const APP_UNIT = "webfleet-app.service";
export const APP_FILE = "/opt/webfleet/server.js";
export const ENV_FILE = "/etc/webfleet/app.env";
/** Public RDS CA bundle for the region, written only when the app talks to RDS (DB_HOST). */
export const CA_BUNDLE_FILE = "/etc/webfleet/rds-ca-bundle.pem";

/**
 * How long systemd lets the app stop before SIGKILL: the app drains in-flight requests for up
 * to 20 s on SIGTERM and gives itself 5 s more to close the pool, so 30 s never cuts it short.
 */
export const STOP_TIMEOUT_SECONDS = 30;

/** Variables the user data sets itself; appEnvironment may not override them. */
export const RESERVED_ENV = ["PORT", "HOST", "TLS_CERT_FILE", "TLS_KEY_FILE", "DB_CA_BUNDLE"] as const;

export interface WebUserDataArgs {
    region: string;
    bucket: string;
    /** The artifact's object key (artifactKey), e.g. app/<sha256>.js. */
    key: string;
    /** Hex sha256 of the artifact; checked after download, before anything runs it. */
    sha256: string;
    /** The port the app serves HTTPS on (web.appPort); the load balancer's target group sends there. */
    appPort: number;
    /** Non-secret environment for the app (UPPER_SNAKE keys, single-line values). */
    environment?: Record<string, string>;
    /** CloudWatch Logs groups (made by Pulumi) to ship to; undefined ships nothing. */
    logs?: LogShippingArgs;
}

import { APP_LOG_FILE, LogShippingArgs, LOG_GROUP_NAME, shipLogsFunction } from "./logs";
import { IMDS_ENDPOINT, renderInstallCertificateFunction, TLS_CERT_FILE, TLS_DIR, TLS_KEY_FILE } from "./tls";

export * from "./logs";
export * from "./tls";

const UPPER_SNAKE = /^[A-Z][A-Z0-9_]*$/;
/** Names that say "secret": user data is readable through the EC2 API and IMDS. */
const SECRET_NAME = /PASSWORD|PASSWD|PRIVATE_KEY|SECRET(?!_ARN$|_NAME$|_ID$)|TOKEN|CREDENTIAL|API_?KEY|DATABASE_URL/;

/**
 * Checks appEnvironment; returns every problem (empty when valid), each naming the key and the
 * fix. Used by the renderer and by WebTier before anything is created.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function environmentProblems(environment: Record<string, string>): string[] {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(environment)) {
        const where = `appEnvironment.${key}`;
        if (!UPPER_SNAKE.test(key)) {
            problems.push(
                `${where}: "${key}" is not an UPPER_SNAKE name (A-Z, 0-9, _; starting with a letter); rename it, e.g. DB_HOST`,
            );
        } else if ((RESERVED_ENV as readonly string[]).includes(key)) {
            problems.push(
                `${where}: ${key} is set by the web tier itself (web.appPort, the listen address, the TLS certificate, the RDS CA bundle); remove it`,
            );
        } else if (SECRET_NAME.test(key)) {
            problems.push(
                `${where}: the name says it is a secret, and user data is readable through the EC2 API and IMDS; read secrets at run time from Secrets Manager with the instance role instead`,
            );
        }
        if (typeof value !== "string") {
            problems.push(`${where}: expected a string, found ${JSON.stringify(value)}; convert it with String(...)`);
        } else if (CONTROL_CHARACTERS.test(value)) {
            problems.push(
                `${where}: the value holds a newline or another control character, which would break the EnvironmentFile; pass a single-line value`,
            );
        } else if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) {
            problems.push(`${where}: the value is a private key; secrets never go into user data`);
        }
    }
    return problems;
}

/** A value in an EnvironmentFile: double-quoted, with the characters systemd unescapes escaped. */
function envFileValue(value: string): string {
    return `"${value.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}

function fail(message: string): never {
    throw new Error(`renderWebUserData: ${message}`);
}

/**
 * The app's environment as systemd reads it: what the web tier fixes (listen address, port, the
 * TLS certificate, CA bundle) first, then NODE_ENV, AWS_REGION and appEnvironment (which may
 * override those two).
 */
export function renderEnvironmentFile(args: Pick<WebUserDataArgs, "region" | "appPort" | "environment">): string {
    const env = args.environment ?? {};
    const fixed: Record<string, string> = {
        HOST: "0.0.0.0",
        PORT: String(args.appPort),
        TLS_CERT_FILE,
        TLS_KEY_FILE,
        ...("DB_HOST" in env ? { DB_CA_BUNDLE: CA_BUNDLE_FILE } : {}),
    };
    const rest: Record<string, string> = { NODE_ENV: "production", AWS_REGION: args.region, ...env };
    const lines = [
        ...Object.entries(fixed),
        ...Object.keys(rest)
            .sort()
            .map((k): [string, string] => [k, rest[k]]),
    ];
    return lines.map(([k, v]) => `${k}=${envFileValue(v)}`).join("\n");
}

/** The app's unit; with `logFile`, stdout and stderr append to that file instead of the journal. */
export function renderSystemdUnit(opts: { logFile?: string } = {}): string {
    const output = opts.logFile ? `StandardOutput=append:${opts.logFile}\nStandardError=inherit\n` : "";
    return `[Unit]
Description=webfleet app server
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=${APP_USER}
Group=${APP_USER}
EnvironmentFile=${ENV_FILE}
ExecStart=${NODE_BIN} ${APP_FILE}
Restart=on-failure
RestartSec=5
# Exit 2 is the app refusing its settings: restarting cannot fix that, so the unit stays failed
# (visible in systemctl status and the journal) instead of looping every 5 s.
RestartPreventExitStatus=2
KillSignal=SIGTERM
TimeoutStopSec=${STOP_TIMEOUT_SECONDS}
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true
PrivateDevices=true
ProtectKernelTunables=true
ProtectKernelModules=true
ProtectControlGroups=true
RestrictSUIDSGID=true
RestrictRealtime=true
RestrictNamespaces=true
LockPersonality=true
CapabilityBoundingSet=
AmbientCapabilities=
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
SystemCallArchitectures=native
UMask=0077
${output}SyslogIdentifier=webfleet-app

[Install]
WantedBy=multi-user.target`;
}

export function renderWebUserData(args: WebUserDataArgs): string {
    // Everything below lands in single-quoted shell strings; refuse anything that could end one.
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(args.region))
        fail(`region "${args.region}" is not an AWS region like us-east-1`);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucket))
        fail(`bucket "${args.bucket}" is not an S3 bucket name`);
    if (!/^[0-9a-f]{64}$/.test(args.sha256)) fail(`sha256 "${args.sha256}" is not a hex sha256`);
    if (!/^[A-Za-z0-9/._-]+$/.test(args.key)) fail(`key "${args.key}" is not a plain object key`);
    if (!Number.isInteger(args.appPort) || args.appPort < 1024 || args.appPort > 65535)
        fail(`appPort ${args.appPort} is not a port from 1024 to 65535`);
    const problems = environmentProblems(args.environment ?? {});
    if (problems.length > 0) fail(problems.join("; "));
    for (const [key, group] of Object.entries(args.logs ?? {}) as [string, string][]) {
        if (!LOG_GROUP_NAME.test(group)) fail(`logs.${key} "${group}" is not a log group name`);
    }
    const logs = args.logs;
    const usesRds = "DB_HOST" in (args.environment ?? {});
    const caBundleUrl = `https://truststore.pki.rds.amazonaws.com/${args.region}/${args.region}-bundle.pem`;

    return `#!/bin/bash
# webfleet web server bootstrap: Node.js from the distribution, the app bundle from S3 (its
# sha256 checked), a certificate of its own, a hardened systemd service serving HTTPS.
# Contains no secrets.
set -euo pipefail

readonly REGION='${args.region}'
readonly ARTIFACT_URI='s3://${args.bucket}/${args.key}'
readonly ARTIFACT_SHA256='${args.sha256}'
readonly APP_USER='${APP_USER}'
readonly APP_FILE='${APP_FILE}'
readonly ENV_FILE='${ENV_FILE}'
readonly UNIT='${APP_UNIT}'
readonly NODE_BIN='${NODE_BIN}'
readonly APP_PORT='${args.appPort}'
readonly IMDS='${IMDS_ENDPOINT}'
readonly TLS_DIR='${TLS_DIR}'
readonly TLS_CERT='${TLS_CERT_FILE}'
readonly TLS_KEY='${TLS_KEY_FILE}'

# cloud-init keeps this output in /var/log/cloud-init-output.log.
log() { echo "webfleet-web: $*"; }

# Runs "$@" until it succeeds, up to 6 times with a growing pause (NAT, IAM and S3 are
# eventually consistent right after a deploy).
retry() {
    local attempt
    for attempt in 1 2 3 4 5 6; do
        if "$@"; then
            return 0
        fi
        log "attempt $attempt failed: $*"
        sleep $((attempt * 5))
    done
    return 1
}

install_node() {
    retry dnf install -y '${NODE_PACKAGE}'
    log "node $("$NODE_BIN" --version) installed"
}

create_user() {
    # A system user with no home and no login shell: it can run the app and nothing else.
    if ! id -u "$APP_USER" >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /sbin/nologin "$APP_USER"
    fi
}

fetch_artifact() {
    local tmp
    tmp=$(mktemp)
    retry aws s3 cp --only-show-errors --region "$REGION" "$ARTIFACT_URI" "$tmp"
    if ! echo "$ARTIFACT_SHA256  $tmp" | sha256sum --check --status; then
        rm -f "$tmp"
        log "artifact $ARTIFACT_URI does not match sha256 $ARTIFACT_SHA256; not starting it"
        return 1
    fi
    # Root-owned and read-only for the app user: the app cannot change its own code.
    install -d -o root -g root -m 0755 "$(dirname "$APP_FILE")"
    install -o root -g root -m 0644 "$tmp" "$APP_FILE"
    rm -f "$tmp"
    log "artifact $ARTIFACT_SHA256 installed"
}
${usesRds ? rdsCaBundleFunction(caBundleUrl) : ""}${renderInstallCertificateFunction()}
write_environment() {
    install -d -o root -g root -m 0755 "$(dirname "$ENV_FILE")"
    # Not secret (names, hosts, ports); systemd reads it as root before dropping privileges.
    cat > "$ENV_FILE" <<'ENV'
${renderEnvironmentFile(args)}
ENV
    chmod 0644 "$ENV_FILE"
}

write_unit() {
    cat > "/etc/systemd/system/$UNIT" <<'UNIT'
${renderSystemdUnit({ logFile: logs ? APP_LOG_FILE : undefined })}
UNIT
    chmod 0644 "/etc/systemd/system/$UNIT"
}

start_app() {
    systemctl daemon-reload
    systemctl enable --now "$UNIT"
    # The load balancer's health checks decide when traffic comes; this only logs the first
    # answer, over TLS checked against the certificate just made (so it is the one served).
    if curl -fsS --retry 30 --retry-connrefused --retry-delay 2 --cacert "$TLS_CERT" -o /dev/null "https://$TLS_IP:$APP_PORT/healthz"; then
        log "app healthy on port $APP_PORT (HTTPS)"
    else
        log "app not healthy yet; see systemctl status $UNIT${logs ? ` and ${APP_LOG_FILE}` : ""}"
    fi
}
${logs ? shipLogsFunction(args.region, logs) : ""}
${logs ? "ship_logs\n" : ""}install_node
create_user
fetch_artifact
${usesRds ? "fetch_rds_ca_bundle\n" : ""}install_tls_certificate
write_environment
write_unit
start_app
`;
}

function rdsCaBundleFunction(url: string): string {
    return `
# The regional RDS CA bundle (public), so the app verifies the database's certificate and
# host name (verify-full). Root-owned, world-readable.
fetch_rds_ca_bundle() {
    local tmp
    tmp=$(mktemp)
    retry curl -fsS --proto '=https' --tlsv1.2 -o "$tmp" '${url}'
    if ! grep -q -- '-----BEGIN CERTIFICATE-----' "$tmp"; then
        rm -f "$tmp"
        log "the RDS CA bundle from ${url} holds no certificate"
        return 1
    fi
    install -o root -g root -m 0644 "$tmp" '${CA_BUNDLE_FILE}'
    rm -f "$tmp"
    log "RDS CA bundle installed"
}
`;
}
