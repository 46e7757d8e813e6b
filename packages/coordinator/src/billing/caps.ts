/**
 * What a request may be billed, whatever its provider claims. Pure: no I/O, no clock.
 *
 * Every usage figure a provider sends (`inference_complete`, `inference_error`, the running
 * `tokens` count on chunks) is a claim. The coordinator bills at most:
 * - completion tokens: the request's max_tokens (the default reserve when none was given), and
 *   never more than the completion tokens that actually reached the consumer;
 * - prompt tokens: what the request's size allows. A body of B bytes holds at most B tokens
 *   (every token is at least one byte), plus a small allowance for the chat template's own tokens
 *   (role markers, a default system preamble) that are not in the body;
 * - nothing at all when no chunk reached the consumer.
 * The reservation is taken at those same caps, so honest usage is never clamped by the hold.
 */

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** Chat-template tokens a provider may add that the body does not contain. */
export const TEMPLATE_ALLOWANCE_TOKENS = 256;

/** The most prompt tokens a body of `bodyBytes` bytes (the plaintext the provider renders) can be. */
export function promptTokenCap(bodyBytes: number): number {
  return Math.max(0, Math.ceil(bodyBytes)) + TEMPLATE_ALLOWANCE_TOKENS;
}

/** The coordinator's own prompt estimate for a body (~4 bytes per token), never above the cap. */
export function promptTokenEstimate(bodyBytes: number): number {
  return Math.min(Math.ceil(Math.max(0, bodyBytes) / 4), promptTokenCap(bodyBytes));
}

/** Caps fixed when the request is admitted. */
export interface RequestLimits {
  /** max_tokens as sent to the provider. */
  maxCompletionTokens: number;
  /** `promptTokenCap` of the request's body. */
  maxPromptTokens: number;
  /** Prompt tokens billed when the provider reported none but content was delivered. */
  promptEstimate: number;
}

/** What reached the consumer. */
export interface Delivery {
  /** Chunks written to the consumer (0: it received nothing). */
  chunks: number;
  /** The running completion-token count of the last chunk written to the consumer. */
  completionTokens: number;
}

export interface UsageFault {
  field: "prompt_tokens" | "completion_tokens";
  claimed: number;
  allowed: number;
}

export interface BillingDecision {
  billable: Usage;
  /** Claims over a hard cap: each is a provider fault. */
  faults: UsageFault[];
}

export const NOTHING_DELIVERED: Delivery = { chunks: 0, completionTokens: 0 };

/**
 * The billable usage of one finished request from the provider's claim (or none) and what was
 * delivered. Claims over the hard caps (max_tokens, the body's prompt cap) are faults. A claim
 * above the delivered count is not a fault on its own (after a cancel the provider generated more
 * than the consumer read) but is not billed.
 */
export function billableUsage(limits: RequestLimits, claimed: Usage | null, delivered: Delivery): BillingDecision {
  const faults: UsageFault[] = [];
  let claimedPrompt: number | undefined;
  let claimedCompletion: number | undefined;
  if (claimed) {
    claimedPrompt = Math.min(claimed.promptTokens, limits.maxPromptTokens);
    if (claimed.promptTokens > limits.maxPromptTokens) {
      faults.push({ field: "prompt_tokens", claimed: claimed.promptTokens, allowed: limits.maxPromptTokens });
    }
    claimedCompletion = Math.min(claimed.completionTokens, limits.maxCompletionTokens);
    if (claimed.completionTokens > limits.maxCompletionTokens) {
      faults.push({ field: "completion_tokens", claimed: claimed.completionTokens, allowed: limits.maxCompletionTokens });
    }
  }
  if (delivered.chunks <= 0) return { billable: { promptTokens: 0, completionTokens: 0 }, faults };
  const deliveredCompletion = Math.min(Math.max(delivered.completionTokens, 0), limits.maxCompletionTokens);
  const promptTokens = claimedPrompt ?? Math.min(limits.promptEstimate, limits.maxPromptTokens);
  const completionTokens = Math.min(claimedCompletion ?? deliveredCompletion, deliveredCompletion);
  return { billable: { promptTokens: Math.max(promptTokens, 0), completionTokens: Math.max(completionTokens, 0) }, faults };
}

export interface ChunkTokensCheck {
  /** The count to use: never below the previous one, never above max_tokens. */
  tokens: number;
  fault?: { reason: "decreased" | "above_max_tokens"; claimed: number; allowed: number };
}

/** Checks one chunk's running completion-token count against the previous one and max_tokens. */
export function checkChunkTokens(previous: number, claimed: number, maxTokens: number): ChunkTokensCheck {
  if (claimed > maxTokens) {
    return { tokens: Math.max(previous, maxTokens), fault: { reason: "above_max_tokens", claimed, allowed: maxTokens } };
  }
  if (claimed < previous) return { tokens: previous, fault: { reason: "decreased", claimed, allowed: previous } };
  return { tokens: claimed };
}
