import type { LiveProvider } from "../registry/types.js";
import { TIE_WINDOW_MS, costOf, queueDepth } from "./cost.js";
import type { CandidateView, RequestShape, SelectionStrategy } from "./types.js";

/** Uniform choice among `items` with the injected random source. */
function choose<T>(items: readonly T[], random: () => number): T | undefined {
  if (items.length <= 1) return items[0];
  return items[Math.min(Math.floor(random() * items.length), items.length - 1)];
}

/** Among `cands`, those with the lowest `key`. */
function lowest(cands: readonly CandidateView[], key: (c: CandidateView) => number): CandidateView[] {
  let best: CandidateView[] = [];
  let min = Infinity;
  for (const c of cands) {
    const k = key(c);
    if (k < min) {
      min = k;
      best = [c];
    } else if (k === min) best.push(c);
  }
  return best;
}

/** SPEC: the lowest cost; candidates within TIE_WINDOW_MS of it tie, broken by queue depth then randomly. */
export function costStrategy(tieWindowMs = TIE_WINDOW_MS): SelectionStrategy {
  return {
    name: "cost",
    choose(cands, req, random) {
      const costs = cands.map((c) => costOf(c, req).total);
      const min = costs.reduce((m, c) => Math.min(m, c), Infinity);
      if (!Number.isFinite(min)) return undefined;
      const tied = cands.filter((_, i) => costs[i]! <= min + tieWindowMs);
      return choose(lowest(tied, queueDepth), random)?.provider;
    },
  };
}

/** The skeleton's rule: lowest (running + waiting + pending) / max_concurrency, ties random. */
export function leastLoadedStrategy(): SelectionStrategy {
  return {
    name: "least-loaded",
    choose(cands, _req, random) {
      const load = (c: CandidateView) => ((c.slot ? c.slot.num_running + c.slot.num_waiting : 0) + c.pending) / (c.slot?.max_concurrency ?? 1);
      return choose(lowest(cands, load), random)?.provider;
    },
  };
}

/** Most models a round-robin strategy keeps a cursor for. */
const MAX_CURSORS = 1_000;

/** Each model's candidates in turn (by provider id), ignoring load and speed: the baseline. */
export function roundRobinStrategy(): SelectionStrategy {
  const cursors = new Map<string, number>();
  return {
    name: "round-robin",
    choose(cands, req: RequestShape): LiveProvider | undefined {
      if (cands.length === 0) return undefined;
      const sorted = [...cands].sort((a, b) => (a.provider.id < b.provider.id ? -1 : a.provider.id > b.provider.id ? 1 : 0));
      const n = cursors.get(req.model) ?? 0;
      if (!cursors.has(req.model) && cursors.size >= MAX_CURSORS) cursors.delete(cursors.keys().next().value as string);
      cursors.set(req.model, n + 1);
      return sorted[n % sorted.length]!.provider;
    },
  };
}
