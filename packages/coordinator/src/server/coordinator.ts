import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyAttestation } from "@darkbloom/protocol";
import { buildRouter, errorFormatForPath, type ApiDeps } from "../api/index.js";
import { createAccountAuth, ensureBootstrapKey, type AccountAuth } from "../auth/index.js";
import { DeliveryCheckpoints, Meter, PriceBook, percentToBps, startReservationSweeper } from "../billing/index.js";
import { ConfigError, ENV_NAMES, resolveConfig, type CoordinatorConfigInput, type ResolvedConfig } from "../config/index.js";
import { KeyLimiter } from "../limits/index.js";
import { HttpError, HttpGuard, createRequestListener, httpLimitsFrom, sendError } from "../http/index.js";
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
  /** Graceful stop: refuse new work, let in-flight requests finish (bounded), close sockets and the DB. */
  close(): Promise<void>;
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
  });
  const maxRequestMs = cfg.maxRequestSeconds * 1000;
  const admission = new Admission({
    registry,
    queue: new MemoryAdmissionQueue(),
    budget: new BudgetBook(clock.now),
    clock,
    limits: { queueDepth: cfg.queueDepth, maxWaitMs: cfg.queueMaxWaitMs },
  });
  const relay = new Relay({
    registry,
    clock,
    logger,
    maxAttempts: cfg.maxAttempts,
    cancelSettleMs: cfg.cancelSettleMs,
    streamIdleTimeoutMs: cfg.streamIdleTimeoutMs,
    maxRequestMs,
    firstTokenBaseMs: cfg.firstTokenBaseMs,
    budget: admission,
    // Backups only while nobody waits for the model (a backup would take a waiter's slot).
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
  });
  const meter = new Meter(store, {
    clock,
    logger,
    prices,
    split: { platformFeeBps: percentToBps(cfg.platformFeePercent), referralShareBps: percentToBps(cfg.referralSharePercent) },
    providerById: (id) => registry.get(id),
    referrerOf: (accountId) => store.accounts.referrerOf(accountId),
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
  // Settles holds a crashed predecessor left (at start) and any that outlive a request (periodically);
  // a hold is taken before the request queues, so the longest life is the queue wait plus a request.
  const holdMaxAgeMs = maxRequestMs + cfg.queueMaxWaitMs;
  const sweeper = startReservationSweeper({ store, meter, clock, logger, maxAgeMs: holdMaxAgeMs, everyMs: sweepIntervalMs(holdMaxAgeMs) });
  const limits = new KeyLimiter({ keys: store.keys, now: clock.now });
  const stripe = cfg.stripeSecretKey ? createStripeClient(cfg.stripeSecretKey, cfg.stripeApiBase) : undefined;
  const apiDeps: ApiDeps = { config: cfg, store, registry, relay, admission, meter, checkpoints, prices, clock, entropy, logger, accountAuth, limits, warmPool, trust, ...(stripe && { stripe }) };
  const listener = createRequestListener({
    router: buildRouter(apiDeps),
    logger,
    newRequestId: () => entropy.id("req"),
    now: clock.now,
    accessLogLevel: cfg.accessLogLevel,
    errorFormat: errorFormatForPath,
  });
  let draining = false;
  // Header/body/idle timeouts and the per-address connection cap (http/connections).
  const guard = new HttpGuard(httpLimitsFrom(cfg), logger);
  const server = createServer(
    guard.serverOptions(),
    guard.wrap((req, res) => {
      if (!draining) return listener(req, res);
      // Shutting down: requests arriving on kept-alive connections go elsewhere.
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      sendError(res, new HttpError(503, "The coordinator is shutting down; retry.", "shutting_down", null, { "retry-after": "1" }, true), errorFormatForPath(path));
    }),
  );
  guard.attach(server);
  // The relay fails over a lost provider's requests first; admission then drops its budget and
  // tells waiters for a model nobody serves any more.
  const providerEvents: ProviderEvents = {
    onProviderFrame: (p, frame) => relay.onProviderFrame(p, frame),
    onProviderGone: (p) => {
      relay.onProviderGone(p);
      admission.onProviderGone(p);
    },
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
  const close = () =>
    (closing ??= (async () => {
      logger.info("shutting down", { in_flight: relay.inFlight, providers: registry.size });
      draining = true;
      stopEviction();
      warmPool.stop();
      providers.stopAccepting();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = new Promise<"timeout">((resolve) => {
        const t = setTimeout(() => resolve("timeout"), cfg.shutdownGraceMs);
        t.unref();
      });
      if ((await Promise.race([relay.whenIdle(), grace])) === "timeout") relay.abortAll("The coordinator is shutting down.");
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
    })());

  return { url, port, config: cfg, store, registry, close };
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
