import type { ErrorCode, InferenceErrorFrame } from "@darkbloom/protocol";
import type { LiveProvider } from "../registry/index.js";
import type { RelayFailure } from "./types.js";

/** Codes after which another provider may succeed (before the first chunk only). */
const FAILOVER_CODES: ReadonlySet<ErrorCode> = new Set(["overloaded", "decrypt_failed", "model_not_found", "engine_error", "internal"]);

export function canFailOver(frame: InferenceErrorFrame): boolean {
  return frame.retryable || FAILOVER_CODES.has(frame.code);
}

/** HTTP status and OpenAI code for a provider's final error. */
export function statusForProviderError(code: ErrorCode): { status: number; code: string } {
  switch (code) {
    case "bad_request":
      return { status: 400, code: "invalid_request" };
    case "overloaded":
      return { status: 503, code: "overloaded" };
    case "model_not_found":
      return { status: 503, code: "no_provider" };
    case "cancelled":
      return { status: 499, code: "cancelled" };
    default:
      return { status: 502, code: "provider_error" };
  }
}

/** The request's failure when `p` answered `frame` (a bad request keeps its message and param). */
export function failureOfProviderError(frame: InferenceErrorFrame, p: LiveProvider, cancelled: boolean): RelayFailure {
  const badRequest = frame.code === "bad_request";
  return {
    ...statusForProviderError(frame.code),
    message: badRequest ? frame.message.slice(0, 500) : `The provider failed: ${frame.code}.`,
    param: badRequest ? (frame.param ?? null) : null,
    usage: frame.usage ?? null,
    provider: p,
    cancelled,
  };
}
