import type { ErrorCode, InferenceErrorFrame } from "@darkbloom/protocol";

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
