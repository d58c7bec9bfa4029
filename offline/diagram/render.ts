/**
 * From DOT to the file the user asked for: SVG by Graphviz compiled to WebAssembly, PNG by resvg
 * (a Rust SVG renderer, prebuilt per platform on npm: no browser, no system library). The format
 * follows the file's extension; anything else, or a folder that does not exist, is refused before
 * any work, and nothing is created but the file itself.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LAYOUT_FONT } from "./dot";

export type DiagramFormat = "svg" | "png";

const FORMATS: Record<string, DiagramFormat> = { ".svg": "svg", ".png": "png" };

/**
 * The fonts a viewer may draw the labels with, widest first: the boxes are sized for DejaVu Sans
 * (dot.ts), and Helvetica and Arial are narrower, so a label fits whichever of them is there.
 */
export const FONT_FAMILY = `${LAYOUT_FONT}, Helvetica, Arial, sans-serif`;

/** 1.5 times the SVG's size at 96 dpi (2 pixels a point): sharp on a dense screen, a few hundred KB. */
const PNG_ZOOM = 1.5;

/** Why the diagram can't be written to `file` (no directory made, no format guessed), or undefined. */
export function diagramTargetProblem(file: string): string | undefined {
    const ext = path.extname(file).toLowerCase();
    if (!FORMATS[ext]) {
        const said = ext ? `"${ext}" is not a format it writes` : "the file has no extension to pick the format by";
        return `${said}; name a file ending in .svg or .png`;
    }
    const dir = path.dirname(file);
    let stat: fs.Stats | undefined;
    try {
        stat = fs.statSync(path.resolve(dir));
    } catch {
        // Missing: said below.
    }
    if (!stat) {
        return `the folder ${dir} does not exist; create it first (the plan makes no folders)`;
    }
    if (!stat.isDirectory()) {
        return `${dir} is not a folder`;
    }
    return undefined;
}

export function diagramFormat(file: string): DiagramFormat | undefined {
    return FORMATS[path.extname(file).toLowerCase()];
}

/** Renders DOT to SVG, naming fonts a viewer without DejaVu Sans falls back to. */
export async function renderSvg(dot: string): Promise<string> {
    // Loaded only when a diagram is asked for: the WASM module is a few MB.
    const { Graphviz } = await import("@hpcc-js/wasm-graphviz");
    const graphviz = await Graphviz.load();
    return graphviz.dot(dot, "svg").replaceAll(`font-family="${LAYOUT_FONT}"`, `font-family="${FONT_FAMILY}"`);
}

/** Rasterises the SVG with the system's fonts, on white. */
export async function renderPng(svg: string): Promise<Buffer> {
    // A native module per platform: loaded only for PNG, so SVG works wherever Node does.
    const { Resvg } = await import("@resvg/resvg-js");
    const resvg = new Resvg(svg, {
        fitTo: { mode: "zoom", value: PNG_ZOOM },
        background: "white",
        font: { loadSystemFonts: true, defaultFontFamily: LAYOUT_FONT },
    });
    return resvg.render().asPng();
}
