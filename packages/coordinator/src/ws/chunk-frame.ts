import type { InferenceChunkFrame, SealedChunk } from "@darkbloom/protocol";

/**
 * Fast path for the hottest frame: `inference_chunk`, one per token per stream. A provider's
 * encoder emits it in exactly one shape,
 *
 *   {"type":"inference_chunk","request_id":"…","tokens":N,"chunk":{"kid":"…","seq":N,"final":B[,"salt":"…"],"ct":"…"}}
 *
 * and for text in that shape this checks every rule of InferenceChunkFrameSchema (lengths, integer
 * range, base64) without JSON.parse or zod, and keeps the chunk's JSON text so the e2e writer
 * forwards it without serialising it again. Anything else — other key order, whitespace, escapes,
 * extra keys — returns undefined and takes the general decoder, which accepts or rejects it exactly
 * as before. So this never accepts a frame the schema would reject.
 */

/**
 * The whole canonical frame as one regular expression (compiled to native code: one call per token
 * instead of character loops in JS, which matters while the coordinator's code is not yet
 * optimised). Strings are plain JSON string bodies (no `"`, backslash or control character, so
 * there is nothing to unescape); seq is an integer without leading zeros; ct is base64-shaped.
 */
const CANONICAL =
  /^\{"type":"inference_chunk","request_id":"([^"\\\x00-\x1f]{1,128})","tokens":(0|[1-9][0-9]{0,15}),"chunk":(\{"kid":"([^"\\\x00-\x1f]{1,64})","seq":(0|[1-9][0-9]{0,15}),"final":(true|false),(?:"salt":"([A-Za-z0-9+/]{0,62}={0,2})",)?"ct":"([A-Za-z0-9+/]*={0,2})"\})\}$/;

/** Key of the canonical JSON text (what `encodeSealedEvent` would produce) on chunks decoded here. */
export const CHUNK_JSON: unique symbol = Symbol("darkbloom.chunkJson");
export type ChunkWithJson = SealedChunk & { [CHUNK_JSON]?: string };

/** The chunk's canonical JSON text when the fast path decoded it. */
export function sealedChunkJson(chunk: SealedChunk): string | undefined {
  return (chunk as ChunkWithJson)[CHUNK_JSON];
}

export function parseChunkFrame(text: string): InferenceChunkFrame | undefined {
  const m = CANONICAL.exec(text);
  if (!m) return undefined;
  const tokens = Number(m[2]);
  const seq = Number(m[5]);
  const salt = m[7];
  const ct = m[8]!;
  // The schema's range and base64 rules.
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(tokens) || ct.length % 4 !== 0) return undefined;
  if (salt !== undefined && salt.length % 4 !== 0) return undefined;
  // A hidden symbol-keyed property, not a WeakMap: no ephemeron per token for the GC to trace,
  // and the object still compares equal to the general decoder's.
  const chunk: ChunkWithJson =
    salt === undefined ? { kid: m[4]!, seq, final: m[6] === "true", ct } : { kid: m[4]!, seq, final: m[6] === "true", salt, ct };
  Object.defineProperty(chunk, CHUNK_JSON, { value: m[3] });
  return { type: "inference_chunk", request_id: m[1]!, tokens, chunk };
}
