export { DrainGate, DRAIN_RETRY_AFTER_S, type DrainReason } from "./gate.js";
export { drainAndStop, within, FLUSH_AFTER_ABORT_MS, SETTLE_WAIT_MS, type ShutdownDeps, type ShutdownSummary } from "./shutdown.js";
export { drainRoute, type DrainRouteDeps } from "./route.js";
