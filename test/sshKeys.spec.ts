import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EC2_KEY_PAIR_TYPES, keyProblem, parsePublicKey } from "../lib/sshKeys";
import { DSA, ECDSA_256, ECDSA_384, ECDSA_521, ED25519, RSA_2048, RSA_3072, RSA_4096 } from "./support/sshKeys";
import { requireTool } from "./support/tools";

/** SSH wire strings, for blobs no ssh-keygen here can make (FIDO keys need an authenticator). */
function wire(...parts: (string | Buffer)[]): string {
    return Buffer.concat(
        parts.flatMap((p) => {
            const b = typeof p === "string" ? Buffer.from(p, "latin1") : p;
            const n = Buffer.alloc(4);
            n.writeUInt32BE(b.length);
            return [n, b];
        }),
    ).toString("base64");
}

const SK_ED25519 = `sk-ssh-ed25519@openssh.com ${wire("sk-ssh-ed25519@openssh.com", Buffer.alloc(32, 7), "ssh:")} yubikey`;
const point = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 9)]);
const SK_ECDSA = `sk-ecdsa-sha2-nistp256@openssh.com ${wire("sk-ecdsa-sha2-nistp256@openssh.com", "nistp256", point, "ssh:")}`;

describe("OpenSSH public keys (lib/sshKeys.ts)", () => {
    it("counts each key's bits from its blob, as ssh-keygen does", function () {
        requireTool(this, "ssh-keygen", "apt-get install openssh-client");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webfleet-keys-"));
        for (const text of [ED25519, ECDSA_256, ECDSA_384, ECDSA_521, RSA_2048, RSA_3072, RSA_4096, DSA]) {
            const file = path.join(dir, "key.pub");
            fs.writeFileSync(file, text + "\n");
            const theirs = Number(execFileSync("ssh-keygen", ["-l", "-f", file], { encoding: "utf8" }).split(" ")[0]);
            const ours = parsePublicKey(text);
            expect(ours, text.slice(0, 20)).to.have.property("bits", theirs);
        }
    });

    it("accepts Ed25519, ECDSA, their FIDO forms and RSA of 3072 bits or more", () => {
        for (const text of [ED25519, ECDSA_256, ECDSA_384, ECDSA_521, RSA_3072, RSA_4096, SK_ED25519, SK_ECDSA]) {
            expect(keyProblem(text), text.slice(0, 30)).to.equal(undefined);
        }
        expect(parsePublicKey(SK_ED25519)).to.include({ type: "sk-ssh-ed25519@openssh.com", comment: "yubikey" });
    });

    it("refuses DSA and short RSA, saying what the key is and how to make a good one", () => {
        expect(keyProblem(DSA)).to.equal(
            "a DSA key, which OpenSSH itself no longer accepts; make a new one with ssh-keygen -t ed25519",
        );
        expect(keyProblem(RSA_2048)).to.equal(
            "an RSA key of 2048 bits, below 3072; make a new one with ssh-keygen -t ed25519 (or -t rsa -b 3072)",
        );
    });

    it("refuses what EC2 cannot import as the stack's key pair", () => {
        expect(keyProblem(ECDSA_256, EC2_KEY_PAIR_TYPES)).to.equal(
            "a key of type ecdsa-sha2-nistp256, which is not one of ssh-ed25519, ssh-rsa; make a new one with ssh-keygen -t ed25519",
        );
        expect(keyProblem(ED25519, EC2_KEY_PAIR_TYPES)).to.equal(undefined);
    });

    it("refuses text that only looks like a key", () => {
        const [type, blob] = ED25519.split(" ");
        const ed = Buffer.from(blob, "base64");
        const cases: [string, string][] = [
            ["AAAAB3Nza", "it does not start with a key type"],
            [`from="10.0.0.0/8" ${ED25519}`, "it does not start with a key type"],
            ["-----BEGIN OPENSSH PRIVATE KEY-----", "it does not start with a key type"],
            [`${type}\n${blob}`, "it is not one line"],
            // The text says one type, the blob holds another (a hand-edited line).
            [`ssh-rsa ${blob}`, "the text says ssh-rsa but the key inside is ssh-ed25519"],
            // Cut short, or with bytes after the key (two keys pasted together).
            [`${type} ${ed.subarray(0, 40).toString("base64")}`, "the blob ends early"],
            [`${type} ${Buffer.concat([ed, Buffer.alloc(3)]).toString("base64")}`, "the blob has bytes after the key"],
            [`${type} ${wire("ssh-ed25519", Buffer.alloc(31))}`, "an Ed25519 key is 32 bytes"],
            [`${type} ${blob} ok\u0007bell`, "its comment holds a control character"],
            [`ecdsa-sha2-nistp384 ${wire("ecdsa-sha2-nistp384", "nistp256", point)}`, "must name the curve nistp384"],
            [`ssh-ed448 ${wire("ssh-ed448", Buffer.alloc(57))}`, "unknown key type ssh-ed448"],
        ];
        for (const [text, problem] of cases) {
            expect(keyProblem(text), text.slice(0, 40))
                .to.include(problem)
                .and.match(/^not an OpenSSH public key: /);
        }
        const cert = `ssh-ed25519-cert-v01@openssh.com ${wire("ssh-ed25519-cert-v01@openssh.com", Buffer.alloc(32))}`;
        expect(keyProblem(cert)).to.include("unknown key type ssh-ed25519-cert-v01@openssh.com");
    });
});
