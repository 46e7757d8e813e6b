import { SealedStreamReader } from "../unseal.js";
import { concludeReceipt, type ReceiptPolicy } from "./conclude.js";
import type { ReceiptMismatchError } from "./errors.js";
import { ReceiptVerifier, type ReceiptRequest } from "./verifier.js";

export interface CheckedStream {
  reader: SealedStreamReader;
  /** At the end of a delivered response: the error to raise, if any (undefined when reported or fine). */
  conclude: () => ReceiptMismatchError | undefined;
}

/**
 * A sealed stream reader that feeds every opened chunk and the receipt to a ReceiptVerifier.
 * With `report`, a mismatch goes there instead of being raised.
 */
export function checkedStream(
  body: ReadableStream<Uint8Array>,
  responseKeys: Map<string, Uint8Array>,
  req: ReceiptRequest,
  policy: ReceiptPolicy,
  providerId: string | undefined,
  report?: (err: ReceiptMismatchError) => void,
): CheckedStream {
  const verifier = new ReceiptVerifier(req);
  const reader = new SealedStreamReader(body, responseKeys, {
    expectReceipt: true,
    onChunk: (c, p) => verifier.chunk(c, p),
    onReceipt: (bytes) => verifier.receipt(bytes),
  });
  const conclude = () => {
    const err = concludeReceipt(verifier, policy, providerId);
    if (!err || !report) return err;
    report(err);
    return undefined;
  };
  return { reader, conclude };
}
