import { z } from "zod";

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** The warm pool (warm-pool/): how often it plans loads, how long a load may take, the cooldown after a failed one. */
export const WARM_POOL_FIELDS = {
  /** Planning interval (ms); 0 turns automatic loads off (operator loads still work). */
  warmPoolTickMs: int(0, 600_000).default(5_000),
  /** A `load_model` unanswered this long counts as failed. */
  warmPoolLoadTimeoutMs: int(1_000, 3_600_000).default(120_000),
  /** After a failed load, that provider is not asked for that model again this long. */
  warmPoolCooldownMs: int(0, 86_400_000).default(300_000),
};

export type WarmPoolSettings = { [K in keyof typeof WARM_POOL_FIELDS]: z.output<(typeof WARM_POOL_FIELDS)[K]> };

export const WARM_POOL_ENV_NAMES: Record<keyof WarmPoolSettings, string> = {
  warmPoolTickMs: "DARKBLOOM_WARM_POOL_TICK_MS",
  warmPoolLoadTimeoutMs: "DARKBLOOM_WARM_POOL_LOAD_TIMEOUT_MS",
  warmPoolCooldownMs: "DARKBLOOM_WARM_POOL_COOLDOWN_MS",
};
