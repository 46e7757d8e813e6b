/**
 * The engine-facing form of any API family's request: what to generate from (a conversation, or a
 * raw prompt for legacy completions) and the resolved sampling options. Each family normalizes its
 * own request body to one of these; the provider's renderer turns the generation back into the
 * family's wire format.
 */
export interface GenerationParams {
  model: string;
  stream: boolean;
  maxTokens: number;
  /** False when the client sent no limit: the provider may then fit maxTokens to its context. */
  maxTokensExplicit: boolean;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  stop: string[];
}

export interface PromptMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What the model reads: a conversation rendered with its chat template, or raw text. */
export type PromptInput = { messages: PromptMessage[] } | { prompt: string };
