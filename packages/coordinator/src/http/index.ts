export { Router, type Handler, type RequestContext, type RouteMatch } from "./router.js";
export { HttpError, badRequest, unauthorized, notFound } from "./errors.js";
export { readBody, readJson, parseJson } from "./body.js";
export { sendJson, sendRawJson, sendError } from "./respond.js";
export { pickRequestId } from "./request-id.js";
export { createRequestListener, type ListenerDeps, type RequestDone } from "./listener.js";
export { RequestTiming, TIMING_PHASES, type TimingPhase } from "./timing.js";
export { HttpGuard, httpLimitsFrom, closeAfterResponse, lingerClose, type HttpLimits } from "./connections/index.js";
