// Engine integration tests on the testkit's tiny model (EOS suppressed: generation runs to max_tokens).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ensureTestModel } from "@darkbloom/testkit";
import { StreamDetokenizer, modelDetokenizer } from "./detokenizer.js";
import { PromptTooLongError, checkTemplateRender, createEngine, type Engine, type Generation, type GenerationResult } from "./index.js";

async function collect(g: Generation): Promise<{ text: string; deltas: string[]; result: GenerationResult }> {
  const deltas: string[] = [];
  for await (const d of g) deltas.push(d.text);
  return { text: deltas.join(""), deltas, result: await g.result };
}

/** Resolves once the generation has produced its first delta (and keeps draining it). */
function firstDelta(g: Generation): { first: Promise<void>; done: Promise<string> } {
  let signal!: () => void;
  const first = new Promise<void>((r) => (signal = r));
  const done = (async () => {
    let text = "";
    for await (const d of g) {
      text += d.text;
      signal();
    }
    signal();
    return text;
  })();
  return { first, done };
}

const user = (content: string) => [{ role: "user" as const, content }];

describe("engine (tiny model)", () => {
  let engine: Engine;

  before(async () => {
    const modelPath = await ensureTestModel({ preset: "tiny" });
    engine = await createEngine({ modelPath, modelId: "tiny", parallel: 4, contextSize: 1024 });
  });
  after(async () => {
    await engine?.close();
  });

  test("loads with the model's own template", () => {
    assert.equal(engine.templateSource, "gguf");
    assert.equal(engine.templateRenderOk, true);
    assert.equal(engine.contextSize, 1024);
  });

  test("template self-check from the GGUF file and from the loaded model", async () => {
    assert.equal(await checkTemplateRender(await ensureTestModel({ preset: "tiny" })), true);
    assert.equal(await checkTemplateRender(engine.model), true);
    assert.equal(await checkTemplateRender("/nonexistent/model.gguf"), false);
  });

  test("streaming detokenization never splits a multi-byte character", () => {
    const text = "naïve café — 世界 🎉 ok";
    const tokens = engine.model.tokenize(text, false);
    assert.ok(tokens.length > 10);
    const detok = new StreamDetokenizer(modelDetokenizer(engine.model));
    const pieces = tokens.map((t) => detok.push(t));
    pieces.push(detok.flush());
    assert.equal(pieces.join(""), text);
    assert.ok(pieces.every((p) => !p.includes("\uFFFD")), JSON.stringify(pieces));
    assert.ok(pieces.some((p) => p === ""), "some characters spanned several tokens");
  });

  test("no default system prompt: the rendered prompt is the ChatML of exactly the given messages", () => {
    const p = engine.renderPrompt([
      { role: "user", content: "Hello" },
      { role: "assistant", content: "Hi there" },
      { role: "user", content: "Bye" },
    ]);
    assert.equal(
      p.text,
      "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi there<|im_end|>\n" +
        "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n",
    );
    assert.ok(!p.text.includes("system"));
  });

  test("4 simultaneous streams complete with exact max_tokens; capacity reflects them", async () => {
    const gens = [0, 1, 2, 3].map((i) => engine.generate({ messages: user(`stream ${i}`), maxTokens: 24, temperature: 0 }));
    const firsts = gens.map(firstDelta);
    await Promise.all(firsts.map((f) => f.first));
    const cap = engine.capacity();
    assert.equal(cap.state, "running");
    assert.equal(cap.numRunning + cap.numWaiting, 4);
    assert.equal(cap.maxConcurrency, 4);
    assert.ok(cap.activeTokenBudgetUsed > 0 && cap.activeTokenBudgetUsed <= cap.activeTokenBudgetMax);
    for (const [i, g] of gens.entries()) {
      const r = await g.result;
      assert.equal(r.finishReason, "length");
      assert.equal(r.usage.completionTokens, 24);
      assert.equal(r.usage.promptTokens, engine.renderPrompt(user(`stream ${i}`)).tokens.length);
      assert.ok((await firsts[i]?.done)?.length);
    }
    const idle = engine.capacity();
    assert.equal(idle.state, "idle");
    assert.equal(idle.numRunning, 0);
    assert.equal(idle.activeTokenBudgetUsed, 0);
    assert.ok(idle.observedDecodeTps > 0);
    assert.ok(idle.observedPrefillTps > 0, "prefill speed observed from the real runs");
    // Honest budget: the KV cells llama.cpp allocated (context per sequence × sequences).
    assert.equal(idle.activeTokenBudgetMax, engine.kvCapacity);
    assert.equal(idle.activeTokenBudgetMax, idle.contextSize * 4);
  });

  test("requests beyond `parallel` wait in the queue and complete", async () => {
    const gens = [0, 1, 2, 3, 4, 5].map((i) => engine.generate({ messages: user(`q ${i}`), maxTokens: 8, temperature: 0 }));
    const firsts = gens.map(firstDelta);
    await firsts[0]?.first;
    const cap = engine.capacity();
    assert.equal(cap.numRunning, 4);
    assert.equal(cap.numWaiting, 2);
    assert.ok(cap.queuedTokenBudget > 0);
    const results = await Promise.all(gens.map((g) => g.result));
    for (const r of results) {
      assert.equal(r.finishReason, "length");
      assert.equal(r.usage.completionTokens, 8);
    }
    assert.ok((results[4]?.timings.queueMs ?? 0) > 0);
  });

  test("abort mid-stream ends with 'abort' and frees the slot for a queued request", async () => {
    const controller = new AbortController();
    const long = [0, 1, 2, 3].map((i) =>
      engine.generate({
        messages: user(`long ${i}`),
        maxTokens: i === 0 ? 500 : 60,
        temperature: 0,
        ...(i === 0 ? { signal: controller.signal } : {}),
      }),
    );
    const queued = engine.generate({ messages: user("queued"), maxTokens: 5, temperature: 0 });
    const firsts = long.map(firstDelta);
    await firsts[0]?.first;
    assert.equal(engine.capacity().numWaiting, 1);
    controller.abort();
    const aborted = await long[0]!.result;
    assert.equal(aborted.finishReason, "abort");
    assert.ok(aborted.usage.completionTokens >= 1 && aborted.usage.completionTokens < 500);
    // The queued request gets the freed sequence while the others are still generating.
    let othersDone = false;
    void Promise.all(long.slice(1).map((g) => g.result)).then(() => (othersDone = true));
    const q = await collect(queued);
    assert.equal(othersDone, false);
    assert.equal(q.result.finishReason, "length");
    assert.equal(q.result.usage.completionTokens, 5);
    const others = await Promise.all(long.slice(1).map((g) => g.result));
    assert.ok(others.every((r) => r.finishReason === "length" && r.usage.completionTokens === 60));
  });

  test("abort while queued, and leaving the iteration early, both abort", async () => {
    const busy = [0, 1, 2, 3].map((i) => engine.generate({ messages: user(`b ${i}`), maxTokens: 20, temperature: 0 }));
    const controller = new AbortController();
    const waiting = engine.generate({ messages: user("w"), maxTokens: 20, signal: controller.signal });
    controller.abort();
    const w = await waiting.result;
    assert.equal(w.finishReason, "abort");
    assert.deepEqual(w.usage, { promptTokens: 0, completionTokens: 0 });
    for await (const d of busy[0]!) {
      assert.ok(typeof d.text === "string");
      break;
    }
    assert.equal((await busy[0]!.result).finishReason, "abort");
    await Promise.all(busy.map((g) => g.result));
    const pre = engine.generate({ messages: user("x"), maxTokens: 5, signal: AbortSignal.abort() });
    assert.equal((await pre.result).finishReason, "abort");
  });

  test("temperature 0 is deterministic", async () => {
    const req = { messages: user("determinism"), maxTokens: 20, temperature: 0 };
    const a = await collect(engine.generate(req));
    const b = await collect(engine.generate(req));
    assert.equal(a.text, b.text);
    assert.ok(a.text.length > 0);
  });

  test("a seed makes sampling with temperature > 0 reproducible", async () => {
    const req = { messages: user("seeded"), maxTokens: 30, temperature: 1, topP: 0.9 };
    const a = await collect(engine.generate({ ...req, seed: 1234 }));
    const b = await collect(engine.generate({ ...req, seed: 1234 }));
    const c = await collect(engine.generate({ ...req, seed: 98765 }));
    assert.equal(a.text, b.text);
    assert.notEqual(a.text, c.text);
  });

  test("stop strings end generation before the stop string, even across tokens", async () => {
    const base = { messages: user("stop strings"), maxTokens: 40, temperature: 0 };
    const full = (await collect(engine.generate(base))).text;
    assert.ok(full.length > 20, full);
    const stop = full.slice(10, 17);
    const cut = full.indexOf(stop);
    const stopped = await collect(engine.generate({ ...base, stop: ["\u0000never", stop] }));
    assert.equal(stopped.text, full.slice(0, cut));
    assert.equal(stopped.result.finishReason, "stop");
    assert.ok(stopped.result.usage.completionTokens < 40);
    assert.ok(stopped.deltas.every((d) => !d.includes(stop)));
    // A partial match that never completes is released unchanged.
    const partial = await collect(engine.generate({ ...base, stop: [`${stop}\u0000`] }));
    assert.equal(partial.text, full);
    assert.equal(partial.result.finishReason, "length");
  });

  test("usage: promptTokens are the rendered prompt's tokens, completionTokens the sampled ones", async () => {
    const messages = [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: "Count the tokens, please." },
    ];
    const { result } = await collect(engine.generate({ messages, maxTokens: 7, temperature: 0 }));
    assert.deepEqual(result.usage, { promptTokens: engine.renderPrompt(messages).tokens.length, completionTokens: 7 });
    assert.ok(engine.countTokens("Count the tokens, please.") > 0);
  });

  test("a long prompt joining running streams is prefilled in chunks and completes", async () => {
    const runner = engine.generate({ messages: user("runner"), maxTokens: 40, temperature: 0 });
    const f = firstDelta(runner);
    await f.first;
    const longText = "the quick brown fox jumps over the lazy dog ".repeat(40);
    const long = await collect(engine.generate({ messages: user(longText), maxTokens: 6, temperature: 0 }));
    assert.equal(long.result.usage.promptTokens, engine.renderPrompt(user(longText)).tokens.length);
    assert.ok(long.result.usage.promptTokens > 256);
    assert.equal(long.result.usage.completionTokens, 6);
    assert.equal((await runner.result).usage.completionTokens, 40);
    await f.done;
  });

  test("invalid requests and prompts that do not fit are rejected synchronously", () => {
    assert.throws(() => engine.generate({ messages: [], maxTokens: 5 }), { code: "invalid_request" });
    assert.throws(() => engine.generate({ messages: user("x"), maxTokens: 0 }), { code: "invalid_request" });
    assert.throws(() => engine.generate({ messages: user("x"), maxTokens: 5, topP: 0 }), { code: "invalid_request" });
    assert.throws(() => engine.generate({ messages: user("x"), maxTokens: 1024 }), { code: "context_length_exceeded" });
  });
});

describe("engine queue limit and end-of-generation", () => {
  test("submissions beyond the queue limit are rejected with a clear error", async () => {
    const engine = await createEngine({ modelPath: await ensureTestModel({ preset: "tiny" }), parallel: 1, maxQueue: 1 });
    try {
      // One request runs, one waits; a third would be the second waiting one.
      const a = engine.generate({ messages: user("a"), maxTokens: 5, temperature: 0 });
      const b = engine.generate({ messages: user("b"), maxTokens: 5, temperature: 0 });
      assert.throws(() => engine.generate({ messages: user("c"), maxTokens: 5 }), {
        name: "EngineQueueFullError",
        code: "queue_full",
      });
      await firstDelta(a).first;
      assert.deepEqual([engine.capacity().numRunning, engine.capacity().numWaiting], [1, 1]);
      assert.throws(() => engine.generate({ messages: user("d"), maxTokens: 5 }), { code: "queue_full" });
      const rs = await Promise.all([a, b].map((g) => g.result));
      assert.ok(rs.every((r) => r.usage.completionTokens === 5));
    } finally {
      await engine.close();
    }
    assert.throws(() => engine.generate({ messages: user("late"), maxTokens: 5 }), { code: "engine_closed" });
  });

  test("a prompt plus max_tokens filling the whole context generates every token", async () => {
    const engine = await createEngine({ modelPath: await ensureTestModel({ preset: "tiny" }), parallel: 2, contextSize: 256 });
    try {
      const messages = user("fill the context");
      const maxTokens = engine.contextSize - engine.renderPrompt(messages).tokens.length;
      const { result } = await collect(engine.generate({ messages, maxTokens, temperature: 0 }));
      assert.equal(result.finishReason, "length");
      assert.equal(result.usage.completionTokens, maxTokens);
      assert.throws(() => engine.generate({ messages, maxTokens: maxTokens + 1 }), PromptTooLongError);
    } finally {
      await engine.close();
    }
  });

  test("an end-of-generation token ends with finishReason 'stop'", async () => {
    const engine = await createEngine({ modelPath: await ensureTestModel({ preset: "tiny", eos: "favour" }), parallel: 2 });
    try {
      const { text, result } = await collect(engine.generate({ messages: user("hi"), maxTokens: 50, temperature: 0 }));
      assert.equal(result.finishReason, "stop");
      assert.ok(result.usage.completionTokens >= 1 && result.usage.completionTokens < 50);
      assert.ok(!text.includes("<|im_end|>") && !text.includes("<|endoftext|>"));
    } finally {
      await engine.close();
    }
  });
});
