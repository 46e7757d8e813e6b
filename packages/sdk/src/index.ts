export { privateFetch, type PrivateFetchOptions, type ClientTiming } from "./private-fetch.js";
export { KeyDirectory, verifyProviderKey, type VerifiedKey, type KeyLookup, type AcceptKey } from "./keys.js";
export { SealedStreamReader, type UnsealedPart } from "./unseal.js";
export { estimateInputTokens } from "./http.js";
