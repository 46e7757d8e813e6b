import { PRIVACY_COORDINATOR_SEALED, PRIVACY_E2E, errorFormatOf, type ApiKind, type PrivacyMode } from "@darkbloom/protocol";
import { HttpError, badRequest, readJson, type Handler, type RequestContext } from "../../http/index.js";
import type { LiveProvider } from "../../registry/index.js";
import type { ApiDeps } from "../deps.js";
import { requireAuth } from "../require-auth.js";
import { E2eWriter } from "./e2e-writer.js";
import { RequestBill } from "./bill.js";
import { InferenceExchange } from "./exchange.js";
import { requestMinTrust, trustShortfall, withMinTrust } from "./min-trust.js";
import { prepareCoordinatorSealed, prepareE2e, type PreparedRequest } from "./prepare.js";
import { SealedWriter } from "./sealed-writer.js";
import { awaitAdmission, refusalError } from "./admit.js";
import type { ResponseWriter, StreamOptions } from "./writer.js";

function privacyOf(ctx: RequestContext): PrivacyMode {
  const h = ctx.req.headers["x-darkbloom-privacy"];
  if (h === undefined) return PRIVACY_COORDINATOR_SEALED;
  const v = (Array.isArray(h) ? h[0] : h)?.trim().toLowerCase();
  if (v === PRIVACY_E2E) return PRIVACY_E2E;
  if (v === PRIVACY_COORDINATOR_SEALED) return PRIVACY_COORDINATOR_SEALED;
  throw badRequest(`Unknown X-Darkbloom-Privacy value; use "${PRIVACY_E2E}" or omit the header.`, null, "invalid_privacy_mode");
}

/**
 * POST of any inference API family (chat completions, completions, responses, messages,
 * count_tokens) in both privacy modes; the family comes from the route, never from the body:
 * auth → parse → model known (404) → a candidate exists (503) → capacity or a queue place (early
 * 429, nothing reserved yet) → reserve (402) → wait in the queue (429 on timeout, refunded) → relay.
 * Errors take the family's shape (http/error-format.ts picks it from the path).
 */
export function inferenceRoute(deps: ApiDeps, api: ApiKind): Handler {
  const { config, registry, relay, meter, checkpoints, clock, entropy, logger } = deps;
  return async (ctx) => {
    const privacy = privacyOf(ctx);
    ctx.res.setHeader("x-darkbloom-privacy", privacy);
    ctx.logFields.privacy = privacy;
    ctx.logFields.api = api;
    const { timing } = ctx;
    const principal = await requireAuth(ctx, deps.store);
    timing.mark("auth");
    if (privacy === PRIVACY_COORDINATOR_SEALED && !config.allowCoordinatorSealed) {
      throw new HttpError(
        403,
        "Coordinator-sealed requests are disabled here; seal end-to-end (X-Darkbloom-Privacy: e2e) with the Darkbloom SDK or proxy.",
        "coordinator_sealed_disabled",
      );
    }
    const { raw, value } = await readJson(ctx.req, config.maxBodyBytes);

    let exchange: InferenceExchange | undefined;
    const streamOpts: StreamOptions = {
      clock,
      maxBufferedChunks: config.streamBufferChunks,
      graceMs: config.drainGraceMs,
      onOverflow: () => exchange?.onOverflow(),
    };
    let writer: ResponseWriter;
    let prepared: PreparedRequest;
    if (privacy === PRIVACY_E2E) {
      prepared = prepareE2e(api, value);
      writer = new E2eWriter(ctx.res, streamOpts, errorFormatOf(api));
    } else {
      const keys = new Map<LiveProvider, Uint8Array>();
      prepared = prepareCoordinatorSealed(api, value, raw, keys);
      writer = new SealedWriter(ctx.res, api, prepared.stream, errorFormatOf(api), streamOpts, keys);
    }
    timing.mark("parse");
    const { model } = prepared;
    ctx.logFields.model = model;
    ctx.logFields.stream = prepared.stream;

    if (!registry.knowsModel(model)) {
      throw new HttpError(404, `The model \`${model}\` does not exist or no provider has offered it.`, "model_not_found", "model");
    }
    const operatorMin = deps.trust.minTrust;
    const minTrust = requestMinTrust(ctx, operatorMin);
    const accept = withMinTrust(prepared.accept, minTrust, operatorMin);
    // Demand for the warm pool, counted whether or not a provider can take it now.
    deps.warmPool?.noteArrival(model);
    const candidates = registry.candidates(model, accept ? { accept } : {});
    if (candidates.length === 0) {
      const shortfall = trustShortfall(registry, model, minTrust, operatorMin);
      if (shortfall) throw shortfall;
      const message =
        privacy === PRIVACY_E2E
          ? `None of the providers this request is sealed to is available for ${model}; fetch fresh keys and retry.`
          : `No provider is available for ${model} right now; retry shortly.`;
      throw new HttpError(503, message, "no_provider", null, { "retry-after": "2" });
    }
    const admissionRequest = {
      model,
      inputTokensEstimate: prepared.inputTokensEstimate,
      maxTokens: prepared.maxTokens,
      ...(prepared.accept && { accept: prepared.accept }),
    };
    // Full queue or too long a wait: refused before anything is counted or reserved.
    const early = deps.admission.precheck(admissionRequest);
    if (early) {
      ctx.logFields.refused = early.reason;
      throw refusalError(early);
    }
    timing.mark("route");

    const requestId = entropy.id("req");
    // Per-key rate limits and spend caps (429 + Retry-After); tags the request with its key.
    await deps.limits.admit(ctx, principal, requestId);
    // Prompt tokens are reserved at the body's cap (the most a provider can bill), so honest usage
    // is never clamped by the hold; input tokens are cheap, so this costs the consumer little.
    const reservation = await meter.reserveFor(requestId, { ...prepared, consumerAccountId: principal.accountId, promptEstimate: prepared.promptTokenEstimate, candidates });
    if (!reservation.ok) {
      throw new HttpError(
        402,
        `Insufficient balance: the worst-case cost of this request exceeds the available ${reservation.availableMicros} µUSD. Lower max_tokens or add credit.`,
        "insufficient_balance",
      );
    }
    ctx.logFields.reserved_micros = reservation.reservedMicros;
    timing.mark("reserve");

    const limits = { maxCompletionTokens: prepared.maxTokens, maxPromptTokens: prepared.promptTokenCap, promptEstimate: prepared.promptTokenEstimate };
    const bill = new RequestBill({ meter, checkpoints, logger }, requestId, model, limits, reservation.reservedMicros);
    const grant = await awaitAdmission(ctx, deps.admission, admissionRequest, bill);
    exchange = new InferenceExchange(ctx, { clock, logger }, writer, bill);
    const handle = relay.start(
      {
        requestId,
        api,
        model,
        stream: prepared.stream,
        maxTokens: prepared.maxTokens,
        inputTokensEstimate: prepared.inputTokensEstimate,
        ...(accept && { accept }),
        seal: prepared.seal,
      },
      exchange,
      grant,
    );
    exchange.attach(handle);
  };
}
