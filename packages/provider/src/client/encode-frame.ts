import { encodeFrame, type ProviderFrame } from "@darkbloom/protocol";

/**
 * encodeFrame, with the per-token `inference_chunk` built from a template instead of a generic
 * JSON.stringify of the nested object. The text is byte-for-byte what JSON.stringify produces
 * (same key order; `tokens` and `seq` are integers, `final` a boolean, `ct` base64 with nothing to escape),
 * which is also the canonical shape the coordinator's fast path reads.
 */
export function encodeProviderFrame(frame: ProviderFrame): string {
  if (frame.type !== "inference_chunk") return encodeFrame(frame);
  const { kid, seq, final, salt, ct } = frame.chunk;
  const saltField = salt === undefined ? "" : `"salt":"${salt}",`;
  return `{"type":"inference_chunk","request_id":${JSON.stringify(frame.request_id)},"tokens":${frame.tokens},"chunk":{"kid":${JSON.stringify(kid)},"seq":${seq},"final":${final},${saltField}"ct":"${ct}"}}`;
}
