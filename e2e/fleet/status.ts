/** What `npm run fleet -- status` reports, and its text form. */
import type { Variant } from "./args";
import type { InstanceState } from "./planner";

export interface FleetStatus {
    ready: boolean;
    desired: number;
    urls: { https: string; http: string };
    /** The self-signed certificate: `npm run verify -- --ca <this>` trusts it. */
    certificate: string;
    azs: { name: string; failed: boolean }[];
    instances: {
        id: string;
        az: string;
        state: InstanceState | "terminating";
        port?: number;
        pid?: number;
        /** The no-security-headers variant's misconfigured server. */
        stripped: boolean;
    }[];
    database: { kind: string; description: string; running: boolean };
    breaks: Variant[];
    stateDir: string;
}

/** "https://… (http://… redirects to it)", or says that plain HTTP is served (the broken variant). */
export function describeUrls(s: Pick<FleetStatus, "urls" | "breaks">): string {
    const http = s.breaks.includes("no-redirect")
        ? `${s.urls.http} serves plain HTTP: BROKEN, no redirect`
        : `${s.urls.http} redirects to it`;
    return `${s.urls.https} (${http})`;
}

/** The status as a few readable lines. */
export function renderStatus(s: FleetStatus): string {
    const lines = [
        `${s.ready ? "ready" : "starting"}: ${describeUrls(s)}, ${s.desired} servers desired`,
        `database: ${s.database.description} (${s.database.running ? "running" : "STOPPED"})`,
    ];
    for (const az of s.azs) {
        const here = s.instances.filter((i) => i.az === az.name);
        lines.push(`${az.name}: ${az.failed ? "FAILED" : "working"}, ${here.length} server(s)`);
        for (const i of here) {
            const where = i.port ? ` port ${i.port}` : "";
            lines.push(
                `  ${i.id} ${i.state}${where}${i.pid ? ` pid ${i.pid}` : ""}${i.stripped ? " (BROKEN: no security headers)" : ""}`,
            );
        }
    }
    if (s.breaks.length) {
        lines.push(`broken on purpose: ${s.breaks.join(", ")}`);
    }
    return `${lines.join("\n")}\n`;
}
