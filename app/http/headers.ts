import { createHash } from "node:crypto";
import { errorPages } from "../static/pages";
import { homeCss } from "./render";

/** The contents of every <style> element in a page. */
export function inlineStyles(html: string): string[] {
    return [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
}

export function cspHash(css: string): string {
    return `'sha256-${createHash("sha256").update(css, "utf8").digest("base64")}'`;
}

/**
 * A strict CSP: nothing may load by default, and the only styles allowed are the exact inline
 * stylesheets of our own pages (by hash), so no script, frame, form target or injected style
 * can run even if an escaping bug let markup through.
 */
export function buildCsp(styles: string[]): string {
    const hashes = [...new Set(styles.map(cspHash))].sort();
    return [
        "default-src 'none'",
        `style-src ${hashes.join(" ")}`,
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ].join("; ");
}

export const contentSecurityPolicy = buildCsp([homeCss, ...Object.values(errorPages).flatMap(inlineStyles)]);

/** Sent on every response, including errors and the raw 4xx answers to malformed requests. */
export const securityHeaders: Readonly<Record<string, string>> = Object.freeze({
    // Browsers only honour HSTS over HTTPS, which the ALB terminates; two years, as preload lists ask.
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Content-Security-Policy": contentSecurityPolicy,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
});
