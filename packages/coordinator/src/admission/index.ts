// Token-budget admission: per-provider budget book, per-model FIFO queue behind AdmissionQueue,
// early 429 with Retry-After. The relay holds and releases budget per dispatch through `Admission`.
export { Admission, type AdmissionDeps, type AdmissionLimits } from "./admission.js";
export { modelCapacity, NOMINAL_PROMPT_TOKENS } from "./capacity.js";
export { BudgetBook } from "./budget-book.js";
export { fitsSlot, requestTokens, type SlotLoad } from "./budget.js";
export { MemoryAdmissionQueue } from "./memory-queue.js";
export { retryAfterSeconds, RETRY_AFTER_MAX_S, RETRY_AFTER_MIN_S } from "./retry-after.js";
export { ServiceTimes, estimatedWaitMs } from "./wait-estimate.js";
export type { AdmissionQueue, AdmissionRequest, AdmissionResult, BudgetHold, Grant, Refusal, RefusalReason, Waiter } from "./types.js";
