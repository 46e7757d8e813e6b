import type { LiveProvider } from "./types.js";

/** Slot states that cannot take work right now. */
export const UNAVAILABLE_SLOT_STATES: ReadonlySet<string> = new Set(["crashed", "reloading"]);

/** Can this provider serve `model` at all (offers it, template renders, trusted, slot healthy)? */
export function servesModel(p: LiveProvider, model: string): boolean {
  const m = p.models.get(model);
  if (!m || !m.template_render_ok) return false;
  if (p.trustLevel === "none") return false;
  const slot = p.slots.get(model);
  return !slot || !UNAVAILABLE_SLOT_STATES.has(slot.state);
}
