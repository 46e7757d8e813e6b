import { z } from "zod";
import { ed25519 } from "@noble/curves/ed25519.js";
import { canonicalJson } from "../attest/canonical-json.js";
import { decodeBase64, encodeBase64, isBase64, utf8Encode } from "../seal/bytes.js";

/**
 * A signed usage receipt: the provider's Ed25519 identity key signs, over the canonical JSON of
 * {domain, request_id, model, prompt_tokens, completion_tokens, response_hash}, what it generated
 * for one request. `response_hash` is the hash of the sealed response chunks' ciphertexts in order
 * (receipt/response-hash.ts): it binds the receipt to exactly the stream the consumer decrypted,
 * and lets nobody without the response key confirm a guess of the plaintext.
 */
const DOMAIN = "darkbloom/v2 receipt";

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const ReceiptFieldsSchema = z.object({
  request_id: z.string().min(1).max(128),
  model: z.string().min(1).max(256),
  prompt_tokens: count,
  completion_tokens: count,
  /** Lowercase hex SHA-256 (64 characters). */
  response_hash: z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex characters"),
});
export type ReceiptFields = z.infer<typeof ReceiptFieldsSchema>;

export const SignedReceiptSchema = ReceiptFieldsSchema.extend({
  signature: z.string().max(128).refine(isBase64, "expected standard base64"),
});
export type SignedReceipt = z.infer<typeof SignedReceiptSchema>;

/** The exact bytes signed: canonical JSON of the five fields plus the receipt domain. */
export function receiptSigningBytes(r: ReceiptFields): Uint8Array {
  const { request_id, model, prompt_tokens, completion_tokens, response_hash } = r;
  return utf8Encode(canonicalJson({ domain: DOMAIN, request_id, model, prompt_tokens, completion_tokens, response_hash }));
}

export function signReceipt(fields: ReceiptFields, identitySecret: Uint8Array): SignedReceipt {
  const { request_id, model, prompt_tokens, completion_tokens, response_hash } = fields;
  const signature = encodeBase64(ed25519.sign(receiptSigningBytes(fields), identitySecret));
  return { request_id, model, prompt_tokens, completion_tokens, response_hash, signature };
}

/** True when the receipt is well formed and `identityKey` (base64 Ed25519) signed it. Never throws. */
export function verifyReceipt(receipt: SignedReceipt, identityKey: string): boolean {
  try {
    if (!SignedReceiptSchema.safeParse(receipt).success) return false;
    const key = decodeBase64(identityKey);
    const sig = decodeBase64(receipt.signature);
    if (key.length !== 32 || sig.length !== 64) return false;
    return ed25519.verify(sig, receiptSigningBytes(receipt), key);
  } catch {
    return false;
  }
}

/** Same five fields (signatures aside)? */
export function sameReceipt(a: ReceiptFields, b: ReceiptFields): boolean {
  return (
    a.request_id === b.request_id &&
    a.model === b.model &&
    a.prompt_tokens === b.prompt_tokens &&
    a.completion_tokens === b.completion_tokens &&
    a.response_hash === b.response_hash
  );
}
