import { expect } from "chai";
import { formatIpv4Cidr, isCanonical, parseIpv4Cidr, planSubnets } from "../lib/cidr";
import { architectureOf, al2023ImageId } from "../lib/instanceTypes";

describe("CIDR helpers", () => {
    it("parses only well-formed IPv4 CIDRs", () => {
        expect(parseIpv4Cidr("10.0.0.0/16")).to.deep.equal({ base: 10 * 2 ** 24, prefix: 16 });
        for (const bad of [
            "10.0.0/16",
            "10.0.0.0",
            "10.0.0.256/16",
            "10.0.0.01/16",
            "10.0.0.0/33",
            "10.0.0.0/016",
            " 10.0.0.0/16",
            "::/0",
        ]) {
            expect(parseIpv4Cidr(bad), bad).to.equal(undefined);
        }
    });

    it("round-trips and tells canonical blocks from ones with host bits", () => {
        expect(formatIpv4Cidr(parseIpv4Cidr("192.168.128.0/17")!)).to.equal("192.168.128.0/17");
        expect(isCanonical(parseIpv4Cidr("10.0.0.0/16")!)).to.equal(true);
        expect(isCanonical(parseIpv4Cidr("10.0.1.0/16")!)).to.equal(false);
    });

    it("plans one private, public and isolated subnet per AZ, in the AZ's own quarter", () => {
        expect(planSubnets("10.0.0.0/16", 3)).to.deep.equal({
            private: ["10.0.0.0/19", "10.0.64.0/19", "10.0.128.0/19"],
            public: ["10.0.32.0/21", "10.0.96.0/21", "10.0.160.0/21"],
            isolated: ["10.0.40.0/21", "10.0.104.0/21", "10.0.168.0/21"],
        });
    });

    it("keeps existing subnets where they are when an AZ is added", () => {
        const two = planSubnets("10.20.0.0/16", 2);
        const three = planSubnets("10.20.0.0/16", 3);
        for (const tier of ["private", "public", "isolated"] as const) {
            expect(three[tier].slice(0, 2)).to.deep.equal(two[tier]);
        }
    });

    it("never overlaps subnets and stays inside the VPC, for every supported size", () => {
        for (let prefix = 16; prefix <= 20; prefix++) {
            const vpc = parseIpv4Cidr(`172.16.0.0/${prefix}`)!;
            const plan = planSubnets(`172.16.0.0/${prefix}`, 4);
            const blocks = [...plan.private, ...plan.public, ...plan.isolated].map((c) => parseIpv4Cidr(c)!);
            const ranges = blocks.map((b) => [b.base, b.base + 2 ** (32 - b.prefix)]).sort((a, b) => a[0] - b[0]);
            for (let i = 0; i < ranges.length; i++) {
                expect(ranges[i][0]).to.be.at.least(vpc.base);
                expect(ranges[i][1]).to.be.at.most(vpc.base + 2 ** (32 - prefix));
                if (i > 0) {
                    expect(ranges[i][0], `overlap at /${prefix}`).to.be.at.least(ranges[i - 1][1]);
                }
            }
        }
    });

    it("refuses layouts it cannot make", () => {
        expect(() => planSubnets("10.0.0.0/24", 2)).to.throw("outside /16–/20");
        expect(() => planSubnets("10.0.0.0/16", 5)).to.throw("azCount 5");
        expect(() => planSubnets("10.0.0.1/16", 2)).to.throw("not a canonical");
    });
});

describe("instance types", () => {
    it("picks the AMI architecture from the instance family", () => {
        for (const arm of [
            "t4g.nano",
            "m7g.large",
            "c6gn.xlarge",
            "r8gd.large",
            "x2gd.medium",
            "im4gn.large",
            "is4gen.large",
            "a1.medium",
            "db.t4g.micro",
        ]) {
            expect(architectureOf(arm), arm).to.equal("arm64");
        }
        for (const x86 of ["t3.micro", "m7i.large", "c5n.large", "m7a.large", "g5.xlarge", "db.m5.large"]) {
            expect(architectureOf(x86), x86).to.equal("x86_64");
        }
    });

    it("resolves Amazon Linux 2023 through the public SSM parameter", () => {
        expect(al2023ImageId("t4g.small")).to.equal(
            "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        );
        expect(al2023ImageId("t3.small")).to.equal(
            "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        );
    });
});
