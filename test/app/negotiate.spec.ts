import { expect } from "chai";
import { prefersJson } from "../../app/http/negotiate";

describe("app content negotiation", () => {
    const cases: Array<[string | undefined, boolean]> = [
        [undefined, false],
        ["*/*", false],
        ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false],
        ["application/json", true],
        ["application/json, text/html;q=0.9", true],
        ["text/html, application/json;q=0.9", false],
        ["application/json;q=0.5, */*;q=0.1", true],
        ["application/*", true],
        ["application/json;q=0", false],
        ["application/json;q=0.5, text/*;q=0.8", false],
        ["APPLICATION/JSON", true],
        ["application/json;q=abc", false],
    ];
    for (const [accept, json] of cases) {
        it(`Accept: ${accept ?? "(none)"} -> ${json ? "JSON" : "HTML"}`, () => {
            expect(prefersJson(accept)).to.equal(json);
        });
    }
});
