export { Relay, type RelayDeps } from "./relay.js";
export type { BackupPolicy, DispatchBudget, DispatchPlan, RelayFailure, RelayHandle, RelayObserver } from "./types.js";
export { ConsumerStream, type ConsumerStreamOptions } from "./consumer-stream.js";
export { canFailOver, statusForProviderError } from "./failures.js";
export { recordProviderFault, type FaultReport } from "./faults.js";
export { FIRST_TOKEN_BASE_MS, FIRST_TOKEN_MS_PER_INPUT_TOKEN, PREFILL_SAFETY_FACTOR, firstChunkDeadlineMs, firstTokenDeadlineMs, type DeadlineKind } from "./deadlines.js";
