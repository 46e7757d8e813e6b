import type { Hardware, SlotCapacity } from "@darkbloom/protocol";

/**
 * Advertised capacity is a claim, and the least-loaded pick divides by it: a provider advertising
 * `max_concurrency: 1e6` looks idle however many requests it holds. Until hardware attestation
 * and observed throughput can back a claim, the registry caps it by what a machine can hold:
 *
 * - at most MAX_SLOT_CONCURRENCY sequences per slot: the provider CLI's own `--parallel` ceiling;
 *   batched decoding on one machine gains nothing beyond that, so a larger number is a lie;
 * - the slot's token budget is at most MAX_SLOT_CONCURRENCY × the model's registered context
 *   length (llama.cpp gives each sequence its share of one context; no slot holds more than its
 *   sequences' contexts);
 * - concurrency is at most budget / MIN_REQUEST_TOKENS: every running request keeps at least a
 *   short prompt plus a short answer in the KV cache, so a slot cannot run more requests at once
 *   than its budget holds of the smallest useful one. An honest engine (context 4096 × parallel 4
 *   = 16,384 tokens) is unaffected; a zero budget counts as one request at a time.
 */
export const MAX_SLOT_CONCURRENCY = 64;
export const MIN_REQUEST_TOKENS = 256;

/**
 * RAM tiers (the register frame's `hardware.memory_gb`): the most sequences a machine of that size
 * decodes at once with any benefit. Weights, activations and every sequence's KV share that RAM;
 * past these counts a smaller machine swaps or thrashes long before a larger claim helps. Unknown
 * (0 or absent) memory falls back to MAX_SLOT_CONCURRENCY. A lie upwards gains nothing over the
 * other caps; the tier only ever lowers the cap.
 */
export const RAM_TIERS: readonly { readonly maxGb: number; readonly concurrency: number }[] = [
  { maxGb: 8, concurrency: 4 },
  { maxGb: 16, concurrency: 8 },
  { maxGb: 32, concurrency: 16 },
  { maxGb: 64, concurrency: 32 },
];

/** The concurrency ceiling for a machine with this much RAM. */
export function ramTierConcurrency(hardware: Hardware | undefined): number {
  const gb = hardware?.memory_gb ?? 0;
  if (!(gb > 0)) return MAX_SLOT_CONCURRENCY;
  return RAM_TIERS.find((t) => gb <= t.maxGb)?.concurrency ?? MAX_SLOT_CONCURRENCY;
}

/**
 * The slot as the coordinator believes it (capped); `contextLength` is the registered model's,
 * `hardware` the registered machine's (RAM tier).
 */
export function capSlot(slot: SlotCapacity, contextLength: number, hardware?: Hardware): SlotCapacity {
  const budgetMax = Math.min(slot.active_token_budget_max, MAX_SLOT_CONCURRENCY * contextLength);
  const ceiling = Math.min(MAX_SLOT_CONCURRENCY, ramTierConcurrency(hardware));
  const maxConcurrency = Math.max(1, Math.min(slot.max_concurrency, ceiling, Math.floor(budgetMax / MIN_REQUEST_TOKENS)));
  return {
    ...slot,
    max_concurrency: maxConcurrency,
    active_token_budget_max: budgetMax,
    active_token_budget_used: Math.min(slot.active_token_budget_used, budgetMax),
  };
}
