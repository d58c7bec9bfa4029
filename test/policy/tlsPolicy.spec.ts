/**
 * The TLS policy family helper (policy/lib/tlsPolicy.ts): the pack's one judgement of ELB TLS
 * policies, pure so the stack config and the web tier can use it too, so a policy AWS publishes
 * after this code (the post-quantum ones) passes, and one that still accepts TLS 1.0 fails.
 */
import { expect } from "chai";
import { isTls13Policy, parseTls13Policy, tlsPolicyProblem } from "../../policy/lib/tlsPolicy";

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

const REFUSED: [string, string][] = [
    ["ELBSecurityPolicy-TLS13-1-0-2021-06", "still accepts TLS 1.0 clients"],
    ["ELBSecurityPolicy-TLS13-1-1-2021-06", "still accepts TLS 1.1 clients"],
    ["ELBSecurityPolicy-2016-08", "is not a TLS 1.3 policy"],
    ["ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "is not a TLS 1.3 policy"],
    ["ELBSecurityPolicy-FS-1-2-Res-2020-10", "is not a TLS 1.3 policy"],
    ["ELBSecurityPolicy-TLS13-1-2", "is not a TLS 1.3 policy"],
    ["elbsecuritypolicy-tls13-1-2-2021-06", "is not a TLS 1.3 policy"],
];

describe("TLS policy family (policy/lib/tlsPolicy.ts)", () => {
    it("accepts every TLS 1.3-family policy with TLS 1.2 or 1.3 as the minimum, post-quantum ones included", () => {
        for (const name of ACCEPTED) {
            expect(isTls13Policy(name), name).to.equal(true);
            expect(tlsPolicyProblem(name), name).to.equal(undefined);
        }
    });

    it("refuses older families, TLS 1.0/1.1 minimums and look-alikes, saying why", () => {
        for (const [name, why] of REFUSED) {
            expect(isTls13Policy(name), name).to.equal(false);
            expect(tlsPolicyProblem(name), name).to.contain(why);
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
