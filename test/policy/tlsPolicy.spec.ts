/**
 * The TLS policy family helper (policy/lib/tlsPolicy.ts): the pack's one judgement of ELB TLS
 * policies, pure so the stack config and the web tier can use it too, so a policy AWS publishes
 * after this code (the post-quantum ones) passes, and one that still accepts TLS 1.0 fails.
 */
import { expect } from "chai";
import {
    isTls12LegacyPolicy,
    isTls13Policy,
    parseTls13Policy,
    tls13FamilyProblem,
    tlsPolicyProblem,
} from "../../policy/lib/tlsPolicy";

const ACCEPTED = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
];

/** TLS 1.2 as the minimum but no TLS 1.3: not a downgrade risk, only short of the family. */
const TLS12_ONLY = [
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
];

const NEITHER = "is neither a TLS 1.3-family policy";
const REFUSED: [string, string][] = [
    ["ELBSecurityPolicy-TLS13-1-0-2021-06", "still accepts TLS 1.0 clients"],
    ["ELBSecurityPolicy-TLS13-1-1-2021-06", "still accepts TLS 1.1 clients"],
    ["ELBSecurityPolicy-2016-08", NEITHER],
    ["ELBSecurityPolicy-2015-05", NEITHER],
    ["ELBSecurityPolicy-TLS-1-0-2015-04", NEITHER],
    ["ELBSecurityPolicy-TLS-1-1-2017-01", NEITHER],
    ["ELBSecurityPolicy-FS-2018-06", NEITHER],
    ["ELBSecurityPolicy-FS-1-1-2019-08", NEITHER],
    ["ELBSecurityPolicy-TLS13-1-2", NEITHER],
    ["ELBSecurityPolicy-FS-1-2", NEITHER],
    ["elbsecuritypolicy-tls13-1-2-2021-06", NEITHER],
];

describe("TLS policy family (policy/lib/tlsPolicy.ts)", () => {
    it("accepts every TLS 1.3-family policy with TLS 1.2 or 1.3 as the minimum, post-quantum ones included", () => {
        for (const name of ACCEPTED) {
            expect(isTls13Policy(name), name).to.equal(true);
            expect(tlsPolicyProblem(name), name).to.equal(undefined);
            expect(tls13FamilyProblem(name), name).to.equal(undefined);
        }
    });

    it("accepts the TLS 1.2-only policies of the older families as refusing TLS 1.0/1.1, and says they lack TLS 1.3", () => {
        for (const name of TLS12_ONLY) {
            expect(isTls12LegacyPolicy(name), name).to.equal(true);
            expect(isTls13Policy(name), name).to.equal(false);
            expect(tlsPolicyProblem(name), name).to.equal(undefined);
            expect(tls13FamilyProblem(name), name).to.contain("offers no TLS 1.3");
        }
    });

    it("refuses older families, TLS 1.0/1.1 minimums and look-alikes, saying why", () => {
        for (const [name, why] of REFUSED) {
            expect(isTls13Policy(name), name).to.equal(false);
            expect(isTls12LegacyPolicy(name), name).to.equal(false);
            expect(tlsPolicyProblem(name), name).to.contain(why);
            // Below TLS 1.2 is the high rule's; the low one has nothing to add.
            expect(tls13FamilyProblem(name), name).to.equal(undefined);
        }
        expect(tlsPolicyProblem(undefined)).to.contain("provider default (ELBSecurityPolicy-2016-08");
    });

    it("reads the minimum version and the variants from the name", () => {
        expect(parseTls13Policy("ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09")).to.deep.equal({
            name: "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
            minimumTls: "1.2",
            variants: ["Res", "FIPS", "PQ"],
            postQuantum: true,
        });
    });
});
