import { expect } from "chai";
import type { VisitRow, VisitView } from "../../app/db/visits";
import {
    createHomeHtmlRenderer,
    escapeHtml,
    renderHomeHtml,
    renderHomeJson,
    type HomeModel,
} from "../../app/http/render";

const row = (instanceId: string, count: number): VisitRow => ({
    instanceId,
    availabilityZone: "eu-west-1a",
    count,
    lastSeen: new Date(0),
});

function model(own: number, others: readonly VisitRow[]): HomeModel {
    const view: VisitView = { own: row("i-0bbb", own), others, dataAsOf: new Date(1000) };
    return {
        identity: { instanceId: "i-0bbb", availabilityZone: "eu-west-1a", source: "imds" },
        view,
        maxStalenessMs: 2000,
        now: new Date(2000),
    };
}

describe("app home page rendering", () => {
    it("escapes everything that reaches HTML", () => {
        expect(escapeHtml(`<a href="x">'&'</a>\u0000`)).to.equal(
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\ufffd",
        );
        const html = renderHomeHtml(model(1, [row("<script>alert(1)</script>", 2)]));
        expect(html).not.to.include("<script>");
        expect(html).to.include("&lt;script&gt;alert(1)&lt;/script&gt;");
    });

    it("lists instances sorted by ID with this server marked, and says how stale the others may be", () => {
        const html = renderHomeHtml(model(5, [row("i-0ccc", 3), row("i-0aaa", 9)]));
        const order = [...html.matchAll(/<tr(?: class="me")?><td><code>([^<]+)<\/code>/g)].map((m) => m[1]);
        expect(order).to.deep.equal(["i-0aaa", "i-0bbb", "i-0ccc"]);
        expect(html).to.include(
            '<tr class="me"><td><code>i-0bbb</code> (this server)</td><td>eu-west-1a</td><td class="n">5</td></tr>',
        );
        expect(html).to.include("(at most 2 s old)");
    });

    it("the cached renderer gives the same page, and re-renders when a new read arrives", () => {
        const render = createHomeHtmlRenderer();
        const others = [row("i-0aaa", 9)];
        expect(render(model(1, others))).to.equal(renderHomeHtml(model(1, others)));
        expect(render(model(2, others))).to.equal(renderHomeHtml(model(2, others)));
        const newer = [row("i-0aaa", 10)];
        expect(render(model(3, newer))).to.equal(renderHomeHtml(model(3, newer)));
        expect(render(model(3, newer))).to.include('<td class="n">10</td>');
    });

    it("JSON carries the same data", () => {
        const json = JSON.parse(renderHomeJson(model(4, [row("i-0aaa", 9)]))) as Record<string, unknown>;
        expect(json).to.deep.equal({
            instance: { id: "i-0bbb", availabilityZone: "eu-west-1a", source: "imds" },
            visits: [
                {
                    instanceId: "i-0aaa",
                    availabilityZone: "eu-west-1a",
                    count: 9,
                    lastSeen: "1970-01-01T00:00:00.000Z",
                },
                {
                    instanceId: "i-0bbb",
                    availabilityZone: "eu-west-1a",
                    count: 4,
                    lastSeen: "1970-01-01T00:00:00.000Z",
                },
            ],
            dataAsOf: "1970-01-01T00:00:01.000Z",
            maxStalenessMs: 2000,
            generatedAt: "1970-01-01T00:00:02.000Z",
        });
    });
});
