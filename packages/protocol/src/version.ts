/** Wire protocol version spoken between coordinator and provider. Bump on breaking frame changes. */
export const PROTOCOL_VERSION = 2;

/** Largest WebSocket frame either side accepts (SPEC: 10 MB). */
export const MAX_FRAME_BYTES = 10 * 1024 * 1024;

/** Provider heartbeat cadence and the silence after which the coordinator evicts it. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const PROVIDER_EVICTION_MS = 90_000;
