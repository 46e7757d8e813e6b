import { z } from "zod";

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", "yes", "no"])])
  .transform((v) => v === true || v === "true" || v === "1" || v === "yes");

/** Token-budget admission, the per-model queue and speculative dispatch (admission/, relay/backup.ts). */
export const ADMISSION_FIELDS = {
  /** Requests that may wait per model when every provider is full; more get 429 at once (SPEC: 10). */
  queueDepth: int(0, 1_000).default(10),
  /** Longest a request waits for capacity before it gets 429 (SPEC: 120 s). */
  queueMaxWaitMs: int(100, 3_600_000).default(120_000),
  /** Dispatch a backup at half the first-token deadline when the model has no queue. */
  speculativeDispatch: bool.default(true),
};

export type AdmissionSettings = { [K in keyof typeof ADMISSION_FIELDS]: z.output<(typeof ADMISSION_FIELDS)[K]> };

export const ADMISSION_ENV_NAMES: Record<keyof AdmissionSettings, string> = {
  queueDepth: "DARKBLOOM_QUEUE_DEPTH",
  queueMaxWaitMs: "DARKBLOOM_QUEUE_MAX_WAIT_MS",
  speculativeDispatch: "DARKBLOOM_SPECULATIVE_DISPATCH",
};
