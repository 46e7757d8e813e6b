/** One line of the doctor's table. */
export type CheckStatus = "pass" | "warn" | "fail";

export interface CheckResult {
  /** Short name of what was checked, e.g. "memory", "model tiny". */
  name: string;
  status: CheckStatus;
  /** What was found (no secrets, no prompt text). */
  detail: string;
  /** What to do about a warn or fail. */
  fix?: string;
}

/** Facts about the engine, as node-llama-cpp reports them (or why it could not load). */
export type EngineFacts =
  | {
      ok: true;
      backend: "cpu" | "metal" | "cuda" | "vulkan";
      threads: number;
      cpuMathCores: number;
      /** node-llama-cpp's generic prebuilt binary, or a native build from source (`darkbloom engine build`). */
      binary?: "prebuilt" | "localBuild";
    }
  | { ok: false; error: string };

export interface MemoryFacts {
  totalBytes: number;
}

export interface DiskFacts {
  dir: string;
  /** Bytes free for this user, or undefined when the dir could not be examined. */
  freeBytes: number | undefined;
  error?: string;
}

export type CoordinatorFacts =
  | { url: string; reachable: true; protocolVersion: number | undefined; providers?: number }
  | { url: string; reachable: false; error: string };

export type IdentityFacts =
  | { file: string; exists: false }
  | { file: string; exists: true; fileMode: number; dirMode: number; readable: boolean; error?: string };

export interface ModelFacts {
  path: string;
  id: string;
  /** The GGUF header parsed (magic, version, metadata, tensor info); else why not. */
  header: { ok: true; version: number; tensors: number } | { ok: false; error: string };
  /** sha256 against a manifest next to the file; undefined when there is no manifest for it. */
  sha256?: { expected: string; actual: string };
  /** The chat template rendered a sample conversation. */
  templateRenderOk: boolean;
}
