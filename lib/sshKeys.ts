/**
 * OpenSSH public keys, read the way sshd reads them: the text's type must match the type inside
 * its base64 blob, the blob must hold exactly what that type defines (RFC 4253, 5656, 8709 and
 * OpenSSH's PROTOCOL.u2f), and the strength is counted from the blob itself: an RSA key's bits
 * are its modulus's. Pure, so the config validator and the renderers share one judgement.
 */

/** Key types a person may use: Ed25519, ECDSA and their FIDO (sk-) forms, and RSA of 3072 bits or more. */
export const PERSON_KEY_TYPES = [
    "ssh-ed25519",
    "sk-ssh-ed25519@openssh.com",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-rsa",
] as const;

/** What EC2 imports as a key pair (the stack's ec2-user key): Ed25519 and RSA only. */
export const EC2_KEY_PAIR_TYPES = ["ssh-ed25519", "ssh-rsa"] as const;

/** NIST SP 800-57's 128-bit security level; OpenSSH's own default RSA size since 8.8. */
export const MIN_RSA_BITS = 3072;

export interface PublicKey {
    type: string;
    /** The base64 blob, as written. */
    blob: string;
    /** Modulus bits (RSA) or curve size (ECDSA, Ed25519: 256). */
    bits: number;
    /** Whatever followed the blob, trimmed ("" when nothing). */
    comment: string;
}

/** The curve each ECDSA type names inside its blob, and the size of an uncompressed point on it. */
const CURVES: Record<string, { curve: string; bits: number; point: number }> = {
    "ecdsa-sha2-nistp256": { curve: "nistp256", bits: 256, point: 65 },
    "ecdsa-sha2-nistp384": { curve: "nistp384", bits: 384, point: 97 },
    "ecdsa-sha2-nistp521": { curve: "nistp521", bits: 521, point: 133 },
    "sk-ecdsa-sha2-nistp256@openssh.com": { curve: "nistp256", bits: 256, point: 65 },
};

/** Reads SSH wire-format strings (uint32 length, then the bytes) off a buffer. */
class Wire {
    private at = 0;
    constructor(private readonly buf: Buffer) {}
    string(): Buffer {
        if (this.at + 4 > this.buf.length) throw new Error("the blob ends early");
        const n = this.buf.readUInt32BE(this.at);
        if (this.at + 4 + n > this.buf.length) throw new Error("the blob ends early");
        const out = this.buf.subarray(this.at + 4, this.at + 4 + n);
        this.at += 4 + n;
        return out;
    }
    done(): boolean {
        return this.at === this.buf.length;
    }
}

/** Bits of an mpint (two's complement, big-endian, a leading 0 byte when the top bit is set). */
function mpintBits(b: Buffer): number {
    let i = 0;
    while (i < b.length && b[i] === 0) i++;
    if (i === b.length) return 0;
    return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]));
}

/** The blob's own fields, checked against what its type defines; the key's size in bits. */
function readBlob(type: string, blob: Buffer): number {
    const w = new Wire(blob);
    const inner = w.string().toString("latin1");
    if (inner !== type) throw new Error(`the text says ${type} but the key inside is ${inner || "empty"}`);
    let bits: number;
    if (type === "ssh-ed25519" || type === "sk-ssh-ed25519@openssh.com") {
        if (w.string().length !== 32) throw new Error("an Ed25519 key is 32 bytes");
        bits = 256;
    } else if (type in CURVES) {
        const c = CURVES[type];
        if (w.string().toString("latin1") !== c.curve) throw new Error(`${type} must name the curve ${c.curve}`);
        const q = w.string();
        if (q.length !== c.point || q[0] !== 4) throw new Error(`not a point on ${c.curve}`);
        bits = c.bits;
    } else if (type === "ssh-rsa") {
        const e = w.string();
        bits = mpintBits(w.string());
        if (mpintBits(e) < 2 || (e[e.length - 1] & 1) === 0) throw new Error("the RSA exponent is not an odd number");
    } else if (type === "ssh-dss") {
        for (let i = 0; i < 4; i++) w.string();
        bits = 1024;
    } else {
        throw new Error(`unknown key type ${type}`);
    }
    // FIDO keys end with the application their authenticator registered them for.
    if (type.startsWith("sk-")) w.string();
    if (!w.done()) throw new Error("the blob has bytes after the key");
    return bits;
}

/** The key, or why the text is not an OpenSSH public key at all. */
export function parsePublicKey(text: string): PublicKey | { problem: string } {
    const m = /^([a-z0-9@.-]+) ([A-Za-z0-9+/]+={0,2})(?:[ \t]+(.*))?$/.exec(text.trim());
    if (!m) {
        return {
            problem: /^(ssh-|ecdsa-|sk-)/.test(text.trim())
                ? "it is not one line of <type> <base64> [comment]"
                : "it does not start with a key type (was an authorized_keys option, a private key or a fingerprint pasted?)",
        };
    }
    const [, type, blob, comment = ""] = m;
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (/[\u0000-\u001f\u007f]/.test(comment)) return { problem: "its comment holds a control character" };
    const bytes = Buffer.from(blob, "base64");
    if (bytes.toString("base64") !== blob) return { problem: "its base64 blob is not canonical base64" };
    try {
        return { type, blob, bits: readBlob(type, bytes), comment: comment.trim() };
    } catch (e) {
        return { problem: (e as Error).message };
    }
}

/**
 * Why a key may not be used (undefined: it may), in words that say the fix. `allowed` are the
 * types accepted where the key goes (a person's account, or an EC2 key pair).
 */
export function keyProblem(text: string, allowed: readonly string[] = PERSON_KEY_TYPES): string | undefined {
    const key = parsePublicKey(text);
    const fresh = "make a new one with ssh-keygen -t ed25519";
    if ("problem" in key) return `not an OpenSSH public key: ${key.problem}; paste the whole line of the .pub file`;
    if (key.type === "ssh-dss") return `a DSA key, which OpenSSH itself no longer accepts; ${fresh}`;
    if (!allowed.includes(key.type))
        return `a key of type ${key.type}, which is not one of ${allowed.join(", ")}; ${fresh}`;
    if (key.type === "ssh-rsa" && key.bits < MIN_RSA_BITS) {
        return `an RSA key of ${key.bits} bits, below ${MIN_RSA_BITS}; ${fresh} (or -t rsa -b ${MIN_RSA_BITS})`;
    }
    return undefined;
}
