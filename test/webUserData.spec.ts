import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadSettings } from "../app/settings";
import {
    APP_FILE,
    APP_LOG_FILE,
    APP_UNIT,
    CA_BUNDLE_FILE,
    ENV_FILE,
    NODE_BIN,
    STOP_TIMEOUT_SECONDS,
    WebUserDataArgs,
    environmentProblems,
    renderCloudWatchAgentConfig,
    renderEnvironmentFile,
    LOGROTATE_FILE,
    LOGROTATE_STATE,
    LOGROTATE_TIMER,
    LOGROTATE_UNIT,
    renderLogrotate,
    renderLogrotateService,
    renderLogrotateTimer,
    renderSystemdUnit,
    renderWebUserData,
} from "../lib/userData/web";
import { requireTool } from "./support/tools";

const SHA = "38299ad9a30121af7339ede06696752c7894a5451d41d41b138ebae2474d4542";
const BASE: WebUserDataArgs = {
    region: "us-east-1",
    bucket: "web-artifact-bucket-0a1b2c3",
    key: `app/${SHA}.js`,
    sha256: SHA,
    appPort: 8080,
};
const DB_ENV = {
    DB_HOST: "webfleet-dev.cabc123.us-east-1.rds.amazonaws.com",
    DB_PORT: "5432",
    DB_NAME: "webfleet",
    DB_USER: "webfleet_app",
    AWS_REGION: "us-east-1",
};
const LOGS = { appLogGroup: "/webfleet/dev/web/app", systemLogGroup: "/webfleet/dev/web/system" };

function shellcheck(ctx: Mocha.Context, script: string): void {
    requireTool(ctx, "shellcheck", "apt-get install shellcheck");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-web-")), "web.sh");
    fs.writeFileSync(file, script);
    try {
        execFileSync("shellcheck", ["--severity=style", file], { stdio: "pipe", encoding: "utf8" });
    } catch (e) {
        throw new Error(`shellcheck found problems:\n${(e as { stdout?: string }).stdout}`, { cause: e });
    }
}

/** The body of a quoted heredoc (<<'NAME' … NAME) in the script. */
function heredoc(script: string, name: string): string {
    const start = script.indexOf(`<<'${name}'\n`);
    expect(start, `heredoc ${name}`).to.be.greaterThan(0);
    const body = script.slice(start + `<<'${name}'\n`.length);
    return body.slice(0, body.indexOf(`\n${name}\n`));
}

/** Parses an EnvironmentFile the way systemd does for the subset we write (KEY="…" with \\-escapes). */
function parseEnvFile(text: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of text.split("\n")) {
        const m = /^([A-Z_][A-Z0-9_]*)="((?:[^"\\]|\\.)*)"$/.exec(line);
        expect(m, `line ${JSON.stringify(line)}`).to.not.equal(null);
        out[m![1]] = m![2].replace(/\\(.)/g, "$1");
    }
    return out;
}

describe("web user data", () => {
    const plain = renderWebUserData(BASE);
    const withDb = renderWebUserData({ ...BASE, environment: DB_ENV });
    const withLogs = renderWebUserData({ ...BASE, environment: DB_ENV, logs: LOGS });

    it("passes shellcheck, with and without the database, with and without log shipping", function () {
        shellcheck(this, plain);
        shellcheck(this, withDb);
        shellcheck(this, withLogs);
    });

    it("installs Node.js from the distribution's packages and runs it by its versioned path", () => {
        expect(plain).to.include("retry dnf install -y 'nodejs22'");
        expect(NODE_BIN).to.equal("/usr/bin/node-22");
        expect(plain).not.to.match(/nodejs\.org|nvm|npm install|curl[^\n]*node/);
    });

    it("fetches the artifact by its key and checks its sha256 before installing it", () => {
        expect(plain).to.include(`readonly ARTIFACT_URI='s3://web-artifact-bucket-0a1b2c3/app/${SHA}.js'`);
        expect(plain).to.include(`readonly ARTIFACT_SHA256='${SHA}'`);
        const fetch = plain.slice(
            plain.indexOf("fetch_artifact() {"),
            plain.indexOf("\n}\n", plain.indexOf("fetch_artifact() {")),
        );
        const check = fetch.indexOf("sha256sum --check");
        expect(fetch.indexOf("aws s3 cp")).to.be.within(0, check);
        expect(fetch.indexOf(`install -o root -g root -m 0644 "$tmp" "$APP_FILE"`)).to.be.greaterThan(check);
        expect(fetch.slice(check)).to.match(/then\s+rm -f "\$tmp"\s+log [^\n]+\s+return 1/);
    });

    it("writes a hardened unit for a dedicated non-login user, then enables and starts it", () => {
        const unit = heredoc(plain, "UNIT");
        expect(unit).to.equal(renderSystemdUnit());
        const lines = unit.split("\n");
        for (const line of [
            "User=webfleet",
            "Group=webfleet",
            `EnvironmentFile=${ENV_FILE}`,
            `ExecStart=${NODE_BIN} ${APP_FILE}`,
            "Restart=on-failure",
            "RestartPreventExitStatus=2",
            "NoNewPrivileges=true",
            "ProtectSystem=strict",
            "ProtectHome=true",
            "PrivateTmp=true",
            "CapabilityBoundingSet=",
            `TimeoutStopSec=${STOP_TIMEOUT_SECONDS}`,
        ]) {
            expect(lines, line).to.include(line);
        }
        // V8 compiles to executable memory, so W^X would kill the app: it must not be set.
        expect(unit).not.to.include("MemoryDenyWriteExecute");
        expect(plain).to.match(
            /useradd --system --user-group --no-create-home --home-dir \/nonexistent --shell \/sbin\/nologin "\$APP_USER"/,
        );
        expect(plain).to.include(`readonly UNIT='${APP_UNIT}'`);
        expect(plain).to.include('systemctl enable --now "$UNIT"');
        // Runs in order: the unit is written before it is started, and started last.
        const calls = plain.slice(plain.lastIndexOf("\ninstall_node\n")).trim().split("\n");
        expect(calls).to.deep.equal([
            "install_node",
            "create_user",
            "fetch_artifact",
            "install_tls_certificate",
            "write_environment",
            "write_unit",
            "start_app",
        ]);
    });

    it("is a unit systemd accepts without a single warning", function () {
        requireTool(this, "systemd-analyze", "apt-get install systemd");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-unit-"));
        const file = path.join(dir, APP_UNIT);
        // The same unit, pointed at this machine's node (AL2023's /usr/bin/node-22 is not here).
        fs.writeFileSync(file, renderSystemdUnit().replace(NODE_BIN, process.execPath) + "\n");
        const check = (unit: string) => spawnSync("systemd-analyze", ["verify", unit], { encoding: "utf8" });
        const result = check(file);
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stderr).to.equal("");
        // The variant that appends the app's output to its log file, too.
        fs.writeFileSync(file, renderSystemdUnit({ logFile: APP_LOG_FILE }).replace(NODE_BIN, process.execPath) + "\n");
        const logged = check(file);
        expect(logged.status, logged.stderr).to.equal(0);
        expect(logged.stderr).to.equal("");
        // And the check does see a bad directive.
        fs.writeFileSync(
            file,
            renderSystemdUnit()
                .replace(NODE_BIN, process.execPath)
                .replace("ProtectSystem=strict", "ProtectSystem=stricter") + "\n",
        );
        expect(check(file).stderr).to.include("Failed to parse protect system value");
    });

    describe("with log groups", () => {
        it("starts shipping logs first, so a failing bootstrap still reaches CloudWatch", () => {
            const calls = withLogs.slice(withLogs.lastIndexOf("\nship_logs\n")).trim().split("\n");
            expect(calls).to.deep.equal([
                "ship_logs",
                "install_node",
                "create_user",
                "fetch_artifact",
                "fetch_rds_ca_bundle",
                "install_tls_certificate",
                "write_environment",
                "write_unit",
                "start_app",
            ]);
            expect(plain).not.to.include("ship_logs");
            expect(plain).not.to.include("amazon-cloudwatch-agent");
        });

        it("installs rsyslog (AL2023 keeps system logs in the journal only) and the agent, then starts the agent with its config", () => {
            const fn = withLogs.slice(
                withLogs.indexOf("ship_logs() {"),
                withLogs.indexOf("\n}\n", withLogs.indexOf("CWAGENT\n    '")),
            );
            expect(fn).to.include("retry dnf install -y rsyslog amazon-cloudwatch-agent logrotate\n");
            expect(fn).to.include("systemctl enable --now rsyslog.service\n");
            expect(JSON.parse(heredoc(withLogs, "CWAGENT"))).to.deep.equal(
                JSON.parse(renderCloudWatchAgentConfig("us-east-1", LOGS)),
            );
            expect(fn).to.include(
                "'/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl' -a fetch-config -m ec2 -s -c 'file:/opt/aws/amazon-cloudwatch-agent/etc/webfleet.json'",
            );
            // The config is written before the agent is started with it.
            expect(fn.indexOf("<<'CWAGENT'")).to.be.lessThan(fn.indexOf("-a fetch-config"));
        });

        it("sends the app's output to its own file, rotated by copy and truncate, instead of the journal", () => {
            expect(heredoc(withLogs, "UNIT")).to.equal(renderSystemdUnit({ logFile: APP_LOG_FILE }));
            expect(heredoc(withLogs, "UNIT").split("\n")).to.include.members([
                `StandardOutput=append:${APP_LOG_FILE}`,
                "StandardError=inherit",
            ]);
            expect(heredoc(plain, "UNIT")).not.to.include("StandardOutput");
            expect(withLogs).to.include(`install -o root -g root -m 0640 /dev/null '${APP_LOG_FILE}'`);
            expect(heredoc(withLogs, "LOGROTATE")).to.equal(renderLogrotate());
            expect(
                renderLogrotate()
                    .split("\n")
                    .map((l) => l.trim()),
            ).to.include.members([`${APP_LOG_FILE} {`, "copytruncate", "daily", "maxsize 100M", "rotate 3"]);
        });

        it("rotates the app log by size every 5 minutes with a timer of its own (AL2023 has no cron)", () => {
            const fn = withLogs.slice(withLogs.indexOf("ship_logs() {"), withLogs.indexOf('log "shipping logs'));
            expect(fn).to.include("retry dnf install -y rsyslog amazon-cloudwatch-agent logrotate\n");
            // Outside /etc/logrotate.d: the distribution's daily run must not rotate it as well.
            expect(LOGROTATE_FILE).to.equal("/etc/webfleet/logrotate-app.conf");
            expect(fn).to.include(`cat > '${LOGROTATE_FILE}' <<'LOGROTATE'`);
            expect(withLogs).not.to.include("/etc/logrotate.d/");
            expect(heredoc(withLogs, "LOGROTATE_UNIT")).to.equal(renderLogrotateService());
            expect(heredoc(withLogs, "LOGROTATE_TIMER")).to.equal(renderLogrotateTimer());
            expect(renderLogrotateService().split("\n")).to.include(
                `ExecStart=/usr/sbin/logrotate --state ${LOGROTATE_STATE} ${LOGROTATE_FILE}`,
            );
            expect(renderLogrotateTimer().split("\n")).to.include.members([
                "OnUnitActiveSec=5min",
                "WantedBy=timers.target",
            ]);
            // The units are written, then the timer is enabled and started.
            const enable = fn.indexOf(`systemctl enable --now '${LOGROTATE_TIMER}'`);
            expect(fn.indexOf(`<<'LOGROTATE_TIMER'`)).to.be.within(0, enable);
            expect(fn.indexOf("systemctl daemon-reload")).to.be.within(fn.indexOf(`<<'LOGROTATE_TIMER'`), enable);
            expect(plain).not.to.include(LOGROTATE_TIMER);
        });

        it("stays well under EC2's 16 KB user-data limit with everything in it", () => {
            expect(Buffer.byteLength(withLogs)).to.be.below(12 * 1024);
        });

        it("has a rotation service and timer systemd accepts without a single warning", function () {
            requireTool(this, "systemd-analyze", "apt-get install systemd");
            requireTool(this, "/usr/sbin/logrotate", "apt-get install logrotate");
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-logrotate-"));
            const write = (service: string, timer: string) => {
                fs.writeFileSync(path.join(dir, LOGROTATE_UNIT), service + "\n");
                fs.writeFileSync(path.join(dir, LOGROTATE_TIMER), timer + "\n");
                return spawnSync(
                    "systemd-analyze",
                    ["verify", path.join(dir, LOGROTATE_UNIT), path.join(dir, LOGROTATE_TIMER)],
                    { encoding: "utf8" },
                );
            };
            const result = write(renderLogrotateService(), renderLogrotateTimer());
            expect(result.status, result.stderr).to.equal(0);
            expect(result.stderr).to.equal("");
            // And the check does see a bad one.
            const bad = write(
                renderLogrotateService(),
                renderLogrotateTimer().replace("OnUnitActiveSec=5min", "OnUnitActiveSec=often"),
            );
            expect(bad.stderr).to.include("Failed to parse timer value, ignoring: often");
        });

        it("rotates as soon as the log is over its size, not once a day, and only then (real logrotate)", function () {
            requireTool(this, "/usr/sbin/logrotate", "apt-get install logrotate");
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-rotate-"));
            const log = path.join(dir, "app.log");
            const config = path.join(dir, "logrotate.conf");
            // The shipped rules with a 1 KiB limit instead of 100 MiB.
            fs.writeFileSync(config, renderLogrotate({ logFile: log, maxSize: "1k" }) + "\n");
            const rotate = () => {
                const r = spawnSync("/usr/sbin/logrotate", ["--state", path.join(dir, "state"), config], {
                    encoding: "utf8",
                });
                expect(r.status, r.stderr).to.equal(0);
            };
            // The app's open, appending descriptor (systemd's StandardOutput=append:) survives rotation.
            const fd = fs.openSync(log, "a");
            fs.writeSync(fd, "x".repeat(2048) + "\n");
            rotate();
            expect(fs.statSync(`${log}.1`).size).to.equal(2049);
            expect(fs.statSync(log).size).to.equal(0);
            fs.writeSync(fd, "after the first rotation\n");
            expect(fs.readFileSync(log, "utf8")).to.equal("after the first rotation\n");
            // Under the limit, the same day: nothing moves.
            rotate();
            expect(fs.existsSync(`${log}.2.gz`)).to.equal(false);
            expect(fs.readFileSync(log, "utf8")).to.equal("after the first rotation\n");
            // Over it again: rotated again, the older file compressed.
            fs.writeSync(fd, "y".repeat(2048) + "\n");
            rotate();
            fs.closeSync(fd);
            expect(fs.existsSync(`${log}.2.gz`)).to.equal(true);
            expect(fs.readFileSync(`${log}.1`, "utf8")).to.match(/^after the first rotation\ny{2048}\n$/);
            expect(fs.statSync(log).size).to.equal(0);
        });

        it("refuses log group names that could break out of the script's quoting", () => {
            expect(() => renderWebUserData({ ...BASE, logs: { ...LOGS, appLogGroup: "x' ; reboot #" } })).to.throw(
                `logs.appLogGroup "x' ; reboot #" is not a log group name`,
            );
        });
    });

    it("gives systemd longer than the app's drain to stop it", () => {
        // app/run.ts: the app drains for shutdownTimeoutMs and exits on its own 5 s later at most.
        const { shutdownTimeoutMs } = loadSettings({});
        expect(shutdownTimeoutMs).to.equal(20_000);
        expect(STOP_TIMEOUT_SECONDS * 1000).to.be.greaterThan(shutdownTimeoutMs + 5000);
    });

    it("writes the port, region, listen address and TLS files into the EnvironmentFile, no RDS CA without a database", () => {
        expect(parseEnvFile(heredoc(plain, "ENV"))).to.deep.equal({
            HOST: "0.0.0.0",
            PORT: "8080",
            TLS_CERT_FILE: "/etc/webfleet/tls/server.crt",
            TLS_KEY_FILE: "/etc/webfleet/tls/server.key",
            NODE_ENV: "production",
            AWS_REGION: "us-east-1",
        });
        expect(plain).not.to.include("truststore.pki.rds.amazonaws.com");
        expect(plain).not.to.include("fetch_rds_ca_bundle");
    });

    it("with DB_HOST, downloads the regional RDS CA bundle to a root-owned world-readable file and points DB_CA_BUNDLE at it", () => {
        const env = parseEnvFile(heredoc(withDb, "ENV"));
        expect(env).to.deep.equal({
            HOST: "0.0.0.0",
            PORT: "8080",
            TLS_CERT_FILE: "/etc/webfleet/tls/server.crt",
            TLS_KEY_FILE: "/etc/webfleet/tls/server.key",
            DB_CA_BUNDLE: CA_BUNDLE_FILE,
            NODE_ENV: "production",
            ...DB_ENV,
        });
        expect(withDb).to.include(
            "retry curl -fsS --proto '=https' --tlsv1.2 -o \"$tmp\" 'https://truststore.pki.rds.amazonaws.com/us-east-1/us-east-1-bundle.pem'",
        );
        expect(withDb).to.include(`install -o root -g root -m 0644 "$tmp" '${CA_BUNDLE_FILE}'`);
        const calls = withDb.slice(withDb.lastIndexOf("\ninstall_node\n")).trim().split("\n");
        expect(calls).to.deep.equal([
            "install_node",
            "create_user",
            "fetch_artifact",
            "fetch_rds_ca_bundle",
            "install_tls_certificate",
            "write_environment",
            "write_unit",
            "start_app",
        ]);
        const eu = renderWebUserData({
            ...BASE,
            region: "eu-west-1",
            environment: { ...DB_ENV, AWS_REGION: "eu-west-1" },
        });
        expect(eu).to.include("https://truststore.pki.rds.amazonaws.com/eu-west-1/eu-west-1-bundle.pem");
    });

    it("escapes what systemd would interpret, so values arrive verbatim", () => {
        const tricky = { GREETING: 'say "hi" $HOME `id` \\n 50%' };
        const file = renderEnvironmentFile({ region: "us-east-1", appPort: 8080, environment: tricky });
        expect(file.split("\n")).to.include('GREETING="say \\"hi\\" \\$HOME \\`id\\` \\\\n 50%"');
        expect(parseEnvFile(file).GREETING).to.equal(tricky.GREETING);
    });

    it("contains no secret and nothing that looks like one", () => {
        for (const script of [plain, withDb, withLogs]) {
            expect(script).not.to.match(
                /PRIVATE KEY|password|passwd|secret_access_key|AKIA[0-9A-Z]{16}|:\/\/[^\s/:@]+:[^\s/@]+@/i,
            );
        }
    });

    it("refuses environment keys that are not UPPER_SNAKE, reserved, or named like secrets, and multi-line values", () => {
        expect(environmentProblems(DB_ENV)).to.deep.equal([]);
        expect(
            environmentProblems({ DB_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x" }),
        ).to.deep.equal([]);
        const cases: [Record<string, string>, string][] = [
            [{ "db-host": "x" }, 'appEnvironment.db-host: "db-host" is not an UPPER_SNAKE name'],
            [{ PORT: "9000" }, "appEnvironment.PORT: PORT is set by the web tier itself"],
            [{ DB_CA_BUNDLE: "/tmp/x" }, "appEnvironment.DB_CA_BUNDLE: DB_CA_BUNDLE is set by the web tier itself"],
            [{ TLS_KEY_FILE: "/tmp/k" }, "appEnvironment.TLS_KEY_FILE: TLS_KEY_FILE is set by the web tier itself"],
            [{ DB_PASSWORD: "hunter22" }, "appEnvironment.DB_PASSWORD: the name says it is a secret"],
            [{ DATABASE_URL: "postgres://u:p@h/db" }, "appEnvironment.DATABASE_URL: the name says it is a secret"],
            [{ GREETING: "a\nb" }, "appEnvironment.GREETING: the value holds a newline"],
            [{ CERT: "-----BEGIN PRIVATE KEY-----" }, "appEnvironment.CERT: the value is a private key"],
        ];
        for (const [env, message] of cases) {
            const problems = environmentProblems(env);
            expect(problems, JSON.stringify(env)).to.have.length(1);
            expect(problems[0]).to.include(message);
            expect(() => renderWebUserData({ ...BASE, environment: env })).to.throw(message);
        }
    });

    it("refuses values that could break out of the script's quoting", () => {
        expect(() => renderWebUserData({ ...BASE, bucket: "x'; rm -rf / #" })).to.throw(
            'bucket "x\'; rm -rf / #" is not an S3 bucket name',
        );
        expect(() => renderWebUserData({ ...BASE, key: "app/$(id).js" })).to.throw("is not a plain object key");
        expect(() => renderWebUserData({ ...BASE, sha256: "abc" })).to.throw('sha256 "abc" is not a hex sha256');
        expect(() => renderWebUserData({ ...BASE, region: "us-east-1'" })).to.throw("is not an AWS region");
        expect(() => renderWebUserData({ ...BASE, appPort: 80 })).to.throw(
            "appPort 80 is not a port from 1024 to 65535",
        );
    });
});
