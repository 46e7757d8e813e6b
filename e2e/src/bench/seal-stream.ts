/**
 * `npm run bench:seal`: the cost of the response stream's sealing per chunk (seal, JSON round
 * trip, open) for token-sized chunks, in one process. Prints figures; asserts nothing about timing
 * (speed is not a unit-test property: it depends on the machine and its load).
 */
import { randomBytes } from "node:crypto";
import { createStreamOpener, createStreamSealer, utf8Encode, type SealedChunk } from "@darkbloom/protocol";

const chunks = Number(process.env.BENCH_CHUNKS ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const piece = utf8Encode(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":" hello"}}]}\n\n`);

function round(): number {
  const key = randomBytes(32);
  const sealer = createStreamSealer(key, "kid1");
  const opener = createStreamOpener(key);
  const t0 = performance.now();
  for (let i = 0; i < chunks; i++) {
    const wire = JSON.stringify(sealer.seal(piece, i === chunks - 1));
    opener.open(JSON.parse(wire) as SealedChunk);
  }
  opener.finish();
  return ((performance.now() - t0) * 1000) / chunks;
}

process.stdout.write(`bench:seal — ${chunks} chunks of ${piece.byteLength} bytes, ${rounds} rounds (after one warm-up)\n`);
round();
const us = Array.from({ length: rounds }, round).sort((a, b) => a - b);
const median = us[Math.floor(us.length / 2)] ?? 0;
process.stdout.write(`seal + JSON + open: median ${median.toFixed(1)} µs per chunk (min ${us[0]?.toFixed(1)}, max ${us.at(-1)?.toFixed(1)})\n`);
