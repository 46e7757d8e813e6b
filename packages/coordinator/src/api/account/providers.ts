import type { ProviderGate } from "@darkbloom/protocol";
import { sendJson, type Handler } from "../../http/index.js";
import type { LiveProvider, ProviderRegistry } from "../../registry/index.js";
import type { ApiDeps } from "../deps.js";
import { requireAccount, unixSeconds } from "../require-account.js";

/** Most providers one account lists (an operator with more sees the first ones by id). */
const MAX_LISTED = 256;

/**
 * GET /v1/account/providers (session or API key): the caller's connected providers, each with its
 * trust level, whether any request can reach it, every named gate keeping it (or a model) from
 * traffic, and per-model slot state and the speeds the router assumes. Only providers linked to
 * the caller's account (`register.account_token`) are listed.
 */
export function accountProvidersRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const who = await requireAccount(ctx, deps);
    const owned: LiveProvider[] = [];
    for (const p of deps.registry.all()) if (p.ownerAccountId === who.accountId) owned.push(p);
    owned.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    sendJson(ctx.res, 200, { object: "list", data: owned.slice(0, MAX_LISTED).map((p) => describeProvider(deps.registry, p)), has_more: owned.length > MAX_LISTED });
  };
}

function describeProvider(registry: ProviderRegistry, p: LiveProvider) {
  const status = registry.statusOf(p);
  return {
    id: p.id,
    object: "provider",
    version: p.version,
    trust_level: status.trustLevel,
    routable: status.routable,
    gates: status.gates.map(apiGate),
    in_flight: p.inFlight,
    connected_at: unixSeconds(p.connectedAt),
    last_seen_at: unixSeconds(p.lastSeenAt),
    models: [...p.models.values()].map((m) => {
      const slot = p.slots.get(m.id);
      const speed = registry.speedOf(p, m.id);
      return {
        id: m.id,
        template_render_ok: m.template_render_ok,
        slot: slot
          ? {
              state: slot.state,
              running: slot.num_running,
              waiting: slot.num_waiting,
              max_concurrency: slot.max_concurrency,
              token_budget_used: slot.active_token_budget_used,
              token_budget_max: slot.active_token_budget_max,
              queued_token_budget: slot.queued_token_budget,
            }
          : null,
        decode_tps: round1(speed.decodeTps),
        decode_tps_source: speed.decodeSource,
        prefill_tps: round1(speed.prefillTps),
        prefill_tps_source: speed.prefillSource,
      };
    }),
  };
}

/** A gate as the API shows it: `until` in Unix seconds like every API time (the frame has ms). */
function apiGate(g: ProviderGate) {
  return { name: g.name, model: g.model ?? null, until: g.until !== undefined ? unixSeconds(g.until) : null, detail: g.detail };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
