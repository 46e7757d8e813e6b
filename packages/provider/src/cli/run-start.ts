import { generateEncryptionKeyPair } from "@darkbloom/protocol";
import { ProviderClient } from "../client/provider-client.js";
import { buildRegisterFrame, describeHardware } from "../client/register.js";
import { configDir, loadOrCreateIdentity } from "../identity/identity-store.js";
import { createLogger } from "../log.js";
import type { Command } from "./args.js";
import { loadEngine } from "./load-engine.js";
import { waitForShutdownSignal } from "./shutdown.js";

export async function runStart(cmd: Extract<Command, { kind: "start" }>): Promise<number> {
  const log = createLogger("provider");
  const identity = await loadOrCreateIdentity(configDir());
  const keyPair = await generateEncryptionKeyPair();
  const engine = await loadEngine(cmd.engine, log);
  const models = [engine.describe()];
  const hardware = describeHardware("cpu");
  const client = new ProviderClient({
    url: cmd.coordinator,
    engines: new Map([[engine.modelId, engine]]),
    keyPair,
    register: () => buildRegisterFrame(identity, keyPair, models, hardware),
    log,
  });
  client.start();
  log("started", { coordinator: cmd.coordinator, model: engine.modelId, kid: keyPair.kid });
  await waitForShutdownSignal();
  log("stopping", {});
  await client.stop();
  await engine.close();
  return 0;
}
