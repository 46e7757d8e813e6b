import type { Admission, AdmissionRequest, Grant, Refusal } from "../../admission/index.js";
import { HttpError, type RequestContext } from "../../http/index.js";
import type { RequestBill } from "./bill.js";

/** The consumer-facing error for a refusal: 429 (capacity) or 503 (no provider), with Retry-After. */
export function refusalError(r: Refusal): HttpError {
  const code = r.reason === "shutting_down" ? "shutting_down" : r.status === 429 ? "capacity_exceeded" : r.status === 503 ? "no_provider" : "cancelled";
  return new HttpError(r.status, r.message, code, null, r.retryAfterS > 0 ? { "retry-after": String(r.retryAfterS) } : {});
}

/**
 * Waits for admission (timed as `queue`), abandoning the wait when the consumer disconnects. A
 * refused request's reservation is released in full before its error goes out, so nothing
 * reserved stays held.
 */
export async function awaitAdmission(ctx: RequestContext, admission: Admission, req: AdmissionRequest, bill: RequestBill): Promise<Grant> {
  const gone = new AbortController();
  const onClose = (): void => {
    if (!ctx.res.writableFinished) gone.abort();
  };
  ctx.res.once("close", onClose);
  if (ctx.res.destroyed) gone.abort();
  let result;
  try {
    result = await admission.admit(req, gone.signal);
  } finally {
    ctx.res.off("close", onClose);
  }
  ctx.timing.mark("queue");
  if (result.ok) {
    if (result.grant.waitedMs > 0) ctx.logFields.queue_ms = Math.round(result.grant.waitedMs);
    return result.grant;
  }
  ctx.logFields.refused = result.refusal.reason;
  await bill.settle(null, null, result.refusal.reason === "cancelled" ? "cancelled" : "failed", false);
  throw refusalError(result.refusal);
}
