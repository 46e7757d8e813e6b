import type { Handler } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { inferenceRoute } from "../inference/index.js";

/**
 * POST /v1/responses (OpenAI Responses API; errors in OpenAI's shape). Nothing is stored: there is
 * no GET /v1/responses/{id}, which therefore answers the router's 404.
 */
export const responsesRoute = (deps: ApiDeps): Handler => inferenceRoute(deps, "responses");
