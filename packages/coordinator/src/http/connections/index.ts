export { HttpGuard, httpLimitsFrom, type HttpLimits } from "./guard.js";
export { LINGER_MS, closeAfterResponse, lingerClose } from "./linger.js";
export { AddressCounter, normalizeAddress } from "./per-address.js";
export { RefusalLog, REFUSAL_LOG_INTERVAL_MS } from "./refusal-log.js";
