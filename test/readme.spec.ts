import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../offline/program";
import { runStack } from "./support/program";

const README = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

/** First-column names (in backticks) of the README table between the given markers. */
function tableKeys(marker: string): string[] {
    const start = README.indexOf(`<!-- ${marker}:start -->`);
    const end = README.indexOf(`<!-- ${marker}:end -->`);
    expect(start, `README.md has the ${marker} markers`).to.be.greaterThan(-1);
    expect(end).to.be.greaterThan(start);
    return README.slice(start, end)
        .split("\n")
        .filter((line) => line.startsWith("| `"))
        .map((line) => /^\| `([^`]+)`/.exec(line)![1]);
}

describe("README stays true to the code", () => {
    it("lists every stack output index.ts exports, and no other", async function () {
        // Bastion enabled and every optional feature on, so every output is exported.
        const run = await runStack("prod");
        expect(tableKeys("outputs-table").sort()).to.deep.equal(Object.keys(run.outputs).sort());
    });

    it("quick start is exactly the two commands CI runs", () => {
        const ci = fs.readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8");
        expect(README).to.include("```sh\nnpm ci && npm test\nnpm run plan -- --stack dev\n```");
        for (const command of ["npm ci", "npm test", "npm run plan -- --stack dev", "npm run plan -- --stack prod"]) {
            expect(ci, command).to.match(new RegExp(`^${command.replace(/[-]/g, "\\-")}( |$)`, "m"));
        }
    });
});
