import { stat } from "node:fs/promises";
import type { ModelConfig } from "../config/schema.js";
import { loadEngine, type LoadedEngine } from "../cli/load-engine.js";
import type { WeightHashes } from "../attestation/index.js";
import type { Logger } from "../log.js";

export interface ServedModel {
  config: ModelConfig;
  engine: LoadedEngine;
}

/** Refuses model sets whose files together exceed the memory cap (weights are what dominates). */
export async function checkMemoryCap(models: readonly ModelConfig[], capGb: number | undefined): Promise<void> {
  if (capGb === undefined) return;
  let total = 0;
  for (const m of models) {
    const info = await stat(m.path).catch(() => {
      throw new Error(`model file ${m.path} does not exist or is unreadable`);
    });
    total += info.size;
  }
  if (total > capGb * 2 ** 30) {
    throw new Error(`the models need ${(total / 2 ** 30).toFixed(2)} GB, more than memory_cap_gb = ${capGb}`);
  }
}

/**
 * Loads each model's engine, with its weight hash for the attestation when `hashes` is given
 * (cached by path, size and mtime: only a new or changed file is read through); on a failure,
 * closes the ones already loaded.
 */
export async function loadModels(models: readonly ModelConfig[], parallel: number, log: Logger, hashes?: WeightHashes): Promise<ServedModel[]> {
  const loaded: ServedModel[] = [];
  try {
    for (const config of models) {
      const started = Date.now();
      const weightHash = await hashes?.hash(config.path, () => log("hashing_weights", { model: config.id, note: "first time for this file; cached afterwards" }));
      if (weightHash !== undefined) log("weights_hashed", { model: config.id, ms: Date.now() - started });
      loaded.push({ config, engine: await loadEngine({ modelPath: config.path, modelId: config.id, parallel }, log, weightHash === undefined ? {} : { weightHash }) });
    }
  } catch (err) {
    await closeModels(loaded);
    throw err;
  }
  return loaded;
}

export async function closeModels(models: readonly ServedModel[]): Promise<void> {
  for (const m of models) await m.engine.close().catch(() => undefined);
}
