import type { Handler } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { inferenceRoute } from "../inference/index.js";

/** POST /v1/completions (OpenAI legacy text completions; errors in OpenAI's shape). */
export const completionsRoute = (deps: ApiDeps): Handler => inferenceRoute(deps, "completions");
