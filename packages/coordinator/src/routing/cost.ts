import type { CandidateView, RequestShape } from "./types.js";

/** SPEC state penalties: a loaded slot (idle/running) costs nothing, loading one costs this. */
export const COLD_PENALTY_MS = 30_000;
export const IDLE_SHUTDOWN_PENALTY_MS = 20_000;
/** Candidates within this much of the cheapest tie; queue depth then chance decides (SPEC). */
export const TIE_WINDOW_MS = 3_000;
/** Each other sequence in the batch slows this request's decoding by this share. */
export const BATCH_SLOWDOWN = 0.1;
/** Memory pressure above this starts costing, up to MEMORY_PENALTY_MS at 1. */
export const MEMORY_PRESSURE_FREE = 0.75;
export const MEMORY_PENALTY_MS = 10_000;
/** CPU load (1 = every core busy) above this starts costing, up to CPU_PENALTY_MS at +1. */
export const CPU_LOAD_FREE = 0.9;
export const CPU_PENALTY_MS = 5_000;

/** The parts of a candidate's cost, ms (for logs and tests). */
export interface CostBreakdown {
  state: number;
  queue: number;
  pending: number;
  prefill: number;
  decode: number;
  health: number;
  total: number;
}

/** Requests there now: the heartbeat's running + waiting, or this coordinator's own count if higher (heartbeats lag). */
export function queueDepth(c: CandidateView): number {
  const reported = c.slot ? c.slot.num_running + c.slot.num_waiting : 0;
  return Math.max(reported, c.pending);
}

/**
 * SPEC cost: estimated ms until this provider finishes the request.
 * - state: idle/running 0, cold (reporting, model not loaded) 30 s, idle_shutdown 20 s;
 * - prefill = input tokens / prefill tok/s; decode = max_tokens / EWMA decode tok/s;
 * - queue: requests beyond the slot's concurrency must finish first, each taking about this
 *   request's service time shared over the slot's sequences;
 * - pending: sequences already in the batch slow this one's decoding (BATCH_SLOWDOWN each);
 * - health: memory pressure and CPU load from the last heartbeat, when reported.
 */
export function costOf(c: CandidateView, req: RequestShape): CostBreakdown {
  const state = statePenalty(c);
  const prefill = (req.inputTokens * 1000) / c.speed.prefillTps;
  const decode = (req.maxTokens * 1000) / c.speed.decodeTps;
  const maxConcurrency = c.slot?.max_concurrency ?? 1;
  const depth = queueDepth(c);
  const ahead = Math.max(0, depth + 1 - maxConcurrency);
  const queue = (ahead * (prefill + decode)) / maxConcurrency;
  const pending = Math.min(depth, maxConcurrency - 1) * BATCH_SLOWDOWN * decode;
  const health = healthPenalty(c);
  return { state, queue, pending, prefill, decode, health, total: state + queue + pending + prefill + decode + health };
}

function statePenalty(c: CandidateView): number {
  if (!c.slot) return c.reporting ? COLD_PENALTY_MS : 0;
  switch (c.slot.state) {
    case "idle":
    case "running":
      return 0;
    case "idle_shutdown":
      return IDLE_SHUTDOWN_PENALTY_MS;
    default:
      return Infinity; // crashed / reloading: gated before this, never cheapest
  }
}

function healthPenalty(c: CandidateView): number {
  const sys = c.system;
  if (!sys) return 0;
  let ms = 0;
  if (sys.memory_pressure !== undefined && sys.memory_pressure > MEMORY_PRESSURE_FREE) {
    ms += ((sys.memory_pressure - MEMORY_PRESSURE_FREE) / (1 - MEMORY_PRESSURE_FREE)) * MEMORY_PENALTY_MS;
  }
  if (sys.cpu_load !== undefined && sys.cpu_load > CPU_LOAD_FREE) ms += Math.min(sys.cpu_load - CPU_LOAD_FREE, 1) * CPU_PENALTY_MS;
  return ms;
}
