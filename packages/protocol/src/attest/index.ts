export { canonicalJson } from "./canonical-json.js";
export {
  AttestationSchema,
  attestationSigningBytes,
  generateIdentityKeyPair,
  identityPublicKey,
  signAttestation,
  verifyAttestation,
  type Attestation,
  type AttestationFields,
  type IdentityKeyPair,
  type VerifyAttestationOptions,
} from "./attestation.js";
