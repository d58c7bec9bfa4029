/**
 * `npm run docs`: regenerates what is generated from the code: the configuration table in
 * docs/configuration.md and the config block of Pulumi.yaml (both from stackConfig/keys.ts), the
 * outputs table in docs/outputs.md (lib/outputDocs.ts), and
 * the policy pack's rule and coverage tables in docs/policy-pack.md (policy/docs.ts, which the
 * pack also ships as its own command for teams that vendor it). test/configDocs.spec.ts and
 * test/policy/docs.spec.ts fail while any is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { OUTPUTS_TABLE_END, OUTPUTS_TABLE_START, renderOutputsTable } from "../lib/outputDocs";
import { updateTables } from "../policy/docs";
import { renderConfigTable, withPulumiYamlConfig, withTable } from "../stackConfig/docs";

const ROOT = path.resolve(__dirname, "..");

export const CONFIG_PAGE = path.join(ROOT, "docs", "configuration.md");
export const POLICY_PAGE = path.join(ROOT, "docs", "policy-pack.md");
export const OUTPUTS_PAGE = path.join(ROOT, "docs", "outputs.md");

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
    update(POLICY_PAGE, updateTables);
    update(OUTPUTS_PAGE, (page) => withTable(page, renderOutputsTable(), OUTPUTS_TABLE_START, OUTPUTS_TABLE_END));
}
