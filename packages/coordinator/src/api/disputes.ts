import { DISPUTE_MAX_BODY_BYTES, DisputeRequestSchema, verifyReceipt, type DisputeResponse } from "@darkbloom/protocol";
import { HttpError, badRequest, notFound, readJson, sendJson, type Handler } from "../http/index.js";
import type { DisputeRecord } from "../store/index.js";
import { providerIdFor } from "../ws/index.js";
import type { ApiDeps } from "./deps.js";
import { requireAuth } from "./require-auth.js";

/** Disputes one account may file per rolling hour (a flood of disputes would smear honest providers). */
export const DISPUTES_PER_HOUR = 30;
const HOUR_MS = 3_600_000;

function disputeJson(d: DisputeRecord): DisputeResponse {
  return { object: "dispute", request_id: d.requestId, provider_id: d.providerId, reason: d.reason as DisputeResponse["reason"], created_at: Math.floor(d.createdAt / 1000) };
}

/**
 * POST /v1/disputes (API key): the consumer contests the signed receipt of one of its own
 * requests. The receipt must be signed by the identity key of the provider that served that
 * request (the provider id is derived from the key); the dispute is stored once per request id
 * (a repeat answers 200 with the first), at most DISPUTES_PER_HOUR per account, and counts
 * against that provider (GET /v1/stats). Token counts and a hash only: no content.
 */
export function disputeRoute(deps: Pick<ApiDeps, "store" | "clock" | "logger">): Handler {
  return async (ctx) => {
    const principal = await requireAuth(ctx, deps.store);
    const { value } = await readJson(ctx.req, DISPUTE_MAX_BODY_BYTES);
    const parsed = DisputeRequestSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue && issue.path.length > 0 ? issue.path.join(".") : null;
      throw badRequest(`Invalid dispute: ${param ?? "body"}: ${issue?.message ?? "invalid"}`, param);
    }
    const body = parsed.data;
    const requestId = body.receipt.request_id;
    const unknown = () => notFound(`No request ${requestId} of this account.`, "request_not_found");
    const existing = await deps.store.disputes.get(requestId);
    if (existing) {
      if (existing.accountId !== principal.accountId) throw unknown();
      return sendJson(ctx.res, 200, disputeJson(existing));
    }
    const request = await deps.store.getRequest(requestId);
    if (!request || request.accountId !== principal.accountId) throw unknown();
    if (request.providerId === null || providerIdFor(body.identity_key) !== request.providerId) {
      throw badRequest("identity_key is not the key of the provider that served this request.", "identity_key", "wrong_provider");
    }
    if (body.receipt.model !== request.model || !verifyReceipt(body.receipt, body.identity_key)) {
      throw badRequest("The receipt is not signed by that provider for this request.", "receipt", "invalid_receipt");
    }
    const filed = await deps.store.disputes.countFiledSince(principal.accountId, deps.clock.now() - HOUR_MS);
    if (filed >= DISPUTES_PER_HOUR) {
      throw new HttpError(429, `At most ${DISPUTES_PER_HOUR} disputes per hour; retry later.`, "rate_limit_exceeded", null, { "retry-after": "60" });
    }
    const { created, record } = await deps.store.disputes.file({
      requestId,
      accountId: principal.accountId,
      providerId: request.providerId,
      identityKey: body.identity_key,
      reason: body.reason,
      claimed: body.claimed ?? null,
      allowed: body.allowed ?? null,
      receiptJson: JSON.stringify(body.receipt),
    });
    if (created) deps.logger.warn("receipt disputed", { request_id: requestId, provider_id: record.providerId, reason: record.reason, claimed: record.claimed, allowed: record.allowed });
    sendJson(ctx.res, created ? 201 : 200, disputeJson(record));
  };
}
