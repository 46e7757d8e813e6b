import type { HeartbeatFrame, SlotCapacity } from "@darkbloom/protocol";
import type { LiveProvider } from "../registry/types.js";
import type { SpeedEstimate } from "../registry/speed/index.js";

/** Heartbeat system metrics (memory pressure, CPU): the cost function's health term. */
export type SystemMetrics = NonNullable<HeartbeatFrame["system"]>;

/** One eligible provider as a selection strategy sees it (built by the registry per pick). */
export interface CandidateView {
  readonly provider: LiveProvider;
  /** The latest (capped) heartbeat slot for the model; absent: not loaded, or no heartbeat yet. */
  readonly slot: SlotCapacity | undefined;
  /** At least one heartbeat arrived (then a missing slot means the model is cold). */
  readonly reporting: boolean;
  /** Requests this coordinator dispatched there and has not seen finish. */
  readonly pending: number;
  readonly speed: SpeedEstimate;
  readonly system: SystemMetrics | undefined;
}

/** The request being placed. */
export interface RequestShape {
  readonly model: string;
  readonly inputTokens: number;
  readonly maxTokens: number;
}

/** Picks one candidate for a request; several exist so the simulator can compare them. */
export interface SelectionStrategy {
  readonly name: string;
  choose(candidates: readonly CandidateView[], req: RequestShape, random: () => number): LiveProvider | undefined;
}
