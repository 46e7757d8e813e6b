import type { ReceiptMismatchReason, SignedReceipt } from "@darkbloom/protocol";

/**
 * Why a response's receipt was refused: one of the checks of a signed receipt
 * (ReceiptMismatchReason: hash, request, completion or prompt tokens), or `missing` (no receipt
 * came), `unreadable` (it did not open or parse), `signature` (not signed by the provider's
 * attested identity key). Only signed receipts can be disputed.
 */
export type ReceiptFailure = ReceiptMismatchReason | "missing" | "unreadable" | "signature";

/** What became of the dispute privateFetch filed for a refused receipt. */
export type DisputeOutcome =
  | { filed: true; status: number }
  | { filed: false; reason: "not_signed" | "disabled" | "refused" | "network"; status?: number };

/**
 * The provider's signed usage receipt disagrees with the response the SDK decrypted (or is
 * missing or forged). Raised to the caller when reading the response body; the response bytes
 * themselves were the provider's. When the receipt was signed, a dispute is filed with the
 * coordinator (`dispute` settles once it is).
 */
export class ReceiptMismatchError extends Error {
  override readonly name = "ReceiptMismatchError";

  constructor(
    readonly reason: ReceiptFailure,
    message: string,
    /** The receipt as received (null when there was none, or it could not be read). */
    readonly receipt: SignedReceipt | null,
    /** For token bounds: what the receipt claims and the most the response supports. */
    readonly claimed: number | undefined,
    readonly allowed: number | undefined,
    /** The serving provider, when known (X-Provider-Id). */
    readonly providerId: string | undefined,
    readonly dispute: Promise<DisputeOutcome>,
  ) {
    super(message);
  }
}
