import type { FinishReason } from "../../frames/common.js";

/**
 * Encoders for OpenAI chat completion wire formats. The provider renders these inside the sealed
 * stream; `darkbloom local` writes them straight to its HTTP response. Output is byte-for-byte the
 * shape OpenAI's own API emits (field order included) so official clients parse it unchanged.
 */

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type OpenAIFinishReason = "stop" | "length" | "tool_calls";

/** An engine finish reason, or "tool_calls" when the model ended its turn with complete tool calls. */
export type ChatFinishReason = FinishReason | "tool_calls";

export function toOpenAIFinishReason(reason: ChatFinishReason): OpenAIFinishReason {
  return reason === "length" ? "length" : reason === "tool_calls" ? "tool_calls" : "stop";
}

/** A tool call in a response (`arguments` is a JSON string, possibly cut short by max_tokens). */
export interface ChatResponseToolCall {
  id: string;
  name: string;
  arguments: string;
}

export function chatUsage(promptTokens: number, completionTokens: number): ChatUsage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

export interface ChatStreamMeta {
  id: string;
  model: string;
  created: number;
  includeUsage: boolean;
}

const sse = (data: string): string => `data: ${data}\n\n`;

/** Streams `chat.completion.chunk` SSE events for one completion. */
export class ChatStreamEncoder {
  private readonly prefix: string;

  constructor(private readonly meta: ChatStreamMeta) {
    this.prefix = `{"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)},"system_fingerprint":null,"choices":`;
  }

  /** The first event: the assistant role with empty content. */
  start(): string {
    return sse(`${this.prefix}[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`);
  }

  delta(text: string): string {
    return sse(`${this.prefix}[{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]}`);
  }

  /** Opens tool call `index`: its id, type and function name, with empty arguments. */
  toolCallStart(index: number, id: string, name: string): string {
    const call = `{"index":${index},"id":${JSON.stringify(id)},"type":"function","function":{"name":${JSON.stringify(name)},"arguments":""}}`;
    return sse(`${this.prefix}[{"index":0,"delta":{"tool_calls":[${call}]},"logprobs":null,"finish_reason":null}]}`);
  }

  /** A piece of tool call `index`'s arguments string. */
  toolCallArguments(index: number, text: string): string {
    const call = `{"index":${index},"function":{"arguments":${JSON.stringify(text)}}}`;
    return sse(`${this.prefix}[{"index":0,"delta":{"tool_calls":[${call}]},"logprobs":null,"finish_reason":null}]}`);
  }

  /** The closing events: finish reason, the usage chunk when asked for, then `[DONE]`. */
  finish(reason: ChatFinishReason, usage: ChatUsage): string {
    let out = sse(
      `${this.prefix}[{"index":0,"delta":{},"logprobs":null,"finish_reason":"${toOpenAIFinishReason(reason)}"}]}`,
    );
    if (this.meta.includeUsage) out += sse(`${this.prefix}[],"usage":${JSON.stringify(usage)}}`);
    return out + sse("[DONE]");
  }
}

/** The single JSON body of a non-streaming chat completion. */
export function chatCompletionBody(
  meta: Omit<ChatStreamMeta, "includeUsage">,
  content: string,
  reason: ChatFinishReason,
  usage: ChatUsage,
  toolCalls: readonly ChatResponseToolCall[] = [],
): string {
  const message =
    toolCalls.length === 0
      ? { role: "assistant", content, refusal: null }
      : {
          role: "assistant",
          content: content.length > 0 ? content : null,
          tool_calls: toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })),
          refusal: null,
        };
  return JSON.stringify({
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: toOpenAIFinishReason(reason),
      },
    ],
    usage,
  });
}

/** A mid-stream error event in the shape the openai client raises as APIError. */
export function chatStreamError(message: string, type = "api_error", code: string | null = null): string {
  return sse(JSON.stringify({ error: { message, type, code, param: null } }));
}
