import type { FinishReason } from "../../frames/common.js";
import { sseEvent } from "../common/sse.js";
import type { ResponsesParams } from "./request.js";

/**
 * Encoders for the OpenAI Responses API: the `response` object and its streaming events, in the
 * shape and field order of OpenAI's API reference. A generation cut by max_output_tokens ends as
 * OpenAI's does: status "incomplete" (`response.incomplete` when streaming).
 */

export interface ResponsesMeta {
  id: string;
  /** The output message item's id. */
  messageId: string;
  model: string;
  createdAt: number;
  echo: ResponsesParams["echo"];
}

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export function responsesUsage(inputTokens: number, outputTokens: number): ResponsesUsage {
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
}

type Status = "in_progress" | "completed" | "incomplete";

const textPart = (text: string) => ({ type: "output_text", text, annotations: [] });

function messageItem(meta: ResponsesMeta, status: Status, text: string | null) {
  return { id: meta.messageId, type: "message", status, role: "assistant", content: text === null ? [] : [textPart(text)] };
}

function responseObject(meta: ResponsesMeta, status: Status, output: unknown[], usage: ResponsesUsage | null) {
  return {
    id: meta.id,
    object: "response",
    created_at: meta.createdAt,
    status,
    error: null,
    incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
    instructions: meta.echo.instructions,
    max_output_tokens: meta.echo.maxOutputTokens,
    model: meta.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: meta.echo.store,
    temperature: meta.echo.temperature,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: meta.echo.topP,
    truncation: "disabled",
    usage,
    user: meta.echo.user,
    metadata: meta.echo.metadata,
  };
}

const finalStatus = (reason: FinishReason): Status => (reason === "length" ? "incomplete" : "completed");

/** The single JSON body of a non-streaming response. */
export function responseBody(meta: ResponsesMeta, text: string, reason: FinishReason, usage: ResponsesUsage): string {
  const status = finalStatus(reason);
  return JSON.stringify(responseObject(meta, status, [messageItem(meta, status, text)], usage));
}

/** Streams one response's events; `sequence_number` counts every event from 0. */
export class ResponsesStreamEncoder {
  private seq = 0;
  private text = "";

  constructor(private readonly meta: ResponsesMeta) {}

  private event(type: string, fields: Record<string, unknown>): string {
    return sseEvent(type, JSON.stringify({ type, ...fields, sequence_number: this.seq++ }));
  }

  private at() {
    return { item_id: this.meta.messageId, output_index: 0, content_index: 0 };
  }

  /** response.created, response.in_progress, the message item and its empty text part. */
  start(): string {
    const inProgress = responseObject(this.meta, "in_progress", [], null);
    return (
      this.event("response.created", { response: inProgress }) +
      this.event("response.in_progress", { response: inProgress }) +
      this.event("response.output_item.added", { output_index: 0, item: messageItem(this.meta, "in_progress", null) }) +
      this.event("response.content_part.added", { ...this.at(), part: textPart("") })
    );
  }

  delta(text: string): string {
    this.text += text;
    return this.event("response.output_text.delta", { ...this.at(), delta: text });
  }

  /** Closes the text part and the item, then response.completed (or .incomplete) with usage. */
  finish(reason: FinishReason, usage: ResponsesUsage): string {
    const status = finalStatus(reason);
    const item = messageItem(this.meta, status, this.text);
    return (
      this.event("response.output_text.done", { ...this.at(), text: this.text }) +
      this.event("response.content_part.done", { ...this.at(), part: textPart(this.text) }) +
      this.event("response.output_item.done", { output_index: 0, item }) +
      this.event(status === "completed" ? "response.completed" : "response.incomplete", {
        response: responseObject(this.meta, status, [item], usage),
      })
    );
  }
}
