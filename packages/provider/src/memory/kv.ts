/** Shape of a transformer's KV cache, from the GGUF header. */
export interface KvShape {
  layers: number;
  embedding: number;
  heads: number;
  kvHeads: number;
}

/**
 * Bytes of an f16 KV cache for `tokens` cells (context size × sequences): K and V, per layer, per
 * KV head of embedding/heads dimensions. 0 when the header does not say (the gate's minimum applies).
 */
export function kvCacheBytes(shape: Partial<KvShape>, tokens: number, bytesPerElement = 2): number {
  const { layers, embedding, heads } = shape;
  if (!layers || !embedding || !heads) return 0;
  const kvHeads = shape.kvHeads || heads;
  return 2 * layers * tokens * kvHeads * (embedding / heads) * bytesPerElement;
}
