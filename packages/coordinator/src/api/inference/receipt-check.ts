import {
  RECEIPT_COMPLETION_SLACK_TOKENS,
  SignedReceiptSchema,
  sameReceipt,
  verifyReceipt,
  type InferenceCompleteFrame,
  type SignedReceipt,
} from "@darkbloom/protocol";
import type { Usage } from "../../billing/index.js";

/** What a privacy mode's writer could see of the receipt (writer.ts `receiptView`). */
export interface ReceiptView {
  /** coordinator-sealed only: the sealed receipt as opened (null: absent or it did not open or parse). */
  opened?: SignedReceipt | null;
  /** coordinator-sealed only: UTF-8 bytes of the generated text the coordinator relayed. */
  textBytes?: number;
}

export interface ReceiptContext {
  requestId: string;
  model: string;
  /** The serving provider's registered identity key (base64). */
  identityKey: string;
  /** ResponseHasher digest over the chunks the coordinator relayed. */
  responseHash: string;
  view: ReceiptView;
  /**
   * The request was cancelled: chunks the provider sent after that never reached the coordinator's
   * hasher and text meter, so the hash and the text bound cannot be held against it.
   */
  partial?: boolean;
}

export interface ReceiptFault {
  kind: string;
  claimed?: number;
  allowed?: number;
}

export interface ReceiptVerdict {
  /** The usage to bill from (before the billing caps); the receipt's when it verified. */
  usage: Usage;
  /** True when the signed receipt verified and agreed with everything the coordinator saw. */
  verified: boolean;
  /** coordinator-sealed: the most completion tokens the relayed text supports (a billing cap). */
  textCap?: number;
  faults: ReceiptFault[];
}

/**
 * Checks the provider's receipt on inference_complete: signed by the registered identity key, for
 * this request and model, with the same usage as the clear report, over exactly the chunks relayed;
 * in coordinator-sealed mode also that the sealed copy is the same receipt and that the completion
 * claim fits the text (a token is at least one byte). Any disagreement is a provider fault; the
 * clear usage is then billed under the usual caps (and, where the text bound is known, under it:
 * `textCap`).
 * Pure.
 */
export function checkReceipt(frame: InferenceCompleteFrame, c: ReceiptContext): ReceiptVerdict {
  const clear: Usage = { promptTokens: frame.usage.prompt_tokens, completionTokens: frame.usage.completion_tokens };
  const faults: ReceiptFault[] = [];
  const r = frame.receipt;
  const textCap = c.view.textBytes !== undefined ? c.view.textBytes + RECEIPT_COMPLETION_SLACK_TOKENS : undefined;
  if (textCap !== undefined && clear.completionTokens > textCap && !c.partial) {
    faults.push({ kind: "receipt.completion_tokens_above_text", claimed: clear.completionTokens, allowed: textCap });
  }
  const cap = textCap !== undefined ? { textCap } : {};
  if (!r) return { usage: clear, verified: false, faults: [...faults, { kind: "receipt.missing" }], ...cap };
  if (!verifyReceipt(r, c.identityKey)) faults.push({ kind: "receipt.signature" });
  if (r.request_id !== c.requestId || r.model !== c.model) faults.push({ kind: "receipt.request" });
  if (r.prompt_tokens !== frame.usage.prompt_tokens) faults.push({ kind: "receipt.prompt_tokens", claimed: r.prompt_tokens, allowed: frame.usage.prompt_tokens });
  if (r.completion_tokens !== frame.usage.completion_tokens) {
    faults.push({ kind: "receipt.completion_tokens", claimed: r.completion_tokens, allowed: frame.usage.completion_tokens });
  }
  if (r.response_hash !== c.responseHash && !c.partial) faults.push({ kind: "receipt.response_hash" });
  if (!frame.sealed_receipt) faults.push({ kind: "receipt.sealed_missing" });
  else if (c.view.opened !== undefined && (c.view.opened === null || !sameReceipt(c.view.opened, r) || c.view.opened.signature !== r.signature)) {
    faults.push({ kind: "receipt.sealed_mismatch" });
  }
  if (faults.length > 0) return { usage: clear, verified: false, faults, ...cap };
  return { usage: { promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens }, verified: true, faults, ...cap };
}

/** Parses an opened sealed receipt; null when it is not one. */
export function parseOpenedReceipt(bytes: Uint8Array): SignedReceipt | null {
  try {
    const r = SignedReceiptSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
