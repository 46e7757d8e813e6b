import { randomBytes } from "node:crypto";
import { CompletionStreamEncoder, chatUsage, completionBody, type CompletionParams } from "@darkbloom/protocol";
import type { GenerationResult } from "../engine/index.js";
import { renderGeneration } from "./render.js";
import type { ChatEngine, ResponseSink } from "./types.js";

/** Generates one legacy text completion (raw prompt, no chat template) in OpenAI's wire format. */
export function renderCompletion(
  engine: ChatEngine,
  params: CompletionParams,
  sink: ResponseSink,
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<GenerationResult> {
  const meta = { id: `cmpl-${randomBytes(12).toString("hex")}`, model: params.model, created: Math.floor(now() / 1000) };
  const stream = new CompletionStreamEncoder({ ...meta, includeUsage: params.includeUsage });
  const usage = (r: GenerationResult) => chatUsage(r.usage.promptTokens, r.usage.completionTokens);
  return renderGeneration(
    engine,
    { prompt: params.prompt },
    params,
    {
      start: () => "",
      delta: (text) => stream.delta(text),
      finish: (r) => stream.finish(r.finishReason, usage(r)),
      body: (text, r) => completionBody(meta, text, r.finishReason, usage(r)),
    },
    sink,
    signal,
  );
}
