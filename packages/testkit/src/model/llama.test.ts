// Loads the generated tiny models with the real node-llama-cpp (llama.cpp CPU backend).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { getLlama, LlamaLogLevel, type Llama, type LlamaContext, type LlamaModel, type Token } from "node-llama-cpp";
import { ensureTestModel } from "./ensure.js";

let dir = "";
let llama: Llama;
const models: Record<"suppress" | "favour" | "seed2", LlamaModel> = {} as never;
const contexts: LlamaContext[] = [];

before(async () => {
  dir = await mkdtemp(join(os.tmpdir(), "testkit-llama-"));
  llama = await getLlama({ gpu: false, build: "never", maxThreads: os.availableParallelism(), logLevel: LlamaLogLevel.error });
  const [s, f, s2] = await Promise.all([
    ensureTestModel({ dir, eos: "suppress" }),
    ensureTestModel({ dir, eos: "favour" }),
    ensureTestModel({ dir, eos: "suppress", seed: 2 }),
  ]);
  models.suppress = await llama.loadModel({ modelPath: s });
  models.favour = await llama.loadModel({ modelPath: f });
  models.seed2 = await llama.loadModel({ modelPath: s2 });
});

after(async () => {
  for (const c of contexts) await c.dispose();
  for (const m of Object.values(models)) await m.dispose();
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const CHAT_PROMPT = "<|im_start|>user\nSay something.<|im_end|>\n<|im_start|>assistant\n";

/** Generates up to maxTokens tokens after `prompt`; stops early at an end-of-generation token. */
async function generate(model: LlamaModel, prompt: string, maxTokens: number, temperature: number, seed = 1) {
  // One thread: on a small shared CPU, llama.cpp threads that outnumber free cores spin-wait and
  // run orders of magnitude slower; the tiny model needs no more.
  const context = await model.createContext({ contextSize: 512, threads: 1 });
  contexts.push(context);
  const sequence = context.getSequence();
  const tokens: Token[] = [];
  let eog: Token | undefined;
  for await (const token of sequence.evaluate(model.tokenize(prompt, true), { temperature, seed, yieldEogToken: true })) {
    if (model.isEogToken(token)) {
      eog = token;
      break;
    }
    tokens.push(token);
    if (tokens.length >= maxTokens) break;
  }
  sequence.dispose();
  return { tokens, eog, text: model.detokenize(tokens) };
}

test("tokenizer round-trips ASCII text and uses merge tokens", () => {
  const model = models.suppress;
  const texts = [
    "Hello, world! The quick brown fox jumps over the lazy dog.",
    "  leading spaces, tabs\tand\nnewlines\n\n",
    "Numbers 0123456789 and symbols ~!@#$%^&*()_+-={}[]|\\:;\"'<>,.?/`",
    "they'll say it's what we've done",
  ];
  for (const text of texts) {
    const tokens = model.tokenize(text);
    assert.equal(model.detokenize(tokens), text);
  }
  const words = " the people would like to know";
  assert.ok(model.tokenize(words).length < words.length / 2);
});

test("control tokens: <|im_end|> and <|endoftext|> end generation, <|im_start|> does not", () => {
  const model = models.suppress;
  const one = (s: string): Token => {
    const t = model.tokenize(s, true);
    assert.equal(t.length, 1, s);
    return t[0]!;
  };
  assert.ok(model.isEogToken(one("<|im_end|>")));
  assert.ok(model.isEogToken(one("<|endoftext|>")));
  assert.ok(!model.isEogToken(one("<|im_start|>")));
  assert.equal(model.tokens.eos, one("<|endoftext|>"));
  assert.equal(model.fileInfo.metadata.tokenizer.chat_template?.includes("<|im_start|>"), true);
});

test("eos=suppress: printable text, always exactly maxTokens", async () => {
  for (const [prompt, temperature, seed] of [[CHAT_PROMPT, 0, 1], [CHAT_PROMPT, 1, 7], ["Once upon a time", 1.5, 3]] as const) {
    const r = await generate(models.suppress, prompt, 64, temperature, seed);
    assert.equal(r.eog, undefined);
    assert.equal(r.tokens.length, 64);
    assert.match(r.text, /^[\x20-\x7e]+$/, r.text);
    assert.match(r.text, /[a-z]+ [a-z]+/, r.text);
  }
});

test("sampling and the model seed change the text; greedy decoding is repeatable", async () => {
  const greedy1 = await generate(models.suppress, CHAT_PROMPT, 24, 0);
  const greedy2 = await generate(models.suppress, CHAT_PROMPT, 24, 0);
  const sampled = await generate(models.suppress, CHAT_PROMPT, 24, 1, 11);
  const otherModel = await generate(models.seed2, CHAT_PROMPT, 24, 0);
  assert.equal(greedy1.text, greedy2.text);
  assert.notEqual(sampled.text, greedy1.text);
  assert.notEqual(otherModel.text, greedy1.text);
});

test("eos=favour: one token after a newline-terminated prompt, none otherwise", async () => {
  for (const temperature of [0, 1]) {
    const chat = await generate(models.favour, CHAT_PROMPT, 64, temperature);
    assert.equal(chat.tokens.length, 1);
    assert.ok(chat.eog !== undefined && models.favour.isEogToken(chat.eog));
    assert.match(chat.text, /^[\x20-\x7e]+$/);
  }
  const raw = await generate(models.favour, "Once upon a time", 64, 1);
  assert.equal(raw.tokens.length, 0);
  assert.ok(raw.eog !== undefined && models.favour.isEogToken(raw.eog));
});
