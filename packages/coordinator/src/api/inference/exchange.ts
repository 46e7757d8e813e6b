import { ResponseHasher, type InferenceCompleteFrame, type SealedChunk } from "@darkbloom/protocol";
import type { Outcome, Usage } from "../../billing/index.js";
import { HttpError, type RequestContext } from "../../http/index.js";
import { errorFields, type Logger } from "../../log/index.js";
import type { LiveProvider } from "../../registry/index.js";
import { recordProviderFault, type RelayFailure, type RelayHandle, type RelayObserver } from "../../relay/index.js";
import type { Clock } from "../../runtime/index.js";
import type { RequestBill } from "./bill.js";
import { checkReceipt } from "./receipt-check.js";
import type { ResponseWriter } from "./writer.js";

export interface ExchangeDeps {
  clock: Clock;
  logger: Logger;
}

/**
 * One consumer ↔ relay exchange: forwards chunks to the mode's writer, settles billing exactly
 * once (before the successful response ends, so the balance is final when the client sees it),
 * cancels the provider when the consumer leaves or cannot keep up, and fills the access log.
 */
export class InferenceExchange implements RelayObserver {
  private handle: RelayHandle | undefined;
  /** The consumer response is finished (or gone); nothing more is written. */
  private closed = false;
  private cancelReason: string | undefined;
  /** Over every chunk the serving provider sent (its receipt must name this hash). */
  private readonly hasher = new ResponseHasher();

  constructor(
    private readonly ctx: RequestContext,
    private readonly deps: ExchangeDeps,
    private readonly writer: ResponseWriter,
    private readonly bill: RequestBill,
  ) {
    ctx.logFields.internal_id = bill.requestId;
    if (ctx.res.destroyed) {
      this.closed = true;
      ctx.logFields.status = 499;
      this.cancelReason = "consumer disconnected";
    }
    ctx.res.once("close", () => {
      if (this.closed || ctx.res.writableFinished) return;
      this.closed = true;
      ctx.logFields.status = 499;
      this.cancel("consumer disconnected");
    });
  }

  attach(handle: RelayHandle): void {
    this.handle = handle;
    if (this.cancelReason !== undefined) handle.cancel(this.cancelReason);
  }

  /** The consumer stopped draining its stream: 499 and stop the provider. */
  onOverflow = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.ctx.logFields.status = 499;
    this.cancel("consumer too slow to drain its stream");
    this.ctx.res.destroy();
  };

  onRouted(): void {
    this.ctx.timing.mark("route");
  }

  onDispatched(): void {
    this.ctx.timing.mark("dispatch");
  }

  onChunk(chunk: SealedChunk, provider: LiveProvider, first: boolean, tokens: number): void {
    if (first) {
      this.ctx.logFields.provider_id = provider.id;
      this.ctx.logFields.ttft_ms = this.deps.clock.now() - this.ctx.startedAt;
      this.ctx.timing.mark("ttft");
      this.ctx.timing.applyTo(this.ctx.res);
    }
    this.hasher.add(chunk);
    if (this.closed) return;
    try {
      this.bill.chunk(tokens, this.writer.chunk(chunk, provider, first), provider);
    } catch (err) {
      this.deps.logger.warn("unusable provider chunk", { request_id: this.ctx.requestId, provider_id: provider.id, ...errorFields(err) });
      this.endWithError(new HttpError(502, "The provider sent an unreadable response stream.", "bad_provider_stream"));
      this.cancel("unreadable response stream");
    }
  }

  onComplete(frame: InferenceCompleteFrame, provider: LiveProvider): void {
    this.ctx.logFields.provider_id = provider.id;
    this.ctx.logFields.finish_reason = frame.finish_reason;
    let intact = true;
    if (!this.closed) {
      try {
        this.writer.checkComplete();
      } catch (err) {
        intact = false;
        this.deps.logger.warn("incomplete provider stream", { request_id: this.ctx.requestId, provider_id: provider.id, ...errorFields(err) });
      }
    }
    const usage = this.receiptUsage(frame, provider);
    const outcome: Outcome = this.cancelReason !== undefined ? "cancelled" : intact ? "completed" : "failed";
    // The whole response goes out right after settling (balance final when the client sees it).
    void this.settle(usage, provider, outcome, intact && !this.closed).finally(() => {
      if (this.closed) return this.writer.dispose();
      if (intact) {
        this.closed = true;
        this.ctx.timing.applyTo(this.ctx.res);
        this.writer.complete(provider, frame.sealed_receipt);
        this.writer.dispose();
      } else this.endWithError(new HttpError(502, "The provider's response stream was incomplete.", "bad_provider_stream"));
    });
  }

  /** Verifies the provider's signed receipt and returns the usage to bill (faults counted against it). */
  private receiptUsage(frame: InferenceCompleteFrame, provider: LiveProvider): Usage {
    const verdict = checkReceipt(frame, {
      requestId: this.bill.requestId,
      model: this.bill.model,
      identityKey: provider.attestation.identity_key,
      responseHash: this.hasher.digest(),
      view: this.writer.receiptView(frame.sealed_receipt),
      partial: this.cancelReason !== undefined,
    });
    this.ctx.logFields.receipt = verdict.verified ? "verified" : frame.receipt ? "rejected" : "missing";
    for (const f of verdict.faults) recordProviderFault(provider, this.deps.logger, { request_id: this.bill.requestId, ...f });
    if (verdict.textCap !== undefined) this.bill.capCompletionByText(verdict.textCap);
    return verdict.usage;
  }

  onFailure(failure: RelayFailure, started: boolean): void {
    if (failure.provider) this.ctx.logFields.provider_id ??= failure.provider.id;
    this.ctx.logFields.error_code = failure.code;
    this.ctx.logFields.attempts = this.handle?.attempts;
    const usage: Usage | null = failure.usage
      ? { promptTokens: failure.usage.prompt_tokens, completionTokens: failure.usage.completion_tokens }
      : null;
    const headers: Record<string, string> = failure.status === 503 ? { "retry-after": "2" } : {};
    const err = new HttpError(failure.status === 499 ? 502 : failure.status, failure.message, failure.code, failure.param ?? null, headers);
    // Billed for what reached the consumer only; nothing delivered costs nothing.
    void this.settle(usage, failure.provider, failure.cancelled ? "cancelled" : "failed", false);
    this.ctx.logFields.stream_error = started || undefined;
    this.endWithError(err);
  }

  private endWithError(err: HttpError): void {
    if (this.closed) return this.writer.dispose();
    this.closed = true;
    this.ctx.logFields.status ??= this.ctx.res.headersSent ? this.ctx.res.statusCode : err.status;
    this.ctx.timing.applyTo(this.ctx.res);
    this.writer.fail(err);
    this.writer.dispose();
  }

  private cancel(reason: string): void {
    if (this.cancelReason !== undefined) return;
    this.cancelReason = reason;
    this.handle?.cancel(reason);
  }

  private async settle(claimed: Usage | null, provider: LiveProvider | null, outcome: Outcome, consumerGetsAll: boolean): Promise<void> {
    try {
      const { decision, result } = await this.bill.settle(claimed, provider, outcome, consumerGetsAll);
      this.ctx.logFields.prompt_tokens = decision.billable.promptTokens;
      this.ctx.logFields.completion_tokens = decision.billable.completionTokens;
      if (result) this.ctx.logFields.charged_micros = result.chargedMicros;
    } catch (err) {
      this.deps.logger.error("settlement failed", { request_id: this.ctx.requestId, internal_id: this.bill.requestId, ...errorFields(err) });
    }
  }
}
