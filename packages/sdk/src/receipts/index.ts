export { ReceiptMismatchError, type DisputeOutcome, type ReceiptFailure } from "./errors.js";
export { ReceiptVerifier, type ReceiptRequest, type ReceiptVerdict } from "./verifier.js";
export { concludeReceipt, type ReceiptPolicy } from "./conclude.js";
export { fileDispute } from "./dispute.js";
export { checkedStream, type CheckedStream } from "./reader.js";
