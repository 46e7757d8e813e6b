export {
  PRIVACY_HEADER,
  PRIVACY_E2E,
  PRIVACY_COORDINATOR_SEALED,
  SealedApiRequestSchema,
  ProviderKeySchema,
  ProviderKeysResponseSchema,
  E2eErrorEventSchema,
  type PrivacyMode,
  type SealedApiRequest,
  type ProviderKey,
  type ProviderKeysResponse,
  type E2eErrorEvent,
  type E2eErrorInfo,
} from "./schemas.js";
export {
  SSE_EVENT_SEALED,
  SSE_EVENT_ERROR,
  SSE_EVENT_RECEIPT,
  encodeReceiptEvent,
  encodeSealedEvent,
  encodeErrorEvent,
  createSseParser,
  type SseEvent,
  type SseParser,
} from "./sse.js";
export {
  ProviderAttestationEntrySchema,
  ProviderAttestationsResponseSchema,
  type ProviderAttestationEntry,
  type ProviderAttestationsResponse,
} from "./provider-attestations.js";
