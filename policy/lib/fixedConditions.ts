/**
 * What "confined" means for a resource policy open to Principal "*": AWS judges a policy not
 * public only when a condition restricts it to FIXED values, "values that don't contain a
 * wildcard" (S3 Block Public Access, IAM Access Analyzer:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
 * iamDoc's isConfined already refuses values that are only wildcards ("*") and world-wide address
 * ranges; this also refuses "o-*", "arn:aws:sns:*:*:*" and "arn:aws:s3:::*", which every
 * organization, account or bucket matches. A wildcard after a fixed part that names the
 * principal's organization or account (an OU path, a role's sessions, resources of one account)
 * still confines.
 */
import { Statement, hasWildcardPrincipal, isConfined, mentionsConfiningKey } from "./iamDoc";

const ARN_KEYS = new Set(["aws:sourcearn", "aws:principalarn", "s3:dataaccesspointarn", "lambda:functionarn"]);

const WILD = /[*?]|\$\{/;

/** Whether one condition value names fixed callers (for the condition key `key`, any case). */
export function isFixedValue(key: string, value: string): boolean {
    const k = key.toLowerCase();
    if (!WILD.test(value)) {
        return true;
    }
    if (k === "aws:principalorgpaths" || k === "aws:sourceorgpaths") {
        return !WILD.test(value.split("/")[0]); // o-xxxx/r-xxxx/ou-…/* keeps the organization fixed
    }
    if (k === "aws:userid") {
        return !WILD.test(value.split(":")[0]); // AROA…:* is one role's sessions
    }
    if (ARN_KEYS.has(k)) {
        const parts = value.split(":");
        if (parts.length < 6) {
            return false;
        }
        const account = parts[4];
        if (account !== "") {
            return !WILD.test(account); // resources of one named account
        }
        // S3 ARNs name no account: only a fixed bucket name confines (anyone can create "logs-*")
        return !WILD.test(parts.slice(5).join(":").split("/")[0]);
    }
    return false;
}

/**
 * Whether a condition of the statement confines it, with fixed values only. A ForAllValues
 * operator never does: it is true when the request lacks the key (an anonymous caller has no
 * aws:PrincipalOrgID, a request from the internet no aws:SourceVpce),
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
export function confinedByFixedValues(s: Statement): boolean {
    return Object.entries(s.conditions).some(
        ([op, kv]) =>
            !/^ForAllValues:/i.test(op) &&
            Object.entries(kv).some(
                ([key, values]) =>
                    isConfined({ ...s, conditions: { [op]: { [key]: values } } }) &&
                    values.every((v) => isFixedValue(key, v)),
            ),
    );
}

/**
 * Why an Allow statement is open to everyone, or undefined when it is not: a wildcard principal
 * (or NotPrincipal) that no condition confines to fixed values.
 */
export function openToEveryone(s: Statement): string | undefined {
    if (s.effect !== "Allow" || !hasWildcardPrincipal(s) || confinedByFixedValues(s)) {
        return undefined;
    }
    return mentionsConfiningKey(s)
        ? "whose condition names no fixed caller (an IfExists or negated operator, a wildcard value every account, organization or resource matches, or ForAllValues, which holds when the request lacks the key)"
        : "with no condition confining it";
}
