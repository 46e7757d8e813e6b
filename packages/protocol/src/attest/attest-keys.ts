import { encodeBase64, type EncryptionKeyPair } from "../seal/index.js";
import { signAttestation, type Attestation, type AttestationFields, type IdentityKeyPair } from "./attestation.js";

/** What a provider states about itself; the key fields are filled from the key pairs. */
export type AttestationClaims = Omit<AttestationFields, "identity_key" | "encryption_key" | "kid">;

/** Signs an attestation binding `encryption` (this process's sealing key) to `identity`. */
export function attestKeys(
  identity: Pick<IdentityKeyPair, "publicKey" | "secretKey">,
  encryption: Pick<EncryptionKeyPair, "publicKey" | "kid">,
  claims: AttestationClaims,
): Promise<Attestation> {
  return signAttestation(
    {
      identity_key: encodeBase64(identity.publicKey),
      encryption_key: encodeBase64(encryption.publicKey),
      kid: encryption.kid,
      ...claims,
    },
    identity.secretKey,
  );
}
