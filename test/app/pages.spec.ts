import { expect } from "chai";
import { readFileSync } from "node:fs";
import { errorPagePath, errorPages, errorStatuses } from "../../app/static/pages";
import { contentSecurityPolicy, cspHash, inlineStyles } from "../../app/http/headers";

describe("app static error pages", () => {
    it("has the pages CloudFront reuses", () => {
        expect(errorStatuses).to.include.members([404, 405, 500, 502, 503, 504]);
    });

    for (const status of errorStatuses) {
        describe(`${status}.html`, () => {
            const html = errorPages[status];

            it("is the file on disk, at the exported path", () => {
                expect(readFileSync(errorPagePath(status), "utf8")).to.equal(html);
            });

            it("is self-contained: inline CSS, no scripts, no external assets", () => {
                expect(html).to.match(/^<!doctype html>/);
                expect(html).to.include(`<title>${status} `);
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
