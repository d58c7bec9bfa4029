/**
 * `npm run docs`: regenerates what is generated from the code: the configuration table in
 * docs/configuration.md and the config block of Pulumi.yaml (both from stackConfig/keys.ts).
 * test/configDocs.spec.ts fails while either is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderConfigTable, withPulumiYamlConfig, withTable } from "../stackConfig/docs";

const ROOT = path.resolve(__dirname, "..");

export const CONFIG_PAGE = path.join(ROOT, "docs", "configuration.md");

function update(file: string, next: (text: string) => string): void {
    const before = fs.readFileSync(file, "utf8");
    const after = next(before);
    if (after !== before) {
        fs.writeFileSync(file, after);
        process.stdout.write(`updated ${path.relative(ROOT, file)}\n`);
    }
}

if (require.main === module) {
    update(CONFIG_PAGE, (page) => withTable(page, renderConfigTable()));
    update(path.join(ROOT, "Pulumi.yaml"), withPulumiYamlConfig);
}
