import { z } from "zod";
import type { ReceiptFields } from "./receipt.js";

/**
 * What a consumer checks a verified receipt against. Every bound holds for an honest provider:
 * a completion token is at least one byte of the text it produced, except the few that produce
 * none (the end token, a stop string the client asked for, a tool-call tag) — the slack; a prompt
 * token is at least one byte of the request, plus the chat template's own tokens.
 */
export const RECEIPT_COMPLETION_SLACK_TOKENS = 8;
/** Chat-template tokens a provider may add that the request body does not contain (as the coordinator's cap). */
export const RECEIPT_TEMPLATE_ALLOWANCE_TOKENS = 256;

export const ReceiptMismatchReasonSchema = z.enum(["response_hash", "request", "completion_tokens", "prompt_tokens"]);
export type ReceiptMismatchReason = z.infer<typeof ReceiptMismatchReasonSchema>;

export interface ReceiptMismatch {
  reason: ReceiptMismatchReason;
  /** What the receipt claims (tokens) and what the check allows; absent for hash and request mismatches. */
  claimed?: number;
  allowed?: number;
}

export interface ReceiptExpectation {
  /** The response hash over the chunks actually received (ResponseHasher). */
  responseHash: string;
  /** The model the request named. */
  model: string;
  /** UTF-8 bytes of the request body the provider opened. */
  requestBytes: number;
  /** UTF-8 bytes of the generated text received (ResponseTextMeter). */
  textBytes: number;
  /** UTF-8 bytes of the stop strings the request gave (their tokens produce no text). */
  stopBytes?: number;
  /** The request id the receipt must name, when the checker knows it (the coordinator does). */
  requestId?: string;
}

/** Every way `r` disagrees with what was received; empty when it holds. Pure. */
export function receiptMismatches(r: ReceiptFields, e: ReceiptExpectation): ReceiptMismatch[] {
  const out: ReceiptMismatch[] = [];
  if (r.response_hash !== e.responseHash) out.push({ reason: "response_hash" });
  if (r.model !== e.model || (e.requestId !== undefined && r.request_id !== e.requestId)) out.push({ reason: "request" });
  const completion = e.textBytes + (e.stopBytes ?? 0) + RECEIPT_COMPLETION_SLACK_TOKENS;
  if (r.completion_tokens > completion) out.push({ reason: "completion_tokens", claimed: r.completion_tokens, allowed: completion });
  const prompt = e.requestBytes + RECEIPT_TEMPLATE_ALLOWANCE_TOKENS;
  if (r.prompt_tokens > prompt) out.push({ reason: "prompt_tokens", claimed: r.prompt_tokens, allowed: prompt });
  return out;
}
