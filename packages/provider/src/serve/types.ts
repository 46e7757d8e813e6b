import type { ProviderModel } from "@darkbloom/protocol";
import type { EngineCapacity, GenerateRequest, Generation, PromptSource, ToolsRequest } from "../engine/index.js";

/** What the serving layer needs from an inference engine (engine/ implements it). */
export interface ChatEngine {
  readonly modelId: string;
  generate(req: GenerateRequest): Generation;
  /** The largest completion that fits the context after this prompt (with its tools). */
  maxCompletionTokens(source: PromptSource, tools?: ToolsRequest): number;
  /** Tokens of the prompt as generate() would render it (chat template and tools applied to messages). */
  promptTokens(source: PromptSource, tools?: ToolsRequest): number;
}

/**
 * Receives the encoded response bytes (the API family's SSE events or its JSON body) in order, each with the
 * running count of completion tokens whose text it carries (what the coordinator bills if the
 * stream is cut short).
 */
export interface ResponseSink {
  write(text: string, final: boolean, tokens: number): void;
}

/** An engine as the provider process hosts it: generation, capacity and its registration entry. */
export interface HostedEngine extends ChatEngine {
  capacity(): EngineCapacity;
  describe(): ProviderModel;
  close(): Promise<void>;
}
