import { stat } from "node:fs/promises";
import type { ModelConfig } from "../config/schema.js";
import { loadEngine, type LoadedEngine } from "../cli/load-engine.js";
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

/** Loads each model's engine; on a failure, closes the ones already loaded. */
export async function loadModels(models: readonly ModelConfig[], parallel: number, log: Logger): Promise<ServedModel[]> {
  const loaded: ServedModel[] = [];
  try {
    for (const config of models) {
      loaded.push({ config, engine: await loadEngine({ modelPath: config.path, modelId: config.id, parallel }, log) });
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
