import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { architecture, renderSvg, toDot } from "../offline/diagram";
import { parseArgs, writeDiagram } from "../offline/cli";
import { ProgramRun, REPO_ROOT, UsageError } from "../offline/program";
import { FIXTURE } from "./support/diagramFixture";
import { sharedRun } from "./support/program";
import { DEJAVU, labelOverflows, resvgMeasure, Shape, shapesOf } from "./support/svgLabels";
import { requireFile } from "./support/tools";

/** Minimal well-formedness: one root, every element closed in order, nothing after the root. */
function checkXml(text: string): void {
    const body = text
        .replace(/^<\?xml[^>]*\?>\s*/, "")
        .replace(/<!DOCTYPE[^>]*>\s*/, "")
        .replace(/<!--[\s\S]*?-->/g, "");
    const stack: string[] = [];
    const roots: string[] = [];
    for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g)) {
        const [, closing, tag, , selfClosing] = m;
        if (closing) {
            expect(stack.pop(), `</${tag}> closes the open element`).to.equal(tag);
        } else if (!selfClosing) {
            if (stack.length === 0) {
                roots.push(tag);
            }
            stack.push(tag);
        }
    }
    expect(stack, "unclosed elements").to.deep.equal([]);
    expect(roots).to.deep.equal(["svg"]);
}

/** A PNG's size from its IHDR, and how many of its pixel bytes are not white. */
function readPng(png: Buffer): { width: number; height: number; inked: number } {
    expect(png.subarray(0, 8).toString("hex"), "PNG signature").to.equal("89504e470d0a1a0a");
    const idat: Buffer[] = [];
    for (let at = 8; at < png.length;) {
        const length = png.readUInt32BE(at);
        if (png.toString("latin1", at + 4, at + 8) === "IDAT") {
            idat.push(png.subarray(at + 8, at + 8 + length));
        }
        at += 12 + length;
    }
    const pixels = zlib.inflateSync(Buffer.concat(idat));
    const inked = pixels.reduce((n, b) => (b !== 0xff ? n + 1 : n), 0);
    return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), inked };
}

/** The PNG's expected size: the SVG's points at 96 dpi (4/3 pixel a point), zoomed 1.5 times. */
const pngSizeOf = (svg: string) => {
    const [, w, h] = /<svg width="(\d+)pt" height="(\d+)pt"/.exec(svg)!;
    return [Math.round(Number(w) * 2), Math.round(Number(h) * 2)];
};

describe("architecture diagram: the picture (offline/diagram)", function () {
    let prod: ProgramRun;
    let dev: ProgramRun;
    const svgs: Record<string, string> = {};
    before(async () => {
        [prod, dev] = [await sharedRun("prod"), await sharedRun("dev")];
        svgs.prod = await renderSvg(toDot(architecture(prod.resources)));
        svgs.dev = await renderSvg(toDot(architecture(dev.resources)));
    });

    for (const stack of ["prod", "dev"]) {
        it(`${stack}: every label sits inside its box, measured as DejaVu Sans draws it`, function () {
            DEJAVU.forEach((f) => requireFile(this, f, "apt-get install fonts-dejavu-core"));
            const shapes = shapesOf(svgs[stack]);
            const texts = shapes.reduce((n, s) => n + s.texts.length, 0);
            // Every node and cluster label is checked: far more than a handful.
            expect(texts).to.be.greaterThan(stack === "prod" ? 80 : 60);
            // All but the edge labels (no box to stay in) and the title.
            expect(texts).to.equal((svgs[stack].match(/<text /g) ?? []).length - edgeLabels(svgs[stack]) - 1);
            expect(labelOverflows(svgs[stack], resvgMeasure(DEJAVU))).to.deep.equal([]);
        });
    }

    it("the label check catches boxes sized for a narrower font than the one drawing them", async function () {
        DEJAVU.forEach((f) => requireFile(this, f, "apt-get install fonts-dejavu-core"));
        // Laid out with Helvetica's metrics, drawn with DejaVu Sans: what the diagram did before.
        const dot = toDot(architecture(prod.resources)).replaceAll('fontname="DejaVu Sans"', 'fontname="Helvetica"');
        const svg = (await renderSvg(dot)).replaceAll(
            'font-family="Helvetica,sans-Serif"',
            'font-family="DejaVu Sans"',
        );
        const overflows = labelOverflows(svg, resvgMeasure(DEJAVU));
        expect(overflows.map((o) => o.shape)).to.include("cluster_services");
        expect(overflows.length).to.be.greaterThan(5);
    });

    it("draws records with no VPC in them (a hand-written program) all the same", async () => {
        const svg = await renderSvg(toDot(architecture(FIXTURE)));
        checkXml(svg);
        const titles = shapesOf(svg).map((s) => s.title);
        expect(titles).to.include.members(["internet", "web-lb-alb", "web-asg", "database-db", "cluster_legend"]);
        expect(titles.filter((t) => t.startsWith("cluster_vpc"))).to.deep.equal([]);
        expect(svg).to.match(/<title>internet&#45;&gt;web&#45;lb&#45;alb<\/title>/);
    });

    it("names the fonts a viewer falls back to, widest first", () => {
        const families = new Set([...svgs.prod.matchAll(/font-family="([^"]*)"/g)].map((m) => m[1]));
        expect([...families]).to.deep.equal(["DejaVu Sans, Helvetica, Arial, sans-serif"]);
    });

    it("draws the AZs as columns in order, the tiers as rows, each node inside its subnet, the VPC around them", () => {
        const a = architecture(prod.resources);
        const shapes = new Map(shapesOf(svgs.prod).map((s) => [s.title, s]));
        const box = (title: string): Shape["box"] => {
            expect(shapes.has(title), title).to.equal(true);
            return shapes.get(title)!.box;
        };
        const within = (inner: Shape["box"], outer: Shape["box"]) =>
            inner.x1 >= outer.x1 && inner.x2 <= outer.x2 && inner.y1 >= outer.y1 && inner.y2 <= outer.y2;
        const azs = a.vpcs[0].azs.map((_, z) => box(`cluster_az_0_${z}`));
        azs.slice(1).forEach((az, z) => expect(az.x1, "AZ columns left to right").to.be.greaterThan(azs[z].x2));
        azs.forEach((az) => expect(within(az, box("cluster_vpc_0")), "AZ inside the VPC").to.equal(true));
        for (const [z, name] of a.vpcs[0].azs.entries()) {
            const [pub, priv, iso] = ["public", "private", "isolated"].map((tier) =>
                box(`cluster_subnet_${a.subnets.find((s) => s.az === name && s.tier === tier)!.id}`),
            );
            // SVG y grows downwards: public above private above isolated.
            expect(pub.y2, name).to.be.lessThan(priv.y1);
            expect(priv.y2, name).to.be.lessThan(iso.y1);
            [pub, priv, iso].forEach((s) => expect(within(s, azs[z]), `${name} subnet in its column`).to.equal(true));
        }
        for (const n of a.nodes.filter((x) => x.where.area === "subnet")) {
            expect(
                within(box(n.id), box(`cluster_subnet_${n.where.area === "subnet" ? n.where.id : ""}`)),
                n.id,
            ).to.equal(true);
        }
        expect(within(box("web-lb-alb"), box("cluster_vpc_0"))).to.equal(true);
        for (const outside of ["internet", "waf-acl", "secrets-key"]) {
            expect(within(box(outside), box("cluster_vpc_0")), outside).to.equal(false);
        }
        expect(within(box("secrets-key"), box("cluster_services"))).to.equal(true);
    });

    it("has a legend with the node kinds and line styles the picture uses, and only those", () => {
        const legend = (svg: string) =>
            shapesOf(svg)
                .filter((s) => s.title.startsWith("legend "))
                .flatMap((s) => s.texts.map((t) => t.replace(/<[^>]*>/g, "")));
        expect(legend(svgs.prod)).to.include.members([
            "load balancer, CloudFront",
            "WAF web ACL",
            "servers, Lambda",
            "database",
            "request path (with ports)",
            "may connect (security group), with ports",
            "WAF inspects the requests",
            "default route (0.0.0.0/0) to a NAT gateway",
            "RDS replication to the standby",
            "dashed: may have none in this AZ",
        ]);
        // dev has no WAF and no standby: the legend doesn't explain what isn't there.
        expect(legend(svgs.dev)).to.not.include.members(["WAF web ACL"]);
        expect(legend(svgs.dev)).to.not.include("RDS replication to the standby");
    });

    it("writes SVG or PNG by the extension, the PNG the same picture at 2 pixels a point", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-diagram-"));
        await writeDiagram(prod, path.join(dir, "prod.SVG"));
        const svg = fs.readFileSync(path.join(dir, "prod.SVG"), "utf8");
        checkXml(svg);
        expect(svg).to.equal(svgs.prod);
        await writeDiagram(prod, path.join(dir, "prod.png"));
        const png = readPng(fs.readFileSync(path.join(dir, "prod.png")));
        expect([png.width, png.height]).to.deep.equal(pngSizeOf(svg));
        expect(png.inked, "drawn, not blank").to.be.greaterThan(png.width * png.height * 0.05);
    });

    it("refuses other formats and missing folders, before the plan runs and when writing, creating nothing", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-diagram-"));
        const missing = path.join(dir, "no", "such");
        const cases: [string, string][] = [
            [path.join(dir, "a.pdf"), '".pdf" is not a format it writes; name a file ending in .svg or .png'],
            [
                path.join(dir, "diagram"),
                "the file has no extension to pick the format by; name a file ending in .svg or .png",
            ],
            [
                path.join(missing, "a.svg"),
                `the folder ${missing} does not exist; create it first (the plan makes no folders)`,
            ],
        ];
        for (const [file, why] of cases) {
            expect(() => parseArgs(["--stack", "prod", "--diagram", file])).to.throw(
                UsageError,
                `--diagram ${file}: ${why}`,
            );
            const error = await writeDiagram(prod, file).then(
                () => undefined,
                (e: unknown) => e,
            );
            expect(error).to.be.instanceOf(UsageError);
            expect((error as Error).message).to.equal(`--diagram ${file}: ${why}`);
        }
        expect(fs.readdirSync(dir), "nothing created").to.deep.equal([]);
        // A file where the folder should be; a folder where the file should be: the write fails.
        fs.writeFileSync(path.join(dir, "file"), "");
        const underFile = path.join(dir, "file", "a.svg");
        expect(() => parseArgs(["--stack", "prod", "--diagram", underFile])).to.throw(
            UsageError,
            `--diagram ${underFile}: ${path.join(dir, "file")} is not a folder`,
        );
        fs.mkdirSync(path.join(dir, "taken.svg"));
        const error = await writeDiagram(prod, path.join(dir, "taken.svg")).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(UsageError);
        expect((error as Error).message).to.match(/^--diagram .*taken\.svg: cannot write it \(EISDIR/);
        expect(parseArgs(["--stack", "prod", "--diagram", path.join(dir, "ok.png")]).diagram).to.equal(
            path.join(dir, "ok.png"),
        );
    });

    it("docs/architecture-prod.svg and .png are today's prod diagram", () => {
        const regenerate =
            "regenerate with: npm run plan -- --stack prod --diagram docs/architecture-prod.svg (and .png)";
        const svg = fs.readFileSync(path.join(REPO_ROOT, "docs", "architecture-prod.svg"), "utf8");
        expect(svg === svgs.prod, regenerate).to.equal(true);
        const png = readPng(fs.readFileSync(path.join(REPO_ROOT, "docs", "architecture-prod.png")));
        expect([png.width, png.height], regenerate).to.deep.equal(pngSizeOf(svgs.prod));
    });
});

/** Edge labels: texts in edge groups, which have no box to stay inside. */
function edgeLabels(svg: string): number {
    return [...svg.matchAll(/<g id="[^"]*" class="edge">([\s\S]*?)<\/g>/g)].reduce(
        (n, m) => n + (m[1].match(/<text /g) ?? []).length,
        0,
    );
}
