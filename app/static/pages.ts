import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The custom error pages: one template (error-page.html) and what each status says, rendered
 * into one self-contained page per status (inline CSS, no scripts, no external assets), which
 * the app serves and CloudFront reuses as its custom error responses.
 */
export const errorStatuses = [400, 404, 405, 500, 502, 503, 504] as const;
export type ErrorStatus = (typeof errorStatuses)[number];

/** Each page's heading and its one paragraph (trusted HTML: a link at most). */
export const ERROR_TEXTS: Readonly<Record<ErrorStatus, { title: string; message: string }>> = {
    400: {
        title: "Bad request",
        message: "The request was malformed or too large, so it was not processed. Check the address and try again.",
    },
    404: {
        title: "Page not found",
        message: 'There is nothing at this address. Check the link, or go back to the <a href="/">home page</a>.',
    },
    405: { title: "Method not allowed", message: "This site only answers GET and HEAD requests." },
    500: {
        title: "Something went wrong",
        message: "The server hit an unexpected error. It has been logged; please try again in a moment.",
    },
    502: {
        title: "Bad gateway",
        message: "The load balancer could not get a valid answer from a web server. Please try again in a moment.",
    },
    503: {
        title: "Service unavailable",
        message:
            "The service is temporarily unavailable, usually while its database reconnects. Please try again in a moment.",
    },
    504: { title: "Gateway timeout", message: "A web server took too long to answer. Please try again in a moment." },
};

/** The template's source path (the bundle carries the rendered pages instead; see app/build.ts). */
export const ERROR_PAGE_TEMPLATE = join(__dirname, "error-page.html");

const PLACEHOLDER = /\{\{(status|title|message)\}\}/g;

/** One page from the template: every {{status}}, {{title}} and {{message}} replaced, nothing else. */
export function renderErrorPage(template: string, status: ErrorStatus): string {
    const text = ERROR_TEXTS[status];
    const values = { status: String(status), title: escapeHtml(text.title), message: text.message };
    return template.replace(PLACEHOLDER, (_, key: keyof typeof values) => values[key]);
}

function escapeHtml(s: string): string {
    return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Renders every page from the template in the source tree; app/build.ts inlines the result into the bundle. */
export function renderErrorPages(): Record<string, string> {
    const template = readFileSync(ERROR_PAGE_TEMPLATE, "utf8");
    return Object.fromEntries(errorStatuses.map((s) => [String(s), renderErrorPage(template, s)]));
}

/**
 * In the esbuild bundle the rendered pages are inlined through `define` (see app/build.ts), so
 * the single deployed file needs nothing beside it; from source they are rendered on load.
 */
declare const __WEBFLEET_ERROR_PAGES__: Record<string, string> | undefined;

const embedded: Record<string, string> | undefined =
    typeof __WEBFLEET_ERROR_PAGES__ === "undefined" ? undefined : __WEBFLEET_ERROR_PAGES__;

/** The HTML of every page, keyed by status code. */
export const errorPages: Readonly<Record<ErrorStatus, string>> = Object.freeze(
    (embedded ?? renderErrorPages()) as Record<ErrorStatus, string>,
);
