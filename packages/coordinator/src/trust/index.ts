export { earnedTrustLevel, type TrustEvidence } from "./level.js";
export * from "./hardware/index.js";
