import { randomBytes } from "node:crypto";
import { MessagesStreamEncoder, countTokensBody, messageBody, type CountTokensParams, type MessagesParams } from "@darkbloom/protocol";
import type { GenerationResult } from "../engine/index.js";
import { renderGeneration } from "./render.js";
import type { ChatEngine, ResponseSink } from "./types.js";

/** A base58-ish id like Anthropic's `msg_01…` (hex here: clients treat it as opaque). */
const messageId = () => `msg_${randomBytes(16).toString("hex")}`;
const end = (r: GenerationResult) => ({ reason: r.finishReason, stopSequence: r.stopSequence ?? null });

/** Generates one Anthropic message in Anthropic's wire format. */
export function renderMessage(engine: ChatEngine, params: MessagesParams, sink: ResponseSink, signal?: AbortSignal): Promise<GenerationResult> {
  const meta = { id: messageId(), model: params.model };
  const stream = new MessagesStreamEncoder(meta);
  return renderGeneration(
    engine,
    { messages: params.messages },
    params,
    {
      start: (promptTokens) => stream.start(promptTokens),
      delta: (text) => stream.delta(text),
      finish: (r) => stream.finish(end(r), r.usage.completionTokens),
      body: (text, r) => messageBody(meta, text, end(r), { input_tokens: r.usage.promptTokens, output_tokens: r.usage.completionTokens }),
    },
    sink,
    signal,
  );
}

/**
 * `count_tokens`: the exact prompt length as a generation of the same messages would evaluate it.
 * Nothing is generated, and the reported usage is zero (counting is free, as Anthropic's is).
 */
export function renderCountTokens(engine: ChatEngine, params: CountTokensParams, sink: ResponseSink): GenerationResult {
  sink.write(countTokensBody(engine.promptTokens({ messages: params.messages })), true, 0);
  return { finishReason: "stop", usage: { promptTokens: 0, completionTokens: 0 }, timings: { queueMs: 0, ttftMs: undefined, totalMs: 0 } };
}
