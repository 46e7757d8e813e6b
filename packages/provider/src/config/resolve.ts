import { basename } from "node:path";
import { providerSocketUrl } from "../client/url.js";
import { TctiSchema } from "../tpm/tcti.js";
import { ConfigError } from "./load.js";
import type { ConfigFile, EffectiveConfig, ModelConfig } from "./schema.js";

export const DEFAULT_COORDINATOR = "ws://127.0.0.1:8080/ws/provider";
export const DEFAULT_PARALLEL = 4;
export const DEFAULT_GRACE_S = 30;

/** What the command line gave `start` (each one overrides the config file). */
export interface StartFlags {
  coordinator?: string;
  modelPath?: string;
  modelId?: string;
  parallel?: number;
  token?: string;
  accountKey?: string;
}

export function defaultModelId(path: string): string {
  return basename(path).replace(/\.gguf$/i, "");
}

/** Precedence: command-line flag > environment (secrets only) > config file > default. */
export function resolveConfig(file: ConfigFile, flags: StartFlags, env: NodeJS.ProcessEnv, filePath?: string): EffectiveConfig {
  const fileModels: ModelConfig[] = (file.models ?? []).map((m) => ({
    path: m.path,
    id: m.id ?? defaultModelId(m.path),
    ...(m.price && { price: m.price }),
    ...(m.preload !== undefined && { preload: m.preload }),
  }));
  let models = fileModels;
  if (flags.modelPath !== undefined) {
    const id = flags.modelId ?? defaultModelId(flags.modelPath);
    // A price configured for the same model id still applies.
    const price = fileModels.find((m) => m.id === id)?.price;
    models = [{ path: flags.modelPath, id, ...(price && { price }) }];
  } else if (flags.modelId !== undefined) {
    if (models.length !== 1) throw new ConfigError("--model-id needs --model FILE (or exactly one model in the config file)");
    models = [{ ...models[0]!, id: flags.modelId }];
  }
  const ids = new Set<string>();
  for (const m of models) {
    if (ids.has(m.id)) throw new ConfigError(`models: model id ${JSON.stringify(m.id)} appears twice`);
    ids.add(m.id);
  }
  let coordinator: string;
  const rawUrl = flags.coordinator ?? file.coordinator ?? DEFAULT_COORDINATOR;
  try {
    coordinator = providerSocketUrl(rawUrl);
  } catch (err) {
    throw new ConfigError(`${flags.coordinator !== undefined ? "--coordinator" : "coordinator"}: ${(err as Error).message}`);
  }
  const token = flags.token ?? (env.DARKBLOOM_PROVIDER_TOKEN || undefined) ?? file.token;
  const accountKey = flags.accountKey ?? (env.DARKBLOOM_ACCOUNT_KEY || undefined) ?? file.account_key;
  const tpmTcti = env.DARKBLOOM_TPM_TCTI || undefined;
  if (tpmTcti !== undefined) {
    const parsed = TctiSchema.safeParse(tpmTcti);
    if (!parsed.success) throw new ConfigError(`DARKBLOOM_TPM_TCTI: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  }
  return {
    coordinator,
    models,
    parallel: flags.parallel ?? file.parallel ?? DEFAULT_PARALLEL,
    ...(file.memory_cap_gb !== undefined && { memoryCapGb: file.memory_cap_gb }),
    gracePeriodS: file.grace_period_s ?? DEFAULT_GRACE_S,
    ...(token !== undefined && { token }),
    ...(accountKey !== undefined && { accountKey }),
    schedule: file.schedule ?? [],
    ...(tpmTcti !== undefined && { tpmTcti }),
    ...(filePath !== undefined && { file: filePath }),
  };
}

function mask(secret: string | undefined): string | null {
  if (secret === undefined) return null;
  return `**** (${secret.length} chars)`;
}

/** The effective config as printable JSON, secrets masked. */
export function showConfig(cfg: EffectiveConfig): Record<string, unknown> {
  return {
    file: cfg.file ?? null,
    coordinator: cfg.coordinator,
    parallel: cfg.parallel,
    memory_cap_gb: cfg.memoryCapGb ?? null,
    grace_period_s: cfg.gracePeriodS,
    token: mask(cfg.token),
    account_key: mask(cfg.accountKey),
    models: cfg.models,
    schedule: cfg.schedule,
    tpm_tcti: cfg.tpmTcti ?? null,
  };
}
