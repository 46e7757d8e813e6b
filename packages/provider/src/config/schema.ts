import { z } from "zod";
import { DAYS, HHMM } from "./schedule.js";

/** `provider.toml`, validated strictly: an unknown key is an error that names it. */

const modelId = z.string().regex(/^[\w.:/-]{1,256}$/, "a model id: letters, digits and . : / _ - (at most 256)");
const secret = z.string().regex(/^[\x21-\x7e]{1,512}$/, "printable ASCII without spaces");
const micros = z.number().int().nonnegative().max(1e12);

export const PriceSchema = z.strictObject({
  /** Integer micro-USD per 1M input tokens. */
  input_per_million: micros,
  output_per_million: micros,
});

export const ModelEntrySchema = z.strictObject({
  path: z.string().min(1),
  id: modelId.optional(),
  price: PriceSchema.optional(),
  /** Load at start (default true); false: offered, loaded on the first request or the coordinator's load_model. */
  preload: z.boolean().optional(),
});

export const WindowSchema = z.strictObject({
  days: z.array(z.enum(DAYS)).optional(),
  start: z.string().regex(HHMM, "a local time HH:MM"),
  end: z.string().regex(HHMM, "a local time HH:MM"),
});

export const ConfigFileSchema = z.strictObject({
  coordinator: z.string().min(1).optional(),
  parallel: z.number().int().min(1).max(64).optional(),
  memory_cap_gb: z.number().positive().max(1e6).optional(),
  /** Seconds in-flight requests may run on after `darkbloom stop`, a pause or a switch. */
  grace_period_s: z.number().int().min(0).max(3600).optional(),
  token: secret.optional(),
  account_key: secret.optional(),
  models: z.array(ModelEntrySchema).max(16).optional(),
  schedule: z.array(WindowSchema).max(64).optional(),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

export interface ModelConfig {
  path: string;
  id: string;
  price?: { input_per_million: number; output_per_million: number };
  /** Load at start (default true). */
  preload?: boolean;
}

/** The configuration a provider runs with: file < environment < command-line flags. */
export interface EffectiveConfig {
  coordinator: string;
  models: ModelConfig[];
  parallel: number;
  memoryCapGb?: number;
  gracePeriodS: number;
  token?: string;
  accountKey?: string;
  schedule: z.infer<typeof WindowSchema>[];
  /** `DARKBLOOM_TPM_TCTI`: produce TPM 2.0 evidence through tpm2-tools on this TCTI (trust level `hardware`). */
  tpmTcti?: string;
  /** The config file read, if any. */
  file?: string;
}
