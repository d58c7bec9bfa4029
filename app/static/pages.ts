import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The custom error pages, the one place that knows where they live.
 *
 * The app serves them, and the web tier reuses the same files as CloudFront custom error
 * responses, so each page is self-contained: inline CSS, no scripts, no external assets.
 */
export const errorStatuses = [400, 404, 405, 500, 502, 503, 504] as const;
export type ErrorStatus = (typeof errorStatuses)[number];

/**
 * In the esbuild bundle the pages are inlined through `define` (see app/build.ts), so the
 * single deployed file needs nothing beside it; from source they are read from disk.
 */
declare const __WEBFLEET_ERROR_PAGES__: Record<string, string> | undefined;

const embedded: Record<string, string> | undefined =
    typeof __WEBFLEET_ERROR_PAGES__ === "undefined" ? undefined : __WEBFLEET_ERROR_PAGES__;

/** The directory of the HTML files in the source tree (for deploy-time code such as CloudFront). */
export const errorPagesDir = __dirname;

/** Absolute source path of each page, e.g. for an S3 object or a CloudFront error response. */
export function errorPagePath(status: ErrorStatus): string {
    return join(errorPagesDir, `${status}.html`);
}

function load(): Readonly<Record<ErrorStatus, string>> {
    const pages = {} as Record<ErrorStatus, string>;
    for (const status of errorStatuses) {
        const html = embedded?.[String(status)] ?? readFileSync(errorPagePath(status), "utf8");
        pages[status] = html;
    }
    return Object.freeze(pages);
}

/** The HTML of every page, keyed by status code. */
export const errorPages: Readonly<Record<ErrorStatus, string>> = load();

/** Reads the pages from the source tree; app/build.ts inlines this map into the bundle. */
export function readErrorPagesFromSource(): Record<string, string> {
    const pages: Record<string, string> = {};
    for (const status of errorStatuses) {
        pages[String(status)] = readFileSync(errorPagePath(status), "utf8");
    }
    return pages;
}
