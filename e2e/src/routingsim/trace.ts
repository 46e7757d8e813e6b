import { mulberry32 } from "@darkbloom/coordinator/test-support/prng";
import type { SimProviderSpec, SimRequest } from "./types.js";

export interface TraceOptions {
  seed: number;
  durationMs: number;
  /** Arrivals per second outside bursts. */
  baseRps: number;
  bursts: { from: number; to: number; rps: number }[];
  /** Models and their share of arrivals. */
  models: { id: string; weight: number }[];
}

const MAX_TOKENS = [64, 128, 256, 512, 1024];

/** A seeded Poisson arrival trace with bursts; prompt sizes log-uniform 32..4096 tokens. */
export function makeTrace(o: TraceOptions): SimRequest[] {
  const rand = mulberry32(o.seed);
  const rateAt = (t: number) => o.bursts.find((b) => t >= b.from && t < b.to)?.rps ?? o.baseRps;
  const maxRate = Math.max(o.baseRps, ...o.bursts.map((b) => b.rps));
  const totalWeight = o.models.reduce((s, m) => s + m.weight, 0);
  const out: SimRequest[] = [];
  for (let t = 0; ; ) {
    t += (-Math.log(1 - rand()) / maxRate) * 1000;
    if (t >= o.durationMs) break;
    if (rand() * maxRate > rateAt(t)) continue; // thinning: a non-homogeneous Poisson process
    let pick = rand() * totalWeight;
    const model = o.models.find((m) => (pick -= m.weight) < 0)?.id ?? o.models[0]!.id;
    const inputTokens = Math.round(32 * 2 ** (rand() * 7));
    const maxTokens = MAX_TOKENS[Math.floor(rand() * MAX_TOKENS.length)]!;
    const outputTokens = Math.max(1, Math.round(maxTokens * (0.2 + 0.8 * rand())));
    out.push({ id: out.length, at: Math.round(t), model, inputTokens, maxTokens, outputTokens });
  }
  return out;
}

/** The default scenario: two models, a mixed fleet with a flaky machine and one that comes and goes. */
export function defaultScenario(seed: number, durationMs = 600_000): { fleet: SimProviderSpec[]; trace: SimRequest[] } {
  const base = { contextPerSlot: 4096, failRate: 0, joinAt: 0 };
  const fleet: SimProviderSpec[] = [
    { ...base, id: "m3-ultra", models: ["chat-8b", "code-32b"], decodeTps: 70, prefillTps: 2000, slots: 8, memoryGb: 192 },
    { ...base, id: "m2-max", models: ["chat-8b"], decodeTps: 45, prefillTps: 1000, slots: 4, memoryGb: 64 },
    { ...base, id: "m1-pro", models: ["chat-8b"], decodeTps: 22, prefillTps: 400, slots: 4, memoryGb: 32 },
    { ...base, id: "m1-air", models: ["chat-8b"], decodeTps: 9, prefillTps: 150, slots: 2, memoryGb: 16 },
    { ...base, id: "old-intel", models: ["chat-8b"], decodeTps: 4, prefillTps: 60, slots: 2, memoryGb: 16 },
    { ...base, id: "flaky-gpu", models: ["chat-8b", "code-32b"], decodeTps: 50, prefillTps: 1500, slots: 4, memoryGb: 64, failRate: 0.35 },
    { ...base, id: "m4-max", models: ["code-32b"], decodeTps: 30, prefillTps: 700, slots: 4, memoryGb: 128 },
    { ...base, id: "laptop", models: ["code-32b"], decodeTps: 8, prefillTps: 120, slots: 2, memoryGb: 32, joinAt: 120_000, leaveAt: 300_000, rejoinAt: 420_000 },
  ];
  const trace = makeTrace({
    seed,
    durationMs,
    baseRps: 1.2,
    bursts: [
      { from: 150_000, to: 210_000, rps: 4 },
      { from: 400_000, to: 430_000, rps: 6 },
    ],
    models: [
      { id: "chat-8b", weight: 3 },
      { id: "code-32b", weight: 1 },
    ],
  });
  return { fleet, trace };
}
