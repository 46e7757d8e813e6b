import type { ErrorCode, InferenceCompleteFrame } from "@darkbloom/protocol";
import type { CompletionSample, Outcome } from "../registry/index.js";
import type { DeadlineKind } from "./deadlines.js";

/**
 * How a provider's `inference_error` counts for its health: `overloaded` is a capacity rejection
 * (capacity cooldown, not an error); a refused bad request or a cancel is nobody's fault.
 */
export function outcomeOfProviderError(code: ErrorCode): Outcome | undefined {
  switch (code) {
    case "overloaded":
      return "capacity_rejected";
    case "bad_request":
    case "cancelled":
      return undefined;
    default:
      return "error";
  }
}

/** A missed first-token or idle deadline is the provider's failure; the request's own length limit is not. */
export function outcomeOfDeadline(kind: DeadlineKind): Outcome | undefined {
  return kind === "max_duration" ? undefined : "error";
}

/** The relay's timing of one completed request, for the registry's speed EWMAs. */
export function completionSample(frame: InferenceCompleteFrame, dispatchedAt: number, firstChunkAt: number | undefined, now: number): CompletionSample {
  const base = { promptTokens: frame.usage.prompt_tokens, completionTokens: frame.usage.completion_tokens };
  if (firstChunkAt === undefined) return { ...base, decodeMs: now - dispatchedAt };
  return { ...base, ttftMs: firstChunkAt - dispatchedAt, decodeMs: now - firstChunkAt };
}
