import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { freePort, startLocal, waitFor, type Proc } from "@darkbloom/testkit";

export interface BenchServer {
  name: string;
  baseURL: string;
  /** A line describing what runs (binary type, flags). */
  describe(): string;
  stop(): Promise<void>;
}

export interface ServerSettings {
  modelPath: string;
  modelId: string;
  parallel: number;
  /** Tokens per sequence (both servers give every sequence this much context). */
  contextPerSequence: number;
  threads: number;
}

export function defaultThreads(): number {
  return availableParallelism();
}

/**
 * llama.cpp's own server with the same context per sequence, parallel sequences and threads as
 * ours; its prompt cache is turned off per request (`cache_prompt: false`, measure.ts).
 */
export async function startLlamaServer(binary: string, s: ServerSettings): Promise<BenchServer> {
  const port = await freePort();
  const args = ["-m", s.modelPath, "-c", String(s.contextPerSequence * s.parallel), "-np", String(s.parallel), "-t", String(s.threads), "-tb", String(s.threads), "--host", "127.0.0.1", "--port", String(port), "--alias", s.modelId, "--no-webui"];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => void (out = (out + d.toString()).slice(-20_000)));
  child.stderr.on("data", (d: Buffer) => void (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const proc: Proc = {
    child,
    output: () => out,
    exited,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      child.kill("SIGKILL");
      return exited;
    },
  };
  const origin = `http://127.0.0.1:${port}`;
  await waitFor("llama-server /health", async (signal) => (await fetch(`${origin}/health`, { signal })).ok, 300_000, [proc]);
  return {
    name: "llama-server",
    baseURL: `${origin}/v1`,
    describe: () => `llama-server ${args.filter((a) => a !== s.modelPath).join(" ")}`,
    stop: async () => void (await proc.stop()),
  };
}

/** `darkbloom local`: our engine behind our OpenAI-compatible server. */
export async function startOurs(s: ServerSettings): Promise<BenchServer> {
  const local = await startLocal({ modelPath: s.modelPath, modelId: s.modelId, parallel: s.parallel });
  const loaded = local.proc
    .output()
    .split("\n")
    .find((l) => l.includes('"event":"model_loaded"'));
  const info = loaded ? (JSON.parse(loaded) as { backend?: string; binary?: string; context_length?: number }) : {};
  return {
    name: "darkbloom local",
    baseURL: local.baseURL,
    describe: () => `darkbloom local --parallel ${s.parallel} (backend ${info.backend ?? "?"}, binary ${info.binary ?? "?"}, context ${info.context_length ?? "?"}/sequence)`,
    stop: () => local.stop(),
  };
}
