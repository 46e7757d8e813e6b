// Public types of the inference engine (no I/O here).

export type ChatRole = "system" | "user" | "assistant" | "tool";

export interface ToolCallMessage {
  id: string;
  name: string;
  /** JSON text of the arguments. */
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** An assistant turn's tool calls. */
  toolCalls?: ToolCallMessage[];
  /** A tool result's call id. */
  toolCallId?: string;
}

/**
 * A JSON schema in the subset node-llama-cpp compiles to a grammar (`GbnfJsonSchema`); protocol's
 * `toGrammarSchema` produces it from a client's schema.
 */
export type JsonGrammarSchema = { readonly [key: string]: unknown };

export interface ToolsRequest {
  /** OpenAI tool objects, handed to the chat template's `tools` variable. */
  definitions: readonly Readonly<Record<string, unknown>>[];
  /**
   * "auto": free text; once the model opens a tool call (<tool_call>) the rest is constrained to one
   * call. "required": the call is opened at once. "none": tools are shown, no call is made.
   */
  mode: "auto" | "required" | "none";
  /** Schema of one call: `{"name": …, "arguments": {…}}`. */
  callSchema: JsonGrammarSchema;
  /**
   * "required" with exactly one allowed function: its name is written into the prompt (the call's
   * opening `{"name": "f", "arguments": `) and only the arguments are generated.
   */
  forced?: { name: string; arguments: JsonGrammarSchema };
}

/** What the model reads: a conversation (rendered with its chat template) or raw text. */
export type PromptSource = { messages: ChatMessage[]; prompt?: undefined } | { prompt: string; messages?: undefined };

export type GenerateRequest = PromptSource & GenerateOptions;

export interface GenerateOptions {
  /** Exact upper bound on generated tokens (an integer ≥ 1). */
  maxTokens: number;
  /** 0 → greedy. Default 1. */
  temperature?: number;
  /** Nucleus sampling mass in (0, 1]. Default 1 (disabled). */
  topP?: number;
  /** Keep only the k most likely tokens (≥ 1). Default: the scheduler's wide cut (SAMPLING_TOP_K). */
  topK?: number;
  /** Sampling seed (any integer; reduced mod 2^32). Default: random per request. */
  seed?: number;
  /** Generation stops before the first occurrence of any of these; the stop string is not emitted. */
  stop?: string[];
  /** Aborting ends the generation with finishReason 'abort' and frees its sequence. */
  signal?: AbortSignal;
  /** Constrains the whole completion to JSON matching this schema (a grammar). */
  json?: JsonGrammarSchema;
  /** Tools the model may call (needs a chat template that supports tools). */
  tools?: ToolsRequest;
}

export type FinishReason = "stop" | "length" | "abort";

export interface Usage {
  /** Tokens of the rendered prompt that were evaluated. */
  promptTokens: number;
  /** Tokens sampled (an end-of-generation token counts as sampled). */
  completionTokens: number;
}

export interface GenerationTimings {
  /** ms spent waiting in the engine queue. */
  queueMs: number;
  /** ms from submission to the first generated token (undefined if none was generated). */
  ttftMs: number | undefined;
  /** ms from submission to the end. */
  totalMs: number;
}

export interface GenerationResult {
  finishReason: FinishReason;
  /** The stop string that ended the generation, when one did. */
  stopSequence?: string;
  usage: Usage;
  timings: GenerationTimings;
}

export interface GenerationDelta {
  text: string;
  /** True for the JSON text of a tool call `{"name": …, "arguments": …}` (after the model opened one). */
  toolCall?: boolean;
  /** Completion tokens sampled up to and including this text (a running count). */
  tokens: number;
}

/**
 * A running generation: iterate it for text deltas (UTF-8 safe, stop strings never emitted),
 * and/or await `result`. Leaving the iteration early (break/return) aborts the generation.
 * `result` rejects only on engine errors (never on abort); errors are also thrown by the iterator.
 */
export interface Generation extends AsyncIterable<GenerationDelta> {
  readonly id: number;
  /** Tokens of the rendered prompt (known as soon as generate() returns). */
  readonly promptTokens: number;
  readonly result: Promise<GenerationResult>;
  /** Same as aborting the request's signal. */
  abort(): void;
}

export type EngineState = "idle" | "running";

export interface EngineCapacity {
  model: string;
  state: EngineState;
  numRunning: number;
  numWaiting: number;
  maxConcurrency: number;
  /** Per-stream decode speed (tokens/s one sequence gets while decoding), EWMA; 0 until observed. */
  observedDecodeTps: number;
  /** Aggregate decode throughput over all running sequences (tokens/s), EWMA; 0 until observed. */
  observedAggregateDecodeTps: number;
  /** Prompt evaluation speed (tokens/s), EWMA; 0 until observed. */
  observedPrefillTps: number;
  /** Σ (prompt tokens + max tokens) of running requests. */
  activeTokenBudgetUsed: number;
  /** KV capacity: the context's size per sequence × its sequences, as allocated. */
  activeTokenBudgetMax: number;
  /** Σ (prompt tokens + max tokens) of waiting requests. */
  queuedTokenBudget: number;
  /** Maximum number of waiting requests before submissions are rejected. */
  queueLimit: number;
  /** Tokens one sequence can hold (prompt + completion). */
  contextSize: number;
}

export type GpuOption = "auto" | "metal" | "cuda" | "vulkan" | false;

export interface EngineOptions {
  modelPath: string;
  /** Name reported in capacity(). Default: file name without extension. */
  modelId?: string;
  /** Parallel sequences (continuous-batching slots). Default 4. */
  parallel?: number;
  /** Tokens per sequence; ≤ the model's training context. Default min(train context, 4096). */
  contextSize?: number;
  /** Maximum waiting requests; beyond it generate() throws EngineQueueFullError. Default 10. */
  maxQueue?: number;
  /**
   * While other sequences are decoding, a newcomer's prompt is evaluated in chunks of at most this
   * many tokens per step, so running streams are not stalled for a whole long prompt.
   * Default 128 on CPU, 512 on GPU.
   */
  prefillChunkTokens?: number;
  /** llama.cpp batch size (tokens per llama_decode). Default 512. */
  batchSize?: number;
  /** Compute backend. Default: "auto" on macOS (Metal), false (CPU) elsewhere. */
  gpu?: GpuOption;
  /** CPU threads. Default os.availableParallelism(). */
  threads?: number;
}

export interface RenderedPrompt {
  /** The rendered prompt as text (special tokens shown as their text). */
  text: string;
  /** Tokens that will be evaluated (BOS prepended when the model requires it). */
  tokens: number[];
}
