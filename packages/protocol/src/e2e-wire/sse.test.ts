import { test } from "node:test";
import assert from "node:assert/strict";
import { createSseParser, encodeErrorEvent, encodeSealedEvent, SealedApiRequestSchema, type SseEvent } from "./index.js";
import { createStreamSealer, generateEncryptionKeyPair, sealRequest, SealedChunkSchema } from "../seal/index.js";

function parseAll(parts: string[]): SseEvent[] {
  const out: SseEvent[] = [];
  const p = createSseParser((ev) => out.push(ev));
  for (const s of parts) p.push(s);
  p.end();
  return out;
}

/** Deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 0x1_0000_0000);
}

function randomSplit(text: string, rand: () => number): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    const n = rand() < 0.3 ? 1 : 1 + Math.floor(rand() * 40);
    parts.push(text.slice(i, i + n));
    i += n;
  }
  return parts;
}

const sealer = createStreamSealer(new Uint8Array(32).fill(7), "abcdef0123456789");
const chunks = Array.from({ length: 20 }, (_, i) => sealer.seal(new TextEncoder().encode(`data: {"i":${i}}\n\n`), i === 19));
const stream =
  ": keep-alive comment\n\n" +
  chunks.slice(0, 10).map(encodeSealedEvent).join("") +
  encodeErrorEvent({ message: "provider went away", type: "api_error", code: "provider_lost" }) +
  chunks.slice(10).map(encodeSealedEvent).join("");

function check(events: SseEvent[]): void {
  assert.equal(events.length, 21);
  events.slice(0, 10).concat(events.slice(11)).forEach((ev, i) => {
    assert.equal(ev.event, "sealed");
    assert.deepEqual(SealedChunkSchema.parse(JSON.parse(ev.data)), chunks[i]);
  });
  assert.equal(events[10]!.event, "error");
  assert.deepEqual(JSON.parse(events[10]!.data), { error: { message: "provider went away", type: "api_error", code: "provider_lost" } });
}

test("whole stream parses", () => check(parseAll([stream])));

test("random split points (LF and CRLF and CR line endings)", () => {
  const rand = rng(42);
  const variants = [stream, stream.replace(/\n/g, "\r\n"), stream.replace(/\n/g, "\r")];
  for (let round = 0; round < 300; round++) {
    const v = variants[round % 3]!;
    check(parseAll(randomSplit(v, rand)));
  }
  check(parseAll([...stream.replace(/\n/g, "\r\n")]));
});

test("field rules: default event, multi-line data, no-space colon, comments, ids, empty-data events", () => {
  const evs = parseAll(["data:a\ndata: b\n\n", "event: x\n:comment\nid: 7\ndata\n\n", "event: nodata\n\n", "data: c\n\n"]);
  assert.deepEqual(evs, [
    { event: "message", data: "a\nb" },
    { event: "x", data: "", id: "7" },
    { event: "message", data: "c", id: "7" },
  ]);
});

test("BOM is ignored; unterminated trailing event is discarded on end()", () => {
  assert.deepEqual(parseAll(["\ufeffdata: 1\n\n", "data: 2\n"]), [{ event: "message", data: "1" }]);
});

// Correctness only: unit tests carry no timing asserts (a loaded 2-core CI box makes them flaky).
test("a long line fed in tiny pieces is reassembled exactly", () => {
  const big = "data: " + "x".repeat(200_000) + "\n\n";
  const out = parseAll(big.match(/[\s\S]{1,7}/g)!);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.data, "x".repeat(200_000));
});

test("SealedApiRequestSchema accepts a sealed body", async () => {
  const kp = await generateEncryptionKeyPair();
  const { envelope } = await sealRequest(new TextEncoder().encode("{}"), [kp]);
  const body = { model: "m", stream: true, max_tokens: 16, input_tokens_estimate: 3, sealed: envelope };
  assert.deepEqual(SealedApiRequestSchema.parse(JSON.parse(JSON.stringify(body))), body);
  assert.equal(SealedApiRequestSchema.safeParse({ ...body, sealed: { ...envelope, v: 1 } }).success, false);
});
