import type { TrustLevel } from "@darkbloom/protocol";

/** Why one candidate provider was not sealed to. */
export type RejectionReason =
  | "malformed"
  | "key_mismatch"
  | "bad_signature"
  | "stale"
  | "below_min_trust"
  | "not_pinned"
  | "rejected_by_policy";

export interface CandidateRejection {
  providerId: string | null;
  reason: RejectionReason;
  detail: string;
}

/**
 * No provider offered for the model passed attestation verification (forged, stale, mismatched,
 * below the minimum trust level or not pinned): nothing was sealed or sent. With the `openai` /
 * Anthropic clients it arrives as the `cause` of their connection error.
 */
export class NoTrustedProviderError extends Error {
  override readonly name = "NoTrustedProviderError";
  readonly code = "e2e_no_trusted_provider";

  constructor(
    readonly model: string,
    readonly minTrust: TrustLevel,
    /** One entry per provider the coordinator offered (none offered: empty). */
    readonly rejections: readonly CandidateRejection[],
  ) {
    const counts = new Map<RejectionReason, number>();
    for (const r of rejections) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
    const summary = [...counts].map(([reason, n]) => `${n} ${reason}`).join(", ");
    super(
      rejections.length === 0
        ? `no provider key offered for model '${model}'`
        : `no provider for model '${model}' passed attestation verification at trust level ${minTrust} (${rejections.length} offered: ${summary}); nothing was sent`,
    );
  }
}
