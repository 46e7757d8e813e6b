import type { ModelCapacity } from "@darkbloom/protocol";
import type { LiveProvider } from "../registry/index.js";
import type { Admission } from "./admission.js";

/** The short prompt `estimated_ttft_ms` assumes (tokens). */
export const NOMINAL_PROMPT_TOKENS = 256;
/** SPEC cost-function state penalties: loading a cold model, waking an idle_shutdown one. */
const COLD_PENALTY_MS = 30_000;
const IDLE_SHUTDOWN_PENALTY_MS = 20_000;

type SlotKind = "warm" | "running" | "cold";

function kindOf(p: LiveProvider, model: string): SlotKind {
  const slot = p.slots.get(model);
  if (!slot || slot.state === "idle_shutdown") return "cold";
  return slot.state === "running" ? "running" : "warm";
}

/** Time to first token of a short prompt on `p` alone: state penalty plus prefill (ms). */
function ttftOn(p: LiveProvider, model: string): number {
  const slot = p.slots.get(model);
  const penalty = !slot ? COLD_PENALTY_MS : slot.state === "idle_shutdown" ? IDLE_SHUTDOWN_PENALTY_MS : 0;
  const tps = slot?.observed_prefill_tps ?? 0;
  return penalty + (tps > 0 ? (NOMINAL_PROMPT_TOKENS * 1000) / tps : 0);
}

/**
 * One model's capacity as admission sees it: routable providers by slot state, token budget left
 * (heartbeats adjusted by the coordinator's own dispatches), requests active and queued, and the
 * expected first-token time of a short request sent now (queue wait included; null while unknown).
 */
export function modelCapacity(admission: Admission, model: string): ModelCapacity {
  const cands = admission.candidates({ model });
  const counts = { warm: 0, running: 0, cold: 0 };
  let tps = 0;
  let reportedRunning = 0;
  let total = 0;
  let remaining = 0;
  let bestTtft = Infinity;
  let bestFreeTtft = Infinity;
  const nominal = { model, inputTokensEstimate: NOMINAL_PROMPT_TOKENS, maxTokens: 1 };
  for (const p of cands) {
    counts[kindOf(p, model)]++;
    const slot = p.slots.get(model);
    tps += slot?.observed_decode_tps ?? 0;
    reportedRunning += slot?.num_running ?? 0;
    const load = admission.load(p, model);
    total += load.tokensMax;
    remaining += Math.max(0, load.tokensMax - load.tokensUsed);
    const t = ttftOn(p, model);
    bestTtft = Math.min(bestTtft, t);
    if (admission.fits(p, nominal)) bestFreeTtft = Math.min(bestFreeTtft, t);
  }
  const queued = admission.queueDepth(model);
  let ttft: number | null = null;
  if (queued === 0 && Number.isFinite(bestFreeTtft)) ttft = Math.round(bestFreeTtft);
  else if (Number.isFinite(bestTtft)) {
    const wait = admission.estimatedWaitMs(model, cands);
    ttft = wait === undefined ? null : Math.round(wait + bestTtft);
  }
  return {
    id: model,
    ready: counts.warm + counts.running > 0,
    can_accept: cands.length > 0 && admission.precheck(nominal) === undefined,
    routable_providers: cands.length,
    warm_providers: counts.warm,
    running_providers: counts.running,
    cold_providers: counts.cold,
    active_requests: Math.max(admission.active(model), reportedRunning),
    queued_requests: queued,
    queue_limit: admission.limits.queueDepth,
    aggregate_tps: Math.round(tps * 10) / 10,
    estimated_ttft_ms: ttft,
    token_budget_remaining: remaining,
    token_budget_total: total,
  };
}
