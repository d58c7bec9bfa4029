/**
 * The web servers' own certificate, as user data makes it: the shell functions taken out of the
 * rendered script and run for real (bash, openssl, curl) against the IMDSv2 stand-in, then the
 * boot's first health check (curl, verifying against that certificate) against the app serving it.
 */
import { expect } from "chai";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startServer } from "../app/http/server";
import { silentLogger } from "../app/log";
import { readTlsCredentials } from "../app/tls";
import { createPool } from "../app/db/pool";
import { startImds, type Imds } from "../e2e/fleet/imds";
import { MAX_INSTANCE_LIFETIME_SECONDS } from "../components/webTier";
import {
    IMDS_ENDPOINT,
    RESERVED_ENV,
    TLS_CERT_DAYS,
    TLS_CERT_FILE,
    TLS_KEY_FILE,
    WebUserDataArgs,
    renderWebUserData,
} from "../lib/userData/web";
import { poolConfigFor, testDatabase } from "./app/support/db";
import { requireTool } from "./support/tools";

const run = promisify(execFile);
const SHA = "38299ad9a30121af7339ede06696752c7894a5451d41d41b138ebae2474d4542";
const BASE: WebUserDataArgs = {
    region: "eu-west-1",
    bucket: "web-artifact-bucket-0a1b2c3",
    key: `app/${SHA}.js`,
    sha256: SHA,
    appPort: 8443,
};
const script = renderWebUserData(BASE);

/** A function's definition, exactly as the rendered script has it. */
function shellFunction(name: string): string {
    const start = script.indexOf(`\n${name}() {\n`);
    expect(start, name).to.be.greaterThan(0);
    return script.slice(start + 1, script.indexOf("\n}\n", start) + 3);
}

const me = os.userInfo().username;

/**
 * Runs the script's own functions in bash with its globals pointed at a temp directory and the
 * IMDS stand-in; APP_USER is this user (whose private group has its name, as useradd
 * --user-group makes it), so the test needs no root.
 */
async function boot(dir: string, imds: string, call: string): Promise<{ stdout: string; stderr: string }> {
    const prelude = [
        "set -euo pipefail",
        `APP_USER='${me}' IMDS='${imds}' TLS_DIR='${dir}/tls'`,
        `TLS_CERT="$TLS_DIR/server.crt" TLS_KEY="$TLS_DIR/server.key"`,
        'log() { echo "webfleet-web: $*"; }',
        'retry() { "$@"; }',
        shellFunction("make_tls_certificate"),
        shellFunction("install_tls_certificate"),
    ].join("\n");
    return run("bash", ["-c", `${prelude}\n${call}`], { encoding: "utf8" });
}

function openssl(...args: string[]): string {
    return execFileSync("openssl", args, { encoding: "utf8" });
}

describe("web user data: the server's own certificate (run for real)", function () {
    let dir: string;
    let imds: Imds;
    before(async function () {
        requireTool(this, "openssl", "apt-get install openssl");
        requireTool(this, "curl", "apt-get install curl");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-ud-tls-"));
        imds = await startImds({
            instanceId: "i-0123456789abcdef0",
            availabilityZone: "eu-west-1b",
            localIpv4: "127.0.0.1",
            localHostname: "ip-127-0-0-1.eu-west-1.compute.internal",
        });
    });
    after(async () => {
        await imds?.close();
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("points the app at fixed paths it may not override, and reads IMDS at its link-local address", () => {
        expect([TLS_CERT_FILE, TLS_KEY_FILE]).to.deep.equal([
            "/etc/webfleet/tls/server.crt",
            "/etc/webfleet/tls/server.key",
        ]);
        expect(RESERVED_ENV).to.include.members(["TLS_CERT_FILE", "TLS_KEY_FILE"]);
        expect(script).to.include(`readonly IMDS='${IMDS_ENDPOINT}'`);
        expect(IMDS_ENDPOINT).to.equal("http://169.254.169.254");
        // Never expires under a running server, which the group replaces after 30 days.
        expect(TLS_CERT_DAYS * 86400).to.be.greaterThan(MAX_INSTANCE_LIFETIME_SECONDS);
    });

    it("makes a P-256 key readable by the app's user alone and a self-signed server certificate naming the instance's private DNS name and address (IMDSv2)", async () => {
        const out = await boot(dir, imds.url, 'install_tls_certificate\necho "TLS_IP=$TLS_IP"');
        expect(out.stdout).to.include(
            "webfleet-web: TLS certificate made for ip-127-0-0-1.eu-west-1.compute.internal (127.0.0.1)",
        );
        expect(out.stdout).to.match(/^TLS_IP=127\.0\.0\.1$/m);
        // A session token first, then every read with it.
        expect(imds.calls).to.deep.equal([
            "PUT /latest/api/token 200",
            "GET /latest/meta-data/local-hostname 200",
            "GET /latest/meta-data/local-ipv4 200",
        ]);
        const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);
        const key = path.join(dir, "tls", "server.key");
        const cert = path.join(dir, "tls", "server.crt");
        expect([mode(path.join(dir, "tls")), mode(key), mode(cert)]).to.deep.equal(["750", "400", "644"]);
        expect(fs.statSync(key).uid).to.equal(os.userInfo().uid);

        const text = openssl("x509", "-in", cert, "-noout", "-text");
        expect(text).to.match(/Subject: CN = ip-127-0-0-1\.eu-west-1\.compute\.internal\n/);
        expect(text).to.match(/Issuer: CN = ip-127-0-0-1\.eu-west-1\.compute\.internal\n/);
        expect(text).to.include("DNS:ip-127-0-0-1.eu-west-1.compute.internal, IP Address:127.0.0.1");
        expect(text).to.match(/Basic Constraints: critical\n\s+CA:FALSE/);
        expect(text).to.match(/Extended Key Usage: \n\s+TLS Web Server Authentication/);
        expect(text).to.include("NIST CURVE: P-256");
        const dates = openssl("x509", "-in", cert, "-noout", "-startdate", "-enddate");
        const [start, end] = [...dates.matchAll(/=(.+)$/gm)].map((m) => Date.parse(m[1]));
        expect((end - start) / 86400_000).to.equal(TLS_CERT_DAYS);
        // The pair the app is given is one it accepts.
        expect(() => readTlsCredentials({ certFile: cert, keyFile: key })).not.to.throw();
    });

    it("leaves out a host name that cannot go into a certificate, and fails the boot on an address that is not one", async () => {
        const odd = await boot(
            dir,
            imds.url,
            `make_tls_certificate "${dir}/odd.key" "${dir}/odd.crt" 'a b/c' 10.0.3.7`,
        );
        expect(odd.stdout).to.include("host name 'a b/c' cannot go into a certificate; naming 10.0.3.7 only");
        const text = openssl("x509", "-in", path.join(dir, "odd.crt"), "-noout", "-subject", "-ext", "subjectAltName");
        expect(text).to.match(/subject=CN = 10\.0\.3\.7\n/);
        expect(text).to.match(/IP Address:10\.0\.3\.7\n/);
        expect(text).not.to.include("DNS:");
        const bad = await boot(
            dir,
            imds.url,
            `make_tls_certificate "${dir}/bad.key" "${dir}/bad.crt" host 10.0.3`,
        ).then(
            () => "made",
            (err: { code?: number; stdout?: string }) => `exit ${err.code}: ${err.stdout?.trim()}`,
        );
        expect(bad).to.equal(
            "exit 1: webfleet-web: address '10.0.3' is not an IPv4 address; cannot make a certificate",
        );
        expect(fs.existsSync(path.join(dir, "bad.key"))).to.equal(false);
    });

    it("checks the app's first answer over HTTPS against the certificate just made, which the app then serves", async () => {
        const check = /^ {4}if (curl [^\n]+); then$/m.exec(shellFunction("start_app"))![1];
        expect(check).to.include('--cacert "$TLS_CERT"');
        expect(check).to.include('"https://$TLS_IP:$APP_PORT/healthz"');
        expect(script).not.to.match(/http:\/\/127\.0\.0\.1/);
        // That very curl command, against the app serving the certificate made above.
        const certFile = path.join(dir, "tls", "server.crt");
        const pool = createPool(poolConfigFor(await testDatabase()), silentLogger);
        const server = await startServer({
            port: 0,
            host: "127.0.0.1",
            pool,
            identity: { instanceId: "i-0123456789abcdef0", availabilityZone: "eu-west-1b", source: "imds" },
            tls: readTlsCredentials({ certFile, keyFile: path.join(dir, "tls", "server.key") }),
        });
        const curl = (cert: string) =>
            run(
                "bash",
                [
                    "-c",
                    `TLS_CERT='${cert}' TLS_IP=127.0.0.1 APP_PORT=${server.port}; ${check.replace("--retry 30", "--retry 0")} && echo passed`,
                ],
                {
                    encoding: "utf8",
                },
            ).then(
                (r) => r.stdout.trim(),
                (err: { code?: number }) => `curl exit ${err.code}`,
            );
        try {
            expect(await curl(certFile)).to.equal("passed");
            // Any other certificate fails the check (curl 60: peer certificate not trusted).
            const other = path.join(dir, "other.crt");
            await boot(
                dir,
                imds.url,
                `make_tls_certificate "${dir}/other.key" "${other}" ip-10-0-0-1.eu-west-1.compute.internal 127.0.0.1`,
            );
            expect(await curl(other)).to.equal("curl exit 60");
        } finally {
            await server.close();
            await pool.end();
        }
    });
});
