import { Signer } from "@aws-sdk/rds-signer";
import type { IamAuthTarget, TokenProvider } from "./poolConfig";

/**
 * RDS IAM authentication: the password for each new connection is a SigV4-presigned token
 * (valid 15 minutes) made locally from the instance profile's credentials, so no database
 * password ever reaches a web server. The token is a credential: it is never logged.
 */
export function rdsIamTokenProvider(): TokenProvider {
    // One signer per target keeps the SDK's credential cache (instance profile credentials
    // come from IMDS and are refreshed before they expire).
    const signers = new Map<string, Signer>();
    return async (target: IamAuthTarget) => {
        const key = `${target.username}@${target.hostname}:${target.port}/${target.region}`;
        let signer = signers.get(key);
        if (!signer) {
            signer = new Signer({ ...target });
            signers.set(key, signer);
        }
        return signer.getAuthToken();
    };
}
