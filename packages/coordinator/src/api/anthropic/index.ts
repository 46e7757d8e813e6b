import type { Handler } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { inferenceRoute } from "../inference/index.js";

export { errorFormatForPath, ANTHROPIC_PATH } from "./errors.js";

/**
 * Anthropic Messages under the coordinator's root (the Anthropic SDK's baseURL is the root and it
 * calls /v1/messages). `x-api-key` authenticates like a Bearer key; `anthropic-version` is accepted
 * and not needed (one wire version is served).
 */
export const messagesRoute = (deps: ApiDeps): Handler => inferenceRoute(deps, "messages");

/** POST /v1/messages/count_tokens: answered exactly by a provider serving the model, sealed like any request. */
export const countTokensRoute = (deps: ApiDeps): Handler => inferenceRoute(deps, "messages.count_tokens");
