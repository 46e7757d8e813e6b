import { errorFields, type Logger } from "../log/index.js";
import type { LiveProvider, ProviderRegistry } from "../registry/index.js";
import type { Clock } from "../runtime/index.js";
import type { Attachments } from "./attachments.js";
import type { Backup, Flight } from "./flight.js";
import { firstChunkDeadlineFor, requestFrame } from "./request-frame.js";
import type { BackupPolicy, RelayFailure } from "./types.js";

export interface SpeculationDeps {
  registry: ProviderRegistry;
  attachments: Attachments;
  clock: Clock;
  logger: Logger;
  maxAttempts: number;
  firstTokenBaseMs: number | undefined;
  policy: BackupPolicy | undefined;
}

/**
 * Speculative TTFT dispatch. A streaming request whose provider has not produced a first token by
 * half its first-token deadline gets a backup on another eligible provider with room (only while
 * the policy allows: no queue for the model, backups worth it). The primary's deadline stays the
 * hard limit for the primary; the backup has its own. The first to produce content serves the
 * request (relay.ts decides); the other gets `cancel`, and its usage never reaches settlement
 * (its frames are ignored from then on). A backup counts as an attempt.
 */
export class Speculation {
  constructor(private readonly deps: SpeculationDeps) {}

  /** The primary was just dispatched with first-chunk deadline `deadlineMs`. */
  arm(f: Flight, deadlineMs: number | undefined): void {
    this.disarm(f);
    if (!this.deps.policy || !f.plan.stream || deadlineMs === undefined || f.backup) return;
    if (f.attempts >= this.deps.maxAttempts) return;
    f.speculationTimer = this.deps.clock.setTimeout(() => {
      f.speculationTimer = undefined;
      void this.launch(f);
    }, Math.floor(deadlineMs / 2));
  }

  disarm(f: Flight): void {
    if (f.speculationTimer !== undefined) this.deps.clock.clearTimeout(f.speculationTimer);
    f.speculationTimer = undefined;
  }

  /** Ends the backup (sending `cancel` when `cancelReason` is given and it was dispatched). */
  drop(f: Flight, cancelReason?: string): void {
    const b = f.backup;
    if (!b) return;
    f.backup = undefined;
    if (b.timer !== undefined) this.deps.clock.clearTimeout(b.timer);
    if (cancelReason !== undefined) {
      b.provider.link.send({ type: "cancel", request_id: f.plan.requestId, reason: cancelReason }, "control");
    }
    this.deps.attachments.give(f, b.provider, b.hold, false);
  }

  /**
   * The backup becomes the primary (the primary is already detached): it keeps its budget and what
   * is left of its own first-token deadline (`remainingMs`; undefined: none). Undefined when
   * there is no dispatched backup to promote.
   */
  promote(f: Flight): { remainingMs: number | undefined } | undefined {
    const b = f.backup;
    if (!b || f.provider) return undefined;
    f.backup = undefined;
    if (b.timer !== undefined) this.deps.clock.clearTimeout(b.timer);
    f.provider = b.provider;
    f.hold = b.hold;
    f.dispatchedAt = b.dispatchedAt;
    f.firstChunkAt = undefined;
    f.tokens = 0;
    f.tokenFault = false;
    return { remainingMs: Number.isFinite(b.deadlineAt) ? Math.max(0, b.deadlineAt - this.deps.clock.now()) : undefined };
  }

  /**
   * The primary failed before content (already detached): a dispatched backup takes over with what
   * is left of its own deadline. False when there is none (then: failover).
   */
  takeOver(f: Flight, failure: RelayFailure): boolean {
    const promoted = this.promote(f);
    if (!promoted) return false;
    this.deps.logger.info("backup takes over", { request_id: f.plan.requestId, from: failure.provider?.id, to: f.provider?.id, code: failure.code });
    f.lastFailure = failure;
    f.phase = "running";
    f.timers.awaitFirstToken(promoted.remainingMs);
    return true;
  }

  /** The primary produced content first: a racing backup loses (and is cancelled). */
  primaryWins(f: Flight): void {
    this.disarm(f);
    const b = f.backup;
    if (!b) return;
    this.drop(f, "another provider answered first");
    this.deps.policy?.outcome?.(f.plan.model, b.provider, false);
  }

  /** The backup produced content first: the primary is cancelled and detached, the backup serves. */
  backupWins(f: Flight): void {
    const b = f.backup;
    if (!b) return;
    const primary = f.provider;
    this.deps.logger.info("backup provider answered first", { request_id: f.plan.requestId, primary: primary?.id, backup: b.provider.id });
    if (primary) {
      primary.link.send({ type: "cancel", request_id: f.plan.requestId, reason: "another provider answered first" }, "control");
      this.deps.attachments.give(f, primary, f.hold, false);
      f.provider = null;
      f.hold = undefined;
    }
    this.disarm(f);
    this.promote(f);
    f.timers.awaitFirstToken(undefined); // content is arriving: the idle timeout takes over
    this.deps.policy?.outcome?.(f.plan.model, b.provider, true);
  }

  private async launch(f: Flight): Promise<void> {
    const { registry, attachments, logger, policy } = this.deps;
    const { plan } = f;
    if (!this.wanted(f) || !policy?.allowed(plan.model)) return;
    const accept = plan.accept;
    const fitting = (c: LiveProvider): boolean => (!accept || accept(c)) && attachments.fits(c, f);
    const p = registry.pick(plan.model, { exclude: f.tried, accept: fitting, inputTokens: plan.inputTokensEstimate, maxTokens: plan.maxTokens });
    if (!p) return;
    // Sealed before anything is counted: while sealing, the request may have moved on (first
    // token, failover to this very provider, cancel); then the backup is simply not sent.
    let sealed;
    try {
      sealed = await plan.seal(p);
    } catch (err) {
      logger.warn("sealing for the backup provider failed", { request_id: plan.requestId, provider_id: p.id, ...errorFields(err) });
      return;
    }
    if (!this.wanted(f) || f.tried.has(p.id) || registry.get(p.id) !== p || !fitting(p)) return;
    f.tried.add(p.id);
    f.attempts++;
    const b: Backup = { provider: p, hold: attachments.take(f, p), timer: undefined, deadlineAt: Infinity, dispatchedAt: this.deps.clock.now() };
    f.backup = b;
    if (!p.link.send(requestFrame(plan, sealed), "data")) return this.drop(f);
    policy.dispatched?.(plan.model);
    logger.info("speculative backup dispatched", { request_id: plan.requestId, primary: f.provider?.id, backup: p.id, attempt: f.attempts });
    const ms = firstChunkDeadlineFor(plan, p, this.deps.firstTokenBaseMs);
    if (ms === undefined) return;
    b.deadlineAt = this.deps.clock.now() + ms;
    b.timer = this.deps.clock.setTimeout(() => {
      b.timer = undefined;
      if (f.backup !== b) return;
      logger.warn("backup provider missed its first-token deadline", { request_id: plan.requestId, provider_id: p.id });
      registry.recordOutcome(p, plan.model, "error");
      this.drop(f, "first-token deadline passed");
    }, ms);
  }

  /** A backup still makes sense: the primary runs, no content yet, no backup yet, attempts left. */
  private wanted(f: Flight): boolean {
    return f.phase === "running" && !f.started && !f.backup && f.provider !== null && f.attempts < this.deps.maxAttempts;
  }
}
