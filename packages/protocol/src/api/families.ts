import type { ApiKind } from "../frames/common.js";
import { parseChatRequest, type ChatParams } from "./openai/chat-request.js";
import { chatStreamError } from "./openai/chat-encode.js";
import { openAIError, openAIErrorType } from "./openai/errors.js";
import { parseCompletionRequest, type CompletionParams } from "./completions/request.js";
import { parseResponsesRequest, type ResponsesParams } from "./responses/request.js";
import { parseCountTokensRequest, parseMessagesRequest, type CountTokensParams, type MessagesParams } from "./anthropic/request.js";
import { anthropicError, anthropicStreamError } from "./anthropic/errors.js";

/**
 * The API families Darkbloom serves, keyed by ApiKind: where each lives (under /v1), how its
 * request is parsed (the same code on the coordinator in coordinator-sealed mode and on the
 * provider), and the shape of its errors.
 */

/** Path of each family under the API root (`/v1`). */
export const API_PATHS: Readonly<Record<ApiKind, string>> = {
  "chat.completions": "/chat/completions",
  completions: "/completions",
  responses: "/responses",
  messages: "/messages",
  "messages.count_tokens": "/messages/count_tokens",
};

export type ParsedApiRequest =
  | { api: "chat.completions"; params: ChatParams }
  | { api: "completions"; params: CompletionParams }
  | { api: "responses"; params: ResponsesParams }
  | { api: "messages"; params: MessagesParams }
  | { api: "messages.count_tokens"; params: CountTokensParams };

/** Parses an untrusted JSON value as a request of `api`; throws ChatRequestError naming the field. */
export function parseApiRequest(api: ApiKind, body: unknown): ParsedApiRequest {
  switch (api) {
    case "chat.completions":
      return { api, params: parseChatRequest(body) };
    case "completions":
      return { api, params: parseCompletionRequest(body) };
    case "responses":
      return { api, params: parseResponsesRequest(body) };
    case "messages":
      return { api, params: parseMessagesRequest(body) };
    case "messages.count_tokens":
      return { api, params: parseCountTokensRequest(body) };
  }
}

/** What the coordinator routes and reserves on. A count_tokens request generates nothing (1 is the frame's minimum). */
export interface RoutingFacts {
  model: string;
  stream: boolean;
  maxTokens: number;
  /** The client set a completion limit (else the reservation may use the model's context). */
  maxTokensExplicit: boolean;
}

export function routingFacts(req: ParsedApiRequest): RoutingFacts {
  if (req.api === "messages.count_tokens") return { model: req.params.model, stream: false, maxTokens: 1, maxTokensExplicit: true };
  const { model, stream, maxTokens, maxTokensExplicit } = req.params;
  return { model, stream, maxTokens, maxTokensExplicit };
}

/**
 * The client's completion-token limit as its family spells it, for the clear metadata of an e2e
 * request (undefined when absent or not a positive integer).
 */
export function clientMaxTokens(api: ApiKind, body: Record<string, unknown>): number | undefined {
  const v =
    api === "chat.completions"
      ? (body.max_completion_tokens ?? body.max_tokens)
      : api === "responses"
        ? body.max_output_tokens
        : api === "messages.count_tokens"
          ? 1
          : body.max_tokens;
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** Whether the request asks for a stream (count_tokens never does). */
export function clientStream(api: ApiKind, body: Record<string, unknown>): boolean {
  return api !== "messages.count_tokens" && body.stream === true;
}

export type ErrorFormat = "openai" | "anthropic";

export function errorFormatOf(api: ApiKind): ErrorFormat {
  return api === "messages" || api === "messages.count_tokens" ? "anthropic" : "openai";
}

/** An error response body in the family's shape. */
export function errorBody(format: ErrorFormat, status: number, message: string, code: string | null = null, param: string | null = null): string {
  return JSON.stringify(format === "anthropic" ? anthropicError(status, message) : openAIError(status, message, code, param));
}

/** An error sent inside an already-started stream, in the family's shape. */
export function streamErrorEvent(format: ErrorFormat, status: number, message: string, code: string | null = null): string {
  return format === "anthropic" ? anthropicStreamError(status, message) : chatStreamError(message, openAIErrorType(status), code);
}
