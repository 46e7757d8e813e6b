import type { CompletionSample } from "../health/index.js";
import { Ewma, median } from "./ewma.js";
import type { SpeedEstimate, SpeedSource } from "./types.js";

const ALPHA = 0.3;
/** Coordinator measurements needed before they replace the provider's own report. */
const MIN_MEASURED = 3;
/** A reported speed counts for at most this multiple of what the coordinator measured. */
const MAX_REPORTED_OVER_MEASURED = 2;
/** Entries per provider (providers register at most 8 models; room for a model update). */
const MAX_MODELS_PER_PROVIDER = 16;
/**
 * Shortest completions that make a speed sample: a few tokens measure network and framing
 * overhead, not the engine (a 2-token reply "decodes" at hundreds of tok/s, a 14-token prompt
 * "prefills" at 13 tok/s).
 */
export const MIN_DECODE_SAMPLE_TOKENS = 16;
export const MIN_PREFILL_SAMPLE_TOKENS = 64;
/** Plausible tok/s; anything outside is a clock glitch or a lie, not a sample. */
const MAX_TPS = 1_000_000;
/** Nothing known about a model anywhere: a small CPU model's speed (tok/s). */
export const DEFAULT_DECODE_TPS = 20;
export const DEFAULT_PREFILL_TPS = 200;

interface Entry {
  measuredDecode: Ewma;
  measuredPrefill: Ewma;
  reportedDecode: Ewma;
  reportedPrefill: Ewma;
}

type Kind = "decode" | "prefill";

/**
 * EWMA decode/prefill tok/s per provider and model, from two feeds: the heartbeat's
 * `observed_*_tps` (a claim) and the relay's completed requests (measured by the coordinator).
 * A provider's own figure: measured once there are enough samples, else the report (capped at
 * twice whatever was measured); none yet → the fleet median for the model → the provider's
 * `benchmark_tps` (decode only) → a default. Cleaned per provider by `drop` (on disconnect).
 */
export class SpeedBook {
  private readonly byProvider = new Map<string, Map<string, Entry>>();

  reported(providerId: string, model: string, decodeTps: number, prefillTps: number): void {
    const e = this.entry(providerId, model);
    if (valid(decodeTps)) e.reportedDecode.add(decodeTps);
    if (valid(prefillTps)) e.reportedPrefill.add(prefillTps);
  }

  measured(providerId: string, model: string, s: CompletionSample): void {
    const e = this.entry(providerId, model);
    // The first token leaves with the first chunk: the rest were decoded after it.
    const decoded = s.ttftMs !== undefined ? s.completionTokens - 1 : s.completionTokens;
    if (decoded >= MIN_DECODE_SAMPLE_TOKENS && s.decodeMs > 0) add(e.measuredDecode, (decoded * 1000) / s.decodeMs);
    if (s.ttftMs !== undefined && s.promptTokens >= MIN_PREFILL_SAMPLE_TOKENS && s.ttftMs > 0) add(e.measuredPrefill, (s.promptTokens * 1000) / s.ttftMs);
  }

  drop(providerId: string): void {
    this.byProvider.delete(providerId);
  }

  /** Forgets models the provider no longer serves. */
  retain(providerId: string, models: ReadonlySet<string> | ReadonlyMap<string, unknown>): void {
    const m = this.byProvider.get(providerId);
    if (m) for (const model of [...m.keys()]) if (!models.has(model)) m.delete(model);
  }

  /** The provider's own figure, if it has one. */
  own(providerId: string, model: string, kind: Kind): { tps: number; source: SpeedSource } | undefined {
    const e = this.byProvider.get(providerId)?.get(model);
    if (!e) return undefined;
    const measured = kind === "decode" ? e.measuredDecode : e.measuredPrefill;
    const reported = kind === "decode" ? e.reportedDecode : e.reportedPrefill;
    if (measured.count >= MIN_MEASURED) return { tps: measured.value, source: "measured" };
    if (reported.count > 0) {
      const cap = measured.count > 0 ? measured.value * MAX_REPORTED_OVER_MEASURED : Infinity;
      return { tps: Math.min(reported.value, cap), source: "reported" };
    }
    if (measured.count > 0) return { tps: measured.value, source: "measured" };
    return undefined;
  }

  /** Median of the providers' own figures for `model` (undefined when none has one). */
  fleetMedian(model: string, kind: Kind): number | undefined {
    const xs: number[] = [];
    for (const id of this.byProvider.keys()) {
      const own = this.own(id, model, kind);
      if (own) xs.push(own.tps);
    }
    return median(xs);
  }

  /** The full fallback chain; pass precomputed fleet medians when estimating many providers. */
  estimate(providerId: string, model: string, benchmarkTps: number | undefined, fleet?: { decode?: number; prefill?: number }): SpeedEstimate {
    const decodeFleet = fleet ? fleet.decode : this.fleetMedian(model, "decode");
    const prefillFleet = fleet ? fleet.prefill : this.fleetMedian(model, "prefill");
    const d = this.own(providerId, model, "decode") ??
      (decodeFleet !== undefined ? { tps: decodeFleet, source: "fleet_median" as const } : undefined) ??
      (benchmarkTps !== undefined && valid(benchmarkTps) ? { tps: benchmarkTps, source: "benchmark" as const } : undefined) ?? { tps: DEFAULT_DECODE_TPS, source: "default" as const };
    const p = this.own(providerId, model, "prefill") ??
      (prefillFleet !== undefined ? { tps: prefillFleet, source: "fleet_median" as const } : undefined) ?? { tps: DEFAULT_PREFILL_TPS, source: "default" as const };
    return { decodeTps: d.tps, prefillTps: p.tps, decodeSource: d.source, prefillSource: p.source };
  }

  private entry(providerId: string, model: string): Entry {
    let m = this.byProvider.get(providerId);
    if (!m) {
      m = new Map();
      this.byProvider.set(providerId, m);
    }
    let e = m.get(model);
    if (!e) {
      if (m.size >= MAX_MODELS_PER_PROVIDER) m.delete(m.keys().next().value as string);
      e = { measuredDecode: new Ewma(ALPHA), measuredPrefill: new Ewma(ALPHA), reportedDecode: new Ewma(ALPHA), reportedPrefill: new Ewma(ALPHA) };
      m.set(model, e);
    }
    return e;
  }
}

const valid = (tps: number): boolean => Number.isFinite(tps) && tps > 0 && tps <= MAX_TPS;

function add(e: Ewma, tps: number): void {
  if (valid(tps)) e.add(tps);
}
