import { z } from "zod";
import { HEARTBEAT_INTERVAL_MS, MAX_FRAME_BYTES, PROVIDER_EVICTION_MS } from "@darkbloom/protocol";
import { DEFAULT_DATABASE_URL } from "./database-url.js";
import { ACCOUNT_ENV_NAMES, ACCOUNT_FIELDS, checkAccountRelations } from "./accounts.js";
import { ADMISSION_ENV_NAMES, ADMISSION_FIELDS } from "./admission.js";
import { HTTP_ENV_NAMES, HTTP_FIELDS, checkHttpRelations } from "./http.js";
import { MONEY_ENV_NAMES, MONEY_FIELDS } from "./money.js";
import { TRUST_ENV_NAMES, TRUST_FIELDS, checkTrustRelations } from "./trust.js";
import { TPM_ENV_NAMES, TPM_FIELDS } from "./tpm.js";
import { OPS_ENV_NAMES, OPS_FIELDS } from "./ops.js";
import { WARM_POOL_ENV_NAMES, WARM_POOL_FIELDS } from "./warm-pool.js";
import { LINK_ENV_NAMES, LINK_FIELDS } from "./link.js";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const API_KEY_RE = /^sk-db-[0-9a-f]{64}$/;

const bool = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", "yes", "no"])])
  .transform((v) => v === true || v === "true" || v === "1" || v === "yes");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every coordinator setting with its default. Env var names are the keys in `ENV_NAMES`.
 * Timeouts that depend on each other are checked together in `checkRelations`.
 */
export const ConfigSchema = z.object({
  port: int(0, 65_535).default(8080),
  host: z.string().min(1).default("127.0.0.1"),
  databaseUrl: z.string().min(1).default(DEFAULT_DATABASE_URL),
  bootstrapApiKey: z
    .string()
    .regex(API_KEY_RE, "must look like sk-db-<64 lowercase hex>")
    .optional(),
  bootstrapCreditUsd: z.coerce.number().finite().min(0).max(1_000_000_000).default(0),
  /**
   * Provider enrollment secret: the WebSocket upgrade on /ws/provider must carry
   * `Authorization: Bearer <token>` (compared in constant time). Required unless
   * `openRegistration` is set; the coordinator refuses to start with neither.
   */
  providerToken: z
    .string()
    .min(16, "must be at least 16 characters (e.g. `openssl rand -hex 32`)")
    .max(512)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
    .optional(),
  /** Lets any client register as a provider (no token). Logged as a warning at start. */
  openRegistration: bool.default(false),
  /** Operator secret for /v1/admin/* (`Authorization: Bearer …`, constant-time). Unset: admin routes answer 403. */
  adminToken: z
    .string()
    .min(16, "must be at least 16 characters (e.g. `openssl rand -hex 32`)")
    .max(512)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
    .optional(),
  allowCoordinatorSealed: bool.default(true),
  /**
   * Where catalog model files live when a manifest has no `base_url`: a file is fetched from
   * `<this>/<model_id>/<version>/<path>`. Unset: manifests must carry their own `base_url`.
   */
  modelBaseUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  maxBodyBytes: int(1024, 64 * 1024 * 1024).default(4 * 1024 * 1024),
  logLevel: z.enum(LOG_LEVELS).default("info"),
  /** A provider must send `register` this soon after connecting. */
  registerTimeoutMs: int(100, 600_000).default(10_000),
  /** The provider's heartbeat cadence (protocol constant) and the silence that evicts it. */
  heartbeatIntervalMs: int(10, 600_000).default(HEARTBEAT_INTERVAL_MS),
  providerEvictionMs: int(100, 3_600_000).default(PROVIDER_EVICTION_MS),
  /** A socket whose queued writes make no progress this long is dropped. */
  writeTimeoutMs: int(100, 600_000).default(15_000),
  /** Failover attempts per request (first dispatch included). */
  maxAttempts: int(1, 10).default(3),
  /** Chunks a slow consumer may leave unread, and the grace before it gets 499. */
  streamBufferChunks: int(1, 65_536).default(256),
  drainGraceMs: int(1, 60_000).default(250),
  /** After a cancel, how long we wait for the provider's usage report before refunding. */
  cancelSettleMs: int(10, 600_000).default(10_000),
  /**
   * Drain (SIGTERM, SIGINT or POST /v1/admin/drain): how long in-flight requests may take to
   * finish before the rest are ended with an error. 0: end them at once.
   */
  shutdownGraceMs: int(0, 600_000).default(10_000),
  /** /metrics access (config/ops.ts). */
  ...OPS_FIELDS,
  /** HTTP timeouts, per-address connection cap, access-log level (config/http.ts). */
  ...HTTP_FIELDS,
  /** Once a stream has started, the longest silence between chunks before it ends with an error. */
  streamIdleTimeoutMs: int(100, 3_600_000).default(60_000),
  /**
   * The fixed part of the first-token deadline (SPEC: 5 s + 1 ms per input token). Raise it where
   * providers run on machines shared with other heavy work (the test harness does).
   */
  firstTokenBaseMs: int(100, 600_000).default(5_000),
  /** Hard limit on one request; the reservation sweeper settles holds older than this. */
  maxRequestSeconds: int(1, 86_400).default(600),
  /** Sessions, OIDC, signup credit (config/accounts.ts). */
  ...ACCOUNT_FIELDS,
  /** Platform fee, referral share, Stripe (config/money.ts). */
  ...MONEY_FIELDS,
  /** Periodic attestation challenges and DARKBLOOM_MIN_TRUST (config/trust.ts). */
  ...TRUST_FIELDS,
  /** Queue depth and wait, speculative dispatch (config/admission.ts). */
  ...ADMISSION_FIELDS,
  /** TPM endorsement CAs (config/tpm.ts). */
  ...TPM_FIELDS,
  /** Warm pool cadence, load timeout and cooldown (config/warm-pool.ts). */
  ...WARM_POOL_FIELDS,
  /** Releases, minimum provider version, device login (config/link.ts). */
  ...LINK_FIELDS,
});

export type CoordinatorConfig = z.output<typeof ConfigSchema>;
export type CoordinatorConfigInput = z.input<typeof ConfigSchema>;

export const ENV_NAMES: Record<keyof CoordinatorConfig, string> = {
  port: "DARKBLOOM_PORT",
  host: "DARKBLOOM_HOST",
  databaseUrl: "DARKBLOOM_DATABASE_URL",
  bootstrapApiKey: "DARKBLOOM_BOOTSTRAP_API_KEY",
  bootstrapCreditUsd: "DARKBLOOM_BOOTSTRAP_CREDIT_USD",
  providerToken: "DARKBLOOM_PROVIDER_TOKEN",
  openRegistration: "DARKBLOOM_OPEN_REGISTRATION",
  adminToken: "DARKBLOOM_ADMIN_TOKEN",
  allowCoordinatorSealed: "DARKBLOOM_ALLOW_COORDINATOR_SEALED",
  modelBaseUrl: "DARKBLOOM_MODEL_BASE_URL",
  maxBodyBytes: "DARKBLOOM_MAX_BODY_BYTES",
  logLevel: "DARKBLOOM_LOG_LEVEL",
  registerTimeoutMs: "DARKBLOOM_REGISTER_TIMEOUT_MS",
  heartbeatIntervalMs: "DARKBLOOM_HEARTBEAT_INTERVAL_MS",
  providerEvictionMs: "DARKBLOOM_PROVIDER_EVICTION_MS",
  writeTimeoutMs: "DARKBLOOM_WRITE_TIMEOUT_MS",
  maxAttempts: "DARKBLOOM_MAX_ATTEMPTS",
  streamBufferChunks: "DARKBLOOM_STREAM_BUFFER_CHUNKS",
  drainGraceMs: "DARKBLOOM_DRAIN_GRACE_MS",
  cancelSettleMs: "DARKBLOOM_CANCEL_SETTLE_MS",
  shutdownGraceMs: "DARKBLOOM_SHUTDOWN_GRACE_MS",
  ...OPS_ENV_NAMES,
  ...HTTP_ENV_NAMES,
  streamIdleTimeoutMs: "DARKBLOOM_STREAM_IDLE_TIMEOUT_MS",
  maxRequestSeconds: "DARKBLOOM_MAX_REQUEST_SECONDS",
  firstTokenBaseMs: "DARKBLOOM_FIRST_TOKEN_BASE_MS",
  ...ACCOUNT_ENV_NAMES,
  ...MONEY_ENV_NAMES,
  ...TRUST_ENV_NAMES,
  ...ADMISSION_ENV_NAMES,
  ...TPM_ENV_NAMES,
  ...WARM_POOL_ENV_NAMES,
  ...LINK_ENV_NAMES,
};

/** Sealed bodies are base64 inside a JSON frame: ~4/3 of the body plus envelope overhead. */
const FRAME_OVERHEAD_BYTES = 64 * 1024;

export interface Violation {
  key: keyof CoordinatorConfig;
  message: string;
}

/** Cross-field rules: each names the setting to change. */
export function checkRelations(c: CoordinatorConfig): Violation[] {
  const out: Violation[] = [...checkHttpRelations(c), ...checkAccountRelations(c), ...checkTrustRelations(c)];
  if (c.providerEvictionMs < 2 * c.heartbeatIntervalMs) {
    out.push({
      key: "providerEvictionMs",
      message: `(${c.providerEvictionMs} ms) must be at least twice the heartbeat interval (${c.heartbeatIntervalMs} ms)`,
    });
  }
  if (c.registerTimeoutMs >= c.providerEvictionMs) {
    out.push({
      key: "registerTimeoutMs",
      message: `(${c.registerTimeoutMs} ms) must be shorter than the eviction window (${c.providerEvictionMs} ms)`,
    });
  }
  if (c.writeTimeoutMs >= c.providerEvictionMs) {
    out.push({
      key: "writeTimeoutMs",
      message: `(${c.writeTimeoutMs} ms) must be shorter than the eviction window (${c.providerEvictionMs} ms)`,
    });
  }
  if (c.writeTimeoutMs <= c.heartbeatIntervalMs) {
    out.push({
      key: "writeTimeoutMs",
      message: `(${c.writeTimeoutMs} ms) must exceed the heartbeat interval (${c.heartbeatIntervalMs} ms)`,
    });
  }
  if (c.streamIdleTimeoutMs >= c.maxRequestSeconds * 1000) {
    out.push({
      key: "streamIdleTimeoutMs",
      message: `(${c.streamIdleTimeoutMs} ms) must be shorter than the maximum request duration (${c.maxRequestSeconds} s)`,
    });
  }
  const worstFrame = Math.ceil((c.maxBodyBytes * 4) / 3) + FRAME_OVERHEAD_BYTES;
  if (worstFrame > MAX_FRAME_BYTES) {
    out.push({
      key: "maxBodyBytes",
      message: `(${c.maxBodyBytes}) is too large: a sealed body must fit one ${MAX_FRAME_BYTES}-byte provider frame`,
    });
  }
  if (c.bootstrapCreditUsd > 0 && c.bootstrapApiKey === undefined) {
    out.push({ key: "bootstrapCreditUsd", message: `needs ${ENV_NAMES.bootstrapApiKey} to be set` });
  }
  // Fail closed and loud: a coordinator that could never accept a provider is a misconfiguration.
  if (c.providerToken === undefined && !c.openRegistration) {
    out.push({
      key: "providerToken",
      message: `is required: set it to a long random secret that your providers also get (\`openssl rand -hex 32\`), or set ${ENV_NAMES.openRegistration}=true to let any client register as a provider`,
    });
  }
  if (c.providerToken !== undefined && c.openRegistration) {
    out.push({ key: "openRegistration", message: `cannot be combined with ${ENV_NAMES.providerToken}: choose one` });
  }
  return out;
}
