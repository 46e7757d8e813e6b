// Which loaded models to evict to make room for a load (pure).

export interface ResidentModel {
  id: string;
  /** Weights + KV counted against the memory cap. */
  bytes: number;
  /** Requests hold it or sequences run on it: never evicted. */
  busy: boolean;
  /** Last time a request used it (or it was loaded). */
  lastUsed: number;
}

export type EvictionPlan = { ok: true; evict: string[] } | { ok: false; reason: string };

/**
 * The least recently used idle models to evict so that, after them, fewer than `maxLoaded` remain
 * and `fits(residentBytesAfter)` holds. Evicts nothing when the load fits already; refuses (evicting
 * nothing) when even evicting every idle model would not make room.
 */
export function planEvictions(resident: readonly ResidentModel[], maxLoaded: number, fits: (residentBytes: number) => boolean): EvictionPlan {
  let count = resident.length;
  let bytes = resident.reduce((n, m) => n + m.bytes, 0);
  const evict: string[] = [];
  const idle = resident.filter((m) => !m.busy).sort((a, b) => a.lastUsed - b.lastUsed);
  for (const m of idle) {
    if (count < maxLoaded && fits(bytes)) break;
    evict.push(m.id);
    count--;
    bytes -= m.bytes;
  }
  if (count < maxLoaded && fits(bytes)) return { ok: true, evict };
  const busy = resident.filter((m) => m.busy).map((m) => m.id);
  if (count >= maxLoaded) return { ok: false, reason: `${maxLoaded} models are loaded and none is idle (busy: ${busy.join(", ")})` };
  return { ok: false, reason: busy.length > 0 ? `not enough memory while ${busy.join(", ")} ${busy.length === 1 ? "is" : "are"} busy` : "not enough memory" };
}
