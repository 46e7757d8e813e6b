export { ReputationTracker, DEFAULT_MAX_PROVIDERS, DEFAULT_FORGET_AFTER_MS, type ReputationOptions } from "./tracker.js";
export { reputationScore, ttftFactor, SCORE_WEIGHTS, DISPUTE_FACTOR, TTFT_REFERENCE_MS, type ScoreInputs } from "./score.js";
export type { ReputationSnapshot, JobRecord } from "./types.js";
