import type { FinishReason, ProviderModel } from "@darkbloom/protocol";
import type { EngineCapacity } from "../engine/index.js";

/** What the serving layer needs from an inference engine (engine/ implements it). */
export interface GenerateRequest {
  messages: { role: "system" | "user" | "assistant"; content: string }[];
  maxTokens: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
  signal?: AbortSignal;
}

export interface GenerateResult {
  finishReason: Exclude<FinishReason, "error">;
  usage: { promptTokens: number; completionTokens: number };
}

export interface GenerateStream extends AsyncIterable<{ text: string }> {
  readonly result: Promise<GenerateResult>;
}

export interface ChatEngine {
  readonly modelId: string;
  generate(req: GenerateRequest): GenerateStream;
  /** The largest completion that fits the context after this conversation's prompt. */
  maxCompletionTokens(messages: GenerateRequest["messages"]): number;
}

/** Receives the encoded response bytes (OpenAI SSE events or a JSON body) in order. */
export interface ResponseSink {
  write(text: string, final: boolean): void;
}

/** An engine as the provider process hosts it: generation, capacity and its registration entry. */
export interface HostedEngine extends ChatEngine {
  capacity(): EngineCapacity;
  describe(): ProviderModel;
  close(): Promise<void>;
}
