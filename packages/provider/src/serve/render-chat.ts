import { randomBytes } from "node:crypto";
import { ChatStreamEncoder, chatCompletionBody, chatUsage, type ChatParams } from "@darkbloom/protocol";
import type { GenerationResult } from "../engine/index.js";
import type { ChatEngine, ResponseSink } from "./types.js";

/** Generates one chat completion and writes it to `sink` in OpenAI's own wire format. */
export async function renderChat(
  engine: ChatEngine,
  params: ChatParams,
  sink: ResponseSink,
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<GenerationResult> {
  const meta = {
    id: `chatcmpl-${randomBytes(12).toString("hex")}`,
    model: params.model,
    created: Math.floor(now() / 1000),
  };
  // Without an explicit limit, generate until the context is full (as OpenAI does).
  const maxTokens = params.maxTokensExplicit
    ? params.maxTokens
    : Math.max(1, Math.min(params.maxTokens, engine.maxCompletionTokens(params.messages)));
  const stream = engine.generate({
    messages: params.messages,
    maxTokens,
    stop: params.stop,
    ...(params.temperature !== undefined && { temperature: params.temperature }),
    ...(params.topP !== undefined && { topP: params.topP }),
    ...(params.seed !== undefined && { seed: params.seed }),
    ...(signal && { signal }),
  });
  if (params.stream) {
    const enc = new ChatStreamEncoder({ ...meta, includeUsage: params.includeUsage });
    sink.write(enc.start(), false, 0);
    for await (const { text, tokens } of stream) if (text.length > 0) sink.write(enc.delta(text), false, tokens);
    const result = await stream.result;
    const { promptTokens, completionTokens } = result.usage;
    sink.write(enc.finish(result.finishReason, chatUsage(promptTokens, completionTokens)), true, completionTokens);
    return result;
  }
  let content = "";
  for await (const { text } of stream) content += text;
  const result = await stream.result;
  const { promptTokens, completionTokens } = result.usage;
  sink.write(chatCompletionBody(meta, content, result.finishReason, chatUsage(promptTokens, completionTokens)), true, completionTokens);
  return result;
}
