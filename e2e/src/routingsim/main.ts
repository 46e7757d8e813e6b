import { parseArgs } from "node:util";
import { costStrategy, leastLoadedStrategy, roundRobinStrategy } from "@darkbloom/coordinator";
import { simulate } from "./simulation.js";
import { renderTable } from "./summary.js";
import { defaultScenario } from "./trace.js";

/**
 * npm run sim [-- --seed N --minutes M]: one seeded trace through the real registry with the
 * cost router, round-robin and least-loaded; prints p50/p99 TTFT, queue wait, 429 rate, utilisation.
 */
function main(): void {
  const { values } = parseArgs({ options: { seed: { type: "string", default: "7" }, minutes: { type: "string", default: "10" } } });
  const seed = Number(values.seed);
  const minutes = Number(values.minutes);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error("--seed must be a non-negative integer");
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) throw new Error("--minutes must be in (0, 1440]");
  const { fleet, trace } = defaultScenario(seed, minutes * 60_000);
  const started = performance.now();
  const runs = [costStrategy(), roundRobinStrategy(), leastLoadedStrategy()].map((strategy) => simulate({ strategy, fleet, trace, seed }));
  const elapsed = performance.now() - started;
  process.stdout.write(`routing simulation: seed ${seed}, ${minutes} simulated min, ${trace.length} requests, ${fleet.length} providers (${fleet.map((p) => `${p.id} ${p.decodeTps} tok/s×${p.slots}${p.failRate > 0 ? ` fails ${p.failRate * 100}%` : ""}`).join(", ")})\n\n`);
  process.stdout.write(`${renderTable(runs.map((r) => r.summary))}\n\n`);
  const gated = runs.reduce((n, r) => n + r.gatedPicks, 0);
  process.stdout.write(`picks of a gated provider: ${gated}; wall time ${(elapsed / 1000).toFixed(2)} s\n`);
  if (gated > 0) process.exitCode = 1;
}

main();
