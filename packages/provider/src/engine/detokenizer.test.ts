import { test } from "node:test";
import assert from "node:assert/strict";
import type { Token } from "node-llama-cpp";
import { StreamDetokenizer, type DetokenizeFn } from "./detokenizer.js";

const tok = (n: number): Token => n as Token;

// A byte-level "model": token n is the single byte n; decoding invalid UTF-8 yields U+FFFD,
// exactly like llama.cpp's detokenizer output converted to a JS string.
const byteDetokenize: DetokenizeFn = (tokens) => Buffer.from(tokens.map(Number)).toString("utf8");

function stream(text: string): string[] {
  const d = new StreamDetokenizer(byteDetokenize);
  const out = [...Buffer.from(text, "utf8")].map((b) => d.push(tok(b)));
  out.push(d.flush());
  return out;
}

test("multi-byte characters split across tokens never yield U+FFFD", () => {
  const text = "héllo 世界 🎉 ok";
  const out = stream(text);
  assert.equal(out.join(""), text);
  assert.ok(out.every((s) => !s.includes("\uFFFD")), JSON.stringify(out));
});

test("a character is released as soon as its last byte arrives", () => {
  const out = stream("€"); // 3 bytes
  assert.deepEqual(out, ["", "", "€", ""]);
});

test("an incomplete character at the end is flushed (as U+FFFD)", () => {
  const d = new StreamDetokenizer(byteDetokenize);
  assert.equal(d.push(tok(0xe2)), "");
  assert.equal(d.push(tok(0x82)), "");
  assert.equal(d.flush(), "\uFFFD");
});

test("genuinely invalid bytes are not held forever", () => {
  const d = new StreamDetokenizer(byteDetokenize);
  const out: string[] = [];
  for (let i = 0; i < 20; i++) out.push(d.push(tok(0xff)));
  assert.ok(out.join("").length > 0);
});
