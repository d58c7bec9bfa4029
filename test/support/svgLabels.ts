/**
 * Checks that every label of a Graphviz SVG stays inside its box, measuring each text as it is
 * really drawn: resvg lays the text out with the given font files and reports its ink's extent,
 * which must lie within the shape of the node or cluster the text belongs to.
 */
import * as fs from "node:fs";
import { Resvg } from "@resvg/resvg-js";

export const DEJAVU = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) => `/usr/share/fonts/truetype/dejavu/${f}`);

export interface Box {
    x1: number;
    y1: number;
    x2: number;
    y2: number;
}

export interface Shape {
    /** The <title> of the node or cluster. */
    title: string;
    kind: "node" | "cluster";
    box: Box;
    contains(x: number, y: number): boolean;
    texts: string[];
}

const numbers = (s: string) => [...s.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
const attr = (el: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(el)?.[1];

function boxOf(xs: number[], ys: number[]): Box {
    return { x1: Math.min(...xs), y1: Math.min(...ys), x2: Math.max(...xs), y2: Math.max(...ys) };
}

/** Even-odd point-in-polygon. */
function inPolygon(points: number[][], x: number, y: number): boolean {
    let inside = false;
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
        const [xi, yi] = points[i];
        const [xj, yj] = points[j];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) {
            inside = !inside;
        }
    }
    return inside;
}

/** The nodes and clusters of a Graphviz SVG, each with its outline and its text elements. */
export function shapesOf(svg: string): Shape[] {
    const shapes: Shape[] = [];
    for (const m of svg.matchAll(/<g id="[^"]*" class="(node|cluster)">([\s\S]*?)<\/g>/g)) {
        const [, kind, body] = m;
        const title = (/<title>([\s\S]*?)<\/title>/.exec(body)?.[1] ?? "").replace(/&#45;/g, "-");
        const texts = [...body.matchAll(/<text[\s\S]*?<\/text>/g)].map((t) => t[0]);
        const polygon = /<polygon[^>]*>/.exec(body)?.[0];
        const ellipse = /<ellipse[^>]*>/.exec(body)?.[0];
        const path = /<path[^>]*>/.exec(body)?.[0];
        if (polygon) {
            const n = numbers(attr(polygon, "points") ?? "");
            const pts = n.flatMap((_, i) => (i % 2 === 0 ? [[n[i], n[i + 1]]] : []));
            const box = boxOf(
                pts.map((p) => p[0]),
                pts.map((p) => p[1]),
            );
            shapes.push({ title, kind: kind as Shape["kind"], box, contains: (x, y) => inPolygon(pts, x, y), texts });
        } else if (ellipse) {
            const [cx, cy, rx, ry] = ["cx", "cy", "rx", "ry"].map((a) => Number(attr(ellipse, a)));
            const box = { x1: cx - rx, y1: cy - ry, x2: cx + rx, y2: cy + ry };
            const contains = (x: number, y: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
            shapes.push({ title, kind: kind as Shape["kind"], box, contains, texts });
        } else if (path) {
            // Rounded boxes and cylinders: their outline's extent (curves stay within their control points).
            const n = numbers(attr(path, "d") ?? "");
            const box = boxOf(
                n.filter((_, i) => i % 2 === 0),
                n.filter((_, i) => i % 2 === 1),
            );
            const contains = (x: number, y: number) => x >= box.x1 && x <= box.x2 && y >= box.y1 && y <= box.y2;
            shapes.push({ title, kind: kind as Shape["kind"], box, contains, texts });
        } else if (texts.length > 0) {
            shapes.push({ title, kind: kind as Shape["kind"], box: boxOf([0], [0]), contains: () => false, texts });
        }
    }
    return shapes;
}

/** Measures a <text> element's ink as resvg draws it with these fonts and no others. */
export function resvgMeasure(fontFiles: string[]): (text: string) => Box | undefined {
    for (const f of fontFiles) {
        if (!fs.existsSync(f)) {
            throw new Error(`font file ${f} is missing`);
        }
    }
    return (text) => {
        const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="20000" height="20000" viewBox="-10000 -10000 20000 20000">${text}</svg>`;
        const bbox = new Resvg(svg, {
            font: { loadSystemFonts: false, fontFiles, defaultFontFamily: "DejaVu Sans" },
        }).getBBox();
        return bbox ? { x1: bbox.x, y1: bbox.y, x2: bbox.x + bbox.width, y2: bbox.y + bbox.height } : undefined;
    };
}

export interface Overflow {
    shape: string;
    text: string;
    ink: Box | undefined;
    box: Box;
}

/** Every text whose ink is not inside its shape by at least `margin` points (or can't be measured). */
export function labelOverflows(svg: string, measure: (text: string) => Box | undefined, margin = 1): Overflow[] {
    const problems: Overflow[] = [];
    for (const shape of shapesOf(svg)) {
        for (const text of shape.texts) {
            const ink = measure(text);
            const inside =
                ink !== undefined &&
                [
                    [ink.x1 - margin, ink.y1 - margin],
                    [ink.x2 + margin, ink.y1 - margin],
                    [ink.x1 - margin, ink.y2 + margin],
                    [ink.x2 + margin, ink.y2 + margin],
                ].every(([x, y]) => shape.contains(x, y));
            if (!inside) {
                problems.push({ shape: shape.title, text: text.replace(/<[^>]*>/g, ""), ink, box: shape.box });
            }
        }
    }
    return problems;
}
