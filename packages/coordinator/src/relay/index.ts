export { Relay, type RelayDeps } from "./relay.js";
export type { DispatchPlan, RelayFailure, RelayHandle, RelayObserver } from "./types.js";
export { ConsumerStream, type ConsumerStreamOptions } from "./consumer-stream.js";
export { canFailOver, statusForProviderError } from "./failures.js";
