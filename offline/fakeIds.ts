/** Stable fake identifiers for the mocks: the same seed always gives the same hex digits. */
import * as crypto from "node:crypto";

export function hex(seed: string, length: number): string {
    return crypto.createHash("sha256").update(seed).digest("hex").slice(0, length);
}
