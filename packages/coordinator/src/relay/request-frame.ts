import type { InferenceRequestFrame, SealedRequest } from "@darkbloom/protocol";
import type { LiveProvider } from "../registry/index.js";
import { firstChunkDeadlineMs } from "./deadlines.js";
import type { DispatchPlan } from "./types.js";

/** The `inference_request` frame for one dispatch of `plan`. */
export function requestFrame(plan: DispatchPlan, sealed: SealedRequest): InferenceRequestFrame {
  return {
    type: "inference_request",
    request_id: plan.requestId,
    api: plan.api,
    model: plan.model,
    stream: plan.stream,
    max_tokens: plan.maxTokens,
    input_tokens_estimate: plan.inputTokensEstimate,
    sealed,
  };
}

/** When the first chunk from `p` is due after dispatch (its slot's observed speeds), or undefined. */
export function firstChunkDeadlineFor(plan: DispatchPlan, p: LiveProvider, baseMs: number | undefined): number | undefined {
  const slot = p.slots.get(plan.model);
  return firstChunkDeadlineMs({
    inputTokens: plan.inputTokensEstimate,
    maxTokens: plan.maxTokens,
    stream: plan.stream,
    prefillTps: slot?.observed_prefill_tps,
    decodeTps: slot?.observed_decode_tps,
    ...(baseMs !== undefined && { baseMs }),
  });
}
