import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createStreamSealer, decodeProviderFrame, encodeFrame, encodeSealedEvent, type ProviderFrame } from "@darkbloom/protocol";
import { parseChunkFrame, sealedChunkJson } from "./chunk-frame.js";

const sealer = createStreamSealer(new Uint8Array(32).fill(9), "0123456789abcdef");
const frames: ProviderFrame[] = [0, 1, 2, 40].map((n, i) => ({
  type: "inference_chunk",
  request_id: `req_${i}`,
  tokens: n,
  chunk: sealer.seal(new TextEncoder().encode("x".repeat(n)), i === 3),
}));
const canonical = frames.map((f) => encodeFrame(f));

/** Deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 0x1_0000_0000;
}

function decodeOrUndefined(text: string): ProviderFrame | undefined {
  try {
    return decodeProviderFrame(text);
  } catch {
    return undefined;
  }
}

describe("inference_chunk fast path", () => {
  it("decodes canonical frames exactly as the schema decoder does and keeps the chunk's JSON", () => {
    assert.ok(canonical[0]!.includes('"salt":'), "chunk 0 carries the stream salt");
    for (const text of canonical) {
      const fast = parseChunkFrame(text);
      assert.ok(fast, text.slice(0, 60));
      assert.deepEqual(fast, decodeProviderFrame(text));
      assert.ok(fast.type === "inference_chunk");
      assert.equal(`event: sealed\ndata: ${sealedChunkJson(fast.chunk)}\n\n`, encodeSealedEvent(fast.chunk));
    }
  });

  it("leaves every other spelling to the schema decoder", () => {
    const base = canonical[1]!;
    const variants = [
      base.replace('{"type"', '{ "type"'),
      base.replace('"seq":1', '"seq":1.0'),
      base.replace('"seq":1', '"seq":01'),
      base.replace('"seq":1', '"seq":1e0'),
      base.replace('"final":false', '"final":0'),
      base.replace('"req_1"', '"req\\u005f1"'),
      base.replace('}}', ',"extra":1}}'),
      base.replace('"chunk":{', '"extra":1,"chunk":{'),
      base + " ",
      base.replace('"kid":"0123456789abcdef"', '"kid":""'),
      base.replace('"request_id":"req_1"', '"request_id":""'),
      base.replace('"request_id":"req_1"', `"request_id":"${"r".repeat(129)}"`),
      base.replace('"seq":1', `"seq":${Number.MAX_SAFE_INTEGER + 1}`),
      base.replace('"seq":1', '"seq":-1'),
      base.replace(/"ct":"[^"]*"/, '"ct":"abc"'),
      base.replace(/"ct":"[^"]*"/, '"ct":"ab\\/c"'),
      base.replace(/"tokens":\d+/, '"tokens":-1'),
      base.replace(/"tokens":\d+/, '"tokens":01'),
      base.replace(/"tokens":\d+,/, ""),
      canonical[0]!.replace(/"salt":"[^"]*"/, '"salt":"abc"'),
      canonical[0]!.replace(/"salt":"[^"]*"/, `"salt":"${"A".repeat(68)}"`),
    ];
    for (const v of variants) assert.equal(parseChunkFrame(v), undefined, v.slice(0, 120));
  });

  it("never accepts what the schema rejects, under random corruption", () => {
    const rand = rng(7);
    const alphabet = ['"', "\\", "{", "}", ",", ":", "0", "1", "a", "=", " ", "-", "e", ".", "\u0001", "é"];
    let fastHits = 0;
    for (let round = 0; round < 20_000; round++) {
      let text = canonical[Math.floor(rand() * canonical.length)]!;
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * text.length);
        const op = rand();
        const ch = alphabet[Math.floor(rand() * alphabet.length)]!;
        if (op < 0.4) text = text.slice(0, at) + ch + text.slice(at + 1);
        else if (op < 0.7) text = text.slice(0, at) + ch + text.slice(at);
        else text = text.slice(0, at) + text.slice(at + 1);
      }
      const fast = parseChunkFrame(text);
      if (!fast) continue;
      fastHits++;
      const slow = decodeOrUndefined(text);
      assert.ok(slow, `fast path accepted a frame the schema rejects: ${text.slice(0, 200)}`);
      assert.deepEqual(fast, slow);
      assert.ok(fast.type === "inference_chunk");
      assert.deepEqual(JSON.parse(sealedChunkJson(fast.chunk)!), fast.chunk);
    }
    assert.ok(fastHits > 100, `the fuzz exercised the fast path (${fastHits})`);
  });
});
