import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { tempDir } from "./temp-dirs.js";
import { repoRoot, spawnNode, waitFor, type Proc } from "./process.js";

const coordinatorBin = join(repoRoot, "packages/coordinator/bin/darkbloom-coordinator.js");
const providerBin = join(repoRoot, "packages/provider/bin/darkbloom.js");

export function newApiKey(): string {
  return `sk-db-${randomBytes(32).toString("hex")}`;
}

/**
 * The coordinator's provider enrollment token for a data dir: kept in `<dataDir>/provider-token`,
 * so a coordinator restarted on the same data dir accepts the providers it accepted before.
 */
async function providerTokenFor(dataDir: string): Promise<string> {
  const file = join(dataDir, "provider-token");
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing) return existing.trim();
  const token = `dbpt-${randomBytes(24).toString("hex")}`;
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
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
  /** The provider enrollment token (DARKBLOOM_PROVIDER_TOKEN); null with open registration. */
  providerToken: string | null;
  stop(): Promise<void>;
}

export interface StartCoordinatorOptions {
  env?: NodeJS.ProcessEnv;
  creditUsd?: number;
  /** Reuse a port / data dir / key (e.g. to restart a coordinator); fresh ones by default. */
  port?: number;
  dataDir?: string;
  apiKey?: string;
  /** Enrollment token; default: one kept in the data dir. null: open registration instead. */
  providerToken?: string | null;
}

/** Starts a real coordinator process on a loopback port with its own SQLite file. */
export async function startCoordinator(opts: StartCoordinatorOptions = {}): Promise<RunningCoordinator> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? (await tempDir("darkbloom-coord-"));
  const dbPath = join(dataDir, "coordinator.db");
  const apiKey = opts.apiKey ?? newApiKey();
  const providerToken = opts.providerToken === undefined ? await providerTokenFor(dataDir) : opts.providerToken;
  const proc = spawnNode(
    coordinatorBin,
    [],
    {
      DARKBLOOM_PORT: String(port),
      DARKBLOOM_HOST: "127.0.0.1",
      DARKBLOOM_DATABASE_URL: `sqlite:${dbPath}`,
      DARKBLOOM_BOOTSTRAP_API_KEY: apiKey,
      DARKBLOOM_BOOTSTRAP_CREDIT_USD: String(opts.creditUsd ?? 100),
      // Test machines run several real providers and test files on 2 shared cores: a first token
      // can take longer than SPEC's 5 s there without any provider being at fault. Deadline
      // behaviour itself is tested on a fake clock (coordinator server/deadlines.test.ts).
      DARKBLOOM_FIRST_TOKEN_BASE_MS: "30000",
      ...(providerToken === null
        ? { DARKBLOOM_OPEN_REGISTRATION: "true", DARKBLOOM_PROVIDER_TOKEN: "" }
        : { DARKBLOOM_PROVIDER_TOKEN: providerToken, DARKBLOOM_OPEN_REGISTRATION: "" }),
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
    providerToken,
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

export interface StartProviderOptions {
  modelPath: string;
  modelId: string;
  /** Load the main model at start (default true); false: offered, loaded on demand. */
  preload?: boolean;
  /** More models the provider offers (written to its provider.toml as [[models]]). */
  extraModels?: { path: string; id: string; preload?: boolean }[];
  parallel?: number;
  env?: NodeJS.ProcessEnv;
  /** Enrollment token to send; default: the coordinator's. null sends none. */
  token?: string | null;
}

/** Spawns a real provider process for `coord` without waiting for it (e.g. to watch it be refused). */
export async function spawnProvider(coord: RunningCoordinator, opts: StartProviderOptions): Promise<Proc> {
  const configDir = await tempDir("darkbloom-provider-");
  const token = opts.token === undefined ? coord.providerToken : opts.token;
  // Several models (or an on-demand one) go through provider.toml; one preloaded model through flags.
  const viaFile = opts.extraModels !== undefined || opts.preload === false;
  if (viaFile) {
    const models = [{ path: opts.modelPath, id: opts.modelId, preload: opts.preload ?? true }, ...(opts.extraModels ?? [])];
    const toml = models.map((m) => `[[models]]\npath = ${JSON.stringify(m.path)}\nid = ${JSON.stringify(m.id)}\npreload = ${m.preload ?? true}\n`).join("\n");
    await writeFile(join(configDir, "provider.toml"), toml, { mode: 0o600 });
  }
  return spawnNode(
    providerBin,
    [
      "start",
      "--foreground",
      "--coordinator",
      `ws://127.0.0.1:${coord.port}/ws/provider`,
      ...(viaFile ? [] : ["--model", opts.modelPath, "--model-id", opts.modelId]),
      "--parallel",
      String(opts.parallel ?? 4),
    ],
    // Its own state dir too: a test provider must not take the pid file and socket in $HOME.
    { DARKBLOOM_CONFIG_DIR: configDir, DARKBLOOM_STATE_DIR: configDir, DARKBLOOM_PROVIDER_TOKEN: token ?? "", ...opts.env },
    "provider",
  );
}

/** Starts a real provider process and waits until the coordinator lists its model. */
export async function startProvider(coord: RunningCoordinator, opts: StartProviderOptions): Promise<RunningProvider> {
  const proc = await spawnProvider(coord, opts);
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
