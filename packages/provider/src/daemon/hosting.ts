import { totalmem } from "node:os";
import type { ModelConfig } from "../config/schema.js";
import { loadEngine, type LoadedEngine } from "../cli/load-engine.js";
import { ModelHost, scanModel } from "../hosting/index.js";
import { GIB, memoryPolicyFromEnv } from "../memory/index.js";
import type { WeightHashes } from "../attestation/index.js";
import type { Logger } from "../log.js";
import type { ModelStatusSchema } from "./control/messages.js";
import type { z } from "zod";

export interface HostSettings {
  parallel: number;
  /** provider.toml memory_cap_gb: lowers the cap further. */
  memoryCapGb?: number;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Weight hashes for the attestation (cached by path+size+mtime); absent: none attested. */
  hashes?: WeightHashes;
}

/**
 * Scans the configured models (GGUF headers, template self-check) and hosts them under this
 * machine's memory policy (DARKBLOOM_MEM_CAP_FRACTION / DARKBLOOM_ACTIVATION_RESERVE_GB, validated
 * here). `preloaded`: engines already loaded for some of them (a switch), taken over as they are.
 */
export async function createHost(models: readonly ModelConfig[], s: HostSettings, preloaded: ReadonlyMap<string, LoadedEngine> = new Map()): Promise<{ host: ModelHost; engines: Map<string, LoadedEngine> }> {
  const policy = memoryPolicyFromEnv(totalmem(), s.env ?? process.env);
  const offered = [];
  for (const m of models) {
    const scanned = await scanModel({ id: m.id, path: m.path, ...(m.preload !== undefined && { preload: m.preload }) }, s.parallel);
    if (!scanned.description.template_render_ok) s.log("template_check_failed", { model: m.id, hint: "its chat template does not render: the coordinator routes nothing to it" });
    const weightHash = await s.hashes?.hash(m.path, () => s.log("hashing_weights", { model: m.id, note: "first time for this file; cached afterwards" }));
    offered.push(weightHash === undefined ? scanned : { ...scanned, description: { ...scanned.description, weight_hash: weightHash } });
  }
  const engines = new Map<string, LoadedEngine>();
  const host = new ModelHost({
    offered,
    policy,
    parallel: s.parallel,
    log: s.log,
    ...(s.memoryCapGb !== undefined && { capBytes: s.memoryCapGb * GIB }),
    load: async (m) => {
      const engine = preloaded.get(m.id) ?? (await loadEngine({ modelPath: m.path, modelId: m.id, parallel: s.parallel }, s.log));
      engines.set(m.id, engine);
      return engine;
    },
  });
  return { host, engines };
}

/** `darkbloom status` rows: every offered model with its load state. */
export function modelStatusRows(host: ModelHost, models: readonly ModelConfig[], parallel: number): z.infer<typeof ModelStatusSchema>[] {
  const slots = new Map(host.slots().map((s) => [s.model, s]));
  return models.map((m) => {
    const slot = slots.get(m.id);
    const state = slot?.state ?? "cold";
    return {
      id: m.id,
      path: m.path,
      state: state === "idle_shutdown" ? "unloaded" : state === "reloading" ? "loading" : state,
      running: slot?.num_running ?? 0,
      waiting: slot?.num_waiting ?? 0,
      max_concurrency: slot?.max_concurrency ?? parallel,
      ...(m.price && { price: m.price }),
    };
  });
}
