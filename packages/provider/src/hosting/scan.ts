// Model scan: what a provider offers, read from each GGUF header (fast: no weights, no hashing),
// with the chat-template render self-check. A model that fails it is still offered, with
// template_render_ok=false, so the coordinator fences it off (and says why) instead of it vanishing.
import { stat } from "node:fs/promises";
import { GgufFileType, readGgufFileInfo } from "node-llama-cpp";
import type { ProviderModel } from "@darkbloom/protocol";
import { checkTemplateRender } from "../engine/index.js";
import { kvCacheBytes } from "../memory/index.js";
import type { OfferedModel } from "./types.js";

/** The engine's default context per sequence (engine.ts DEFAULT_MAX_CONTEXT). */
const DEFAULT_MAX_CONTEXT = 4096;

export interface ScanInput {
  id: string;
  path: string;
  /** Load at start (default true). */
  preload?: boolean;
}

export async function scanModel(input: ScanInput, parallel: number): Promise<OfferedModel> {
  const info = await stat(input.path).catch(() => {
    throw new Error(`model file ${input.path} does not exist or is unreadable`);
  });
  const gguf = await readGgufFileInfo(input.path, {
    sourceType: "filesystem",
    readTensorInfo: false,
    logWarnings: false,
    ignoreKeys: ["tokenizer.ggml.tokens", "tokenizer.ggml.merges", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"],
  }).catch((err: Error) => {
    throw new Error(`model file ${input.path} is not a readable GGUF: ${err.message.split("\n")[0] ?? ""}`);
  });
  const arch = gguf.architectureMetadata as Partial<{
    context_length: number;
    embedding_length: number;
    block_count: number;
    attention: { head_count?: number | number[]; head_count_kv?: number | number[] };
  }>;
  const train = arch.context_length ?? DEFAULT_MAX_CONTEXT;
  const contextLength = Math.max(1, Math.min(train, DEFAULT_MAX_CONTEXT));
  const fileType = gguf.metadata.general?.file_type;
  const description: ProviderModel = {
    id: input.id,
    size_bytes: info.size,
    quantization: quantizationName(fileType),
    context_length: contextLength,
    template_render_ok: await checkTemplateRender(input.path),
  };
  const kvBytes = kvCacheBytes(
    {
      layers: arch.block_count ?? 0,
      embedding: arch.embedding_length ?? 0,
      heads: firstNumber(arch.attention?.head_count),
      kvHeads: firstNumber(arch.attention?.head_count_kv),
    },
    contextLength * parallel,
  );
  return { id: input.id, path: input.path, description, kvBytes, preload: input.preload ?? true };
}

/** e.g. MOSTLY_Q4_K_M → Q4_K_M, ALL_F32 → F32 (the weight type, as llama.cpp names it). */
export function quantizationName(fileType: number | undefined): string {
  if (fileType === undefined) return "unknown";
  const name = (GgufFileType as unknown as Record<number, string | undefined>)[fileType];
  return name ? name.replace(/^(MOSTLY|ALL)_/, "") : "unknown";
}

function firstNumber(v: number | number[] | undefined): number {
  return Array.isArray(v) ? (v[0] ?? 0) : (v ?? 0);
}
