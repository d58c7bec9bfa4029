import type { Identity } from "../identity";
import { allRows, type VisitView } from "../db/visits";

/** The home page's stylesheet; its hash goes into the CSP (app/http/headers.ts), so no 'unsafe-inline'. */
export const homeCss =
    'body{margin:0;background:#f5f6f8;color:#1d2330;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
    "main{max-width:44rem;margin:0 auto;padding:2rem 1.25rem}h1{font-size:1.5rem;margin:0 0 1rem}" +
    "code{font:0.95em ui-monospace,SFMono-Regular,Menlo,monospace;background:#e8ebf0;padding:.1em .35em;border-radius:4px}" +
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0 0 1.5rem}dt{color:#5a6372}dd{margin:0}" +
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #d9dde4}" +
    "td.n{text-align:right;font-variant-numeric:tabular-nums}tr.me td{font-weight:600;background:#e6f0ff}" +
    "p.note{color:#5a6372;font-size:.875rem;margin-top:1rem}" +
    "@media (prefers-color-scheme:dark){body{background:#15181e;color:#e6e8ec}code{background:#262b35}" +
    "dt,p.note{color:#8b93a3}th,td{border-color:#2e3440}tr.me td{background:#1f2d45}}";

// NUL never reaches the page (it is the renderer's placeholder and means nothing in HTML).
const escapes: Record<string, string> = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "\u0000": "\ufffd",
};

/** Everything that reaches HTML goes through here, even values we believe are safe. */
export function escapeHtml(text: string): string {
    // eslint-disable-next-line no-control-regex -- NUL is exactly what must not reach the page
    return text.replace(/[&<>"'\u0000]/g, (c) => escapes[c]);
}

export interface HomeModel {
    identity: Identity;
    view: VisitView;
    /** The most the other instances' counts can lag behind the database. */
    maxStalenessMs: number;
    now: Date;
}

export function renderHomeHtml(m: HomeModel): string {
    const [head, tail] = renderAroundOwnCount(m);
    return head + String(m.view.own.count) + tail;
}

/**
 * Renders the page once per database read: only this instance's count changes between
 * requests served from the same read, so the page is cached as the text before and after it.
 * (Most of the cost of serving / is otherwise this template.)
 */
export function createHomeHtmlRenderer(): (m: HomeModel) => string {
    let cachedFor: HomeModel["view"]["others"] | undefined;
    let parts: [string, string] = ["", ""];
    return (m) => {
        if (m.view.others !== cachedFor) {
            parts = renderAroundOwnCount(m);
            cachedFor = m.view.others;
        }
        return parts[0] + String(m.view.own.count) + parts[1];
    };
}

const countMark = "\u0000count\u0000";

function renderAroundOwnCount(m: HomeModel): [string, string] {
    const { identity, view } = m;
    const rows = allRows(view)
        .map((r) => {
            const me = r === view.own;
            const count = me ? countMark : String(r.count);
            return (
                `<tr${me ? ' class="me"' : ""}><td><code>${escapeHtml(r.instanceId)}</code>${me ? " (this server)" : ""}</td>` +
                `<td>${escapeHtml(r.availabilityZone)}</td><td class="n">${count}</td></tr>`
            );
        })
        .join("\n");
    const local = identity.source === "local" ? " (not on EC2: instance metadata was unreachable)" : "";
    const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>webfleet: ${escapeHtml(identity.instanceId)}</title>
<style>${homeCss}</style>
</head>
<body>
<main>
<h1>webfleet</h1>
<dl>
<dt>Instance</dt><dd><code>${escapeHtml(identity.instanceId)}</code>${escapeHtml(local)}</dd>
<dt>Availability zone</dt><dd><code>${escapeHtml(identity.availabilityZone)}</code></dd>
</dl>
<table>
<thead><tr><th>Instance</th><th>Availability zone</th><th>Visits</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="note">Every instance shares one PostgreSQL database. This server's count is exact; the others are as of
<time datetime="${view.dataAsOf.toISOString()}">${view.dataAsOf.toISOString()}</time> (at most ${formatMs(m.maxStalenessMs)} old).</p>
</main>
</body>
</html>
`;
    const at = html.indexOf(countMark);
    return [html.slice(0, at), html.slice(at + countMark.length)];
}

export function renderHomeJson(m: HomeModel): string {
    return JSON.stringify({
        instance: {
            id: m.identity.instanceId,
            availabilityZone: m.identity.availabilityZone,
            source: m.identity.source,
        },
        visits: allRows(m.view).map((r) => ({
            instanceId: r.instanceId,
            availabilityZone: r.availabilityZone,
            count: r.count,
            lastSeen: r.lastSeen.toISOString(),
        })),
        dataAsOf: m.view.dataAsOf.toISOString(),
        maxStalenessMs: m.maxStalenessMs,
        generatedAt: m.now.toISOString(),
    });
}

function formatMs(ms: number): string {
    return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
