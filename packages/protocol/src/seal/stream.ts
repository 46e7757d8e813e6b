import { z } from "zod";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { aead } from "./aead.js";
import { decodeBase64, encodeBase64, isBase64, utf8Encode } from "./bytes.js";
import { SealError } from "./errors.js";

/**
 * Response-stream AEAD. The request's response *secret* (exported from its HPKE context, so the
 * same for every replay of one envelope) is never used as a key directly: the provider draws a
 * fresh 32-byte salt per response and the stream key is HKDF-SHA256(secret, salt,
 * "darkbloom/v2 response key"). The salt travels in clear on chunk 0; a changed salt derives a
 * different key and chunk 0 fails authentication, so the salt is authenticated. Two responses to
 * the same envelope therefore never share a key (and never a keystream).
 *
 * ChaCha20-Poly1305 keyed by that stream key; nonce = 4 zero bytes ‖ seq (u64 BE);
 * AAD = "darkbloom/v2 chunk" ‖ seq (u64 BE) ‖ final (1 byte). The sequence number and final flag
 * are authenticated, so reordering, replay, duplication, skipping, a flipped final flag and
 * truncation (no final chunk) are all detected.
 */

export const STREAM_SALT_BYTES = 32;
const KEY_INFO = utf8Encode("darkbloom/v2 response key");
const RECEIPT_KEY_INFO = utf8Encode("darkbloom/v2 receipt key");
const RECEIPT_AAD = utf8Encode("darkbloom/v2 receipt");
/** The receipt key seals exactly one message, so a fixed nonce is safe. */
const RECEIPT_NONCE = new Uint8Array(12);

export const SealedChunkSchema = z.object({
  kid: z.string().min(1).max(64),
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  final: z.boolean(),
  /** Chunk 0 only: the provider's fresh salt for this response's key (base64 of 32 bytes). */
  salt: z.string().max(64).refine(isBase64, "expected standard base64").optional(),
  ct: z.string().refine(isBase64, "expected standard base64"),
});
export type SealedChunk = z.infer<typeof SealedChunkSchema>;

/**
 * The response's trailer (the provider's signed usage receipt), sealed under a key of its own:
 * HKDF-SHA256(secret, salt, "darkbloom/v2 receipt key"), AAD "darkbloom/v2 receipt". It can never
 * be taken for (or swapped with) a content chunk, and only the response key's holders open it.
 */
export const SealedReceiptSchema = z.object({
  kid: z.string().min(1).max(64),
  ct: z.string().max(4096).refine(isBase64, "expected standard base64"),
});
export type SealedReceipt = z.infer<typeof SealedReceiptSchema>;

/**
 * SealedChunkSchema's rules written out by hand, for the per-token hot paths (the SDK opens one
 * chunk per token). Unknown keys are dropped, as zod does. Undefined when the value does not pass.
 */
export function parseSealedChunk(value: unknown): SealedChunk | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { kid, seq, final, salt, ct } = value as Record<string, unknown>;
  if (typeof kid !== "string" || kid.length < 1 || kid.length > 64) return undefined;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  if (typeof final !== "boolean") return undefined;
  if (salt !== undefined && (typeof salt !== "string" || salt.length > 64 || !isBase64(salt))) return undefined;
  if (typeof ct !== "string" || !isBase64(ct)) return undefined;
  return salt === undefined ? { kid, seq, final, ct } : { kid, seq, final, salt, ct };
}

export interface StreamSealer {
  /** Seals the next chunk (seq 0, 1, …). After a final chunk the sealer refuses more. */
  seal(data: Uint8Array, final: boolean): SealedChunk;
  /** Seals the response's receipt (once, any time: after a cancel there is no final chunk). */
  sealReceipt(data: Uint8Array): SealedReceipt;
}

export interface StreamOpener {
  /** Opens the next chunk; throws SealError unless it is exactly the expected next one. */
  open(chunk: SealedChunk): Uint8Array;
  /** Throws SealError("truncated") unless the final chunk has been opened. */
  finish(): void;
  /** True once the final chunk has been opened. */
  readonly done: boolean;
  /** Opens the response's receipt; throws SealError before chunk 0 or when it does not authenticate. */
  openReceipt(sealed: SealedReceipt): Uint8Array;
}

const LABEL = utf8Encode("darkbloom/v2 chunk");
const AAD_BYTES = LABEL.length + 9;
const TAG_BYTES = 16;

/** Fills the reusable nonce/AAD scratch buffers for `seq`/`final`. */
function makeScratch(): { nonce: Uint8Array; aad: Uint8Array; set(seq: number, final: boolean): void } {
  const nonce = new Uint8Array(12);
  const aad = new Uint8Array(AAD_BYTES);
  aad.set(LABEL, 0);
  const nv = new DataView(nonce.buffer);
  const av = new DataView(aad.buffer);
  return {
    nonce,
    aad,
    set(seq, final) {
      const hi = Math.floor(seq / 0x1_0000_0000);
      const lo = seq >>> 0;
      nv.setUint32(4, hi);
      nv.setUint32(8, lo);
      av.setUint32(LABEL.length, hi);
      av.setUint32(LABEL.length + 4, lo);
      aad[AAD_BYTES - 1] = final ? 1 : 0;
    },
  };
}

function checkSecret(responseSecret: Uint8Array): Uint8Array {
  if (!(responseSecret instanceof Uint8Array) || responseSecret.length !== 32) {
    throw new SealError("malformed", "response secret must be 32 bytes");
  }
  return responseSecret.slice();
}

/** The stream key for one response: HKDF-SHA256(secret, salt, "darkbloom/v2 response key"). */
export function deriveStreamKey(responseSecret: Uint8Array, salt: Uint8Array): Uint8Array {
  if (salt.length !== STREAM_SALT_BYTES) throw new SealError("malformed", `stream salt must be ${STREAM_SALT_BYTES} bytes`);
  return hkdf(sha256, checkSecret(responseSecret), salt, KEY_INFO, 32);
}

function deriveReceiptKey(responseSecret: Uint8Array, salt: Uint8Array): Uint8Array {
  return hkdf(sha256, responseSecret, salt, RECEIPT_KEY_INFO, 32);
}

/**
 * Seals one response stream. `salt` is for tests only: production callers let it be drawn from
 * the CSPRNG, fresh for every response.
 */
export function createStreamSealer(responseSecret: Uint8Array, kid: string, salt: Uint8Array = randomBytes(STREAM_SALT_BYTES)): StreamSealer {
  const key = deriveStreamKey(responseSecret, salt);
  let receiptKey: Uint8Array | undefined = deriveReceiptKey(checkSecret(responseSecret), salt);
  const saltB64 = encodeBase64(salt);
  const scratch = makeScratch();
  let seq = 0;
  let closed = false;
  return {
    seal(data, final) {
      if (closed) throw new SealError("after_final", "stream sealer: already sealed the final chunk");
      if (seq > Number.MAX_SAFE_INTEGER) throw new SealError("malformed", "stream sealer: sequence exhausted");
      scratch.set(seq, final);
      const ct = encodeBase64(aead.seal(key, scratch.nonce, scratch.aad, data));
      const chunk: SealedChunk = seq === 0 ? { kid, seq, final, salt: saltB64, ct } : { kid, seq, final, ct };
      seq++;
      if (final) {
        closed = true;
        key.fill(0);
      }
      return chunk;
    },
    sealReceipt(data) {
      if (!receiptKey) throw new SealError("after_final", "stream sealer: the receipt is already sealed");
      const ct = encodeBase64(aead.seal(receiptKey, RECEIPT_NONCE, RECEIPT_AAD, data));
      receiptKey.fill(0);
      receiptKey = undefined;
      return { kid, ct };
    },
  };
}

/** Opens one response stream; the key is derived from the salt on chunk 0. */
export function createStreamOpener(responseSecret: Uint8Array): StreamOpener {
  const secret = checkSecret(responseSecret);
  let key: Uint8Array | undefined;
  let receiptKey: Uint8Array | undefined;
  const scratch = makeScratch();
  let expected = 0;
  let done = false;
  let failed: SealError | undefined;
  const fail = (err: SealError): never => {
    failed = err;
    throw err;
  };
  return {
    get done() {
      return done;
    },
    open(chunk) {
      if (failed) throw failed;
      if (done) return fail(new SealError("after_final", `sealed stream: chunk ${chunk.seq} after the final chunk`));
      if (chunk.seq !== expected) {
        return fail(new SealError("out_of_order", `sealed stream: expected chunk ${expected}, got ${chunk.seq}`));
      }
      if (chunk.seq === 0) {
        if (chunk.salt === undefined) return fail(new SealError("malformed", "sealed stream: chunk 0 carries no salt"));
        let salt: Uint8Array;
        try {
          salt = decodeBase64(chunk.salt);
        } catch {
          return fail(new SealError("malformed", "sealed stream: salt is not base64"));
        }
        if (salt.length !== STREAM_SALT_BYTES) return fail(new SealError("malformed", "sealed stream: salt has the wrong length"));
        key = deriveStreamKey(secret, salt);
        receiptKey = deriveReceiptKey(secret, salt);
        secret.fill(0);
      } else if (chunk.salt !== undefined) {
        return fail(new SealError("malformed", `sealed stream: chunk ${chunk.seq} carries a salt`));
      }
      let ct: Uint8Array;
      try {
        ct = decodeBase64(chunk.ct);
      } catch {
        return fail(new SealError("malformed", `sealed stream: chunk ${chunk.seq} is not base64`));
      }
      if (ct.length < TAG_BYTES) return fail(new SealError("malformed", `sealed stream: chunk ${chunk.seq} too short`));
      scratch.set(chunk.seq, chunk.final);
      let pt: Uint8Array;
      try {
        pt = aead.open(key!, scratch.nonce, scratch.aad, ct);
      } catch {
        return fail(new SealError("auth_failed", `sealed stream: chunk ${chunk.seq} failed authentication`));
      }
      expected++;
      if (chunk.final) done = true;
      return pt;
    },
    finish() {
      if (failed) throw failed;
      if (!done) fail(new SealError("truncated", "sealed stream: ended without its final chunk"));
    },
    openReceipt(sealed) {
      if (!receiptKey) throw new SealError("malformed", "sealed stream: a receipt before chunk 0");
      let ct: Uint8Array;
      try {
        ct = decodeBase64(sealed.ct);
      } catch {
        throw new SealError("malformed", "sealed receipt is not base64");
      }
      try {
        return aead.open(receiptKey, RECEIPT_NONCE, RECEIPT_AAD, ct);
      } catch {
        throw new SealError("auth_failed", "sealed receipt failed authentication");
      }
    },
  };
}
