/**
 * What a secret looks like in user data. User data is readable by anyone who can call
 * ec2:DescribeInstanceAttribute and by every process on the instance through IMDS, so nothing
 * secret belongs there. Findings name the kind of secret, never its value.
 */
interface SecretPattern {
    what: string;
    re: RegExp;
}

const PATTERNS: SecretPattern[] = [
    { what: "an AWS access key ID", re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/ },
    { what: "an AWS secret access key", re: /aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}/i },
    { what: "a private key", re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
    { what: "a URL with an embedded password", re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"]+:[^\s@/'"$]{3,}@/i },
    { what: "a GitHub token", re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
    {
        what: "a password or token assignment",
        // NAME=value / NAME: value where NAME ends in PASSWORD, PASSWD, SECRET, TOKEN or API_KEY,
        // and the value is a literal (not $VAR, not a command substitution).
        re: /(?:^|[^A-Za-z0-9_-])[A-Za-z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY)\s*[=:]\s*["']?(?![$`({<])[^\s"'$`]{8,}/im,
    },
];

/** The kinds of secrets found in `text` (empty when none). */
export function findSecrets(text: string): string[] {
    return PATTERNS.filter((p) => p.re.test(text)).map((p) => p.what);
}
