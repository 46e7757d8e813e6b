import { randomBytes } from "node:crypto";
import { ChatStreamEncoder, chatCompletionBody, chatUsage, type ChatParams } from "@darkbloom/protocol";
import type { GenerationResult } from "../engine/index.js";
import { renderGeneration } from "./render.js";
import type { ChatEngine, ResponseSink } from "./types.js";

/** Generates one chat completion and writes it to `sink` in OpenAI's own wire format. */
export function renderChat(
  engine: ChatEngine,
  params: ChatParams,
  sink: ResponseSink,
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<GenerationResult> {
  const meta = { id: `chatcmpl-${randomBytes(12).toString("hex")}`, model: params.model, created: Math.floor(now() / 1000) };
  const stream = new ChatStreamEncoder({ ...meta, includeUsage: params.includeUsage });
  const usage = (r: GenerationResult) => chatUsage(r.usage.promptTokens, r.usage.completionTokens);
  return renderGeneration(
    engine,
    { messages: params.messages },
    params,
    {
      start: () => stream.start(),
      delta: (text) => stream.delta(text),
      finish: (r) => stream.finish(r.finishReason, usage(r)),
      body: (text, r) => chatCompletionBody(meta, text, r.finishReason, usage(r)),
    },
    sink,
    signal,
  );
}
