import type { ServerResponse } from "node:http";
import { HttpError } from "../http/index.js";

export type DrainReason = "signal" | "admin";

/** Seconds a refused client should wait: another instance (or this one restarted) takes it. */
export const DRAIN_RETRY_AFTER_S = 2;

/**
 * The drain state: whether new inference is still admitted, and the inference responses admitted
 * before the drain that are still open. A response counts until its HTTP response closes (sent in
 * full or the connection gone), not merely until the provider finished: a stream still flushing to
 * its consumer is in flight. Readers: the request listener (admit), /readyz, /metrics, shutdown.
 */
export class DrainGate {
  private reason_: DrainReason | undefined;
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  get draining(): boolean {
    return this.reason_ !== undefined;
  }

  get reason(): DrainReason | undefined {
    return this.reason_;
  }

  /** Inference responses admitted and not yet closed. */
  get inFlight(): number {
    return this.active;
  }

  /** Stops admitting new inference; false when a drain had already started. */
  start(reason: DrainReason): boolean {
    if (this.reason_ !== undefined) return false;
    this.reason_ = reason;
    return true;
  }

  /**
   * Admits one inference request (tracked until `res` closes), or throws 503 + Retry-After while
   * draining (the connection is closed after the answer, so the client reconnects elsewhere).
   */
  admit(res: ServerResponse): void {
    if (this.reason_ !== undefined) {
      throw new HttpError(
        503,
        "The coordinator is draining for a restart and takes no new requests; retry shortly.",
        "shutting_down",
        null,
        { "retry-after": String(DRAIN_RETRY_AFTER_S) },
        true,
      );
    }
    this.active++;
    res.once("close", () => {
      this.active--;
      if (this.active === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  /** Resolves once no admitted inference response is open. */
  whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
