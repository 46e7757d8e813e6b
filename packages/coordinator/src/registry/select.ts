import type { LiveProvider } from "./types.js";

/** Slot states that cannot take work right now. */
const UNAVAILABLE = new Set(["crashed", "reloading"]);

/** Can this provider serve `model` at all (offers it, template renders, trusted, slot healthy)? */
export function servesModel(p: LiveProvider, model: string): boolean {
  const m = p.models.get(model);
  if (!m || !m.template_render_ok) return false;
  if (p.trustLevel === "none") return false;
  const slot = p.slots.get(model);
  return !slot || !UNAVAILABLE.has(slot.state);
}

/**
 * Load = (running + waiting + coordinator in-flight) / max_concurrency for that model's slot.
 * Before the first heartbeat the slot counts as concurrency 1 with nothing running.
 */
export function loadOf(p: LiveProvider, model: string): number {
  const slot = p.slots.get(model);
  const busy = (slot ? slot.num_running + slot.num_waiting : 0) + p.inFlight;
  return busy / (slot ? slot.max_concurrency : 1);
}

/** Lowest load wins; equal loads are broken uniformly at random. */
export function pickLeastLoaded(cands: readonly LiveProvider[], model: string, random: () => number): LiveProvider | undefined {
  let best: LiveProvider[] = [];
  let bestLoad = Infinity;
  for (const p of cands) {
    const load = loadOf(p, model);
    if (load < bestLoad) {
      bestLoad = load;
      best = [p];
    } else if (load === bestLoad) best.push(p);
  }
  if (best.length <= 1) return best[0];
  return best[Math.min(Math.floor(random() * best.length), best.length - 1)];
}
