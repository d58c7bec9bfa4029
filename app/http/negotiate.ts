/**
 * Does the client prefer JSON over HTML? Only when it says so: `application/json` with a
 * higher quality than HTML gets. Browsers (text/html first) and curl (`*\/*`) get HTML.
 * Each type takes the quality of the most specific range that matches it (RFC 9110 §12.5.1).
 */
export function prefersJson(accept: string | undefined): boolean {
    if (!accept) {
        return false;
    }
    let json = { specificity: 0, q: 0 };
    let html = { specificity: 0, q: 0 };
    // Bounded work: a hostile header cannot make this loop long (headers are capped at 16 KiB).
    for (const part of accept.split(",", 64)) {
        const [range, ...params] = part.split(";");
        const type = range.trim().toLowerCase();
        let q = 1;
        for (const p of params) {
            const [k, v] = p.split("=");
            if (k?.trim().toLowerCase() === "q") {
                const n = Number(v?.trim());
                q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
            }
        }
        json = pick(json, specificity(type, "application", "json"), q);
        html = pick(html, specificity(type, "text", "html"), q);
    }
    return json.q > 0 && json.q > html.q;
}

function specificity(range: string, type: string, subtype: string): number {
    if (range === `${type}/${subtype}`) {
        return 3;
    }
    if (range === `${type}/*`) {
        return 2;
    }
    return range === "*/*" ? 1 : 0;
}

function pick(current: { specificity: number; q: number }, s: number, q: number): { specificity: number; q: number } {
    return s > current.specificity ? { specificity: s, q } : current;
}
