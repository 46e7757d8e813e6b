/**
 * WebSocket close codes on the provider link (4000–4999 are application codes). A provider must
 * not reconnect after a code listed in `PERMANENT_CLOSE_CODES`: retrying cannot succeed until its
 * operator acts on the close reason (e.g. upgrades the provider).
 */
export const CLOSE_GOING_AWAY = 1001;
/** Generic refusal (bad frame, failed attestation or proof, register timeout); retrying may help. */
export const CLOSE_POLICY = 1008;
/** Another connection proved the same identity and key. */
export const CLOSE_REPLACED = 4001;
/** No heartbeat for the eviction window. */
export const CLOSE_EVICTED = 4002;
/** The provider speaks another PROTOCOL_VERSION; the reason says which one to upgrade to. */
export const CLOSE_UNSUPPORTED_VERSION = 4003;

/** The register frame's `account_token` does not name an active account; the operator must fix it. */
export const CLOSE_BAD_ACCOUNT_TOKEN = 4004;

/** The provider's software is older than the coordinator's DARKBLOOM_MIN_PROVIDER_VERSION; the reason says what to install. */
export const CLOSE_PROVIDER_TOO_OLD = 4005;

export const PERMANENT_CLOSE_CODES: ReadonlySet<number> = new Set([CLOSE_UNSUPPORTED_VERSION, CLOSE_BAD_ACCOUNT_TOKEN, CLOSE_PROVIDER_TOO_OLD]);
