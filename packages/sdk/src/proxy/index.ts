export { startPrivateProxy, type PrivateProxy } from "./server.js";
export { coordinatorRoot, DEFAULT_PROXY_HOST, DEFAULT_PROXY_PORT, DEFAULT_PROXY_MAX_BODY_BYTES, type PrivateProxyOptions } from "./options.js";
