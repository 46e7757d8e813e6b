/** One synthetic provider machine in the simulated fleet. */
export interface SimProviderSpec {
  id: string;
  models: string[];
  /** Per-sequence decode tok/s with one sequence running. */
  decodeTps: number;
  prefillTps: number;
  /** Parallel sequences (advertised max_concurrency). */
  slots: number;
  /** Context per sequence (token budget = slots × this). */
  contextPerSlot: number;
  memoryGb: number;
  /** Share of dispatches that fail before the first token. */
  failRate: number;
  /** Joins the network at (ms); 0: from the start. */
  joinAt: number;
  /** Leaves (disconnects) at (ms); its in-flight requests fail over. */
  leaveAt?: number;
  /** Rejoins after leaving, at (ms). */
  rejoinAt?: number;
}

/** One request of the arrival trace. */
export interface SimRequest {
  id: number;
  at: number;
  model: string;
  inputTokens: number;
  maxTokens: number;
  /** Tokens it really generates (≤ maxTokens). */
  outputTokens: number;
}

export type SimOutcome = "served" | "rejected_429" | "failed";

/** What happened to one request. */
export interface SimResult {
  id: number;
  outcome: SimOutcome;
  /** served: arrival → first token. */
  ttftMs?: number;
  /** served: arrival → last token. */
  doneMs?: number;
  /** arrival → the dispatch that served it (or the rejection / failure). */
  queueMs: number;
  attempts: number;
  /** Providers that took an attempt, in order. */
  providers: string[];
  /** failed: why. */
  reason?: string;
}

/** One strategy's summary over a trace. */
export interface SimSummary {
  strategy: string;
  requests: number;
  served: number;
  rejected: number;
  failed: number;
  ttftP50: number;
  ttftP99: number;
  queueP50: number;
  queueP99: number;
  /** Arrival → last token, served requests. */
  doneP50: number;
  doneP99: number;
  /** Busy slot time / available slot time over the run. */
  utilisation: number;
  /** Simulated duration (ms). */
  durationMs: number;
}
