import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { tempDir } from "./temp-dirs.js";
import { repoRoot, spawnNode, waitFor, type Proc } from "./process.js";

const coordinatorBin = join(repoRoot, "packages/coordinator/bin/darkbloom-coordinator.js");
const providerBin = join(repoRoot, "packages/provider/bin/darkbloom.js");

export function newApiKey(): string {
  return `sk-db-${randomBytes(32).toString("hex")}`;
}

export interface RunningCoordinator {
  proc: Proc;
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The base URL the openai client takes: origin + /v1 */
  baseURL: string;
  apiKey: string;
  dataDir: string;
  dbPath: string;
  stop(): Promise<void>;
}

export interface StartCoordinatorOptions {
  env?: NodeJS.ProcessEnv;
  creditUsd?: number;
  /** Reuse a port / data dir / key (e.g. to restart a coordinator); fresh ones by default. */
  port?: number;
  dataDir?: string;
  apiKey?: string;
}

/** Starts a real coordinator process on a loopback port with its own SQLite file. */
export async function startCoordinator(opts: StartCoordinatorOptions = {}): Promise<RunningCoordinator> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? (await tempDir("darkbloom-coord-"));
  const dbPath = join(dataDir, "coordinator.db");
  const apiKey = opts.apiKey ?? newApiKey();
  const proc = spawnNode(
    coordinatorBin,
    [],
    {
      DARKBLOOM_PORT: String(port),
      DARKBLOOM_HOST: "127.0.0.1",
      DARKBLOOM_DATABASE_URL: `sqlite:${dbPath}`,
      DARKBLOOM_BOOTSTRAP_API_KEY: apiKey,
      DARKBLOOM_BOOTSTRAP_CREDIT_USD: String(opts.creditUsd ?? 100),
      ...opts.env,
    },
    "coordinator",
  );
  const origin = `http://127.0.0.1:${port}`;
  await waitFor("coordinator /health", async (signal) => (await fetch(`${origin}/health`, { signal })).ok, 30_000, [proc]);
  return {
    proc,
    port,
    origin,
    baseURL: `${origin}/v1`,
    apiKey,
    dataDir,
    dbPath,
    stop: async () => {
      await proc.stop();
    },
  };
}

export interface RunningProvider {
  proc: Proc;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Starts a real provider process and waits until the coordinator lists its model. */
export async function startProvider(
  coord: RunningCoordinator,
  opts: { modelPath: string; modelId: string; parallel?: number; env?: NodeJS.ProcessEnv },
): Promise<RunningProvider> {
  const configDir = await tempDir("darkbloom-provider-");
  const proc = spawnNode(
    providerBin,
    [
      "start",
      "--foreground",
      "--coordinator",
      `ws://127.0.0.1:${coord.port}/ws/provider`,
      "--model",
      opts.modelPath,
      "--model-id",
      opts.modelId,
      "--parallel",
      String(opts.parallel ?? 4),
    ],
    { DARKBLOOM_CONFIG_DIR: configDir, ...opts.env },
    "provider",
  );
  await waitFor(
    `provider serving ${opts.modelId}`,
    async (signal) => {
      const res = await fetch(`${coord.baseURL}/models`, { headers: { authorization: `Bearer ${coord.apiKey}` }, signal });
      const body = (await res.json()) as { data?: { id: string }[] };
      return res.ok && (body.data ?? []).some((m) => m.id === opts.modelId);
    },
    120_000,
    [proc, coord.proc],
  );
  return {
    proc,
    stop: async () => {
      await proc.stop();
    },
    kill: async () => {
      await proc.kill();
    },
  };
}

/** Starts `darkbloom local` (the engine without a coordinator) and waits for it to answer. */
export async function startLocal(opts: { modelPath: string; modelId: string; parallel?: number }): Promise<{ proc: Proc; baseURL: string; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = spawnNode(
    providerBin,
    ["local", "--model", opts.modelPath, "--model-id", opts.modelId, "--port", String(port), "--parallel", String(opts.parallel ?? 4)],
    {},
    "local",
  );
  const origin = `http://127.0.0.1:${port}`;
  await waitFor("darkbloom local /health", async (signal) => (await fetch(`${origin}/health`, { signal })).ok, 120_000, [proc]);
  return { proc, baseURL: `${origin}/v1`, stop: async () => void (await proc.stop()) };
}
