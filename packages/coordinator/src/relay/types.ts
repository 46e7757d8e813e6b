import type {
  ApiKind,
  InferenceCompleteFrame,
  SealedChunk,
  SealedRequest,
  Usage,
} from "@darkbloom/protocol";
import type { BudgetHold, Grant } from "../admission/index.js";
import type { LiveProvider } from "../registry/index.js";

/** Everything the relay needs to route one request; content stays sealed inside `seal`. */
export interface DispatchPlan {
  /** Internal id: the provider frame's request_id and the ledger key. */
  requestId: string;
  api: ApiKind;
  model: string;
  stream: boolean;
  maxTokens: number;
  /** Prompt tokens the coordinator expects (first-token deadline; forwarded to the provider). */
  inputTokensEstimate: number;
  /** Extra candidate gate (e2e: the provider's kid must be a sealed recipient). */
  accept?: (p: LiveProvider) => boolean;
  /** The sealed body for this provider (e2e: the client's envelope, untouched). */
  seal(p: LiveProvider): Promise<SealedRequest> | SealedRequest;
}

export interface RelayFailure {
  status: number;
  /** OpenAI error `code`. */
  code: string;
  message: string;
  /** OpenAI error `param` (a provider's bad_request names the refused parameter). */
  param?: string | null;
  /** What the provider claims it used, when it says (capped by billing before use). */
  usage: Usage | null;
  provider: LiveProvider | null;
  cancelled: boolean;
}

/**
 * The consumer side of one request. Exactly one of onComplete / onFailure is called, once, even
 * after the consumer went away (billing still settles there).
 */
export interface RelayObserver {
  /**
   * A sealed chunk from the provider now serving the request (`first` on the first one); `tokens`
   * is its running completion-token count, checked (never decreasing, never above max_tokens).
   */
  onChunk(chunk: SealedChunk, provider: LiveProvider, first: boolean, tokens: number): void;
  /** A provider was picked for an attempt (timing). */
  onRouted?(provider: LiveProvider): void;
  /** The request frame was handed to that provider's link (timing). */
  onDispatched?(provider: LiveProvider): void;
  onComplete(frame: InferenceCompleteFrame, provider: LiveProvider): void;
  /** `started`: a chunk had already reached the consumer, so no HTTP status can change. */
  onFailure(failure: RelayFailure, started: boolean): void;
}

export interface RelayHandle {
  /** Consumer gone or too slow: tell the provider to stop; settles once its usage arrives. */
  cancel(reason: string): void;
  readonly provider: LiveProvider | null;
  readonly attempts: number;
}

/**
 * Token budget per dispatch (admission/): the relay holds room on each provider it dispatches to
 * and releases it when that attempt ends. `Admission` satisfies it.
 */
export interface DispatchBudget {
  /** `p` has room for this request now. */
  fits(p: LiveProvider, plan: DispatchPlan): boolean;
  hold(p: LiveProvider, plan: DispatchPlan): BudgetHold;
  /** `completed`: the attempt served the request to its end (its duration is a service time). */
  release(hold: BudgetHold, completed: boolean): void;
}

/** Whether a speculative backup is worth dispatching for `model` now (no queue, backups win). */
export interface BackupPolicy {
  allowed(model: string): boolean;
  /** A backup was sent for `model`. */
  dispatched?(model: string): void;
  /** A backup raced its primary: `won` when it produced content first. */
  outcome?(model: string, backup: LiveProvider, won: boolean): void;
}

export type { Grant };
