import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { ConfigError } from "../../app/envVars";
import { rdsIamTokenProvider } from "../../app/db/iamToken";
import { databaseMode, poolConfigFromEnv, type IamAuthTarget } from "../../app/db/poolConfig";
import { requireRealPostgres, testDatabase } from "./support/db";

const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const awsEnv = {
    DB_HOST: "db.abc123.eu-west-1.rds.amazonaws.com",
    DB_PORT: "5432",
    DB_NAME: "webfleet",
    DB_USER: "webfleet_app",
    AWS_REGION: "eu-west-1",
    DB_CA_BUNDLE: "/etc/webfleet/rds-ca.pem",
};

function configError(fn: () => unknown): string {
    try {
        fn();
    } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        return (err as Error).message;
    }
    throw new Error("expected a ConfigError");
}

describe("app database settings", () => {
    it("DATABASE_URL wins over the DB_* variables", () => {
        const config = poolConfigFromEnv({ ...awsEnv, DATABASE_URL: "postgres://u:p@localhost:5432/app" });
        expect(config.connectionString).to.equal("postgres://u:p@localhost:5432/app");
        expect(config.host).to.equal(undefined);
        expect(config.max).to.equal(10);
    });

    it("on AWS: IAM token per connection as the password, TLS verified against the CA bundle (verify-full)", async () => {
        const targets: IamAuthTarget[] = [];
        const config = poolConfigFromEnv(awsEnv, {
            readFile: (p) => (p === awsEnv.DB_CA_BUNDLE ? pem : ""),
            tokenProvider: async (t) => {
                targets.push(t);
                return `token-${targets.length}`;
            },
        });
        expect(config).to.include({ host: awsEnv.DB_HOST, port: 5432, database: "webfleet", user: "webfleet_app" });
        expect(config.ssl).to.deep.equal({ ca: pem, rejectUnauthorized: true, servername: awsEnv.DB_HOST });
        expect(config.password).to.be.a("function");
        const password = config.password as () => Promise<string>;
        expect(await password()).to.equal("token-1");
        expect(await password()).to.equal("token-2");
        expect(targets[0]).to.deep.equal({
            hostname: awsEnv.DB_HOST,
            port: 5432,
            username: "webfleet_app",
            region: "eu-west-1",
        });
    });

    it("reports every missing AWS variable at once, with the fix", () => {
        const message = configError(() =>
            poolConfigFromEnv({ DB_HOST: "db.example" }, { tokenProvider: async () => "t" }),
        );
        for (const name of ["DB_NAME", "DB_USER", "AWS_REGION", "DB_CA_BUNDLE"]) {
            expect(message).to.match(new RegExp(`${name} is not set; set it to `));
        }
        expect(message).not.to.include("DB_HOST is not set");
    });

    it("reports an unreadable or empty CA bundle, naming DB_CA_BUNDLE", () => {
        const unreadable = configError(() =>
            poolConfigFromEnv({ ...awsEnv, DB_CA_BUNDLE: "/nonexistent/ca.pem" }, { tokenProvider: async () => "t" }),
        );
        expect(unreadable).to.match(/DB_CA_BUNDLE: cannot read "\/nonexistent\/ca.pem"/);
        const notPem = configError(() =>
            poolConfigFromEnv(awsEnv, { tokenProvider: async () => "t", readFile: () => "hello" }),
        );
        expect(notPem).to.match(/DB_CA_BUNDLE: .* holds no PEM certificate/);
    });

    it("needs a token provider for IAM auth", () => {
        expect(configError(() => poolConfigFromEnv(awsEnv, { readFile: () => pem }))).to.match(/token provider/);
    });

    it("never echoes DATABASE_URL, which may hold a password", () => {
        const message = configError(() => poolConfigFromEnv({ DATABASE_URL: "s3cr3t-pw not a url" }));
        expect(message).to.match(/DATABASE_URL is not a URL/);
        expect(message).not.to.include("s3cr3t");
        expect(configError(() => poolConfigFromEnv({ DATABASE_URL: "mysql://u:s3cr3t@h/db" }))).not.to.include(
            "s3cr3t",
        );
    });

    it("validates DB_PORT and DB_POOL_MAX", () => {
        const message = configError(() => poolConfigFromEnv({ DATABASE_URL: "postgres://h/db", DB_POOL_MAX: "lots" }));
        expect(message).to.match(/DB_POOL_MAX: "lots" is not an integer from 1 to 1000/);
        const port = configError(() =>
            poolConfigFromEnv({ ...awsEnv, DB_PORT: "70000" }, { tokenProvider: async () => "t", readFile: () => pem }),
        );
        expect(port).to.match(/DB_PORT: "70000" is not an integer from 1 to 65535/);
    });

    it("tells which mode the environment selects", () => {
        expect(databaseMode({})).to.equal("none");
        expect(databaseMode({ DATABASE_URL: "postgres://h/db", DB_HOST: "x" })).to.equal("url");
        // A lone DB_* variable is a half-done AWS setup, reported rather than run embedded.
        expect(databaseMode({ DB_USER: "app" })).to.equal("iam");
    });

    it("the RDS provider signs an IAM auth token locally for the exact target", async () => {
        const provider = rdsIamTokenProvider({
            credentials: { accessKeyId: "AKIAEXAMPLEEXAMPLE", secretAccessKey: "not-a-real-secret" },
        });
        const token = await provider({
            hostname: awsEnv.DB_HOST,
            port: 5432,
            username: "webfleet_app",
            region: "eu-west-1",
        });
        expect(token.startsWith(`${awsEnv.DB_HOST}:5432/?`)).to.equal(true);
        const params = new URLSearchParams(token.slice(token.indexOf("?") + 1));
        expect(params.get("Action")).to.equal("connect");
        expect(params.get("DBUser")).to.equal("webfleet_app");
        expect(params.get("X-Amz-Credential")).to.match(/^AKIAEXAMPLEEXAMPLE\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/);
        expect(params.get("X-Amz-Expires")).to.equal("900");
        expect(params.get("X-Amz-Signature")).to.match(/^[0-9a-f]{64}$/);
    });

    it("connects with the injected token provider (a role with a password stands in for IAM)", async function () {
        requireRealPostgres(this, "password authentication");
        const db = await testDatabase();
        const role = `webfleet_token_${randomBytes(3).toString("hex")}`;
        const secret = randomBytes(12).toString("hex");
        const admin = new Client({ connectionString: db.url });
        await admin.connect();
        try {
            await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${secret}'`);
            const env = {
                DB_HOST: db.host,
                DB_PORT: String(db.port),
                DB_NAME: db.database,
                DB_USER: role,
                AWS_REGION: "eu-west-1",
                DB_CA_BUNDLE: "/ca.pem",
            };
            const calls: IamAuthTarget[] = [];
            const config = poolConfigFromEnv(env, {
                readFile: () => pem,
                tokenProvider: async (t) => {
                    calls.push(t);
                    return secret;
                },
            });
            // The test cluster has no TLS; the config's verified-TLS settings are checked above.
            const client = new Client({ ...config, ssl: false });
            await client.connect();
            const { rows } = await client.query<{ user: string }>("SELECT current_user AS user");
            await client.end();
            expect(rows[0].user).to.equal(role);
            expect(calls).to.deep.equal([{ hostname: db.host, port: db.port, username: role, region: "eu-west-1" }]);

            const wrong = poolConfigFromEnv(env, { readFile: () => pem, tokenProvider: async () => "not-the-token" });
            const rejected = new Client({ ...wrong, ssl: false });
            const err = await rejected.connect().then(
                () => undefined,
                (e: unknown) => e,
            );
            await rejected.end().catch(() => undefined);
            expect((err as { code?: string }).code).to.equal("28P01");
        } finally {
            await admin.query(`DROP ROLE IF EXISTS ${role}`);
            await admin.end();
        }
    });
});
