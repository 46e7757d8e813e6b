import type { SignedReceipt } from "@darkbloom/protocol";
import { fileDispute } from "./dispute.js";
import { ReceiptMismatchError, type DisputeOutcome } from "./errors.js";
import type { ReceiptVerifier } from "./verifier.js";

export interface ReceiptPolicy {
  fetchFn: () => typeof fetch;
  /** The coordinator's API root (…/v1). */
  apiBase: string;
  apiKey: string;
  /** File a dispute for a signed receipt that disagrees (default true). */
  fileDisputes: boolean;
  /** Called with every receipt that verified. */
  onReceipt?: (receipt: SignedReceipt) => void;
}

/**
 * The end of a response: a receipt that verified goes to `onReceipt`; any other outcome becomes a
 * ReceiptMismatchError for the caller, and a signed receipt that disagrees is disputed.
 */
export function concludeReceipt(verifier: ReceiptVerifier, policy: ReceiptPolicy, providerId: string | undefined): ReceiptMismatchError | undefined {
  const v = verifier.finish();
  if (v.ok) {
    policy.onReceipt?.(v.receipt);
    return undefined;
  }
  let dispute: Promise<DisputeOutcome>;
  if (!("identityKey" in v)) dispute = Promise.resolve({ filed: false, reason: "not_signed" });
  else if (!policy.fileDisputes) dispute = Promise.resolve({ filed: false, reason: "disabled" });
  else {
    dispute = fileDispute(policy.fetchFn(), policy.apiBase, policy.apiKey, {
      receipt: v.receipt,
      identity_key: v.identityKey,
      reason: v.reason,
      ...(v.claimed !== undefined && { claimed: v.claimed }),
      ...(v.allowed !== undefined && { allowed: v.allowed }),
    });
  }
  const claimed = "claimed" in v ? v.claimed : undefined;
  const allowed = "allowed" in v ? v.allowed : undefined;
  return new ReceiptMismatchError(v.reason, v.message, v.receipt, claimed, allowed, providerId, dispute);
}
