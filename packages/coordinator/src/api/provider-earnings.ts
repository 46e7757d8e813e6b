import type { DeviceEarnings, ProviderEarnings } from "@darkbloom/protocol";
import { badRequest, sendJson, unauthorized, type Handler, type RequestContext } from "../http/index.js";
import { deviceOfProviderId, type DeviceLink, type EarningsRow } from "../store/index.js";
import { presentedAccountToken, providerTokenOwner } from "./device/index.js";
import type { ApiDeps } from "./deps.js";
import { requireAccount, unixSeconds } from "./require-account.js";

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;
/** Linked devices listed per account. */
const MAX_DEVICES = 1_000;

const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The caller's account: a provider's own account token (darkbloom status), or a session / API key. */
async function callerAccount(ctx: RequestContext, deps: ApiDeps): Promise<string> {
  const token = presentedAccountToken(ctx.req.headers.authorization);
  if (token === undefined) return (await requireAccount(ctx, deps)).accountId;
  const owner = await providerTokenOwner(deps.store, token);
  if (!owner) throw unauthorized("This provider account token is not valid (revoked?): run `darkbloom login` again.");
  ctx.logFields.account_id = owner.accountId;
  ctx.logFields.auth = "provider_token";
  return owner.accountId;
}

/** Per device (provider identity; a second process of one identity counts as the same device), per UTC day. */
export function groupEarnings(rows: readonly EarningsRow[], links: readonly DeviceLink[]): DeviceEarnings[] {
  const devices = new Map<string, DeviceEarnings>();
  const device = (id: string): DeviceEarnings => {
    let d = devices.get(id);
    if (!d) devices.set(id, (d = { device_id: id, identity_key: null, linked_at: null, earned_micros: 0, requests: 0, days: [] }));
    return d;
  };
  for (const l of links) Object.assign(device(l.deviceId), { identity_key: l.identityKey, linked_at: unixSeconds(l.linkedAt) });
  for (const r of rows) {
    const d = device(deviceOfProviderId(r.providerId) ?? r.providerId);
    d.earned_micros += r.earnedMicros;
    d.requests += r.requests;
    const day = isoDay(r.day);
    const last = d.days.at(-1);
    if (last?.day === day) {
      last.earned_micros += r.earnedMicros;
      last.requests += r.requests;
      last.completion_tokens += r.completionTokens;
    } else d.days.push({ day, earned_micros: r.earnedMicros, requests: r.requests, completion_tokens: r.completionTokens });
  }
  return [...devices.values()].sort((a, b) => a.device_id.localeCompare(b.device_id));
}

/**
 * GET /v1/provider/earnings[?days=N] (session, API key, or a provider's account token): what the
 * account's providers earned over the last N UTC days (default 30, at most 366), per device and
 * per day, with the account's withdrawable provider balance. Earnings a device made before it was
 * linked are included (they moved to the account on linking).
 */
export function providerEarningsRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const accountId = await callerAccount(ctx, deps);
    const raw = ctx.query.get("days");
    const days = raw === null ? DEFAULT_DAYS : Number(raw);
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw badRequest(`days must be an integer from 1 to ${MAX_DAYS}.`, "days");
    const today = Math.floor(deps.clock.now() / DAY_MS);
    const sinceDay = today - days + 1;
    const [rows, links, balance] = await Promise.all([
      deps.store.devices.earnings(accountId, sinceDay * DAY_MS),
      deps.store.devices.linksOf(accountId, MAX_DEVICES),
      deps.store.getEarnings(accountId),
    ]);
    const devices = groupEarnings(rows, links);
    const body: ProviderEarnings = {
      object: "provider_earnings",
      account_id: accountId,
      balance_micros: balance.earningsMicros,
      earned_micros: devices.reduce((s, d) => s + d.earned_micros, 0),
      since_day: isoDay(sinceDay),
      devices,
    };
    sendJson(ctx.res, 200, body);
  };
}
