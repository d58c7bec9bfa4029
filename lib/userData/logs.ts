/**
 * Shipping the web servers' logs (lib/userData/web.ts calls `shipLogsFunction` first thing):
 * rsyslog for the journal, the CloudWatch agent for the files, and the app log's rotation by
 * size on a timer of its own. Pure, so it is tested without mocks, with shellcheck,
 * systemd-analyze and logrotate itself.
 */

/** Where the app's stdout and stderr go when logs are shipped (the agent tails it). */
export const APP_LOG_FILE = "/var/log/webfleet/app.log";
/**
 * The app log's rotation, run by its own timer (AL2023 has no cron, and its logrotate.timer runs
 * once a day, so a `maxsize` there is only looked at daily). Kept out of /etc/logrotate.d, so
 * the daily run does not rotate the same file a second time with a state file of its own.
 */
export const LOGROTATE_FILE = "/etc/webfleet/logrotate-app.conf";
export const LOGROTATE_STATE = "/var/lib/logrotate/webfleet-app.status";
export const LOGROTATE_BIN = "/usr/sbin/logrotate";
export const LOGROTATE_UNIT = "webfleet-logrotate.service";
export const LOGROTATE_TIMER = "webfleet-logrotate.timer";
/** How often the size is looked at; at 1000 requests a second the log grows ~90 MB in that time. */
export const LOGROTATE_INTERVAL_MINUTES = 5;
export const LOG_MAX_SIZE = "100M";
export const CW_AGENT_CONFIG = "/opt/aws/amazon-cloudwatch-agent/etc/webfleet.json";
export const CW_AGENT_CTL = "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl";
export const CW_AGENT_LOG = "/opt/aws/amazon-cloudwatch-agent/logs/amazon-cloudwatch-agent.log";

/**
 * The files shipped to the system log group, each to the stream "<instance id>/<stream>".
 * AL2023 keeps system logs in the journal only, which the agent cannot read; rsyslog (installed
 * by the user data) writes them to these files as on earlier Amazon Linux.
 */
export const SYSTEM_LOG_FILES: readonly { path: string; stream: string }[] = [
    { path: "/var/log/messages", stream: "messages" },
    { path: "/var/log/secure", stream: "secure" },
    { path: "/var/log/cloud-init-output.log", stream: "cloud-init-output" },
    { path: CW_AGENT_LOG, stream: "cloudwatch-agent" },
];

export interface LogShippingArgs {
    appLogGroup: string;
    systemLogGroup: string;
}

export const LOG_GROUP_NAME = /^[A-Za-z0-9_\-./#]{1,512}$/;

/**
 * The CloudWatch agent's configuration: logs only (no metrics, so the role needs no
 * cloudwatch:PutMetricData), into groups that already exist (the agent never creates one or
 * changes its retention). It runs as root to read /var/log/secure.
 */
export function renderCloudWatchAgentConfig(region: string, logs: LogShippingArgs): string {
    const collect = [
        { file_path: APP_LOG_FILE, log_group_name: logs.appLogGroup, log_stream_name: "{instance_id}" },
        ...SYSTEM_LOG_FILES.map((f) => ({
            file_path: f.path,
            log_group_name: logs.systemLogGroup,
            log_stream_name: `{instance_id}/${f.stream}`,
        })),
    ];
    const config = {
        agent: { region, run_as_user: "root", logfile: CW_AGENT_LOG },
        logs: { force_flush_interval: 5, logs_collected: { files: { collect_list: collect } } },
    };
    return JSON.stringify(config, null, 2);
}

/**
 * Rotation of the app's log file: daily, or as soon as it is over `maxSize` when the timer runs.
 * systemd holds the file open for appending, so it is copied and truncated in place.
 */
export function renderLogrotate(opts: { logFile?: string; maxSize?: string } = {}): string {
    return `${opts.logFile ?? APP_LOG_FILE} {
    daily
    maxsize ${opts.maxSize ?? LOG_MAX_SIZE}
    rotate 3
    compress
    delaycompress
    missingok
    notifempty
    copytruncate
}`;
}

/** One logrotate run over the app's log alone, with a state file of its own. */
export function renderLogrotateService(): string {
    return `[Unit]
Description=Rotate the webfleet app log when it is too big (logrotate)
Documentation=man:logrotate(8)

[Service]
Type=oneshot
ExecStart=${LOGROTATE_BIN} --state ${LOGROTATE_STATE} ${LOGROTATE_FILE}
Nice=19
IOSchedulingClass=idle
NoNewPrivileges=true
PrivateTmp=true
ProtectHome=true
ProtectSystem=full`;
}

/** Runs the rotation every LOGROTATE_INTERVAL_MINUTES from a minute after it is started. */
export function renderLogrotateTimer(): string {
    return `[Unit]
Description=Look at the webfleet app log's size every ${LOGROTATE_INTERVAL_MINUTES} minutes

[Timer]
OnActiveSec=1min
OnUnitActiveSec=${LOGROTATE_INTERVAL_MINUTES}min
AccuracySec=30s

[Install]
WantedBy=timers.target`;
}

export function shipLogsFunction(region: string, logs: LogShippingArgs): string {
    return `
# Logs first, so even a bootstrap that fails below reaches CloudWatch (cloud-init's output is
# shipped). rsyslog writes the journal to /var/log/messages and /var/log/secure; the app's
# output goes to its own file (the unit appends to it), rotated by size by a timer of its own.
ship_logs() {
    retry dnf install -y rsyslog amazon-cloudwatch-agent logrotate
    systemctl enable --now rsyslog.service
    install -d -o root -g root -m 0755 '${APP_LOG_FILE.slice(0, APP_LOG_FILE.lastIndexOf("/"))}'
    install -o root -g root -m 0640 /dev/null '${APP_LOG_FILE}'
    install -d -o root -g root -m 0755 '${LOGROTATE_FILE.slice(0, LOGROTATE_FILE.lastIndexOf("/"))}'
    cat > '${LOGROTATE_FILE}' <<'LOGROTATE'
${renderLogrotate()}
LOGROTATE
    chmod 0644 '${LOGROTATE_FILE}'
    cat > '/etc/systemd/system/${LOGROTATE_UNIT}' <<'LOGROTATE_UNIT'
${renderLogrotateService()}
LOGROTATE_UNIT
    cat > '/etc/systemd/system/${LOGROTATE_TIMER}' <<'LOGROTATE_TIMER'
${renderLogrotateTimer()}
LOGROTATE_TIMER
    chmod 0644 '/etc/systemd/system/${LOGROTATE_UNIT}' '/etc/systemd/system/${LOGROTATE_TIMER}'
    systemctl daemon-reload
    systemctl enable --now '${LOGROTATE_TIMER}'
    cat > '${CW_AGENT_CONFIG}' <<'CWAGENT'
${renderCloudWatchAgentConfig(region, logs)}
CWAGENT
    '${CW_AGENT_CTL}' -a fetch-config -m ec2 -s -c 'file:${CW_AGENT_CONFIG}'
    log "shipping logs to ${logs.appLogGroup} and ${logs.systemLogGroup}"
}
`;
}
