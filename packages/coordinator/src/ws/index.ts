export { attachProviderSocket, CLOSE_POLICY, CLOSE_GOING_AWAY, CLOSE_REPLACED, type ProviderEvents, type ProviderSocketDeps } from "./provider-socket.js";
export { ATTESTATION_MAX_AGE_MS } from "./registration/index.js";
export { LaneWriter, type FrameSink, type LaneWriterOptions } from "./lane-writer.js";
export { providerIdFor } from "./provider-id.js";
export { parseChunkFrame, sealedChunkJson } from "./chunk-frame.js";
