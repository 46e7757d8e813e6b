export { SEAL_SUITE } from "./suite.js";
export { SealError, type SealErrorCode } from "./errors.js";
export {
  generateEncryptionKeyPair,
  keyId,
  type EncryptionKeyPair,
  type RecipientKey,
} from "./keys.js";
export {
  SealedRecipientSchema,
  SealedRequestSchema,
  sealRequest,
  openRequest,
  envelopeIsFresh,
  ENVELOPE_VALIDITY_MS,
  type OpenedRequest,
  type SealedRequest,
  type SealedRequestResult,
} from "./envelope.js";
export {
  SealedChunkSchema,
  SealedReceiptSchema,
  parseSealedChunk,
  createStreamSealer,
  createStreamOpener,
  deriveStreamKey,
  STREAM_SALT_BYTES,
  type SealedChunk,
  type SealedReceipt,
  type StreamSealer,
  type StreamOpener,
} from "./stream.js";
export { encodeBase64, decodeBase64, isBase64, encodeHex, decodeHex, bytesEqual, utf8Encode, utf8Decode } from "./bytes.js";
