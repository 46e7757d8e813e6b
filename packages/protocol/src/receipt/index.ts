export { ReceiptFieldsSchema, SignedReceiptSchema, receiptSigningBytes, signReceipt, verifyReceipt, sameReceipt, type ReceiptFields, type SignedReceipt } from "./receipt.js";
export { ResponseHasher } from "./response-hash.js";
export { ResponseTextMeter, TOOL_CALL_OVERHEAD_BYTES, utf8Length } from "./response-text.js";
export {
  RECEIPT_COMPLETION_SLACK_TOKENS,
  RECEIPT_TEMPLATE_ALLOWANCE_TOKENS,
  ReceiptMismatchReasonSchema,
  receiptMismatches,
  type ReceiptExpectation,
  type ReceiptMismatch,
  type ReceiptMismatchReason,
} from "./check.js";
export { DISPUTE_MAX_BODY_BYTES, DisputeRequestSchema, DisputeResponseSchema, type DisputeRequest, type DisputeResponse } from "./dispute.js";
