import { HttpError, type Handler } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { inferenceRoute } from "../inference/index.js";

/** POST /v1/responses (OpenAI Responses API; errors in OpenAI's shape). */
export const responsesRoute = (deps: ApiDeps): Handler => inferenceRoute(deps, "responses");

/**
 * GET /v1/responses/{id}: nothing is ever stored (`store` is accepted and ignored; in e2e mode the
 * coordinator could not read a response anyway), so every id answers 404, saying why.
 */
export const storedResponseRoute = (): Handler => async () => {
  throw new HttpError(404, "Responses are not stored by Darkbloom (`store` is ignored), so none can be retrieved.", "response_not_found", "response_id");
};
