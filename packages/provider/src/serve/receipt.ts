import { ResponseHasher, signReceipt, utf8Encode, type InferenceCompleteFrame, type SealedChunk, type StreamSealer } from "@darkbloom/protocol";

/**
 * The provider's side of a usage receipt: hashes every sealed chunk as it is sent, then signs
 * {request_id, model, usage, response_hash} with the identity key and seals the same receipt under
 * the response key, so the coordinator can bill from one copy and cannot alter the other.
 */
export class ReceiptWriter {
  private readonly hasher = new ResponseHasher();

  constructor(
    private readonly requestId: string,
    private readonly model: string,
    private readonly identitySecret: Uint8Array,
  ) {}

  /** Records a chunk that is being sent (in order). */
  sent(chunk: SealedChunk): SealedChunk {
    this.hasher.add(chunk);
    return chunk;
  }

  /** The `receipt` and `sealed_receipt` fields of inference_complete. */
  complete(sealer: StreamSealer, usage: { prompt_tokens: number; completion_tokens: number }): Pick<InferenceCompleteFrame, "receipt" | "sealed_receipt"> {
    const receipt = signReceipt({ request_id: this.requestId, model: this.model, ...usage, response_hash: this.hasher.digest() }, this.identitySecret);
    return { receipt, sealed_receipt: sealer.sealReceipt(utf8Encode(JSON.stringify(receipt))) };
  }
}
