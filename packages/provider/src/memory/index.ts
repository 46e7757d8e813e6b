// Provider memory model: hard cap, load gate, free_for_load_gb (pure), env overrides.
export { GIB, DEFAULT_CAP_FRACTION, DEFAULT_ACTIVATION_RESERVE_GB, defaultPolicy, freeForLoadBytes, loadGate, memoryCapBytes, toGb } from "./budget.js";
export type { LoadRequest, LoadVerdict, MemoryPolicy } from "./budget.js";
export { MemoryConfigError, memoryPolicyFromEnv } from "./config.js";
export { kvCacheBytes, type KvShape } from "./kv.js";
