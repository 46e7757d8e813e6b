import type { ProviderModel } from "@darkbloom/protocol";
import type { ChatMessage, EngineCapacity, GenerateRequest, Generation, ToolsRequest } from "../engine/index.js";

/** What the serving layer needs from an inference engine (engine/ implements it). */
export interface ChatEngine {
  readonly modelId: string;
  generate(req: GenerateRequest): Generation;
  /** The largest completion that fits the context after this conversation's prompt (with its tools). */
  maxCompletionTokens(messages: ChatMessage[], tools?: ToolsRequest): number;
}

/**
 * Receives the encoded response bytes (OpenAI SSE events or a JSON body) in order, each with the
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
