import { z } from "zod";
import { generateApiKey, hashApiKey } from "../../auth/index.js";
import { notFound, sendJson, type Handler, type RequestContext } from "../../http/index.js";
import type { KeyLimits, ManagedKey } from "../../store/index.js";
import type { ApiDeps } from "../deps.js";
import { readValid, requireAccount, unixSeconds } from "../require-account.js";

/** Characters of the secret shown in lists: `sk-db-` + 6 hex. */
const PREFIX_LENGTH = 12;

const perMinute = z.number().int().min(1).max(1_000_000_000).nullable();
const micros = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable();

const LimitsSchema = z.object({
  requests_per_minute: perMinute.optional(),
  tokens_per_minute: perMinute.optional(),
  daily_spend_micros: micros.optional(),
  weekly_spend_micros: micros.optional(),
  monthly_spend_micros: micros.optional(),
});
const Name = z.string().trim().max(100);
const CreateSchema = z.object({ name: Name.optional(), limits: LimitsSchema.optional() });
const PatchSchema = z.object({ name: Name.optional(), limits: LimitsSchema.optional() });

function limitsFrom(input: z.output<typeof LimitsSchema> | undefined): Partial<KeyLimits> {
  const out: Partial<KeyLimits> = {};
  if (!input) return out;
  if (input.requests_per_minute !== undefined) out.requestsPerMinute = input.requests_per_minute;
  if (input.tokens_per_minute !== undefined) out.tokensPerMinute = input.tokens_per_minute;
  if (input.daily_spend_micros !== undefined) out.dailyMicros = input.daily_spend_micros;
  if (input.weekly_spend_micros !== undefined) out.weeklyMicros = input.weekly_spend_micros;
  if (input.monthly_spend_micros !== undefined) out.monthlyMicros = input.monthly_spend_micros;
  return out;
}

/** A key as listed: never its secret or hash. */
export function keyJson(k: ManagedKey) {
  return {
    id: k.id,
    object: "api_key",
    name: k.name,
    prefix: k.prefix,
    created_at: unixSeconds(k.createdAt),
    last_used_at: k.lastUsedAt === null ? null : unixSeconds(k.lastUsedAt),
    limits: {
      requests_per_minute: k.limits.requestsPerMinute,
      tokens_per_minute: k.limits.tokensPerMinute,
      daily_spend_micros: k.limits.dailyMicros,
      weekly_spend_micros: k.limits.weeklyMicros,
      monthly_spend_micros: k.limits.monthlyMicros,
    },
  };
}

function newSecret(): { key: string; keyHash: string; prefix: string } {
  const key = generateApiKey();
  return { key, keyHash: hashApiKey(key), prefix: key.slice(0, PREFIX_LENGTH) };
}

const keyId = (ctx: RequestContext): string => ctx.params.id ?? "";
const noSuchKey = () => notFound("No such API key.", "key_not_found");

/** POST /v1/keys → 201 with the secret, shown this once. */
export function createKeyRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const who = await requireAccount(ctx, deps);
    const body = await readValid(ctx, CreateSchema, { optional: true });
    const secret = newSecret();
    const k = await deps.store.keys.create({
      accountId: who.accountId,
      keyHash: secret.keyHash,
      prefix: secret.prefix,
      name: body.name ?? "",
      limits: limitsFrom(body.limits),
    });
    sendJson(ctx.res, 201, { ...keyJson(k), key: secret.key });
  };
}

/** GET /v1/keys: the caller's unrevoked keys. */
export function listKeysRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const who = await requireAccount(ctx, deps);
    const keys = await deps.store.keys.list(who.accountId);
    sendJson(ctx.res, 200, { object: "list", data: keys.map(keyJson) });
  };
}

/** PATCH /v1/keys/{id}: rename and/or change limits (null clears a limit). */
export function patchKeyRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const who = await requireAccount(ctx, deps);
    const body = await readValid(ctx, PatchSchema);
    const k = await deps.store.keys.update(who.accountId, keyId(ctx), {
      ...(body.name !== undefined && { name: body.name }),
      limits: limitsFrom(body.limits),
    });
    if (!k) throw noSuchKey();
    sendJson(ctx.res, 200, keyJson(k));
  };
}

/** POST /v1/keys/{id}/rotate: a new secret (shown once); the old one stops working at once. */
export function rotateKeyRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const who = await requireAccount(ctx, deps);
    const secret = newSecret();
    const k = await deps.store.keys.rotate(who.accountId, keyId(ctx), { keyHash: secret.keyHash, prefix: secret.prefix });
    if (!k) throw noSuchKey();
    sendJson(ctx.res, 200, { ...keyJson(k), key: secret.key });
  };
}

/** DELETE /v1/keys/{id}: revoked for the very next request (keys are looked up on every request, never cached). */
export function deleteKeyRoute(deps: ApiDeps): Handler {
  return async (ctx) => {
    const who = await requireAccount(ctx, deps);
    const id = keyId(ctx);
    if (!(await deps.store.keys.revoke(who.accountId, id))) throw noSuchKey();
    sendJson(ctx.res, 200, { id, object: "api_key", deleted: true });
  };
}
