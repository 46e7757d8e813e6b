import type { Logger } from "../log/index.js";
import type { LiveProvider } from "../registry/index.js";

/** What a provider claimed beyond what it may: numbers only, never content. */
export interface FaultReport {
  request_id: string;
  /** e.g. `usage.completion_tokens`, `chunk.tokens_decreased`, `receipt.signature`. */
  kind: string;
  /** Absent for faults that are not a number over a limit (a bad receipt signature). */
  claimed?: number;
  allowed?: number;
}

/** Counts a fault against the provider connection and logs it (warn). */
export function recordProviderFault(provider: LiveProvider, logger: Logger, report: FaultReport): void {
  provider.faults = (provider.faults ?? 0) + 1;
  logger.warn("provider fault", { provider_id: provider.id, ...report, faults: provider.faults });
}
