/**
 * The architecture diagram of the offline preview (`npm run plan -- --diagram FILE`): the
 * recorded resources → a model of the picture (model.ts) → Graphviz DOT (dot.ts) → SVG or PNG
 * (render.ts). README.md, "Architecture diagram", says what it shows.
 */
import * as fs from "node:fs";
import { RecordedResource } from "../types";
import { toDot } from "./dot";
import { architecture } from "./model";
import { diagramFormat, diagramTargetProblem, renderPng, renderSvg } from "./render";

export { ALLOWED_CIDRS, INTERNET } from "./graph";
export type { Architecture, DiagramEdge, DiagramNode, EdgeKind, NodeKind, Where } from "./graph";
export { architecture } from "./model";
export { toDot } from "./dot";
export { diagramTargetProblem, renderPng, renderSvg } from "./render";

/** A target the diagram can't be written to: the message says why and what to do. */
export class DiagramTargetError extends Error {}

/** Renders the records' diagram in the format `file`'s extension names and writes it there. */
export async function writeDiagramFile(resources: RecordedResource[], file: string): Promise<void> {
    const problem = diagramTargetProblem(file);
    if (problem) {
        throw new DiagramTargetError(problem);
    }
    const svg = await renderSvg(toDot(architecture(resources)));
    const image = diagramFormat(file) === "png" ? await renderPng(svg) : svg;
    try {
        fs.writeFileSync(file, image);
    } catch (e) {
        throw new DiagramTargetError(`cannot write it (${(e as Error).message})`);
    }
}
