/**
 * Policy documents read behind the engine's unknown-checking proxy: strict by default, and
 * tolerant of unknowns only in the fields a rule does not read.
 */
import { expect } from "chai";
import { UnknownValueError, unknownCheckingProxy } from "@pulumi/policy";
import {
    PUBLIC_NEEDS,
    TLS_DENY_NEEDS,
    UNKNOWN_TEXT,
    isPublicStatement,
    isScopedByResourceTag,
    parsePolicy,
} from "../../policy/lib/iamDoc";
import { UNKNOWN } from "./helpers";

/** A document as a resource rule receives it at preview. */
function doc(statements: unknown[]): unknown {
    return unknownCheckingProxy({ policy: { Version: "2012-10-17", Statement: statements } }).policy;
}

const TLS_DENY = {
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [UNKNOWN, UNKNOWN],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
};

describe("policy: lib/iamDoc parsePolicy", () => {
    it("throws on any unknown value when the rule does not say what it reads", () => {
        expect(() => parsePolicy(doc([TLS_DENY]))).to.throw(UnknownValueError);
    });

    it("reads a Deny whose resource ARNs are unknown for a TLS-only check, the ARNs as a placeholder", () => {
        const parsed = parsePolicy(doc([TLS_DENY]), TLS_DENY_NEEDS);
        expect(parsed.ok).to.equal(true);
        if (parsed.ok) {
            expect(parsed.statements[0].resources).to.deep.equal([UNKNOWN_TEXT, UNKNOWN_TEXT]);
            expect(parsed.statements[0].principals).to.deep.equal(["*"]);
        }
    });

    it("still throws when a field the rule reads is unknown (a condition value, the principal)", () => {
        const confined = {
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: "*",
            Condition: { ArnEquals: { "aws:SourceArn": UNKNOWN } },
        };
        expect(() => parsePolicy(doc([confined]), PUBLIC_NEEDS)).to.throw(UnknownValueError);
        expect(() => parsePolicy(doc([{ ...TLS_DENY, Principal: UNKNOWN }]), TLS_DENY_NEEDS)).to.throw(
            UnknownValueError,
        );
    });

    it("throws when a statement, the statement list or an Effect is unknown", () => {
        expect(() => parsePolicy(doc([UNKNOWN]), PUBLIC_NEEDS)).to.throw(UnknownValueError);
        expect(() =>
            parsePolicy(unknownCheckingProxy({ policy: { Statement: UNKNOWN } }).policy, PUBLIC_NEEDS),
        ).to.throw(UnknownValueError);
        expect(() => parsePolicy(doc([{ ...TLS_DENY, Effect: UNKNOWN }]), TLS_DENY_NEEDS)).to.throw(UnknownValueError);
    });

    it("ignores unknowns in statements of the other effect (a public check reads only Allow statements)", () => {
        const parsed = parsePolicy(doc([{ ...TLS_DENY, Principal: UNKNOWN }]), PUBLIC_NEEDS);
        expect(parsed.ok).to.equal(true);
    });

    it('finds a public Allow whose resource is unknown: Principal "*" with no condition', () => {
        const parsed = parsePolicy(
            doc([{ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: UNKNOWN }]),
            PUBLIC_NEEDS,
        );
        expect(parsed.ok && parsed.statements.some(isPublicStatement)).to.equal(true);
    });
});

describe("policy: lib/iamDoc conditions", () => {
    const statement = (Condition: unknown) => {
        const parsed = parsePolicy({
            Statement: { Effect: "Allow", Principal: "*", Action: "x:Y", Resource: "*", Condition },
        });
        if (!parsed.ok) {
            throw new Error(parsed.error);
        }
        return parsed.statements[0];
    };

    it("counts an ARN condition as confining only when it names the account", () => {
        expect(
            isPublicStatement(statement({ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/ci-*" } })),
        ).to.equal(false);
        expect(isPublicStatement(statement({ ArnLike: { "aws:SourceArn": "arn:aws:s3:::landing-bucket" } }))).to.equal(
            false,
        );
        expect(isPublicStatement(statement({ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/ci" } }))).to.equal(
            true,
        );
        expect(isPublicStatement(statement({ ArnLike: { "aws:SourceArn": "arn:aws:*" } }))).to.equal(true);
    });

    it("does not count ForAllValues: as confining (true when the key is missing), but ForAnyValue: does", () => {
        expect(
            isPublicStatement(statement({ "ForAllValues:StringEquals": { "aws:PrincipalOrgID": "o-abc123def4" } })),
        ).to.equal(true);
        expect(
            isPublicStatement(statement({ "ForAnyValue:StringEquals": { "aws:PrincipalOrgPaths": "o-a/r-b/ou-c/" } })),
        ).to.equal(false);
    });

    it('reads a positive resource-tag condition as narrowing Resource "*", not IfExists, negations or wildcards', () => {
        expect(isScopedByResourceTag(statement({ StringEquals: { "aws:ResourceTag/team": "web" } }))).to.equal(true);
        expect(isScopedByResourceTag(statement({ StringLike: { "ec2:ResourceTag/env": "prod-*" } }))).to.equal(true);
        expect(isScopedByResourceTag(statement({ StringEqualsIfExists: { "aws:ResourceTag/team": "web" } }))).to.equal(
            false,
        );
        expect(isScopedByResourceTag(statement({ StringNotEquals: { "aws:ResourceTag/team": "web" } }))).to.equal(
            false,
        );
        expect(isScopedByResourceTag(statement({ StringLike: { "aws:ResourceTag/team": "*" } }))).to.equal(false);
        expect(isScopedByResourceTag(statement({ StringEquals: { "aws:RequestTag/team": "web" } }))).to.equal(false);
    });
});
