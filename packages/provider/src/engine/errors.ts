// Engine error classes. `code` is stable and meant for mapping to API errors.

export type EngineErrorCode =
  | "queue_full"
  | "context_length_exceeded"
  | "invalid_request"
  | "engine_closed"
  | "template_error"
  | "tools_unsupported"
  | "generation_failed";

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EngineError";
    this.code = code;
  }
}

export class EngineQueueFullError extends EngineError {
  constructor(readonly queueLimit: number) {
    super("queue_full", `engine queue is full (limit: ${queueLimit} waiting requests); retry later`);
    this.name = "EngineQueueFullError";
  }
}

export class PromptTooLongError extends EngineError {
  constructor(
    readonly promptTokens: number,
    readonly maxTokens: number,
    readonly contextSize: number,
  ) {
    super(
      "context_length_exceeded",
      `prompt (${promptTokens} tokens) + max_tokens (${maxTokens}) exceeds the context size (${contextSize} tokens)`,
    );
    this.name = "PromptTooLongError";
  }
}

export class EngineClosedError extends EngineError {
  constructor() {
    super("engine_closed", "engine is closed");
    this.name = "EngineClosedError";
  }
}

export function invalidRequest(message: string): EngineError {
  return new EngineError("invalid_request", message);
}
