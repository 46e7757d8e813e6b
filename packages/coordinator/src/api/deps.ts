import type { Admission } from "../admission/index.js";
import type { AccountAuth } from "../auth/index.js";
import type { DeliveryCheckpoints, Meter, PriceBook } from "../billing/index.js";
import type { ResolvedConfig } from "../config/index.js";
import type { KeyLimiter } from "../limits/index.js";
import type { Logger } from "../log/index.js";
import type { StripeClient } from "../payments/index.js";
import type { ProviderRegistry } from "../registry/index.js";
import type { Relay } from "../relay/index.js";
import type { Clock, Entropy } from "../runtime/index.js";
import type { Store } from "../store/index.js";
import type { DrainGate, DrainReason } from "../drain/index.js";
import type { CoordinatorMetrics } from "../metrics/index.js";
import type { ReputationTracker } from "../reputation/index.js";
import type { TrustService } from "../trust/index.js";
import type { WarmPool } from "../warm-pool/index.js";

/** Operations: drain state, metrics, reputation (drain/, metrics/, reputation/). */
export interface OpsHandles {
  drain: DrainGate;
  metrics: CoordinatorMetrics;
  reputation: ReputationTracker;
  /** Starts the graceful drain and stop (the path SIGTERM takes); idempotent. */
  beginShutdown(reason: DrainReason): void;
  /** A dispute filed against one of the provider's receipts (reputation). */
  recordDispute(providerId: string): void;
}

/** What the API routes use; assembled once per coordinator instance. */
export interface ApiDeps {
  config: ResolvedConfig;
  store: Store;
  registry: ProviderRegistry;
  relay: Relay;
  /** Token-budget admission and the per-model queue. */
  admission: Admission;
  meter: Meter;
  checkpoints: DeliveryCheckpoints;
  /** Owner and platform prices (cached, written through). */
  prices: PriceBook;
  /** The Stripe SDK client; absent when DARKBLOOM_STRIPE_SECRET_KEY is unset. */
  stripe?: StripeClient;
  clock: Clock;
  entropy: Entropy;
  logger: Logger;
  /** Session / API key / OIDC authentication for account routes. */
  accountAuth: AccountAuth;
  /** Per-key rate limits and spend caps, checked at admission. */
  limits: KeyLimiter;
  ops: OpsHandles;
  /** Challenge standing and the operator's minimum trust level (src/trust). */
  trust: TrustService;
  /** Arrival rates per model and model loads (absent in tests that build the API alone). */
  warmPool?: WarmPool;
}
