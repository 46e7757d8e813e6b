import { errorFields, type Logger } from "../log/index.js";
import type { KnownModelRecord } from "./known-models.js";
import { MAX_KNOWN_MODELS } from "./limits.js";

/** Where remembered models are persisted (the store's `knownModels`). */
export interface KnownModelsSink {
  record(records: readonly KnownModelRecord[]): Promise<void>;
}

/**
 * Write-behind persistence of the known-models memory: changes are coalesced per model (at most
 * MAX_KNOWN_MODELS pending) and written by one flush at a time, started at once, so a coordinator
 * killed right after a provider registered has already recorded the model. A failed write keeps
 * its records for the next flush, unless newer ones replaced them.
 */
export class KnownModelsWriter {
  private pending = new Map<string, KnownModelRecord>();
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly sink: KnownModelsSink,
    private readonly logger: Logger,
  ) {}

  add(record: KnownModelRecord): void {
    if (!this.pending.has(record.model) && this.pending.size >= MAX_KNOWN_MODELS) return; // bounded; a later change rewrites it
    this.pending.set(record.model, record);
    this.flushing ??= this.drain();
  }

  /** Resolves once everything added so far is written (or failed). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = this.pending;
        this.pending = new Map();
        try {
          await this.sink.record([...batch.values()]);
        } catch (err) {
          this.logger.warn("could not persist known models; retrying with the next change", { models: batch.size, ...errorFields(err) });
          for (const [model, r] of batch) if (!this.pending.has(model)) this.pending.set(model, r);
          return;
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
