/**
 * The stack's CloudWatch dashboard body, from its alarms: a status panel with every alarm on
 * top, then one graph per alarm showing its metric (or metric-math expression) against its
 * threshold. Built from the alarms themselves, so the dashboard can never show a metric or a
 * threshold the alarms do not use. Pure, so it is tested without mocks.
 */

export interface DashboardAlarm {
    /** The alarm's ARN: what dashboard alarm widgets refer to. */
    arn: string;
    /** The graph's title. */
    title: string;
}

/** Dashboards are 24 units wide; three graphs per row. */
const GRAPH_WIDTH = 8;
const GRAPH_HEIGHT = 6;

export function dashboardBody(region: string, alarms: DashboardAlarm[]): string {
    if (alarms.length === 0) {
        throw new Error("dashboard: no alarms to show");
    }
    const status = {
        type: "alarm",
        x: 0,
        y: 0,
        width: 24,
        height: Math.min(12, 2 + Math.ceil(alarms.length / 4) * 2),
        properties: {
            title: "Alarms",
            alarms: alarms.map((a) => a.arn),
            sortBy: "stateUpdatedTimestamp",
            states: [] as string[],
        },
    };
    const graphs = alarms.map((a, i) => ({
        type: "metric",
        x: (i % 3) * GRAPH_WIDTH,
        y: status.height + Math.floor(i / 3) * GRAPH_HEIGHT,
        width: GRAPH_WIDTH,
        height: GRAPH_HEIGHT,
        properties: { title: a.title, region, view: "timeSeries", stacked: false, annotations: { alarms: [a.arn] } },
    }));
    return JSON.stringify({ start: "-PT6H", periodOverride: "inherit", widgets: [status, ...graphs] });
}
