import type { GenerationParams, PromptInput } from "@darkbloom/protocol";
import type { GenerationResult } from "../engine/index.js";
import type { ChatEngine, ResponseSink } from "./types.js";

/** How one API family writes a generation: stream events, or one body at the end. */
export interface WireEncoder {
  /** The stream's opening events (may be empty); the prompt's token count is known by then. */
  start(promptTokens: number): string;
  delta(text: string): string;
  /** The stream's closing events. */
  finish(result: GenerationResult): string;
  /** The whole non-streaming body. */
  body(text: string, result: GenerationResult): string;
}

/**
 * Runs one generation and writes it through the family's encoder: streamed (each delta with the
 * running completion-token count) or as one final body. Family-independent.
 */
export async function renderGeneration(
  engine: ChatEngine,
  input: PromptInput,
  params: GenerationParams,
  enc: WireEncoder,
  sink: ResponseSink,
  signal?: AbortSignal,
): Promise<GenerationResult> {
  // Without an explicit limit, generate until the context is full (as OpenAI does).
  const maxTokens = params.maxTokensExplicit ? params.maxTokens : Math.max(1, Math.min(params.maxTokens, engine.maxCompletionTokens(input)));
  const stream = engine.generate({
    ...input,
    maxTokens,
    stop: params.stop,
    ...(params.temperature !== undefined && { temperature: params.temperature }),
    ...(params.topP !== undefined && { topP: params.topP }),
    ...(params.topK !== undefined && { topK: params.topK }),
    ...(params.seed !== undefined && { seed: params.seed }),
    ...(signal && { signal }),
  });
  if (params.stream) {
    sink.write(enc.start(stream.promptTokens), false, 0);
    for await (const { text, tokens } of stream) if (text.length > 0) sink.write(enc.delta(text), false, tokens);
    const result = await stream.result;
    sink.write(enc.finish(result), true, result.usage.completionTokens);
    return result;
  }
  let content = "";
  for await (const { text } of stream) content += text;
  const result = await stream.result;
  sink.write(enc.body(content, result), true, result.usage.completionTokens);
  return result;
}
