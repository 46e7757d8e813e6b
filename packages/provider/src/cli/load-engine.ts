import { stat } from "node:fs/promises";
import type { ProviderModel } from "@darkbloom/protocol";
import { createEngine, type PromptSource, type ToolsRequest } from "../engine/index.js";
import type { Logger } from "../log.js";
import type { HostedEngine } from "../serve/types.js";
import type { EngineArgs } from "./args.js";
import { backendOf, type Backend } from "./backend.js";

/** A hosted engine plus what it really runs on (reported in the register frame's hardware). */
export interface LoadedEngine extends HostedEngine {
  readonly backend: Backend;
}

/** Loads a GGUF into the batching engine and describes it for registration. */
export async function loadEngine(args: EngineArgs, log: Logger, opts: { weightHash?: string } = {}): Promise<LoadedEngine> {
  const info = await stat(args.modelPath).catch(() => {
    throw new Error(`model file ${args.modelPath} does not exist or is unreadable`);
  });
  const started = Date.now();
  const engine = await createEngine({ modelPath: args.modelPath, modelId: args.modelId, parallel: args.parallel });
  const description: ProviderModel = {
    id: engine.modelId,
    size_bytes: info.size,
    // e.g. "llama ?B F16": the last word is the weight type.
    quantization: engine.model.typeDescription.split(" ").at(-1) ?? "unknown",
    context_length: engine.contextSize,
    template_render_ok: engine.templateRenderOk,
    ...(opts.weightHash !== undefined && { weight_hash: opts.weightHash }),
  };
  const backend = backendOf(engine.model.llama.gpu, engine.model.gpuLayers);
  // binary: "prebuilt" (shipped with node-llama-cpp) or "localBuild" (`darkbloom engine build`).
  log("model_loaded", { model: engine.modelId, parallel: args.parallel, backend, binary: engine.model.llama.buildType, ms: Date.now() - started, ...description });
  return Object.assign(engine, {
    backend,
    describe: () => description,
    maxCompletionTokens: (source: PromptSource, tools?: ToolsRequest) => engine.contextSize - engine.renderSource(source, tools).tokens.length,
    promptTokens: (source: PromptSource, tools?: ToolsRequest) => engine.renderSource(source, tools).tokens.length,
  });
}
