import {
  ChatRequestError,
  createStreamSealer,
  openRequest,
  parseApiRequest,
  routingFacts,
  type EncryptionKeyPair,
  type ErrorCode,
  type InferenceRequestFrame,
  type OpenedRequest,
  type ProviderFrame,
} from "@darkbloom/protocol";
import { EngineError } from "../engine/index.js";
import { ReceiptWriter } from "./receipt.js";
import { renderApiRequest } from "./render-api.js";
import type { ReplayGuard } from "./replay-guard.js";
import type { ModelSource } from "../hosting/types.js";
import type { ChatEngine, ResponseSink } from "./types.js";

export interface ServeContext {
  engines: ReadonlyMap<string, ChatEngine>;
  /** Hosted models (loaded on demand when cold); wins over `engines` for the models it offers. */
  models?: ModelSource;
  keyPair: EncryptionKeyPair;
  /** The Ed25519 identity secret: signs each response's usage receipt. */
  identitySecret: Uint8Array;
  /** Refuses stale and replayed envelopes (one per key pair). */
  replay: ReplayGuard;
  send(frame: ProviderFrame): void;
  log(event: string, fields: Record<string, unknown>): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Serves one sealed request of any API family (frame.api): unseal → validate → generate → encode
 * that family's wire format → seal
 * each piece → send. Always ends with exactly one inference_complete or inference_error frame.
 * Never logs request or response content.
 */
export async function handleInferenceRequest(
  ctx: ServeContext,
  frame: InferenceRequestFrame,
  signal: AbortSignal,
): Promise<void> {
  const requestId = frame.request_id;
  const received = performance.now();
  const fail = (code: ErrorCode, message: string, retryable: boolean) => {
    ctx.send({ type: "inference_error", request_id: requestId, code, message, retryable });
    ctx.log("inference_error", { request_id: requestId, code });
  };
  const hosted = ctx.models?.offers(frame.model) === true;
  const direct = hosted ? undefined : ctx.engines.get(frame.model);
  if (!hosted && !direct) return fail("model_not_found", `model ${frame.model} is not loaded here`, true);
  ctx.send({ type: "inference_accepted", request_id: requestId });

  let opened: OpenedRequest;
  try {
    opened = await openRequest(frame.sealed, ctx.keyPair);
  } catch {
    return fail("decrypt_failed", "could not open the sealed request with this provider's key", true);
  }
  const verdict = ctx.replay.admit(opened.enc, opened.iat);
  if (verdict !== "ok") {
    opened.responseKey.fill(0);
    if (verdict === "full") return fail("overloaded", "too many recent sealed requests to check for replays", true);
    const why = verdict === "stale" ? "its issue time is outside the validity window (check the client's clock)" : "it was already served (replay)";
    return fail("bad_request", `sealed request refused: ${why}`, false);
  }
  let parsed;
  try {
    // The family comes from the frame (the coordinator took it from the URL); the sealed body is parsed as that family.
    parsed = parseApiRequest(frame.api, JSON.parse(decoder.decode(opened.plaintext)));
  } catch (err) {
    const message = err instanceof ChatRequestError ? err.message : "request body is not valid JSON";
    const param = err instanceof ChatRequestError ? err.param : null;
    if (param === null) return fail("bad_request", message, false);
    // Names the refused parameter, so e2e mode answers with the same `param` as plain mode.
    ctx.send({ type: "inference_error", request_id: requestId, code: "bad_request", message, retryable: false, param });
    return ctx.log("inference_error", { request_id: requestId, code: "bad_request" });
  }
  const facts = routingFacts(parsed);
  if (facts.model !== frame.model) return fail("bad_request", "sealed model does not match routing metadata", false);
  if (facts.stream !== frame.stream) return fail("bad_request", "sealed stream flag does not match routing metadata", false);
  // The coordinator reserved credit for the clear max_tokens: never generate more than that.
  if (parsed.api !== "messages.count_tokens") parsed.params.maxTokens = Math.min(parsed.params.maxTokens, frame.max_tokens);

  let engine: ChatEngine;
  let release = (): void => {};
  if (direct) engine = direct;
  else {
    // A cold model is loaded first (memory gate and model limit permitting): refused → retryable error.
    const lease = await ctx.models!.acquire(frame.model);
    if (!lease.ok) {
      opened.responseKey.fill(0);
      return fail(lease.code, lease.message, lease.retryable);
    }
    engine = lease.engine;
    release = lease.release;
    if (signal.aborted) return release();
  }

  const sealer = createStreamSealer(opened.responseKey, ctx.keyPair.kid);
  const receipt = new ReceiptWriter(requestId, frame.model, ctx.identitySecret);
  const started = performance.now();
  try {
    const result = await renderApiRequest(
      engine,
      parsed,
      withPreambleHeld({
        write: (text, final, tokens) => {
          if (signal.aborted) return;
          ctx.send({ type: "inference_chunk", request_id: requestId, tokens, chunk: receipt.sent(sealer.seal(encoder.encode(text), final)) });
        },
      }),
      signal,
    );
    // Sent after a cancel too, so the coordinator can bill only what was generated.
    const usage = { prompt_tokens: result.usage.promptTokens, completion_tokens: result.usage.completionTokens };
    ctx.send({ type: "inference_complete", request_id: requestId, usage, finish_reason: result.finishReason, ...receipt.complete(sealer, usage) });
    ctx.log("inference_complete", {
      request_id: requestId,
      model: frame.model,
      prompt_tokens: result.usage.promptTokens,
      completion_tokens: result.usage.completionTokens,
      finish_reason: result.finishReason,
      unseal_ms: round2(started - received),
      queue_ms: result.timings.queueMs,
      engine_ttft_ms: result.timings.ttftMs,
      ms: round2(performance.now() - started),
    });
  } catch (err) {
    if (signal.aborted) return;
    const code = err instanceof EngineError ? err.code : "generation_failed";
    if (code === "tools_unsupported") {
      // Names `tools`, so both privacy modes answer 400 with param "tools".
      ctx.send({ type: "inference_error", request_id: requestId, code: "bad_request", message: (err as Error).message, retryable: false, param: "tools" });
      return ctx.log("inference_error", { request_id: requestId, code: "bad_request" });
    }
    if (code === "context_length_exceeded" || code === "invalid_request") fail("bad_request", (err as Error).message, false);
    else if (code === "queue_full") fail("overloaded", (err as Error).message, true);
    else fail("engine_error", "generation failed", false);
  } finally {
    release();
  }
}

/**
 * Holds the first piece of a stream (the role-only preamble, written before any token exists) and
 * sends it together with the next piece, so the first sealed chunk carries content. The
 * coordinator treats the first chunk as "started" (response headers out, no more failover), and
 * consumers process it at once: sent before prefill, that work competed with the prefill for the
 * CPU and delayed the first token (measured: engine TTFT 15.8 → 8 ms on a 2-core machine).
 */
function withPreambleHeld(sink: ResponseSink): ResponseSink {
  let held: string | undefined;
  let first = true;
  return {
    write(text, final, tokens) {
      if (first && !final) {
        first = false;
        held = text;
        return;
      }
      first = false;
      if (held !== undefined) {
        text = held + text;
        held = undefined;
      }
      sink.write(text, final, tokens);
    },
  };
}

function round2(ms: number): number {
  return Math.round(ms * 100) / 100;
}
