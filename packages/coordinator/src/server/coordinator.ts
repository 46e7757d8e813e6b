import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyAttestation } from "@darkbloom/protocol";
import { buildRouter, errorFormatForPath, type ApiDeps } from "../api/index.js";
import { createAccountAuth, ensureBootstrapKey, type AccountAuth } from "../auth/index.js";
import { DeliveryCheckpoints, Meter, PriceBook, percentToBps, startReservationSweeper } from "../billing/index.js";
import { ConfigError, ENV_NAMES, resolveConfig, type CoordinatorConfigInput, type ResolvedConfig } from "../config/index.js";
import { KeyLimiter } from "../limits/index.js";
import { HttpGuard, createRequestListener, httpLimitsFrom } from "../http/index.js";
import { isInferenceRequest } from "../api/inference-routes.js";
import { drainAndStop, type DrainReason } from "../drain/index.js";
import { createLogger, errorFields, type Logger } from "../log/index.js";
import { KnownModelsWriter, MAX_KNOWN_MODELS, MODEL_MEMORY_MS, MemoryRegistry, type KnownModelRecord, type LiveProvider, type ProviderRegistry } from "../registry/index.js";
import { Relay } from "../relay/index.js";
import { Admission, BudgetBook, MemoryAdmissionQueue } from "../admission/index.js";
import { systemClock, systemEntropy, type Clock, type Entropy } from "../runtime/index.js";
import { createStripeClient } from "../payments/index.js";
import { openStore, type Store } from "../store/index.js";
import { TrustService } from "../trust/index.js";
import { hardwareVerifiersFor } from "../trust/index.js";
import { WarmPool } from "../warm-pool/index.js";
import { apiKeyOwner, bearerAccountOf } from "./account-token.js";
import { startEviction } from "./eviction.js";
import { createOps, type Ops } from "./ops.js";
import { ProviderEndpoint } from "./provider-endpoint.js";
import { providerIdFor } from "../ws/provider-id.js";
import type { ProviderEvents } from "../ws/index.js";
import type { ProviderAdmission } from "./provider-auth.js";

/** Process-level effects a caller (tests, the simulator) may replace. */
export interface CoordinatorDeps {
  clock?: Clock;
  entropy?: Entropy;
  /** Receives each JSON log line; defaults to stdout. */
  logWrite?: (line: string) => void;
  logger?: Logger;
  cwd?: string;
}

export interface RunningCoordinator {
  /** e.g. `http://127.0.0.1:53122` */
  url: string;
  port: number;
  config: ResolvedConfig;
  /** The durable store (tests read balances and the ledger through it). */
  store: Store;
  registry: ProviderRegistry;
  /** Drain state, metrics, reputation; `recordChallenge` / `recordDispute` feed reputation. */
  ops: Ops;
  /**
   * Graceful stop (drain): refuse new inference (503, /readyz 503), let in-flight requests finish
   * within DARKBLOOM_SHUTDOWN_GRACE_MS, end the rest with an error, close sockets and the DB.
   */
  close(): Promise<void>;
  /** Resolves once a stop finished, whatever started it (close, POST /v1/admin/drain). */
  readonly closed: Promise<void>;
}

/** Starts the HTTP + WebSocket coordinator. `config` takes the same settings as the environment. */
export async function startCoordinator(config: CoordinatorConfigInput | ResolvedConfig = {}, deps: CoordinatorDeps = {}): Promise<RunningCoordinator> {
  const cfg = resolveConfig(config, deps.cwd);
  const hardware = hardwareVerifiersFor(cfg, deps.cwd ?? process.cwd(), (message) => new ConfigError(ENV_NAMES.tpmCaDir, message));
  const clock = deps.clock ?? systemClock;
  const entropy = deps.entropy ?? systemEntropy;
  const logger = deps.logger ?? createLogger({ level: cfg.logLevel, now: clock.now, ...(deps.logWrite && { write: deps.logWrite }) });
  if (hardware.size > 0) logger.info("hardware trust enabled", { kinds: hardware.kinds().join(",") });

  const store = await openStore(cfg.database, {
    now: clock.now,
    newId: (prefix) => entropy.id(prefix),
    onDatabaseError: (err) => logger.warn("an idle database connection failed; the pool replaces it", errorFields(err)),
  });
  const prices = new PriceBook(store);
  let accountAuth: AccountAuth;
  let remembered: KnownModelRecord[];
  try {
    // Models proven providers served within 24 h: 503 (not 404) for them while providers reconnect.
    remembered = await store.knownModels.load(clock.now() - MODEL_MEMORY_MS, MAX_KNOWN_MODELS);
    if (cfg.bootstrapApiKey) await ensureBootstrapKey(store, cfg.bootstrapApiKey, cfg.bootstrapCreditUsd);
    accountAuth = await createAccountAuth(cfg, store, clock.now);
    await prices.load();
  } catch (err) {
    await store.close();
    throw err;
  }

  const knownModels = new KnownModelsWriter(store.knownModels, logger);
  // The trust gate reads the registry's providers; the registry asks it who may be routed to.
  let trust: TrustService | undefined;
  const registry = new MemoryRegistry(entropy.random, clock.now, {
    restoredModels: remembered,
    onModelServed: (r) => knownModels.add(r),
    challengeFresh: (p) => trust?.challengeFresh(p) ?? false,
    minTrust: cfg.minTrust,
  });
  trust = new TrustService({
    registry,
    clock,
    logger,
    settings: {
      intervalMs: cfg.challengeIntervalMs,
      timeoutMs: cfg.challengeTimeoutMs,
      maxSkewMs: cfg.challengeMaxSkewMs,
      strikes: 3,
      minTrust: cfg.minTrust,
    },
    onChallenge: (providerId, passed) => ops.recordChallenge(providerId, passed),
  });
  // Built just below; the ops read its size only at scrape time.
  let relay: Relay;
  const ops = createOps({ registry, clock, logger, relayInFlight: () => relay.inFlight, disputesAgainst: (id) => store.disputes.countAgainst(id) });
  const maxRequestMs = cfg.maxRequestSeconds * 1000;
  const admission = new Admission({
    registry,
    queue: new MemoryAdmissionQueue(),
    budget: new BudgetBook(clock.now),
    clock,
    limits: { queueDepth: cfg.queueDepth, maxWaitMs: cfg.queueMaxWaitMs },
  });
  ops.metrics.setQueueDepthSource(() => admission.totalQueued());
  relay = new Relay({
    registry,
    clock,
    logger,
    maxAttempts: cfg.maxAttempts,
    cancelSettleMs: cfg.cancelSettleMs,
    streamIdleTimeoutMs: cfg.streamIdleTimeoutMs,
    maxRequestMs,
    firstTokenBaseMs: cfg.firstTokenBaseMs,
    budget: admission,
    // Backups only while nobody waits for the model (a backup would take a waiter's slot) and
    // while they win often enough to be worth the work (registry statistics).
    ...(cfg.speculativeDispatch && {
      backups: {
        allowed: (model: string) => admission.queueDepth(model) === 0 && registry.backupsWorthwhile(model),
        dispatched: (model: string) => registry.recordBackupDispatched(model),
        outcome: (model: string, _backup: LiveProvider, won: boolean) => {
          if (won) registry.recordBackupWon(model);
        },
      },
    }),
    outcomes: ops.outcomes,
  });
  const meter = new Meter(store, {
    clock,
    logger,
    prices,
    split: { platformFeeBps: percentToBps(cfg.platformFeePercent), referralShareBps: percentToBps(cfg.referralSharePercent) },
    providerById: (id) => registry.get(id),
    referrerOf: (accountId) => store.accounts.referrerOf(accountId),
    onSettled: (result, outcome) => ops.metrics.onSettled(result, outcome),
  });
  const checkpoints = new DeliveryCheckpoints(store, clock, logger);
  const warmPool = new WarmPool({
    registry,
    clock,
    logger,
    tickMs: cfg.warmPoolTickMs,
    loadTimeoutMs: cfg.warmPoolLoadTimeoutMs,
    cooldownMs: cfg.warmPoolCooldownMs,
  });
  // Settles holds a crashed predecessor left (at start) and any that outlive a request (periodically).
  // A hold is taken before its request queues; the sweeper leaves this process's own open requests
  // alone up to twice this age, which covers the queue wait (≤ 120 s by default) plus a request.
  const sweeper = startReservationSweeper({ store, meter, clock, logger, maxAgeMs: maxRequestMs, everyMs: sweepIntervalMs(maxRequestMs) });
  const limits = new KeyLimiter({ keys: store.keys, now: clock.now });
  const stripe = cfg.stripeSecretKey ? createStripeClient(cfg.stripeSecretKey, cfg.stripeApiBase) : undefined;
  const apiDeps: ApiDeps = { config: cfg, store, registry, relay, admission, meter, checkpoints, prices, clock, entropy, logger, accountAuth, limits, warmPool, ops, trust, ...(stripe && { stripe }) };
  const listener = createRequestListener({
    router: buildRouter(apiDeps),
    logger,
    newRequestId: () => entropy.id("req"),
    now: clock.now,
    accessLogLevel: cfg.accessLogLevel,
    errorFormat: errorFormatForPath,
    // While draining, new inference is refused (503 + Retry-After); admitted inference is tracked
    // until its response closes. Other routes (readyz, metrics, accounts) keep answering.
    admit: (ctx, method) => {
      if (isInferenceRequest(method, ctx.path)) ops.drain.admit(ctx.res);
    },
    onDone: (done) => ops.metrics.onRequestDone(done),
  });
  // Header/body/idle timeouts and the per-address connection cap (http/connections).
  const guard = new HttpGuard(httpLimitsFrom(cfg), logger);
  const server = createServer(guard.serverOptions(), guard.wrap(listener));
  guard.attach(server);
  // The relay fails over a lost provider's requests first; admission then drops its budget and
  // tells waiters for a model nobody serves any more. Ops (reputation, metrics) see the same events.
  const opsEvents = ops.providerEvents(relay);
  const providerEvents: ProviderEvents = {
    onProviderFrame: (p, frame) => opsEvents.onProviderFrame(p, frame),
    onProviderGone: (p) => {
      opsEvents.onProviderGone(p);
      admission.onProviderGone(p);
    },
    onProviderAdmitted: (p) => opsEvents.onProviderAdmitted?.(p),
    onProviderCapacity: (p, why) => {
      if (why === "heartbeat") admission.onHeartbeat(p);
      else if (why === "registered") admission.onProviderAdded(p);
      else admission.drainAll();
    },
  };
  const providers = new ProviderEndpoint(server, {
    registry,
    events: providerEvents,
    clock,
    logger,
    verifyAttestation,
    registerTimeoutMs: cfg.registerTimeoutMs,
    heartbeatIntervalMs: cfg.heartbeatIntervalMs,
    writeTimeoutMs: cfg.writeTimeoutMs,
    resolveAccountToken: apiKeyOwner(store),
    trust,
    hardware,
    modelLoads: warmPool,
    ...(cfg.minProviderVersion !== undefined && { minProviderVersion: cfg.minProviderVersion }),
    isKnownRelease: async (hash) => (await store.releases.byHash(hash)) !== null,
    linkDevice: (link) => store.devices.link(link),
    linkedAccount: async (identityKey) => (await store.devices.linkOf(providerIdFor(identityKey)))?.accountId ?? null,
  }, providerAdmission(cfg, logger), bearerAccountOf(store));
  const stopEviction = startEviction(registry, providerEvents, clock, logger, cfg.providerEvictionMs, Math.min(cfg.heartbeatIntervalMs, 5_000));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(cfg.port, cfg.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    stopEviction();
    warmPool.stop();
    await sweeper.stop();
    await store.close();
    throw err;
  }
  warmPool.start();
  const port = (server.address() as AddressInfo).port;
  const host = cfg.host.includes(":") ? `[${cfg.host}]` : cfg.host;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;

  let closing: Promise<void> | undefined;
  let settleClosed: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  const closed = new Promise<void>((resolve, reject) => (settleClosed = { resolve, reject }));
  closed.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
  const closeEverything = async () => {
    stopEviction();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    await providers.closeAll(2_000);
    server.closeAllConnections();
    await stopped;
    guard.close();
    await sweeper.stop();
    await knownModels.flush();
    try {
      await store.close();
    } catch (err) {
      logger.error("closing the store failed", errorFields(err));
    }
  };
  const shutdown = (reason: DrainReason): Promise<void> =>
    (closing ??= (async () => {
      warmPool.stop();
      providers.stopAccepting();
      const summary = await drainAndStop(
        {
          gate: ops.drain,
          clock,
          logger,
          graceMs: cfg.shutdownGraceMs,
          relayInFlight: () => relay.inFlight,
          relayIdle: () => relay.whenIdle(),
          abortAll: (message) => {
            admission.refuseAll(message);
            relay.abortAll(message);
          },
          settled: () => meter.whenSettled(),
          closeEverything,
        },
        reason,
      );
      logger.info("shut down", { reason: summary.reason, finished_in_grace: summary.finishedInGrace, aborted: summary.aborted });
    })().then(
      () => settleClosed?.resolve(),
      (err: unknown) => {
        settleClosed?.reject(err);
        throw err;
      },
    ));
  ops.bindShutdown((reason) => void shutdown(reason).catch(() => undefined)); // failures surface through `closed`

  return { url, port, config: cfg, store, registry, ops, close: () => shutdown("signal"), closed };
}

/** Token enrollment, or (explicitly configured, and said loudly) open registration. */
function providerAdmission(cfg: ResolvedConfig, logger: Logger): ProviderAdmission {
  if (cfg.providerToken !== undefined) return { kind: "token", token: cfg.providerToken };
  // resolveConfig guarantees openRegistration here.
  logger.warn("open provider registration: any client can register as a provider and receive requests (DARKBLOOM_OPEN_REGISTRATION=true); set DARKBLOOM_PROVIDER_TOKEN to require an enrollment token");
  return { kind: "open" };
}

/** A quarter of the longest request, between 250 ms and a minute. */
function sweepIntervalMs(maxRequestMs: number): number {
  return Math.min(Math.max(Math.floor(maxRequestMs / 4), 250), 60_000);
}
