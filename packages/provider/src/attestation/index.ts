export { WeightHashes, WEIGHT_HASHES_FILE } from "./weight-hashes.js";
export { attestServedModels } from "./build.js";
