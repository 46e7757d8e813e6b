// The tool-call trigger of a job in "auto" mode, without a model: token n is the byte n.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { LlamaGrammarEvaluationState, Token } from "node-llama-cpp";
import { Job } from "./job.js";
import { GenerationStream } from "./stream.js";
import type { GenerationDelta } from "./types.js";

const END = 0;
const TAG = 1000;
const grammar = { fake: "grammar state" } as unknown as LlamaGrammarEvaluationState;

function autoJob(stop: string[] = []): { job: Job; stream: GenerationStream } {
  const stream = new GenerationStream(1, 1, () => undefined);
  const job = new Job({
    id: 1,
    prompt: [1 as Token],
    maxTokens: 100,
    sampling: { temperature: 1, topP: 1, seed: 1 },
    stop,
    stream,
    detokenize: (tokens) => Buffer.from(tokens.map(Number).filter((t) => t < 256)).toString("utf8"),
    isEndToken: (t) => t === END,
    grammar: { from: "trigger", state: grammar, triggerText: "<tool_call>", triggerToken: TAG as Token },
  });
  return { job, stream };
}

const feed = (job: Job, text: string) => {
  for (const b of Buffer.from(text, "utf8")) job.acceptToken(b as Token);
};

async function drain(stream: GenerationStream): Promise<GenerationDelta[]> {
  const out: GenerationDelta[] = [];
  for await (const d of stream) out.push(d);
  return out;
}

test("free text until the tag, split across tokens; then the grammar is on and text is the call", async () => {
  const { job, stream } = autoJob();
  assert.equal(job.constrained, true);
  feed(job, "Let me check. <tool_");
  assert.equal(job.activeGrammar, undefined);
  feed(job, 'call>\n{"name": "f"}');
  assert.equal(job.activeGrammar, grammar);
  job.acceptToken(END as Token);
  const deltas = await drain(stream);
  assert.equal(deltas.filter((d) => !d.toolCall).map((d) => d.text).join(""), "Let me check. ");
  assert.equal(deltas.filter((d) => d.toolCall).map((d) => d.text).join(""), '\n{"name": "f"}');
  assert.equal((await stream.result).finishReason, "stop");
});

test("the tag as one special token opens the call too", async () => {
  const { job, stream } = autoJob();
  feed(job, "a");
  job.acceptToken(TAG as Token);
  assert.equal(job.activeGrammar, grammar);
  feed(job, "{}");
  job.acceptToken(END as Token);
  const deltas = await drain(stream);
  assert.deepEqual(deltas.map((d) => [d.text, d.toolCall === true]), [["a", false], ["{}", true]]);
});

test("without the tag the text stays content, and a partial tag is released at the end", async () => {
  const { job, stream } = autoJob();
  feed(job, "plain <tool");
  job.acceptToken(END as Token);
  const deltas = await drain(stream);
  assert.equal(deltas.map((d) => d.text).join(""), "plain <tool");
  assert.ok(deltas.every((d) => !d.toolCall));
  assert.equal(job.activeGrammar, undefined);
});

test("a stop string before the tag still ends the generation", async () => {
  const { job, stream } = autoJob(["STOP"]);
  feed(job, "xSTOP<tool_call>");
  assert.equal(job.activeGrammar, undefined);
  const deltas = await drain(stream);
  assert.equal(deltas.map((d) => d.text).join(""), "x");
});
