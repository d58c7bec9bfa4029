import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../offline/program";
import { CONFIG_PAGE } from "../scripts/docs";
import { CONFIG_KEYS, allKeys } from "../stackConfig";
import { renderConfigTable, renderPulumiYamlConfig, withPulumiYamlConfig, withTable } from "../stackConfig/docs";

describe("the config's docs are generated from its one definition (npm run docs)", () => {
    const page = fs.readFileSync(CONFIG_PAGE, "utf8");

    it("docs/configuration.md's table is current, one row per declared key", () => {
        expect(withTable(page, renderConfigTable()), "run npm run docs").to.equal(page);
        const rows = page.split("\n").filter((l) => l.startsWith("| `"));
        expect(rows.map((r) => /^\| `([^`]+)`/.exec(r)![1])).to.deep.equal(["aws:region", ...CONFIG_KEYS]);
    });

    it("derives each row from the declaration: type, default per environment, shipped values, meaning", () => {
        const row = (key: string) =>
            page
                .split("\n")
                .find((l) => l.startsWith(`| \`${key}\` |`))!
                .split(" | ");
        expect(row("network.natStrategy").slice(1, 4)).to.deep.equal([
            "Single, OnePerAz",
            "Single / OnePerAz",
            "Single / OnePerAz",
        ]);
        expect(row("web.minSize")[2]).to.equal("network.azCount");
        expect(row("tags")[3]).to.equal("team: platform / team: platform");
        const minSize = allKeys().find((k) => k.path === "web.minSize")!;
        expect(row("web.minSize")[4]).to.equal(`${minSize.def.description} |`);
    });

    it("Pulumi.yaml's config block is current, declares what the project file can, and names every section's keys", () => {
        const file = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8");
        expect(withPulumiYamlConfig(file), "run npm run docs").to.equal(file);
        const doc = YAML.parse(file);
        expect(doc.config).to.deep.equal({
            environment: {
                type: "string",
                description: YAML.parse(renderPulumiYamlConfig()).config.environment.description,
            },
        });
        for (const k of allKeys().filter((x) => x.section)) {
            expect(file, k.path).to.include(`${k.name} (`);
        }
        // Only the types the project file schema allows are declared.
        for (const decl of Object.values<{ type: string }>(doc.config)) {
            expect(["string", "integer", "boolean", "array"]).to.include(decl.type);
        }
    });
});
