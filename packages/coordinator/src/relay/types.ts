import type {
  ApiKind,
  InferenceCompleteFrame,
  SealedChunk,
  SealedRequest,
  Usage,
} from "@darkbloom/protocol";
import type { LiveProvider } from "../registry/index.js";

/** Everything the relay needs to route one request; content stays sealed inside `seal`. */
export interface DispatchPlan {
  /** Internal id: the provider frame's request_id and the ledger key. */
  requestId: string;
  api: ApiKind;
  model: string;
  stream: boolean;
  maxTokens: number;
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
  /** What the provider reports it used, when it says; billing charges only that. */
  usage: Usage | null;
  provider: LiveProvider | null;
  cancelled: boolean;
}

/**
 * The consumer side of one request. Exactly one of onComplete / onFailure is called, once, even
 * after the consumer went away (billing still settles there).
 */
export interface RelayObserver {
  /** A sealed chunk from the provider now serving the request (`first` on the first one). */
  onChunk(chunk: SealedChunk, provider: LiveProvider, first: boolean): void;
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
