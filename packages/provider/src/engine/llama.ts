// The shared llama.cpp binding. Never builds from source or downloads anything: it uses the
// prebuilt binaries shipped with node-llama-cpp. On CPU the thread count is pinned to the machine's
// available parallelism (node-llama-cpp's default of max(cores, 4) oversubscribes small machines,
// and llama.cpp's spinning threads then slow decoding by orders of magnitude).
import os from "node:os";
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import type { GpuOption } from "./types.js";

export interface LlamaConfig {
  gpu: GpuOption;
  threads: number;
}

export function resolveLlamaConfig(opts: { gpu?: GpuOption; threads?: number }): LlamaConfig {
  const gpu = opts.gpu ?? (process.platform === "darwin" ? "auto" : false);
  const threads = Math.max(1, Math.floor(opts.threads ?? os.availableParallelism()));
  return { gpu, threads };
}

const instances = new Map<string, Promise<Llama>>();

/** One Llama per (gpu, threads) configuration, shared by every engine in the process. */
export function loadLlama(config: LlamaConfig): Promise<Llama> {
  const key = `${String(config.gpu)}/${config.threads}`;
  let p = instances.get(key);
  if (!p) {
    p = getLlama({
      gpu: config.gpu,
      build: "never",
      skipDownload: true,
      usePrebuiltBinaries: true,
      progressLogs: false,
      logLevel: LlamaLogLevel.error,
      maxThreads: config.threads,
    });
    instances.set(key, p);
    p.catch(() => instances.delete(key));
  }
  return p;
}
