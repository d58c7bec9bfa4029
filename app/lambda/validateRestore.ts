/**
 * The restore validator: AWS Backup's restore test restores the latest snapshot of the database to
 * a throwaway instance, and when the restore job ends, an EventBridge rule invokes this function
 * (components/backup/restoreTest.ts). It connects to the restored instance over TLS verified
 * against the RDS CAs, checks that it answers and holds the app's schema (app/db/schemaCheck.ts),
 * and reports SUCCESSFUL or FAILED to AWS Backup with PutRestoreValidationResult; AWS Backup then
 * deletes the instance. Every failure is logged as VALIDATION_FAILED_MSG, which the stack alarms on.
 *
 * It logs in as the master user with the RDS-managed secret. The restored instance holds the
 * password of the moment its snapshot was taken; RDS rotates that secret every 7 days, so when the
 * current password is refused, the previous one (AWSPREVIOUS) is the snapshot's: the restore test
 * only picks recovery points a day or two old (RESTORE_SELECTION_WINDOW_DAYS).
 *
 * Bundled by esbuild (app/lambda/build.ts); every outside dependency is injectable, so the tests
 * run this handler against a real PostgreSQL.
 */
import { readFileSync } from "node:fs";
import { BackupClient, PutRestoreValidationResultCommand } from "@aws-sdk/client-backup";
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Client, type ClientConfig } from "pg";
import { checkSchema } from "../db/schemaCheck";
import { type Migration, migrationId, migrations as appMigrations } from "../db/migrations";
import { createLogger, errorFields, type Logger } from "../log";
import { type CaBundleSource, caBundleProblems, fetchText, loadCaBundle, parseMasterSecret } from "./common";
import {
    MAX_MESSAGE_LENGTH,
    type RestoreJobEvent,
    VALIDATION_FAILED_MSG,
    type ValidationOutcome,
} from "./restoreValidation";

export type { RestoreJobEvent, ValidationOutcome };

/** What the function reads from its environment (set by the component; nothing secret). */
export interface ValidatorSettings {
    /** Only this plan's restore jobs are validated. */
    restoreTestingPlanArn: string;
    /** The restore-test security group: a restored instance outside it is never connected to. */
    restoreSecurityGroupId: string;
    database: string;
    masterSecretArn: string;
    caBundle: CaBundleSource;
}

export interface RestoredInstance {
    address: string;
    port: number;
    status: string;
    securityGroupIds: string[];
}

export type SecretStage = "AWSCURRENT" | "AWSPREVIOUS";
export type ValidationStatus = "VALIDATING" | "SUCCESSFUL" | "FAILED";

export interface ValidatorDeps {
    env: NodeJS.ProcessEnv;
    describeInstance: (identifier: string) => Promise<RestoredInstance>;
    /** The secret's SecretString at a stage; undefined when the secret has no such version. */
    getSecretString: (arn: string, stage: SecretStage) => Promise<string | undefined>;
    putResult: (restoreJobId: string, status: ValidationStatus, message: string) => Promise<void>;
    readFile: (path: string) => string;
    fetchText: (url: string) => Promise<string>;
    connect: (config: ClientConfig) => Promise<Client>;
    log: Logger;
    /** The schema the restored database must hold (default: the app's migrations). */
    migrations: readonly Migration[];
}

export function validatorSettingsFromEnv(env: NodeJS.ProcessEnv): ValidatorSettings {
    const problems: string[] = [];
    const required = (name: string, what: string, shape?: RegExp): string => {
        const value = env[name]?.trim() ?? "";
        if (!value) {
            problems.push(`${name} is not set; set it to ${what}`);
        } else if (shape && !shape.test(value)) {
            problems.push(`${name}: "${value}" is not ${what}`);
        }
        return value;
    };
    const restoreTestingPlanArn = required(
        "RESTORE_TESTING_PLAN_ARN",
        "the ARN of the stack's restore testing plan",
        /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:restore-testing-plan:.+$/,
    );
    const restoreSecurityGroupId = required(
        "RESTORE_SECURITY_GROUP_ID",
        "the restore-test security group's ID",
        /^sg-[0-9a-f]+$/,
    );
    const database = required("DB_NAME", "the database name");
    const masterSecretArn = required(
        "DB_MASTER_SECRET_ARN",
        "the ARN of the RDS-managed master user secret",
        /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
    );
    const ca = caBundleProblems(env);
    problems.push(...ca.problems);
    if (problems.length > 0) {
        throw new Error(`restore validator misconfigured:\n  - ${problems.join("\n  - ")}`);
    }
    return { restoreTestingPlanArn, restoreSecurityGroupId, database, masterSecretArn, caBundle: ca.source! };
}

/** The DB instance identifier in an RDS instance ARN, or undefined for anything else. */
export function rdsInstanceIdentifier(arn: string | undefined): string | undefined {
    return /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:([a-z][a-z0-9-]{0,62})$/.exec(arn ?? "")?.[1];
}

/** Read-only master connection to the restored instance: TLS verified, host name checked. */
export function restoredClientConfig(
    instance: RestoredInstance,
    database: string,
    credentials: { username: string; password: string },
    ca: string,
): ClientConfig {
    return {
        host: instance.address,
        port: instance.port,
        database,
        user: credentials.username,
        password: credentials.password,
        ssl: { ca, rejectUnauthorized: true, servername: instance.address },
        connectionTimeoutMillis: 10_000,
        statement_timeout: 30_000,
        application_name: "webfleet-restore-validator",
    };
}

function defaultDeps(): ValidatorDeps {
    let rds: RDSClient | undefined;
    let secrets: SecretsManagerClient | undefined;
    let backup: BackupClient | undefined;
    return {
        env: process.env,
        describeInstance: async (identifier) => {
            rds ??= new RDSClient({});
            const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
            const db = out.DBInstances?.[0];
            if (!db?.Endpoint?.Address || !db.Endpoint.Port) {
                throw new Error(
                    `RDS describes no endpoint for ${identifier} (status ${db?.DBInstanceStatus ?? "unknown"})`,
                );
            }
            return {
                address: db.Endpoint.Address,
                port: db.Endpoint.Port,
                status: db.DBInstanceStatus ?? "unknown",
                securityGroupIds: (db.VpcSecurityGroups ?? []).flatMap((g) =>
                    g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [],
                ),
            };
        },
        getSecretString: async (arn, stage) => {
            secrets ??= new SecretsManagerClient({});
            try {
                const out = await secrets.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }));
                return out.SecretString;
            } catch (err) {
                // A secret never rotated has no AWSPREVIOUS version.
                if (stage === "AWSPREVIOUS" && (err as { name?: string }).name === "ResourceNotFoundException") {
                    return undefined;
                }
                throw err;
            }
        },
        putResult: async (restoreJobId, status, message) => {
            backup ??= new BackupClient({});
            await backup.send(
                new PutRestoreValidationResultCommand({
                    RestoreJobId: restoreJobId,
                    ValidationStatus: status,
                    ValidationStatusMessage: message.slice(0, MAX_MESSAGE_LENGTH),
                }),
            );
        },
        readFile: (path) => readFileSync(path, "utf8"),
        fetchText,
        connect: async (config) => {
            const client = new Client(config);
            await client.connect();
            return client;
        },
        log: createLogger(),
        migrations: appMigrations,
    };
}

/** Connects with the current master password, or with the previous one when the current is refused. */
async function connectAsMaster(
    deps: ValidatorDeps,
    settings: ValidatorSettings,
    instance: RestoredInstance,
    ca: string,
): Promise<{ client: Client; stage: SecretStage }> {
    const current = parseMasterSecret((await deps.getSecretString(settings.masterSecretArn, "AWSCURRENT")) ?? "");
    try {
        return {
            client: await deps.connect(restoredClientConfig(instance, settings.database, current, ca)),
            stage: "AWSCURRENT",
        };
    } catch (err) {
        // 28P01: invalid_password. The secret rotated after the snapshot was taken.
        if ((err as { code?: string }).code !== "28P01") {
            throw err;
        }
        const text = await deps.getSecretString(settings.masterSecretArn, "AWSPREVIOUS");
        if (text === undefined) {
            throw new Error(
                "the restored database refused the master password, and the secret has no previous version",
                {
                    cause: err,
                },
            );
        }
        const previous = parseMasterSecret(text);
        return {
            client: await deps.connect(restoredClientConfig(instance, settings.database, previous, ca)),
            stage: "AWSPREVIOUS",
        };
    }
}

export function createHandler(
    overrides: Partial<ValidatorDeps> = {},
): (event: RestoreJobEvent) => Promise<ValidationOutcome> {
    const deps: ValidatorDeps = { ...defaultDeps(), ...overrides };
    return async (event) => {
        const settings = validatorSettingsFromEnv(deps.env);
        const detail = event?.detail ?? {};
        const restoreJobId = detail.restoreJobId;
        if (detail.restoreTestingPlanArn !== settings.restoreTestingPlanArn || !restoreJobId) {
            const message = `not a restore job of ${settings.restoreTestingPlanArn}; nothing to validate`;
            deps.log.warn("restore event ignored", { restoreJobId, plan: detail.restoreTestingPlanArn });
            return { restoreJobId, status: "IGNORED", message };
        }
        if (detail.status !== "COMPLETED") {
            const message = `the restore job ended ${detail.status ?? "without a status"}${detail.statusMessage ? `: ${detail.statusMessage}` : ""}; the backup could not be restored, so there is nothing to validate`;
            deps.log.error(VALIDATION_FAILED_MSG, { restoreJobId, stage: "restore", reason: message });
            return { restoreJobId, status: "RESTORE_FAILED", message };
        }
        const identifier = rdsInstanceIdentifier(detail.createdResourceArn);
        const verdict = identifier
            ? await validate(deps, settings, restoreJobId, identifier)
            : {
                  ok: false,
                  message: `the restore created ${detail.createdResourceArn ?? "nothing"}, not an RDS DB instance`,
              };
        if (!verdict.ok) {
            deps.log.error(VALIDATION_FAILED_MSG, {
                restoreJobId,
                stage: "validate",
                instance: identifier,
                reason: verdict.message,
            });
            await deps.putResult(restoreJobId, "FAILED", verdict.message);
            return { restoreJobId, status: "FAILED", message: verdict.message };
        }
        await deps.putResult(restoreJobId, "SUCCESSFUL", verdict.message);
        return { restoreJobId, status: "SUCCESSFUL", message: verdict.message };
    };
}

/** Connects to the restored instance and checks it; every failure becomes a verdict, never a throw. */
async function validate(
    deps: ValidatorDeps,
    settings: ValidatorSettings,
    restoreJobId: string,
    identifier: string,
): Promise<{ ok: boolean; message: string }> {
    let client: Client | undefined;
    try {
        await deps.putResult(restoreJobId, "VALIDATING", `connecting to ${identifier}`);
        const instance = await deps.describeInstance(identifier);
        if (!instance.securityGroupIds.includes(settings.restoreSecurityGroupId)) {
            // The selection's overrides were not applied: the instance may sit in the live
            // database's group, and the validator connects only where the restore test put it.
            return {
                ok: false,
                message: `${identifier} is not in the restore-test security group ${settings.restoreSecurityGroupId} (it has ${instance.securityGroupIds.join(", ") || "none"}); not connecting`,
            };
        }
        const ca = await loadCaBundle(settings.caBundle, deps, "the validation");
        const started = Date.now();
        const connected = await connectAsMaster(deps, settings, instance, ca);
        client = connected.client;
        const schema = await checkSchema(client, deps.migrations);
        const ms = Date.now() - started;
        if (schema.problems.length > 0) {
            return { ok: false, message: `${identifier} answered, but ${schema.problems.join("; ")}` };
        }
        const latest = deps.migrations[deps.migrations.length - 1];
        deps.log.info("restore validated", {
            restoreJobId,
            instance: identifier,
            version: schema.version,
            secretStage: connected.stage,
            ms,
        });
        return {
            ok: true,
            message: `${identifier} answered over verified TLS in ${ms} ms and holds the app's schema at version ${schema.version}${latest ? ` (${migrationId(latest)})` : ""}`,
        };
    } catch (err) {
        return { ok: false, message: `${identifier}: ${errorFields(err).error}` };
    } finally {
        await client?.end().catch(() => undefined);
    }
}

/** The Lambda entry point (index.handler in the bundle). */
export const handler = createHandler();
