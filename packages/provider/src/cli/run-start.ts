import { generateEncryptionKeyPair } from "@darkbloom/protocol";
import { ProviderClient } from "../client/provider-client.js";
import { buildRegisterFrame, describeHardware } from "../client/register.js";
import { configDir, loadOrCreateIdentity } from "../identity/identity-store.js";
import { createLogger } from "../log.js";
import type { Command } from "./args.js";
import { loadEngine } from "./load-engine.js";
import { resolveEngineModel } from "./resolve-model.js";
import { waitForShutdownSignal } from "./shutdown.js";

export async function runStart(cmd: Extract<Command, { kind: "start" }>, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const log = createLogger("provider");
  const token = cmd.token ?? (env.DARKBLOOM_PROVIDER_TOKEN || undefined);
  if (token === undefined) log("no_token", { hint: "no DARKBLOOM_PROVIDER_TOKEN or --token: only a coordinator with open registration will accept this provider" });
  // Links this provider to its owner's account (its earnings go there); today an API key of that account.
  const accountKey = cmd.accountKey ?? (env.DARKBLOOM_ACCOUNT_KEY || undefined);
  const identity = await loadOrCreateIdentity(configDir());
  const keyPair = await generateEncryptionKeyPair();
  const engine = await loadEngine(await resolveEngineModel(cmd.engine, env), log);
  const models = [engine.describe()];
  const hardware = describeHardware(engine.backend);
  const client = new ProviderClient({
    url: cmd.coordinator,
    engines: new Map([[engine.modelId, engine]]),
    keyPair,
    identitySecret: identity.secretKey,
    ...(token !== undefined && { token }),
    register: async () => ({ ...(await buildRegisterFrame(identity, keyPair, models, hardware)), ...(accountKey !== undefined && { account_token: accountKey }) }),
    log,
  });
  client.start();
  log("started", { coordinator: cmd.coordinator, model: engine.modelId, kid: keyPair.kid, backend: engine.backend, linked: accountKey !== undefined });
  const outcome = await Promise.race([waitForShutdownSignal().then(() => undefined), client.refused]);
  if (outcome) {
    // Retrying cannot help: say why in plain words and exit non-zero instead of looping silently.
    process.stderr.write(`darkbloom: ${outcome.message}\n`);
    await engine.close();
    return 1;
  }
  log("stopping", {});
  await client.stop();
  await engine.close();
  return 0;
}
