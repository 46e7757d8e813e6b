import type { FinishReason } from "../../frames/common.js";
import { sseEvent } from "../common/sse.js";

/**
 * Encoders for Anthropic Messages: the `message` body and its stream events, in the shape and
 * field order of Anthropic's API (compact JSON, as the API sends it).
 */

export interface MessagesMeta {
  id: string;
  model: string;
}

export type AnthropicStopReason = "end_turn" | "max_tokens" | "stop_sequence";

export interface MessagesEnd {
  reason: FinishReason;
  /** The stop sequence that ended the text, if one did. */
  stopSequence: string | null;
}

export function anthropicStopReason(end: MessagesEnd): AnthropicStopReason {
  if (end.reason === "length") return "max_tokens";
  return end.stopSequence !== null ? "stop_sequence" : "end_turn";
}

export interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
}

/** The single JSON body of a non-streaming message. */
export function messageBody(meta: MessagesMeta, text: string, end: MessagesEnd, usage: MessagesUsage): string {
  return JSON.stringify({
    id: meta.id,
    type: "message",
    role: "assistant",
    model: meta.model,
    content: [{ type: "text", text }],
    stop_reason: anthropicStopReason(end),
    stop_sequence: anthropicStopReason(end) === "stop_sequence" ? end.stopSequence : null,
    usage,
  });
}

const event = (type: string, rest: string): string => sseEvent(type, `{"type":${JSON.stringify(type)}${rest}}`);

export class MessagesStreamEncoder {
  constructor(private readonly meta: MessagesMeta) {}

  /** message_start (with the prompt's token count), the text block's start, and a ping. */
  start(inputTokens: number): string {
    const message = {
      id: this.meta.id,
      type: "message",
      role: "assistant",
      model: this.meta.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 0 },
    };
    return (
      event("message_start", `,"message":${JSON.stringify(message)}`) +
      event("content_block_start", `,"index":0,"content_block":{"type":"text","text":""}`) +
      event("ping", "")
    );
  }

  delta(text: string): string {
    return event("content_block_delta", `,"index":0,"delta":{"type":"text_delta","text":${JSON.stringify(text)}}`);
  }

  /** content_block_stop, message_delta (stop reason and output tokens), message_stop. */
  finish(end: MessagesEnd, outputTokens: number): string {
    const reason = anthropicStopReason(end);
    const stopSequence = reason === "stop_sequence" ? JSON.stringify(end.stopSequence) : "null";
    return (
      event("content_block_stop", `,"index":0`) +
      event("message_delta", `,"delta":{"stop_reason":"${reason}","stop_sequence":${stopSequence}},"usage":{"output_tokens":${outputTokens}}`) +
      event("message_stop", "")
    );
  }
}

/** The body of `POST /v1/messages/count_tokens`. */
export function countTokensBody(inputTokens: number): string {
  return JSON.stringify({ input_tokens: inputTokens });
}
