import * as zlib from "zlib";
import { T } from "../../policy/lib/types";
import { b64 } from "./fixtures";
import { ResourceCase, UNKNOWN, describeRule } from "./helpers";

describe("policy: secrets in plain text", () => {
    const SECRETS =
        "user data is readable by anyone who can describe the instance and by every process on it (read secrets at boot from Secrets Manager or SSM Parameter Store with the instance role)";
    const bastionUserData = [
        "#!/bin/bash",
        "set -euo pipefail",
        "PasswordAuthentication no",
        "token=$(curl -fsS -X PUT \"$IMDS/api/token\" -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')",
        'instance_id=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" "$IMDS/meta-data/instance-id")',
        "readonly EIP_ALLOCATION_ID='eipalloc-0123456789abcdef0'",
    ].join("\n");
    describeRule<ResourceCase>("user-data-no-secrets", {
        compliant: [
            {
                title: "references only: a Secrets Manager ARN, an SSM parameter name, a value fetched at boot",
                case: {
                    type: T.instance,
                    props: {
                        userData: [
                            "#!/bin/bash",
                            "DB_PASSWORD_SECRET_ARN=arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
                            "API_TOKEN_PARAM=/prod/api/token",
                            'DB_PASSWORD="$(aws secretsmanager get-secret-value --secret-id "$DB_PASSWORD_SECRET_ARN" --query SecretString --output text)"',
                            'export PGPASSWORD="${DB_PASSWORD}"',
                            "TOKEN_TTL=3600",
                        ].join("\n"),
                    },
                },
            },
            {
                title: 'credentials passed by variable: an Authorization header, mysql -p"$VAR", curl -u user:$VAR, docker login --password-stdin',
                case: {
                    type: T.instance,
                    props: {
                        userData: [
                            "#!/bin/bash",
                            'curl -fsS -H "Authorization: Bearer ${API_TOKEN}" https://registry.example.com/enroll',
                            "curl -fsS -H 'Authorization: Bearer $API_TOKEN' https://registry.example.com/ping",
                            'mysql -h db.internal -u app -p"$DB_PASSWORD" -e "select 1"',
                            'curl -u "deploy:${NEXUS_PASSWORD}" -o /opt/app.tgz https://nexus.internal/app.tgz',
                            "aws ecr get-login-password | docker login -u AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com",
                            "export PASSWORD_FILE=/run/secrets/db",
                            "$pw = ConvertTo-SecureString $env:ADMIN_PASSWORD -AsPlainText -Force",
                            "$password = (Get-SECSecretValue -SecretId app/db).SecretString",
                            "net user ops * /add",
                        ].join("\n"),
                    },
                },
            },
            {
                title: "cloud-init YAML that sets no password (ssh_pwauth off, a key only)",
                case: {
                    type: T.launchTemplate,
                    props: {
                        userData: b64(
                            "#cloud-config\nssh_pwauth: false\nchpasswd:\n  expire: true\nusers:\n  - name: ops\n    ssh_authorized_keys: [ssh-ed25519 AAAAC3Nza ops]\n",
                        ),
                    },
                },
            },
            {
                title: "the bastion's bootstrap (base64), which fetches IMDS tokens at run time",
                case: { type: T.launchTemplate, props: { userData: b64(bastionUserData) } },
            },
            {
                title: "plain user data that reads the password from Secrets Manager",
                case: {
                    type: T.instance,
                    props: { userData: 'DB_PASSWORD="$(aws secretsmanager get-secret-value --secret-id db)"' },
                },
            },
            {
                title: "gzip-compressed clean user data",
                case: {
                    type: T.instance,
                    props: { userDataBase64: zlib.gzipSync(Buffer.from(bastionUserData)).toString("base64") },
                },
            },
            { title: "no user data", case: { type: T.launchConfiguration, props: {} } },
        ],
        violations: [
            {
                title: "abbreviations in several forms: PASS, a quoted JSON key, a YAML key",
                case: {
                    type: T.instance,
                    props: {
                        userData: [
                            "#!/bin/bash",
                            "DB_PASS=Sup3rS3cret",
                            "cat > /etc/app.json <<'EOF'",
                            '{"dbPwd": "an0ther-s3cret"}',
                            "EOF",
                            "cat > /etc/app.yaml <<'EOF'",
                            "api_key: 9f8e7d6c5b4a",
                            "EOF",
                        ].join("\n"),
                    },
                },
                messages: [
                    `EC2 instance 'subject' has user data containing a literal value for DB_PASS and a literal value for dbPwd and a literal value for api_key; ${SECRETS}`,
                ],
            },
            {
                title: "a password piped to chpasswd, and one on a mysql command line",
                case: {
                    type: T.instance,
                    props: {
                        userData:
                            "#!/bin/bash\necho 'ec2-user:Passw0rd!' | chpasswd\nmysql -uadmin -pS3cr3t -h db.internal < schema.sql\n",
                    },
                },
                messages: [
                    `EC2 instance 'subject' has user data containing a password piped to chpasswd and a password on a mysql command line (-p); ${SECRETS}`,
                ],
            },
            {
                title: "a bearer token in a header, curl -u user:password, a quoted mysql -p'…', docker login -p",
                case: {
                    type: T.instance,
                    props: {
                        userData: [
                            "#!/bin/bash",
                            "curl -H 'Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0' https://registry.example.com/enroll",
                            "curl -u deploy:Hunter2Hunter2 -o /opt/app.tgz https://nexus.internal/app.tgz",
                            "mysql -h db.internal -u admin -p'S3cure!pw' < /opt/seed.sql",
                            "docker login -u ci -p Registry2024x registry.example.com",
                        ].join("\n"),
                    },
                },
                messages: [
                    `EC2 instance 'subject' has user data containing a credential in an HTTP Authorization header and a password on a curl command line (-u user:password) and a password on a mysql command line (-p) and a password on a docker login command line (-p); ${SECRETS}`,
                ],
            },
            {
                title: "Windows user data: a PowerShell variable, ConvertTo-SecureString -AsPlainText, net user /add; an .npmrc token",
                case: {
                    type: T.instance,
                    props: {
                        userData: [
                            "<powershell>",
                            "$env:DB_PASSWORD = 'Secret123!'",
                            '$pw = ConvertTo-SecureString "Adm1n-2024!" -AsPlainText -Force',
                            "net user svc_backup Backup2024x /add",
                            "Set-Content C:\\app\\.npmrc '//registry.npmjs.org/:_authToken=0b6e5c4d-1a2b-4c3d-9e8f-123456789abc'",
                            "</powershell>",
                        ].join("\n"),
                    },
                },
                messages: [
                    `EC2 instance 'subject' has user data containing a literal value for DB_PASSWORD and a password in ConvertTo-SecureString -AsPlainText and a password on a net user command line and a literal value for _authToken; ${SECRETS}`,
                ],
            },
            {
                title: "a PGP private key block and a Rails SECRET_KEY_BASE",
                case: {
                    type: T.instance,
                    props: {
                        userData:
                            "#!/bin/bash\nexport SECRET_KEY_BASE=4f1c9e0a7b2d3c8e\ngpg --import <<'EOF'\n-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n-----END PGP PRIVATE KEY BLOCK-----\nEOF\n",
                    },
                },
                messages: [
                    `EC2 instance 'subject' has user data containing a private key and a literal value for SECRET_KEY_BASE; ${SECRETS}`,
                ],
            },
            {
                title: "an AWS access key and secret in a launch template",
                case: {
                    type: T.launchTemplate,
                    props: {
                        userData: b64(
                            "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
                        ),
                    },
                },
                messages: [
                    `Launch template 'subject' has user data containing an AWS access key ID and an AWS secret access key; ${SECRETS}`,
                ],
            },
            {
                title: "a literal password in plain user data",
                case: { type: T.instance, props: { userData: "#!/bin/bash\nexport DB_PASSWORD=hunter2hunter2\n" } },
                messages: [
                    `EC2 instance 'subject' has user data containing a literal value for DB_PASSWORD; ${SECRETS}`,
                ],
            },
            {
                title: "a private key in gzip-compressed base64 user data",
                case: {
                    type: T.instance,
                    props: {
                        userDataBase64: zlib
                            .gzipSync(
                                Buffer.from(
                                    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----\n",
                                ),
                            )
                            .toString("base64"),
                    },
                },
                messages: [`EC2 instance 'subject' has user data containing a private key; ${SECRETS}`],
            },
            {
                title: "a connection string with a password in a launch configuration",
                case: {
                    type: T.launchConfiguration,
                    props: { userData: "DATABASE_URL=postgres://app:s3cretpass@db.internal:5432/app" },
                },
                messages: [
                    `Launch configuration 'subject' has user data containing a URL with an embedded password; ${SECRETS}`,
                ],
            },
        ],
        unknown: {
            title: "user data built from outputs is the engine's advisory note",
            case: { type: T.launchTemplate, props: { userData: UNKNOWN } },
            advisory: true,
        },
    });

    const STORE =
        "keep secrets in Secrets Manager or SSM SecureString parameters and pass their ARN or name, which the code reads at run time with its role";
    const fn = (variables: Record<string, unknown>): ResourceCase => ({
        type: T.lambdaFunction,
        name: "migrations-fn",
        props: { runtime: "nodejs22.x", environment: { variables } },
    });
    describeRule<ResourceCase>("env-no-secrets", {
        compliant: [
            {
                title: "webfleet's migration function: a secret ARN and connection details",
                case: fn({
                    DB_HOST: "webfleet-prod.c08864ee4c3d.us-east-1.rds.amazonaws.com",
                    DB_PORT: "5432",
                    DB_MASTER_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-AbCdEf",
                    DB_PASSWORD_PARAM: "/prod/db/password",
                }),
            },
            {
                title: "a JSON config and other values that only refer to secrets",
                case: fn({
                    APP_CONFIG: JSON.stringify({
                        db: { host: "db.internal", passwordSecretArn: "arn:aws:secretsmanager:us-east-1:1:secret:db" },
                        tokenTtl: 3600,
                    }),
                    DB_PASSWORD: "{{resolve:secretsmanager:app/db:SecretString:password}}",
                    TOKEN_URL: "https://auth.example.com/oauth2/token",
                    AUTH_HEADER: "Authorization",
                    PASSWORD_FILE: "/run/secrets/db",
                }),
            },
            {
                title: "an ECS task taking its password from Secrets Manager (secrets, not environment)",
                case: {
                    type: T.ecsTaskDefinition,
                    props: {
                        family: "app",
                        containerDefinitions: JSON.stringify([
                            {
                                name: "app",
                                image: "app:1",
                                environment: [{ name: "DB_USER", value: "app" }],
                                secrets: [
                                    {
                                        name: "DB_PASSWORD",
                                        valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db",
                                    },
                                ],
                            },
                        ]),
                    },
                },
            },
            {
                title: "a CodeBuild variable read from Parameter Store",
                case: {
                    type: T.codebuildProject,
                    props: {
                        environment: {
                            environmentVariables: [
                                { name: "NPM_TOKEN", value: "/ci/npm-token", type: "PARAMETER_STORE" },
                            ],
                        },
                    },
                },
            },
        ],
        violations: [
            {
                title: "a literal password in a Lambda environment",
                case: fn({ DB_HOST: "db.internal", DB_PASSWORD: "hunter22" }),
                messages: [
                    `Lambda function 'migrations-fn' has a literal value for DB_PASSWORD in its environment, readable by anyone who can read the resource's configuration; ${STORE}`,
                ],
            },
            {
                title: "a connection string with a password under an innocent name",
                case: fn({ DATABASE_URL: "postgres://app:s3cretpw@db.internal:5432/app" }),
                messages: [
                    `Lambda function 'migrations-fn' has a URL with an embedded password in DATABASE_URL in its environment, readable by anyone who can read the resource's configuration; ${STORE}`,
                ],
            },
            {
                title: "a password inside a JSON config, a Slack webhook, a GitLab token, a JWT",
                case: fn({
                    APP_CONFIG: '{"db":{"host":"db.internal","password":"Sup3rS3cret!"}}',
                    ALERT_HOOK: "https://hooks.slack.com/services/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",
                    MIRROR: "glpat-AbCdEfGhIjKlMnOpQrSt",
                    CALLBACK_AUTH: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ3ZWJob29rIn0.Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2Rl",
                }),
                messages: [
                    `Lambda function 'migrations-fn' has a literal value for password in APP_CONFIG and a Slack webhook URL in ALERT_HOOK and a GitLab token in MIRROR and a JSON Web Token in CALLBACK_AUTH in its environment, readable by anyone who can read the resource's configuration; ${STORE}`,
                ],
            },
            {
                title: "an ECS container with a token in its environment and a password in its command",
                case: {
                    type: T.ecsTaskDefinition,
                    props: {
                        family: "worker",
                        containerDefinitions: JSON.stringify([
                            {
                                name: "worker",
                                image: "worker:1",
                                environment: [
                                    { name: "GITHUB_TOKEN", value: "ghp_0123456789abcdefghijklmnopqrstuvwxyz" },
                                ],
                                command: ["run", "--db-password=hunter22hunter22"],
                            },
                        ]),
                    },
                },
                messages: [
                    `ECS task definition 'subject' has a literal value for GITHUB_TOKEN (container 'worker') and a literal value for --db-password in command (container 'worker') in its container definitions, readable by anyone who can read the resource's configuration; ${STORE}`,
                ],
            },
            {
                title: "container definitions that are not JSON (ECS refuses them) are still read for secret shapes",
                case: {
                    type: T.ecsTaskDefinition,
                    props: {
                        family: "broken",
                        containerDefinitions: "[{ name: worker, token: ghp_0123456789abcdefghijklmnopqrstuvwxyz",
                    },
                },
                messages: [
                    `ECS task definition 'subject' has a GitHub token (container) in its container definitions, readable by anyone who can read the resource's configuration; ${STORE}`,
                ],
            },
            {
                title: "a Batch job with an API key",
                case: {
                    type: T.batchJobDefinition,
                    props: {
                        type: "container",
                        containerProperties: JSON.stringify({
                            image: "job:1",
                            environment: [{ name: "STRIPE_API_KEY", value: "rk_test_abcdef" }],
                        }),
                    },
                },
                messages: [
                    `Batch job definition 'subject' has a literal value for STRIPE_API_KEY (container) in its container properties, readable by anyone who can read the resource's configuration; ${STORE}`,
                ],
            },
            {
                title: "a plaintext CodeBuild variable",
                case: {
                    type: T.codebuildProject,
                    props: {
                        environment: { environmentVariables: [{ name: "NPM_TOKEN", value: "npm_abcdefghij0123" }] },
                    },
                },
                messages: [
                    `CodeBuild project 'subject' has a literal value for NPM_TOKEN in its build environment (PLAINTEXT variables), readable by anyone who can read the resource's configuration; ${STORE}`,
                ],
            },
        ],
        unknown: {
            title: "a container definition built from outputs is advisory until checked before creation",
            case: { type: T.ecsTaskDefinition, props: { family: "app", containerDefinitions: UNKNOWN } },
            advisory: true,
        },
    });

    const SECURE = 'secrets belong in SecureString parameters (set type: "SecureString" and keyId: key.arn)';
    describeRule<ResourceCase>("ssm-parameter-secure-string", {
        compliant: [
            {
                title: "a SecureString password",
                case: { type: T.ssmParameter, props: { name: "/prod/db/password", type: "SecureString", value: "x" } },
            },
            {
                title: "a plain setting",
                case: { type: T.ssmParameter, props: { name: "/prod/app/log-level", type: "String", value: "info" } },
            },
            {
                title: "a String that holds the ARN of a secret",
                case: {
                    type: T.ssmParameter,
                    props: {
                        name: "/prod/db/password-secret-arn",
                        type: "String",
                        value: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db",
                    },
                },
            },
            {
                title: "a JSON String of settings that only refers to secrets",
                case: {
                    type: T.ssmParameter,
                    props: {
                        name: "/app/config",
                        type: "String",
                        value: '{"db_host":"db.internal","db_password_param":"/app/db/password","token_ttl":3600}',
                    },
                },
            },
        ],
        violations: [
            {
                title: "a JSON String with a client secret inside",
                case: {
                    type: T.ssmParameter,
                    props: {
                        name: "/app/oauth/config",
                        type: "String",
                        value: '{"client_id":"web","client_secret":"x9Y8z7W6v5U4"}',
                    },
                },
                messages: [
                    `SSM parameter 'subject' holds a literal value for client_secret as a plain String, stored and shown unencrypted; ${SECURE}`,
                ],
            },
            {
                title: "a String named with the pw abbreviation",
                case: { type: T.ssmParameter, props: { name: "/legacy/db_pw", type: "String", value: "Legacy2019!" } },
                messages: [
                    `SSM parameter 'subject' is named like a secret (/legacy/db_pw) but is a plain String, stored and shown unencrypted; ${SECURE}`,
                ],
            },
            {
                title: "a password stored as a String",
                case: { type: T.ssmParameter, props: { name: "/prod/db/password", type: "String", value: "hunter22" } },
                messages: [
                    `SSM parameter 'subject' is named like a secret (/prod/db/password) but is a plain String, stored and shown unencrypted; ${SECURE}`,
                ],
            },
            {
                title: "an AWS key under an innocent name, as a StringList",
                case: {
                    type: T.ssmParameter,
                    props: { name: "/ci/settings", type: "StringList", value: "region=us-east-1,AKIAABCDEFGHIJKLMNOP" },
                },
                messages: [
                    `SSM parameter 'subject' holds an AWS access key ID as a plain StringList, stored and shown unencrypted; ${SECURE}`,
                ],
            },
        ],
        unknown: {
            title: "an unknown parameter type is advisory until checked before creation",
            case: { type: T.ssmParameter, props: { name: "/prod/db/password", type: UNKNOWN, value: "x" } },
            advisory: true,
        },
    });

    const TAGS =
        "which every principal with tag:GetResources or a describe permission reads, and which billing and inventory tools copy; keep secrets in Secrets Manager or SSM SecureString parameters and pass their ARN or name, which the code reads at run time with its role";
    describeRule<ResourceCase>("tags-no-secrets", {
        compliant: [
            {
                title: "ordinary tags on any resource",
                case: { type: T.bucket, props: { tags: { Name: "logs", team: "platform", "webfleet:role": "logs" } } },
            },
            { title: "a resource without tags", case: { type: T.kmsKey, props: {} } },
        ],
        violations: [
            {
                title: "a password in a tag",
                case: { type: T.rdsInstance, props: { tags: { Name: "db", DbPassword: "hunter22" } } },
                messages: [`RDS instance 'subject' has a literal value for DbPassword in its tags, ${TAGS}`],
            },
            {
                title: "an access key in an Auto Scaling group's propagated tags",
                case: {
                    type: T.autoscalingGroup,
                    props: { tags: [{ key: "deploy-key", value: "AKIAABCDEFGHIJKLMNOP", propagateAtLaunch: true }] },
                },
                messages: [`Auto Scaling group 'subject' has an AWS access key ID in deploy-key in its tags, ${TAGS}`],
            },
            {
                title: "a token in a launch template's instance tags",
                case: {
                    type: T.launchTemplate,
                    props: {
                        tagSpecifications: [
                            { resourceType: "instance", tags: { SlackToken: "xoxb-123456789012-abcdef" } },
                        ],
                    },
                },
                messages: [
                    `Launch template 'subject' has a literal value for SlackToken (tagSpecifications) in its tags, ${TAGS}`,
                ],
            },
            {
                title: "a secret in the provider's default tags, copied to every resource",
                case: {
                    type: "pulumi:providers:aws",
                    props: { region: "us-east-1", defaultTags: { tags: { api_token: "0123456789abcdef" } } },
                },
                messages: [
                    `pulumi:providers:aws 'subject' has a literal value for api_token (provider defaultTags) in its tags, ${TAGS}`,
                ],
            },
        ],
        unknown: {
            title: "tags built from outputs are advisory until checked before creation",
            case: { type: T.bucket, props: { tags: UNKNOWN } },
            advisory: true,
        },
    });
});
