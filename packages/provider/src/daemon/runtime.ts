import { generateEncryptionKeyPair, type RegisterFrame } from "@darkbloom/protocol";
import { WeightHashes, attestServedModels } from "../attestation/index.js";
import { ownPackageHash } from "../release/index.js";
import { ProviderClient } from "../client/provider-client.js";
import { buildRegisterFrame, describeHardware, withHardwareEvidence } from "../client/register.js";
import { isAvailable, msUntilNextCheck } from "../config/schedule.js";
import type { EffectiveConfig } from "../config/schema.js";
import { configDir, loadOrCreateIdentity } from "../identity/identity-store.js";
import type { Logger } from "../log.js";
import { waitForShutdownSignal } from "../cli/shutdown.js";
import { TpmAttester, type HardwareAttester } from "../tpm/index.js";
import { PROVIDER_VERSION } from "../version.js";
import type { ControlRequest, ControlResponse, ProviderStatus } from "./control/messages.js";
import { startControlServer } from "./control/server.js";
import { checkMemoryCap, closeModels, loadModels } from "./engines.js";
import { createHost, modelStatusRows } from "./hosting.js";
import type { ModelHost } from "../hosting/index.js";
import { coordinatorOrigin, fetchEarnings } from "./earnings.js";
import { fetchDeviceEarnings, loadAccount } from "../account/index.js";
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
  let host: ModelHost | undefined;
  let tpm: HardwareAttester | undefined;
  try {
    const identity = await loadOrCreateIdentity(configDir());
    if (config.tpmTcti !== undefined) {
      tpm = await TpmAttester.open(config.tpmTcti);
      log("tpm_ready", { tcti: config.tpmTcti });
    }
    const hardwareAttester = tpm;
    // `darkbloom login`'s account token: the upgrade's bearer (instead of the enrollment token), but
    // only toward the coordinator that issued it.
    const stored = await loadAccount(configDir());
    const account = stored && stored.coordinator === coordinatorOrigin(config.coordinator) ? stored : undefined;
    if (stored && !account) log("account_token_unused", { reason: `logged in at ${stored.coordinator}, not at this coordinator: run \`darkbloom login\` for it` });
    const bearer = account?.access_token ?? config.token;
    const linked = account !== undefined || config.accountKey !== undefined;
    const keyPair = await generateEncryptionKeyPair();
    // Every configured model is offered; the preload ones (up to 3, memory gate permitting) load now.
    const hostSettings = { parallel: config.parallel, log, hashes: new WeightHashes(paths.dir), ...(config.memoryCapGb !== undefined && { memoryCapGb: config.memoryCapGb }) };
    let models = config.models;
    const created = await createHost(models, hostSettings);
    host = created.host;
    await host.preload();
    const hardware = describeHardware([...created.engines.values()][0]?.backend ?? "cpu");
    const pricesOf = (served: typeof models) => served.flatMap((m) => (m.price ? [{ model: m.id, ...m.price }] : []));
    const register = async (): Promise<RegisterFrame> => {
      const frame = await withHardwareEvidence(await buildRegisterFrame(identity, keyPair, host!.describe(), hardware), hardwareAttester, log);
      const prices = pricesOf(models);
      return { ...frame, ...(config.accountKey !== undefined && { account_token: config.accountKey }), ...(prices.length > 0 && { prices }) };
    };
    const client = new ProviderClient({
      url: config.coordinator,
      engines: new Map(),
      hosting: host,
      keyPair,
      identitySecret: identity.secretKey,
      ...(hardwareAttester && { hardware: hardwareAttester }),
      ...(bearer !== undefined && { token: bearer }),
      register,
      // Every offered model (the host's, as registered), loaded or not.
      attest: async (nonce) => attestServedModels(identity, keyPair, host!.describe(), hardware, nonce, Date.now(), await ownPackageHash()),
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
      linked,
      paused_by_schedule: paused,
      models: modelStatusRows(host!, models, config.parallel),
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
        const loaded = await loadModels([next], config.parallel, log);
        // The switched-to model, hosted alone (its engine taken over as loaded).
        const next$ = await createHost([next], hostSettings, new Map(loaded.map((m) => [m.config.id, m.engine]))).catch(async (err: Error) => {
          await closeModels(loaded);
          throw err;
        });
        await next$.host.preload();
        const oldHost = host!;
        if (!paused && client.linkState === "connected") {
          // Same connection: the coordinator swaps the models on a freshly signed attestation.
          const frame = await buildRegisterFrame(identity, keyPair, next$.host.describe(), hardware);
          const prices = pricesOf([next]);
          const result = await client.updateModels(
            { attestation: frame.attestation, models: frame.models, ...(prices.length > 0 && { prices }) },
            new Map(loaded.map((m) => [m.config.id, m.engine])),
          );
          if (!result.accepted) {
            await next$.host.close();
            log("switch_refused", { model: id, reason: result.reason });
            return { ok: false, error: `the coordinator refused the switch (still serving ${models.map((m) => m.id).join(", ")}): ${result.reason}` };
          }
          host = next$.host;
          models = [next];
          client.setHosting(host);
          // Requests already running on the old engines finish before they close.
          await client.settle(config.gracePeriodS * 1000);
          await oldHost.close();
        } else {
          // Not registered right now: the next registration announces the new model.
          host = next$.host;
          models = [next];
          client.setHosting(host);
          client.replaceEngines(new Map());
          await oldHost.close();
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
          const [earnings, deviceEarnings] = await Promise.all([
            config.accountKey === undefined ? null : fetchEarnings(config.coordinator, config.accountKey),
            account === undefined ? null : fetchDeviceEarnings(account.coordinator, account.access_token, account.device_id),
          ]);
          return { ok: true, status: { ...status(), earnings: earnings ?? null, device_earnings: deviceEarnings ?? null } };
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
    log("started", { coordinator: config.coordinator, models: models.map((m) => m.id), loaded: [...host.loaded().keys()], kid: keyPair.kid, linked, ...(account && { account_id: account.account_id }), paused });

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
    await host?.close();
    await tpm?.close();
    if (ownsState) await releasePidFile(paths.pidFile);
  }
}
