import { expect } from "chai";
import { readFileSync } from "node:fs";
import {
    ERROR_PAGE_TEMPLATE,
    ERROR_TEXTS,
    errorPages,
    errorStatuses,
    renderErrorPage,
    renderErrorPages,
} from "../../app/static/pages";
import { contentSecurityPolicy, cspHash, inlineStyles } from "../../app/http/headers";

describe("app static error pages", () => {
    const template = readFileSync(ERROR_PAGE_TEMPLATE, "utf8");

    it("has the pages CloudFront reuses", () => {
        expect(errorStatuses).to.include.members([404, 405, 500, 502, 503, 504]);
    });

    it("renders every page from the one template: the same document around each status's text", () => {
        const [before] = template.split("{{");
        const [, after] = template.split("{{message}}");
        for (const status of errorStatuses) {
            expect(errorPages[status].startsWith(before.replace("{{status}}", "")), String(status)).to.equal(true);
            expect(errorPages[status].endsWith(after), String(status)).to.equal(true);
        }
        expect(renderErrorPages()).to.deep.equal(
            Object.fromEntries(errorStatuses.map((s) => [String(s), errorPages[s]])),
        );
    });

    it("replaces every placeholder, escapes the title and keeps the message's markup", () => {
        const page = renderErrorPage("<title>{{status}} {{title}}</title><p>{{message}}</p><i>{{other}}</i>", 404);
        expect(page).to.equal(`<title>404 Page not found</title><p>${ERROR_TEXTS[404].message}</p><i>{{other}}</i>`);
        expect(ERROR_TEXTS[404].message).to.include('<a href="/">');
        expect(renderErrorPage("{{title}}", 400)).to.equal("Bad request");
    });

    for (const status of errorStatuses) {
        describe(`${status} page`, () => {
            const html = errorPages[status];

            it("says its status and title, with no placeholder left", () => {
                expect(html).to.include(`<title>${status} ${ERROR_TEXTS[status].title}</title>`);
                expect(html).to.include(`<p class="code">${status}</p>`);
                expect(html).to.include(`<h1>${ERROR_TEXTS[status].title}</h1>`);
                expect(html).not.to.include("{{");
            });

            it("is self-contained: inline CSS, no scripts, no external assets", () => {
                expect(html).to.match(/^<!doctype html>/);
                expect(inlineStyles(html)).to.have.length(1);
                expect(html).not.to.match(/<script|<link|<img|<iframe|\son\w+=|url\(|@import/i);
                expect(html).not.to.match(/(src|href)="(https?:)?\/\//i);
            });

            it("its style is allowed by the CSP hash, so no 'unsafe-inline' is needed", () => {
                expect(contentSecurityPolicy).to.include(cspHash(inlineStyles(html)[0]));
                expect(contentSecurityPolicy).not.to.include("unsafe-inline");
            });
        });
    }
});
