export { canonicalJson } from "./canonical-json.js";
export { attestKeys, type AttestationClaims } from "./attest-keys.js";
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
export {
  CHALLENGE_NONCE_BYTES,
  ChallengeSchema,
  challengeSigningBytes,
  signChallenge,
  verifyChallengeSignature,
  type Challenge,
} from "./challenge.js";
export { MIN_TRUST_HEADER, TRUST_LEVELS, TrustLevelSchema, meetsTrust, stricterTrust, trustRank, type TrustLevel } from "./trust-level.js";
export {
  HardwareChallengeSchema,
  HardwareEvidenceSchema,
  Tpm2ChallengeSchema,
  Tpm2EvidenceSchema,
  attestationSubject,
  challengeSubject,
  type HardwareChallenge,
  type HardwareEvidence,
  type Tpm2Challenge,
  type Tpm2Evidence,
} from "./hardware-evidence.js";
export {
  DeviceCodeProofSchema,
  deviceCodeSigningBytes,
  signDeviceCodeRequest,
  verifyDeviceCodeRequest,
  type DeviceCodeProof,
} from "./device-link.js";
