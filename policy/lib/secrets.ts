/**
 * The one detector for secrets written in plain text, used wherever a secret can leak: user
 * data, Lambda and container environments, build environments, SSM String parameters, tags.
 * Each of those is readable far more widely than a secret store (describe APIs, IMDS, consoles,
 * logs), so a literal secret there is a leak.
 *
 * Two kinds of evidence: a value whose shape is a secret whatever its name (an AWS access key,
 * a private key, a URL with a password, a provider token), and a name that says "secret"
 * (PASSWORD, PASS, PWD, SECRET, TOKEN, API_KEY, … as the last word, in any case convention or
 * quoting) holding a literal. References are the recommended pattern and are never flagged:
 * ARNs (Secrets Manager, SSM, KMS), SSM parameter names and paths, `{{resolve:…}}`, and
 * variables or command substitutions filled in at run time. Findings name the kind of secret
 * and the key, never the value.
 */

interface ShapePattern {
    what: string;
    re: RegExp;
}

/** Values that are secrets by their shape alone. */
const SHAPES: ShapePattern[] = [
    { what: "an AWS access key ID", re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/ },
    { what: "an AWS secret access key", re: /aws_secret_access_key["']?\s*[=:\s]\s*["']?[A-Za-z0-9/+=]{40}/i },
    // PEM (RSA, EC, OPENSSH, ENCRYPTED, PKCS#8) and armored PGP ("PRIVATE KEY BLOCK").
    { what: "a private key", re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
    {
        what: "a credential in an HTTP Authorization header",
        re: /\bAuthorization["']?\s*[:=]\s*["']?(?:Bearer|Basic|Token|Bot)\s+(?![$%{<`])[A-Za-z0-9._~+/=-]{8,}/i,
    },
    { what: "a JSON Web Token", re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/ },
    {
        what: "a URL with an embedded password",
        re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"]+:(?![$%{<`])[^\s@/'"$`{}<>]{3,}@/i,
    },
    { what: "a GitHub token", re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/ },
    { what: "a GitLab token", re: /\bgl(?:pat|dt|rt|cbt)-[A-Za-z0-9_-]{20,}/ },
    { what: "an npm token", re: /\bnpm_[A-Za-z0-9]{36}\b/ },
    { what: "a Google API key", re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
    { what: "a SendGrid API key", re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/ },
    // An incoming-webhook URL's path is its credential: whoever has it posts to the channel.
    {
        what: "a Slack webhook URL",
        re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]+\/[A-Za-z0-9/]{8,}/,
    },
    { what: "a Slack token", re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
    { what: "a Stripe secret key", re: /\b[sr]k_live_[A-Za-z0-9]{16,}/ },
];

/** Last words of a name that holds a secret, at any word boundary (any case convention). */
const SECRET_WORDS = new Set([
    "password",
    "passwd",
    "pass",
    "pwd",
    "pw",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
]);
/** Two-word endings: API_KEY, ACCESS_KEY, SECRET_KEY, PRIVATE_KEY, … */
const SECRET_PAIRS = new Set(["api key", "access key", "secret key", "private key", "signing key", "auth key"]);
/** Three-word endings: SECRET_KEY_BASE (Rails). */
const SECRET_TRIPLES = new Set(["secret key base"]);
/** Long endings accepted even without a word boundary (PGPASSWORD, DBSECRET, GITHUBTOKEN). */
const GLUED = /(password|passwd|secret|token)$/;

/** The words of a name: camelCase, snake_case, kebab-case, dotted, YAML/JSON keys alike. */
function words(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter((w) => w !== "")
        .map((w) => w.toLowerCase());
}

/** Whether a name (variable, key, tag, parameter) says its value is a secret. */
export function isSecretName(name: string): boolean {
    const w = words(name);
    if (w.length === 0) {
        return false;
    }
    const last = w[w.length - 1];
    if (SECRET_WORDS.has(last) || GLUED.test(last)) {
        return true;
    }
    return (
        (w.length >= 2 && SECRET_PAIRS.has(`${w[w.length - 2]} ${last}`)) ||
        (w.length >= 3 && SECRET_TRIPLES.has(w.slice(-3).join(" ")))
    );
}

/**
 * Whether a value refers to a secret instead of being one: an ARN, an SSM parameter name or
 * path, a dynamic reference, or something filled in at run time.
 */
export function isReference(value: string): boolean {
    const v = value.trim();
    return (
        /^arn:aws[a-z-]*:/i.test(v) ||
        /^\{\{resolve:/.test(v) ||
        /^resolve:ssm:/.test(v) ||
        /^(ssm|secretsmanager|ssm-secure):/i.test(v) ||
        /^\/[\w.\-/]+$/.test(v) ||
        /^alias\//.test(v) ||
        /^[$`]/.test(v) ||
        /^\{\{.*\}\}$/.test(v) ||
        /^<[^<>]+>$/.test(v) ||
        /^%[\w]+%$/.test(v)
    );
}

/** Whether a value found under a secret's name is a literal secret (not empty, a flag or a reference). */
export function isLiteralSecret(value: unknown): boolean {
    if (typeof value !== "string") {
        return false;
    }
    const v = value.trim().replace(/^["']|["']$/g, "");
    if (v.length < 4 || isReference(v)) {
        return false;
    }
    return !/^(\d+|true|false|yes|no|on|off|null|none|undefined|required|optional|disabled|enabled)$/i.test(v);
}

/** Kinds of secret shapes in a value or a text. */
export function secretShapes(text: string): string[] {
    return SHAPES.filter((p) => p.re.test(text)).map((p) => p.what);
}

/** NAME=value, NAME: value, export NAME="value", "name": "value", 'name': 'value' (one line at a time). */
const ASSIGNMENTS: RegExp[] = [
    // After a colon too: an .npmrc's //registry.npmjs.org/:_authToken=…
    /(?:^|[\s;&|(,{:])(?:export\s+|set\s+|ENV\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*(?:=|:(?!\/\/))\s*("[^"]*"|'[^']*'|[^\s"';,}]+)/g,
    // PowerShell (Windows user data): $DbPassword = "…", $env:DB_PASSWORD = '…'
    /\$(?:env:)?([A-Za-z_]\w*)\s*=\s*("[^"]*"|'[^']*')/gi,
];
/** PowerShell's ConvertTo-SecureString "literal" -AsPlainText, and net user <name> <password> /add. */
const POWERSHELL_PLAIN = /ConvertTo-SecureString\s+(?:-String\s+)?["'](?![$])[^"']{4,}["']\s+-AsPlainText/i;
const NET_USER = /\bnet\s+user\s+\S+\s+(?![*$%/])[^\s/]{4,}\s+\/add\b/i;
/** --password value, --db-password=value, -pVALUE for mysql clients. */
const FLAGS = /(?:^|\s)--?([A-Za-z][\w-]*)(?:=|\s+)("[^"]*"|'[^']*'|[^\s"'|;]+)/g;
const MYSQL_P = /\bmysql(?:dump|admin)?\b[^\n]*?\s-p(?![\s-])["']?([^\s'"$`]{3,})/;
/** curl -u user:password, --user=user:password (a variable after the colon is a reference). */
const CURL_USER = /\bcurl\b[^\n]*?\s(?:-u|--user)[\s=]*["']?[^\s:'"$`]+:(?![$%{<`])[^\s'"$`@]{3,}/;
/** docker login -p password (the long --password is a FLAGS finding; --password-stdin is the fix). */
const DOCKER_P = /\bdocker\s+login\b[^\n]*?\s-p[\s=]+["']?(?![$%{<`])[^\s'"$`]{3,}/;
const CHPASSWD = /([\w.-]+):([^\s:"'$`]{4,})["']?\s*\|\s*(?:sudo\s+)?chpasswd/;

/** What secrets a free text (user data, a command, a document) holds: kinds, with the key when there is one. */
export function findSecrets(text: string): string[] {
    const found = new Set<string>(secretShapes(text));
    // Comments too: a password in a comment of user data is as readable as one in a command.
    for (const line of text.split(/\r?\n/)) {
        // A line whose value already has a secret's shape is reported once, by its shape.
        const shaped = secretShapes(line).length > 0;
        for (const re of shaped ? [] : ASSIGNMENTS) {
            for (const m of line.matchAll(re)) {
                if (isSecretName(m[1]) && isLiteralSecret(m[2])) {
                    found.add(`a literal value for ${m[1]}`);
                }
            }
        }
        for (const m of line.matchAll(FLAGS)) {
            if (isSecretName(m[1]) && isLiteralSecret(m[2])) {
                found.add(`a literal value for --${m[1]}`);
            }
        }
        if (MYSQL_P.test(line)) {
            found.add("a password on a mysql command line (-p)");
        }
        if (CHPASSWD.test(line)) {
            found.add("a password piped to chpasswd");
        }
        if (POWERSHELL_PLAIN.test(line)) {
            found.add("a password in ConvertTo-SecureString -AsPlainText");
        }
        if (NET_USER.test(line)) {
            found.add("a password on a net user command line");
        }
        if (CURL_USER.test(line)) {
            found.add("a password on a curl command line (-u user:password)");
        }
        if (DOCKER_P.test(line)) {
            found.add("a password on a docker login command line (-p)");
        }
    }
    return [...found];
}

/**
 * What secrets a set of name → value pairs (environment variables, tags) holds: a secret's name
 * with a literal value, a value shaped like a secret under any name, or a value that is itself a
 * document (JSON, a DSN, a command line) with a secret inside.
 */
export function findSecretsInPairs(pairs: [string, unknown][]): string[] {
    const found: string[] = [];
    for (const [name, value] of pairs) {
        if (typeof value !== "string") {
            continue;
        }
        if (isSecretName(name) && isLiteralSecret(value)) {
            found.push(`a literal value for ${name}`);
            continue;
        }
        for (const what of findSecrets(value)) {
            found.push(`${what} in ${name}`);
        }
    }
    return found;
}
