import { CLOSE_POLICY, CLOSE_REPLACED } from "@darkbloom/protocol";
import type { LiveProvider, ProviderRegistry } from "../../registry/index.js";
import { providerIdFor } from "../provider-id.js";
import type { ProviderEvents } from "../provider-socket.js";
import type { Refusal } from "./check-register.js";

/**
 * Adds a provider that has just passed the proof of possession. Only a proven connection gets
 * here, so only a proven connection can replace another: the same identity and sealing key
 * reconnecting closes the old link (4001); the same identity with a new key registers beside it.
 */
export function admit(
  registry: ProviderRegistry,
  events: ProviderEvents,
  identityKey: string,
  kid: string,
  build: (id: string) => LiveProvider,
): { ok: true; provider: LiveProvider } | Refusal {
  const base = providerIdFor(identityKey);
  const atBase = registry.get(base);
  // A second process of the same identity (another sealing key) gets its own id.
  const id = !atBase || atBase.kid === kid ? base : `${base}-${kid.slice(0, 8)}`;
  const existing = registry.get(id);
  if (existing && existing.kid !== kid) return { ok: false, code: CLOSE_POLICY, reason: "this identity is already connected with another key" };
  const owner = registry.findByKid(kid);
  if (owner && owner !== existing) return { ok: false, code: CLOSE_POLICY, reason: "encryption key already registered by another provider" };
  if (existing) {
    existing.link.close(CLOSE_REPLACED, "replaced by a new connection");
    if (registry.remove(existing)) events.onProviderGone(existing);
  }
  const provider = build(id);
  registry.add(provider);
  events.onProviderAdmitted?.(provider);
  return { ok: true, provider };
}
