import { Signer } from "@aws-sdk/rds-signer";
import type { IamAuthTarget, TokenProvider } from "./poolConfig";

/** Credentials for signing; unset uses the SDK's default chain (on EC2: the instance profile). */
export type SignerCredentials = ConstructorParameters<typeof Signer>[0]["credentials"];

/**
 * RDS IAM authentication: the password for each new connection is a SigV4-presigned token
 * (valid 15 minutes) made locally from the instance profile's credentials, so no database
 * password ever reaches a web server. The token is a credential: it is never logged.
 */
export function rdsIamTokenProvider(options: { credentials?: SignerCredentials } = {}): TokenProvider {
    // One signer per target keeps the SDK's credential cache (instance profile credentials
    // come from IMDS and are refreshed before they expire).
    const signers = new Map<string, Signer>();
    return async (target: IamAuthTarget) => {
        const key = `${target.username}@${target.hostname}:${target.port}/${target.region}`;
        let signer = signers.get(key);
        if (!signer) {
            signer = new Signer({ ...target, credentials: options.credentials });
            signers.set(key, signer);
        }
        return signer.getAuthToken();
    };
}
