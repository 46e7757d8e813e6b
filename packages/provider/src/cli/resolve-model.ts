import { defaultModelId } from "../config/resolve.js";
import type { ModelConfig } from "../config/schema.js";
import { resolveModelRef } from "../models/index.js";
import type { EngineArgs } from "./args.js";

/**
 * `--model` may name a downloaded catalog model instead of a file: resolve it to the weights file,
 * and let the catalog id be the served model id unless --model-id says otherwise.
 */
export async function resolveEngineModel(args: EngineArgs, env: NodeJS.ProcessEnv = process.env): Promise<EngineArgs> {
  const { path, catalogId } = await resolveModelRef(args.modelPath, env);
  if (catalogId === undefined) return args;
  return { ...args, modelPath: path, modelId: args.explicitId ? args.modelId : catalogId };
}

/** The same for a configured model of `darkbloom start`: an id left at its default becomes the catalog id. */
export async function resolveCatalogModel(model: ModelConfig, env: NodeJS.ProcessEnv = process.env): Promise<ModelConfig> {
  const { path, catalogId } = await resolveModelRef(model.path, env);
  if (catalogId === undefined) return model;
  return { ...model, path, id: model.id === defaultModelId(model.path) ? catalogId : model.id };
}
