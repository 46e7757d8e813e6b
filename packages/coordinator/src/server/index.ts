export { startCoordinator, type CoordinatorDeps, type RunningCoordinator } from "./coordinator.js";
export { PROVIDER_WS_PATH } from "./provider-endpoint.js";
