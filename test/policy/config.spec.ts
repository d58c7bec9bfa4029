/**
 * The policy pack config: resolved as the engine resolves it, validated against each rule's
 * schema, stricter about typos; and the two stack files: dev mostly advisory, prod mandatory
 * where it matters.
 */
import { expect } from "chai";
import { Policy } from "@pulumi/policy";
import { loadStackConfigs } from "../../policy/docs";
import {
    PolicyConfigError,
    parsePolicyPackConfig,
    resolvePolicyConfig,
    validateSchema,
} from "../../policy/lib/packConfig";
import { EXEMPTIONS_SCHEMA, Exemption, levelForSeverity } from "../../policy/lib/rule";
import { PACK_ENFORCEMENT_LEVEL, policies } from "../../policy/policies";

function problems(fn: () => unknown): string[] {
    try {
        fn();
    } catch (e) {
        if (e instanceof PolicyConfigError) {
            return e.problems;
        }
        throw e;
    }
    throw new Error("expected a PolicyConfigError");
}

const toy: Policy[] = [
    {
        name: "alpha",
        description: "Alpha.",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: { days: { type: "integer", minimum: 1, default: 7 }, exemptions: EXEMPTIONS_SCHEMA },
        },
    },
    { name: "beta", description: "Beta." },
];

describe("policy pack config", () => {
    describe("resolution, as the engine does it", () => {
        it("starts from each policy's level (or the pack's) and its schema defaults", () => {
            expect(resolvePolicyConfig(toy, undefined)).to.deep.equal({
                alpha: { enforcementLevel: "mandatory", properties: { days: 7, exemptions: [] } },
                beta: { enforcementLevel: "advisory", properties: {} },
            });
        });

        it("applies `all` first, then each policy's level and properties", () => {
            const config = parsePolicyPackConfig({
                all: "disabled",
                alpha: { enforcementLevel: "advisory", days: 30 },
                beta: "remediate",
            });
            expect(resolvePolicyConfig(toy, config)).to.deep.equal({
                alpha: { enforcementLevel: "advisory", properties: { days: 30, exemptions: [] } },
                beta: { enforcementLevel: "remediate", properties: {} },
            });
        });

        it("keeps a policy's level when its entry only sets properties", () => {
            expect(
                resolvePolicyConfig(toy, parsePolicyPackConfig({ all: "advisory", alpha: { days: 9 } })).alpha,
            ).to.deep.equal({ enforcementLevel: "advisory", properties: { days: 9, exemptions: [] } });
        });

        it("refuses what the engine refuses: bad levels and values that are neither level nor object", () => {
            expect(
                problems(() => parsePolicyPackConfig({ alpha: "strict", beta: 3, gamma: { enforcementLevel: true } })),
            ).to.deep.equal([
                'alpha: "strict" is not a valid enforcement level (advisory, mandatory, remediate, disabled)',
                "beta: 3 is not a valid value; must be a string or object",
                "gamma.enforcementLevel: true is not a valid enforcement level (advisory, mandatory, remediate, disabled)",
            ]);
        });

        it("validates properties against each policy's schema, and (stricter than the engine) refuses unknown policies and properties", () => {
            expect(
                problems(() =>
                    resolvePolicyConfig(
                        toy,
                        parsePolicyPackConfig({
                            alhpa: "mandatory",
                            alpha: { days: 0, dayz: 3 },
                            all: { enforcementLevel: "advisory", days: 1 },
                        }),
                    ),
                ),
            ).to.deep.equal([
                "all: only an enforcement level can be set for all policies (found days)",
                "alhpa: no such policy in the pack (a typo would silently leave the real policy at its default level)",
                "alpha: days: must be >= 1 (got 0)",
                "alpha: dayz: is not a setting of this policy (known: days, exemptions)",
            ]);
        });

        it("requires an exemption's expiry to be a calendar date", () => {
            const config = parsePolicyPackConfig({
                alpha: {
                    exemptions: [
                        { resource: "legacy-*", reason: "migrating in Q3, ticket OPS-42", expires: "next year" },
                        { resource: "old-*", reason: "migrating in Q3, ticket OPS-42", expires: "2027-13-01" },
                        { resource: "db", reason: "migrating in Q3, ticket OPS-42", expires: "2027-06-30" },
                    ],
                },
            });
            const pattern = "/^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$/";
            expect(problems(() => resolvePolicyConfig(toy, config))).to.deep.equal([
                `alpha: exemptions[0].expires: must match ${pattern} (got "next year")`,
                `alpha: exemptions[1].expires: must match ${pattern} (got "2027-13-01")`,
            ]);
        });

        it("requires an exemption to name resources and give a reason of at least 10 characters", () => {
            const config = parsePolicyPackConfig({
                alpha: {
                    exemptions: [
                        { resource: "legacy-*", reason: "migrating in Q3, ticket OPS-42" },
                        { resource: "*", reason: "everything, please" },
                        { resource: "db", reason: "because" },
                        { resource: "db", reason: "          x" },
                        { resource: "db" },
                    ],
                },
            });
            expect(problems(() => resolvePolicyConfig(toy, config))).to.deep.equal([
                'alpha: exemptions[1].resource: must match /[^*?]/ (got "*")',
                "alpha: exemptions[2].reason: must be at least 10 characters (got 7)",
                'alpha: exemptions[2].reason: must match /^(\\s*\\S){10}/ (got "because")',
                'alpha: exemptions[3].reason: must match /^(\\s*\\S){10}/ (got "          x")',
                "alpha: exemptions[4].reason: is required",
            ]);
        });
    });

    describe("schema validation", () => {
        it("checks types, bounds, enums, patterns, items and required properties", () => {
            const schema = {
                type: "object" as const,
                properties: {
                    n: { type: "integer" as const, minimum: 1, maximum: 3 },
                    s: { type: "string" as const, enum: ["a", "b"] },
                    list: {
                        type: "array" as const,
                        items: { type: "string" as const, minLength: 2 },
                        minItems: 1,
                        uniqueItems: true,
                    },
                },
                required: ["n"],
                additionalProperties: false,
            };
            expect(validateSchema(schema, { n: 1.5, s: "c", list: ["x", "x"] }, "")).to.deep.equal([
                "n: must be integer (got number 1.5)",
                's: must be one of "a", "b" (got "c")',
                "list: must not repeat items",
                "list[0]: must be at least 2 characters (got 1)",
                "list[1]: must be at least 2 characters (got 1)",
            ]);
            expect(validateSchema(schema, {}, "")).to.deep.equal(["n: is required"]);
            expect(validateSchema(schema, { n: 2, s: "a", list: ["ab"] }, "")).to.deep.equal([]);
        });

        it("refuses a schema keyword it cannot check, so no rule's config goes unvalidated", () => {
            expect(validateSchema({ type: "string", format: "ipv4" }, "x", "p")).to.deep.equal([
                'p: the config schema uses "format", which the offline runner cannot check',
            ]);
        });

        it("can check every rule's schema, defaults included", () => {
            expect(() => resolvePolicyConfig(policies, undefined, PACK_ENFORCEMENT_LEVEL)).to.not.throw();
        });
    });

    describe("the stack files (policy/config/dev.json, prod.json)", () => {
        const files = loadStackConfigs();
        const dev = resolvePolicyConfig(policies, files.dev, PACK_ENFORCEMENT_LEVEL, "dev.json");
        const prod = resolvePolicyConfig(policies, files.prod, PACK_ENFORCEMENT_LEVEL, "prod.json");

        it("are valid for the pack", () => {
            expect(Object.keys(dev)).to.have.members(policies.map((p) => p.name));
            expect(Object.keys(prod)).to.have.members(policies.map((p) => p.name));
        });

        it("prod makes exactly the critical and high rules mandatory, and every other rule advisory", () => {
            for (const p of policies) {
                expect(prod[p.name].enforcementLevel, `${p.name} (${p.severity})`).to.equal(
                    levelForSeverity(p.severity, "prod"),
                );
            }
        });

        it("dev makes exactly the critical rules mandatory, disables the prod-only ones, and advises on the rest", () => {
            for (const p of policies) {
                const expected = p.metadata.prodOnly ? "disabled" : levelForSeverity(p.severity, "dev");
                expect(dev[p.name].enforcementLevel, `${p.name} (${p.severity})`).to.equal(expected);
            }
        });

        it("prod does not rely on `all: mandatory`, so a new rule is as strict as its severity, not stricter", () => {
            expect(files.prod.all?.enforcementLevel).to.equal("advisory");
        });

        it("every exemption has a reason a reviewer can read, and those that wait for other work expire", () => {
            for (const [stack, resolved] of [
                ["dev", dev],
                ["prod", prod],
            ] as const) {
                for (const [name, c] of Object.entries(resolved)) {
                    for (const e of (c.properties.exemptions ?? []) as Exemption[]) {
                        expect(e.reason.length, `${stack} ${name} ${e.resource}`).to.be.at.least(30);
                        if (/issue \d+/.test(e.reason)) {
                            expect(e.expires, `${stack} ${name} ${e.resource}`).to.match(/^\d{4}-\d{2}-\d{2}$/);
                        }
                    }
                }
            }
        });

        it("prod keeps 14 days of database backups and turns the prod-only rules on; dev leaves them off", () => {
            expect(prod["rds-backup-retention"].properties.minimumDays).to.equal(14);
            for (const name of [
                "rds-multi-az",
                "rds-deletion-protection",
                "nat-gateway-per-az",
                "prod-stateful-protected",
            ]) {
                expect(prod[name].enforcementLevel, name).to.equal("mandatory");
                expect(dev[name].enforcementLevel, name).to.equal("disabled");
            }
        });
    });
});
