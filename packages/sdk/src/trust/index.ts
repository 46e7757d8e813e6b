export { DEFAULT_MAX_ATTESTATION_AGE_MS, trustPolicy, type TrustPolicy, type TrustPolicyOptions } from "./policy.js";
export { NoTrustedProviderError, type CandidateRejection, type RejectionReason } from "./errors.js";
export { verifyCandidate, type AcceptKey, type CandidateVerdict, type VerifiedKey } from "./verify-candidate.js";
