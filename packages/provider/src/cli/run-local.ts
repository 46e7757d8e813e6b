import { startLocalServer } from "../local/local-server.js";
import { loadEngine } from "./load-engine.js";
import { resolveEngineModel } from "./resolve-model.js";
import { waitForShutdownSignal } from "./shutdown.js";
import type { Command } from "./args.js";
import { createLogger } from "../log.js";

export async function runLocal(cmd: Extract<Command, { kind: "local" }>): Promise<number> {
  const log = createLogger("provider-local");
  const engine = await loadEngine(await resolveEngineModel(cmd.engine), log);
  const server = await startLocalServer(new Map([[engine.modelId, engine]]), cmd.port, cmd.host);
  log("listening", { url: server.url, model: engine.modelId });
  process.stdout.write(`darkbloom local: serving ${engine.modelId} at ${server.url}/v1\n`);
  await waitForShutdownSignal();
  await server.close();
  await engine.close();
  return 0;
}
