import { generateEncryptionKeyPair, type RegisterFrame } from "@darkbloom/protocol";
import { WeightHashes, attestServedModels } from "../attestation/index.js";
import { ProviderClient } from "../client/provider-client.js";
import { buildRegisterFrame, describeHardware } from "../client/register.js";
import { isAvailable, msUntilNextCheck } from "../config/schedule.js";
import type { EffectiveConfig } from "../config/schema.js";
import { configDir, loadOrCreateIdentity } from "../identity/identity-store.js";
import type { Logger } from "../log.js";
import { waitForShutdownSignal } from "../cli/shutdown.js";
import { PROVIDER_VERSION } from "../version.js";
import type { ControlRequest, ControlResponse, ProviderStatus } from "./control/messages.js";
import { startControlServer } from "./control/server.js";
import { checkMemoryCap, closeModels, loadModels, type ServedModel } from "./engines.js";
import { fetchEarnings } from "./earnings.js";
import { acquirePidFile, releasePidFile } from "./pidfile.js";
import type { StatePaths } from "./paths.js";

export interface RuntimeOptions {
  config: EffectiveConfig;
  paths: StatePaths;
  /** Started by `darkbloom start` in the background: the pid file must be ours. */
  daemonChild: boolean;
  log: Logger;
  now?: () => Date;
}

/** Runs a provider in the foreground until SIGTERM/SIGINT or a refusal; returns the exit code. */
export async function runProvider(opts: RuntimeOptions): Promise<number> {
  const { config, paths, log } = opts;
  const now = opts.now ?? (() => new Date());
  if (config.models.length === 0) throw new Error("no model to serve: pass --model FILE or list [[models]] in provider.toml");
  const pid = await acquirePidFile(paths.pidFile);
  if (!pid.ok) {
    if (opts.daemonChild) throw new Error(`darkbloom is already running (pid ${pid.pid})`);
    log("control_unavailable", { reason: `another provider (pid ${pid.pid}) holds ${paths.pidFile}: \`darkbloom status\` will show that one` });
  } else if (pid.staleRemoved !== undefined) log("stale_pid_file_removed", { pid: pid.staleRemoved === true ? null : pid.staleRemoved });
  const ownsState = pid.ok;
  let control: { close(): Promise<void> } | undefined;
  let models: ServedModel[] = [];
  try {
    await checkMemoryCap(config.models, config.memoryCapGb);
    const identity = await loadOrCreateIdentity(configDir());
    const keyPair = await generateEncryptionKeyPair();
    const hashes = new WeightHashes(paths.dir);
    models = await loadModels(config.models, config.parallel, log, hashes);
    const hardware = describeHardware(models[0]!.engine.backend);
    const pricesOf = (served: ServedModel[]) => served.flatMap((m) => (m.config.price ? [{ model: m.config.id, ...m.config.price }] : []));
    const engineMap = () => new Map(models.map((m) => [m.config.id, m.engine]));
    const register = async (): Promise<RegisterFrame> => {
      const frame = await buildRegisterFrame(identity, keyPair, models.map((m) => m.engine.describe()), hardware);
      const prices = pricesOf(models);
      return { ...frame, ...(config.accountKey !== undefined && { account_token: config.accountKey }), ...(prices.length > 0 && { prices }) };
    };
    const client = new ProviderClient({
      url: config.coordinator,
      engines: engineMap(),
      keyPair,
      identitySecret: identity.secretKey,
      ...(config.token !== undefined && { token: config.token }),
      register,
      attest: (nonce, served) => attestServedModels(identity, keyPair, served, hardware, nonce, Date.now()),
      log,
    });
    const startedAt = now();
    let paused = false;
    let switching = false;

    const status = (): ProviderStatus => ({
      pid: process.pid,
      version: PROVIDER_VERSION,
      coordinator: config.coordinator,
      connection: switching ? "switching" : paused ? "paused" : client.linkState === "idle" ? "starting" : client.linkState,
      provider_id: client.providerId ?? null,
      trust_level: client.trustLevel ?? null,
      linked: config.accountKey !== undefined,
      paused_by_schedule: paused,
      models: models.map((m) => {
        const c = m.engine.capacity();
        return { id: m.config.id, path: m.config.path, state: c.state, running: c.numRunning, waiting: c.numWaiting, max_concurrency: c.maxConcurrency, ...(m.config.price && { price: m.config.price }) };
      }),
      requests_served: client.requestsServed,
      tokens_generated: client.tokensGenerated,
      started_at: startedAt.toISOString(),
      uptime_s: Math.max(0, (now().getTime() - startedAt.getTime()) / 1000),
    });

    /** Hands back or finishes in-flight work, then leaves the coordinator (it sends us nothing more). */
    const leave = async (why: string) => {
      const drained = await client.drain(config.gracePeriodS * 1000);
      log("drained", { why, ...drained });
      await client.stop();
    };

    const switchModel = async (path: string, id: string): Promise<ControlResponse> => {
      if (switching) return { ok: false, error: "a switch is already in progress" };
      switching = true;
      try {
        const next = { path, id, ...(config.models.find((m) => m.id === id)?.price && { price: config.models.find((m) => m.id === id)!.price! }) };
        await checkMemoryCap([next], config.memoryCapGb);
        const loaded = await loadModels([next], config.parallel, log, hashes);
        const engineMapOf = (served: ServedModel[]) => new Map(served.map((m) => [m.config.id, m.engine]));
        if (!paused && client.linkState === "connected") {
          // Same connection: the coordinator swaps the models on a freshly signed attestation.
          const frame = await buildRegisterFrame(identity, keyPair, loaded.map((m) => m.engine.describe()), hardware);
          const prices = pricesOf(loaded);
          const result = await client.updateModels(
            { attestation: frame.attestation, models: frame.models, ...(prices.length > 0 && { prices }) },
            engineMapOf(loaded),
          );
          if (!result.accepted) {
            await closeModels(loaded);
            log("switch_refused", { model: id, reason: result.reason });
            return { ok: false, error: `the coordinator refused the switch (still serving ${models.map((m) => m.config.id).join(", ")}): ${result.reason}` };
          }
          const old = models;
          models = loaded;
          // Requests already running on the old engine finish before it closes.
          await client.settle(config.gracePeriodS * 1000);
          await closeModels(old);
        } else {
          // Not registered right now: the next registration announces the new model.
          const old = models;
          models = loaded;
          client.replaceEngines(engineMap());
          await closeModels(old);
        }
        log("switched", { model: id });
        return { ok: true, status: status() };
      } finally {
        switching = false;
      }
    };

    const handle = async (req: ControlRequest): Promise<ControlResponse> => {
      switch (req.op) {
        case "status": {
          const earnings = config.accountKey === undefined ? null : ((await fetchEarnings(config.coordinator, config.accountKey)) ?? null);
          return { ok: true, status: { ...status(), earnings } };
        }
        case "switch":
          return switchModel(req.model_path, req.model_id);
      }
    };
    if (ownsState) control = await startControlServer(paths.socket, handle);

    // Availability schedule: outside every window the provider unregisters (the coordinator then
    // routes nothing to it) and comes back when the next window opens.
    let scheduleTimer: NodeJS.Timeout | undefined;
    const checkSchedule = async () => {
      const open = isAvailable(config.schedule, now());
      if (!open && !paused) {
        paused = true;
        log("paused", { reason: "outside the availability schedule" });
        await leave("schedule");
      } else if (open && paused) {
        paused = false;
        log("resumed", { reason: "availability window open" });
        client.start();
      }
    };
    const scheduleLoop = () => {
      scheduleTimer = setTimeout(() => void checkSchedule().finally(scheduleLoop), msUntilNextCheck(now()));
    };
    if (isAvailable(config.schedule, now())) client.start();
    else {
      paused = true;
      log("paused", { reason: "outside the availability schedule" });
    }
    if (config.schedule.length > 0) scheduleLoop();
    log("started", { coordinator: config.coordinator, models: models.map((m) => m.config.id), kid: keyPair.kid, linked: config.accountKey !== undefined, paused });

    const outcome = await Promise.race([waitForShutdownSignal().then(() => undefined), client.refused]);
    clearTimeout(scheduleTimer);
    if (outcome) {
      process.stderr.write(`darkbloom: ${outcome.message}\n`);
      return 1;
    }
    log("stopping", { in_flight: client.inFlight });
    await leave("stop");
    log("stopped", { requests_served: client.requestsServed });
    return 0;
  } finally {
    await control?.close().catch(() => undefined);
    await closeModels(models);
    if (ownsState) await releasePidFile(paths.pidFile);
  }
}
