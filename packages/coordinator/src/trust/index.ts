export { TrustService, type TrustServiceDeps, type ConnectionTrust } from "./service.js";
export { Challenger, type ChallengeOutcome, type ChallengerDeps } from "./challenger.js";
export { ChallengeBook } from "./challenge-book.js";
export { checkAnswer, type AnswerVerdict, type AnswerContext } from "./check-answer.js";
export { ProviderTrust, type TrustChange } from "./provider-trust.js";
export { DEFAULT_TRUST_SETTINGS, freshnessWindowMs, type TrustSettings } from "./settings.js";
export { earnedTrustLevel, type TrustEvidence } from "./level.js";
export * from "./hardware/index.js";
