export { privateFetch, type PrivateFetchOptions, type ClientTiming } from "./private-fetch.js";
export { KeyDirectory, verifyProviderKey, type VerifiedKey, type KeyLookup, type AcceptKey } from "./keys.js";
export {
  NoTrustedProviderError,
  verifyCandidate,
  trustPolicy,
  DEFAULT_MAX_ATTESTATION_AGE_MS,
  type CandidateRejection,
  type RejectionReason,
  type TrustPolicy,
  type TrustPolicyOptions,
  type CandidateVerdict,
} from "./trust/index.js";
export { SealedStreamReader, type SealedStreamOptions, type UnsealedPart } from "./unseal.js";
export { estimateInputTokens } from "./http.js";
export { startPrivateProxy, coordinatorRoot, DEFAULT_PROXY_HOST, DEFAULT_PROXY_PORT, DEFAULT_PROXY_MAX_BODY_BYTES, type PrivateProxy, type PrivateProxyOptions } from "./proxy/index.js";
export { ReceiptMismatchError, ReceiptVerifier, concludeReceipt, fileDispute, type DisputeOutcome, type ReceiptFailure, type ReceiptPolicy, type ReceiptRequest, type ReceiptVerdict } from "./receipts/index.js";
