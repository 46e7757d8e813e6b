export { privateFetch, type PrivateFetchOptions, type ClientTiming } from "./private-fetch.js";
export { KeyDirectory, verifyProviderKey, type VerifiedKey, type KeyLookup, type AcceptKey } from "./keys.js";
export { SealedStreamReader, type SealedStreamOptions, type UnsealedPart } from "./unseal.js";
export { estimateInputTokens } from "./http.js";
export { startPrivateProxy, coordinatorRoot, DEFAULT_PROXY_HOST, DEFAULT_PROXY_PORT, DEFAULT_PROXY_MAX_BODY_BYTES, type PrivateProxy, type PrivateProxyOptions } from "./proxy/index.js";
export { ReceiptMismatchError, ReceiptVerifier, concludeReceipt, fileDispute, type DisputeOutcome, type ReceiptFailure, type ReceiptPolicy, type ReceiptRequest, type ReceiptVerdict } from "./receipts/index.js";
