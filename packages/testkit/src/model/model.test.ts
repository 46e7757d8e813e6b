import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readGgufHeader, readTensorFloats } from "../gguf/index.js";
import { makeModel, modelFileSize } from "./make-model.js";
import { PRESETS, PRESET_NAMES } from "./presets.js";
import { buildVocab, bytesToUnicode, CHATML_TEMPLATE, TOKEN_TYPE } from "./tokenizer.js";
import { BIAS, tokenBiases } from "./weights.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "testkit-model-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = async (p: string): Promise<string> => createHash("sha256").update(await readFile(p)).digest("hex");

test("vocabulary: byte tokens, merges of existing tokens, control tokens", () => {
  const v = buildVocab();
  assert.equal(v.tokens.length, 1024);
  assert.equal(new Set(v.tokens).size, 1024);
  const { charOf } = bytesToUnicode();
  assert.equal(charOf[0x20], "Ġ");
  assert.equal(charOf[0x0a], "Ċ");
  assert.deepEqual(new Set(v.tokens.slice(0, 256)), new Set(charOf));
  const ids = new Map(v.tokens.map((t, i) => [t, i]));
  for (const m of v.merges) {
    const [a, b, extra] = m.split(" ");
    assert.equal(extra, undefined);
    const result = ids.get(a! + b!);
    assert.ok(result !== undefined && result >= 256, `merge ${m} result is a token`);
    assert.ok(ids.get(a!)! < result && ids.get(b!)! < result, `merge ${m} built from earlier tokens`);
  }
  assert.ok(v.merges.length > 500);
  assert.ok(v.tokens.includes("Ġthe"));
  assert.deepEqual([v.tokens[v.eosId], v.tokens[v.imStartId], v.tokens[v.imEndId]], ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]);
  v.tokens.forEach((t, i) => assert.equal(v.tokenTypes[i], t.startsWith("<|") ? TOKEN_TYPE.control : TOKEN_TYPE.normal, t));
});

test("biases: printable text favoured; EOG suppressed or favoured except after a newline", () => {
  const v = buildVocab();
  const nl = v.tokens.indexOf("Ċ");
  const s = tokenBiases(v, "suppress");
  const f = tokenBiases(v, "favour");
  assert.equal(s.main[v.tokens.indexOf("Ġthe")], BIAS.spacedWord);
  assert.equal(s.main[v.tokens.indexOf("!")], BIAS.printable);
  assert.equal(s.main[nl], BIAS.otherByte);
  for (const id of [v.eosId, v.imEndId]) {
    assert.equal(s.main[id], BIAS.eogOff);
    assert.equal(s.nl[id], BIAS.eogOff);
    assert.equal(f.main[id], id === v.imEndId ? BIAS.eogOn : BIAS.eogOn - 10);
    assert.equal(f.nl[id], BIAS.eogOff);
  }
  assert.equal(s.main[v.imStartId], BIAS.control);
});

test("tiny model: llama metadata and tensor shapes", async () => {
  const path = join(dir, "tiny.gguf");
  const res = await makeModel({ out: path, preset: "tiny", seed: 5 });
  assert.equal(res.bytes, (await stat(path)).size);
  assert.equal(res.bytes, modelFileSize({ preset: "tiny", seed: 5 }));
  const h = await readGgufHeader(path);
  const md = (k: string): unknown => h.metadata[k]?.value;
  const spec = PRESETS.tiny;
  assert.equal(md("general.architecture"), "llama");
  assert.equal(md("general.alignment"), 32);
  assert.equal(md("general.file_type"), 1);
  assert.equal(md("llama.context_length"), 2048);
  assert.equal(md("llama.embedding_length"), spec.embd);
  assert.equal(md("llama.block_count"), spec.layers);
  assert.equal(md("llama.feed_forward_length"), spec.ffn);
  assert.equal(md("llama.attention.head_count"), spec.heads);
  assert.equal(md("llama.attention.head_count_kv"), spec.kvHeads);
  assert.equal(md("llama.rope.dimension_count"), spec.embd / spec.heads);
  assert.equal(md("llama.vocab_size"), 1024);
  assert.equal(md("tokenizer.ggml.model"), "gpt2");
  assert.equal(md("tokenizer.ggml.pre"), "gpt-2");
  assert.equal(md("tokenizer.ggml.add_bos_token"), false);
  assert.equal(md("tokenizer.chat_template"), CHATML_TEMPLATE);
  assert.equal((md("tokenizer.ggml.tokens") as string[]).length, 1024);
  const hd = spec.embd / spec.heads;
  const expect: [string, number[]][] = [["token_embd.weight", [spec.embd, 1024]]];
  for (let l = 0; l < spec.layers; l++) {
    expect.push(
      [`blk.${l}.attn_norm.weight`, [spec.embd]],
      [`blk.${l}.attn_q.weight`, [spec.embd, spec.heads * hd]],
      [`blk.${l}.attn_k.weight`, [spec.embd, spec.kvHeads * hd]],
      [`blk.${l}.attn_v.weight`, [spec.embd, spec.kvHeads * hd]],
      [`blk.${l}.attn_output.weight`, [spec.heads * hd, spec.embd]],
      [`blk.${l}.ffn_norm.weight`, [spec.embd]],
      [`blk.${l}.ffn_gate.weight`, [spec.embd, spec.ffn]],
      [`blk.${l}.ffn_down.weight`, [spec.ffn, spec.embd]],
      [`blk.${l}.ffn_up.weight`, [spec.embd, spec.ffn]],
    );
  }
  expect.push(["output_norm.weight", [spec.embd]], ["output.weight", [spec.embd, 1024]]);
  assert.deepEqual(h.tensors.map((t) => [t.name, t.dims]), expect);
  for (const t of h.tensors) assert.equal(t.type, t.dims.length === 1 ? "f32" : "f16", t.name);
});

test("reserved channels: constant in the residual, act as logit bias; all values finite", async () => {
  const path = join(dir, "tiny-f32.gguf");
  await makeModel({ out: path, preset: "tiny", type: "f32", eos: "favour" });
  const h = await readGgufHeader(path);
  const n = PRESETS.tiny.embd;
  const v = buildVocab();
  const nl = v.tokens.indexOf("Ċ");
  for (const t of h.tensors) {
    const x = await readTensorFloats(path, h, t.name);
    assert.ok(x.every(Number.isFinite), `${t.name} finite`);
    if (/attn_output|ffn_down/.test(t.name)) {
      const w = t.dims[0]!;
      assert.ok(x.subarray(0, 2 * w).every((y) => y === 0), `${t.name} rows 0,1 zero`);
      assert.ok(x.subarray(2 * w).some((y) => y !== 0));
    }
    if (/attn_norm|ffn_norm/.test(t.name)) assert.deepEqual([x[0], x[1]], [0, 0]);
  }
  const embd = await readTensorFloats(path, h, "token_embd.weight");
  const K = embd[0]!;
  assert.ok(K > 50);
  for (let tok = 0; tok < 1024; tok++) {
    assert.deepEqual([embd[tok * n], embd[tok * n + 1]], tok === nl ? [0, K] : [K, 0]);
  }
  const out = await readTensorFloats(path, h, "output.weight");
  const { main } = tokenBiases(v, "favour");
  assert.ok(Math.abs(out[v.imEndId * n]! * Math.sqrt(n) - main[v.imEndId]!) < 1e-4);
});

test("q8_0 variant writes quantized 2-D weights", async () => {
  const path = join(dir, "tiny-q8.gguf");
  const res = await makeModel({ out: path, preset: "tiny", type: "q8_0" });
  const h = await readGgufHeader(path);
  assert.equal(h.metadata["general.file_type"]?.value, 7);
  assert.equal(h.tensors.find((t) => t.name === "output.weight")?.type, "q8_0");
  assert.ok(res.bytes < modelFileSize({ preset: "tiny" }) * 0.6);
});

test("determinism: same options -> same bytes; other seed or eos -> different bytes", async () => {
  const a = await makeModel({ out: join(dir, "d1.gguf"), seed: 42 });
  const b = await makeModel({ out: join(dir, "d2.gguf"), seed: 42 });
  const c = await makeModel({ out: join(dir, "d3.gguf"), seed: 43 });
  const d = await makeModel({ out: join(dir, "d4.gguf"), seed: 42, eos: "favour" });
  const [ha, hb, hc, hd] = await Promise.all([a, b, c, d].map((r) => sha(r.path)));
  assert.equal(ha, hb);
  assert.notEqual(ha, hc);
  assert.notEqual(ha, hd);
});

test("preset sizes", () => {
  const mb = (p: (typeof PRESET_NAMES)[number]) => modelFileSize({ preset: p }) / 1e6;
  assert.ok(mb("tiny") < 5, `tiny ${mb("tiny")}`);
  assert.ok(mb("small") > 20 && mb("small") < 40, `small ${mb("small")}`);
  assert.ok(mb("medium") > 150 && mb("medium") < 300, `medium ${mb("medium")}`);
});

test("bad options are rejected", async () => {
  await assert.rejects(makeModel({ out: join(dir, "x.gguf"), seed: -1 }), /seed/);
  await assert.rejects(makeModel({ out: join(dir, "x.gguf"), seed: 1.5 }), /seed/);
});
