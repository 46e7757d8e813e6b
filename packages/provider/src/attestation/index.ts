export { WeightHashes, WEIGHT_HASHES_FILE } from "./weight-hashes.js";
export { answerChallenge } from "./answer-challenge.js";
export { attestServedModels } from "./build.js";
