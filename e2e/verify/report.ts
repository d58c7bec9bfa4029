/** The verify report: its shape (also the `--json` output), the latency summary and the text form. */

/** The checks, in the order they run and print. docs/end-to-end.md says what each means. */
export const CHECK_NAMES = [
    "certificate",
    "tls-versions",
    "redirect",
    "healthz",
    "home-html",
    "home-json",
    "not-found",
    "az-spread",
    "security-headers",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface CheckResult {
    name: CheckName;
    /** skip: not verified on purpose (--insecure), never a failure. */
    status: "pass" | "fail" | "skip";
    /** One line: what was seen (and, on failure, what was expected). */
    summary: string;
}

export interface LatencySummary {
    count: number;
    p50: number;
    p95: number;
    p99: number;
    max: number;
}

export interface VerifyReport {
    url: string;
    ok: boolean;
    /** True when the certificate was not verified (--insecure). */
    insecure: boolean;
    expectAzs: number;
    requests: number;
    checks: CheckResult[];
    /** Milliseconds per request of the `/` sample (whole response, on kept-alive connections). */
    latencyMs: LatencySummary | null;
    perAz: Record<string, number>;
    perInstance: Record<string, { availabilityZone: string; count: number }>;
}

/** Nearest-rank percentile (the value at rank ceil(p/100 × n) of the sorted sample). */
export function percentile(sorted: readonly number[], p: number): number {
    if (sorted.length === 0) {
        throw new Error("percentile of an empty sample");
    }
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[Math.min(rank, sorted.length) - 1];
}

export function summarizeLatency(samples: readonly number[]): LatencySummary | null {
    if (samples.length === 0) {
        return null;
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
        count: sorted.length,
        p50: round(percentile(sorted, 50)),
        p95: round(percentile(sorted, 95)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted[sorted.length - 1]),
    };
}

/** Counts by key, keys sorted, so the report reads the same on every run. */
export function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
    const counts = new Map<string, number>();
    for (const item of items) {
        counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
    }
    return Object.fromEntries([...counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

export function renderText(report: VerifyReport): string {
    const width = Math.max(...report.checks.map((c) => c.name.length));
    const lines = [
        `verify ${report.url} (${report.requests} requests of /, expecting ${report.expectAzs} AZ${report.expectAzs === 1 ? "" : "s"})`,
        ...report.checks.map((c) => `  ${c.status.toUpperCase().padEnd(4)}  ${c.name.padEnd(width)}  ${c.summary}`),
    ];
    const l = report.latencyMs;
    if (l) {
        lines.push(
            `latency of ${l.count} requests of /: p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms`,
        );
    }
    const azs = Object.entries(report.perAz);
    lines.push(`answers per AZ: ${azs.length ? azs.map(([az, n]) => `${az} ${n}`).join(", ") : "none"}`);
    const instances = Object.entries(report.perInstance);
    if (instances.length) {
        lines.push(
            `answers per instance: ${instances.map(([id, v]) => `${id} (${v.availabilityZone}) ${v.count}`).join(", ")}`,
        );
    }
    const failed = report.checks.filter((c) => c.status === "fail").map((c) => c.name);
    const skipped = report.checks.filter((c) => c.status === "skip").map((c) => c.name);
    const skippedNote = skipped.length ? `; skipped: ${skipped.join(", ")}` : "";
    lines.push(
        failed.length
            ? `FAILED: ${failed.length} of ${report.checks.length} checks (${failed.join(", ")})${skippedNote}`
            : `PASSED: ${report.checks.length - skipped.length} of ${report.checks.length} checks${skippedNote}`,
    );
    return `${lines.join("\n")}\n`;
}
