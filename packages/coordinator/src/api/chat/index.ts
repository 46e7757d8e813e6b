import type { Handler } from "../../http/index.js";
import type { ApiDeps } from "../deps.js";
import { inferenceRoute } from "../inference/index.js";

/** POST /v1/chat/completions (OpenAI chat completions; errors in OpenAI's shape). */
export const chatCompletionsRoute = (deps: ApiDeps): Handler => inferenceRoute(deps, "chat.completions");
