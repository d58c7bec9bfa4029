/**
 * What the pack knows about database engine versions and Lambda runtimes, as data with dates,
 * so a version is refused from the day AWS stops supporting it and a table update is the only
 * change needed. Dates are AWS's published ends of standard support:
 * https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/MySQLReleaseNotes/mysql-release-calendar.html
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 * Versions not listed are treated as supported: a newer release than the table knows is fine.
 */

/** End of standard support (YYYY-MM-DD) per engine and major version. */
export const ENGINE_END_OF_SUPPORT: Record<string, Record<string, string>> = {
    postgres: {
        "9.6": "2022-04-26",
        "10": "2023-04-17",
        "11": "2024-02-29",
        "12": "2025-02-28",
        "13": "2026-02-28",
        "14": "2027-02-28",
        "15": "2028-02-29",
        "16": "2029-02-28",
        "17": "2030-02-28",
    },
    "aurora-postgresql": {
        "10": "2023-01-31",
        "11": "2024-02-29",
        "12": "2025-02-28",
        "13": "2026-02-28",
        "14": "2027-02-28",
        "15": "2028-02-29",
        "16": "2029-02-28",
    },
    mysql: { "5.6": "2022-03-01", "5.7": "2024-02-29", "8.0": "2026-07-31" },
    "aurora-mysql": { "5.6": "2023-02-28", "5.7": "2024-10-31" },
    mariadb: { "10.2": "2022-10-15", "10.3": "2023-10-23", "10.4": "2024-06-18" },
};

/** The major version as the table keys it: "17.2" → "17", "5.7.44" → "5.7", "5.7.mysql_aurora.2.11" → "5.7". */
export function majorVersion(engine: string, version: string): string {
    const parts = version.trim().split(".");
    const twoPart = engine.includes("mysql") || engine === "mariadb" || Number(parts[0]) < 10;
    return twoPart && parts.length > 1 ? `${parts[0]}.${parts[1]}` : parts[0];
}

/** When AWS stopped (or stops) supporting this engine version, if the table knows. */
export function endOfSupport(engine: string, version: string): string | undefined {
    const e = engine.toLowerCase();
    return ENGINE_END_OF_SUPPORT[e]?.[majorVersion(e, version)];
}

/** The PostgreSQL major a version string (or parameter group family, "postgres17") names. */
export function postgresMajor(version: string | undefined): number | undefined {
    const m = /(\d+)/.exec(version ?? "");
    return m ? Number(m[1]) : undefined;
}

/**
 * Deprecation dates of Lambda runtimes (the day Lambda stops patching them and flags them as
 * deprecated); identifiers retired long ago are listed with their dates too.
 */
export const RUNTIME_DEPRECATION: Record<string, string> = {
    nodejs: "2016-10-31",
    "nodejs4.3": "2020-03-05",
    "nodejs6.10": "2019-08-12",
    "nodejs8.10": "2020-03-06",
    "nodejs10.x": "2021-07-30",
    "nodejs12.x": "2023-03-31",
    "nodejs14.x": "2023-12-04",
    "nodejs16.x": "2024-06-12",
    "nodejs18.x": "2025-09-01",
    "nodejs20.x": "2026-04-30",
    "nodejs22.x": "2027-04-30",
    "nodejs24.x": "2028-04-30",
    "python2.7": "2021-07-15",
    "python3.6": "2022-07-18",
    "python3.7": "2023-12-04",
    "python3.8": "2024-10-14",
    "python3.9": "2025-12-15",
    "python3.10": "2026-06-30",
    "python3.11": "2026-06-30",
    "python3.12": "2028-10-31",
    "python3.13": "2029-06-30",
    "python3.14": "2030-06-30",
    "ruby2.5": "2021-07-30",
    "ruby2.7": "2023-12-07",
    "ruby3.2": "2026-03-31",
    "ruby3.3": "2027-03-31",
    "ruby3.4": "2028-03-31",
    java8: "2024-01-08",
    "go1.x": "2024-01-08",
    "dotnetcore1.0": "2019-07-30",
    "dotnetcore2.0": "2019-05-30",
    "dotnetcore2.1": "2022-01-05",
    "dotnetcore3.1": "2023-04-03",
    dotnet6: "2024-12-20",
    dotnet7: "2024-05-14",
    dotnet8: "2026-11-10",
    provided: "2024-01-08",
    "provided.al2": "2026-06-30",
};

/** The deprecation date of a runtime, if the table knows it. */
export function runtimeDeprecation(runtime: string): string | undefined {
    return RUNTIME_DEPRECATION[runtime.trim().toLowerCase()];
}
