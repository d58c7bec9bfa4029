/** Pure RDS PostgreSQL helpers for components/database.ts: names, versions, parameters, ARNs. */

/**
 * The readable start of the RDS identifier from the project and stack names: RDS allows only
 * letters, digits and single hyphens (stack names may also hold _ and .).
 */
export function identifierBaseFor(project: string, stack: string): string {
    const base = `${project}-${stack}`
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 50)
        .replace(/-+$/, "");
    return /^[a-z]/.test(base) ? base : `db-${base}`.slice(0, 50).replace(/-+$/, "");
}

/** "17" or "17.4" → 17; the parameter group family follows the major version. */
export function majorVersion(engineVersion: string): number {
    const m = /^(\d+)(\.\d+)?$/.exec(engineVersion);
    if (!m) {
        throw new Error(`database.engineVersion: "${engineVersion}" is not a PostgreSQL version like 17 or 17.4`);
    }
    return Number(m[1]);
}

/** Parameters every stack's database gets; each says why. */
export function databaseParameters(): { name: string; value: string; applyMethod: "immediate" | "pending-reboot" }[] {
    return [
        // Plain-text connections are refused: every client must use TLS.
        { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
        { name: "ssl_min_protocol_version", value: "TLSv1.2", applyMethod: "immediate" },
        // Who connected from where, and for how long: the audit trail for a database with no
        // password on any server.
        { name: "log_connections", value: "1", applyMethod: "immediate" },
        { name: "log_disconnections", value: "1", applyMethod: "immediate" },
    ];
}

/** `arn:aws:rds-db:<region>:<account>:dbuser:<resource id>/<user>`: what `rds-db:connect` names. */
export function rdsDbUserArn(region: string, accountId: string, resourceId: string, user: string): string {
    return `arn:aws:rds-db:${region}:${accountId}:dbuser:${resourceId}/${user}`;
}
