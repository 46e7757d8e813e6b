import {
  ResponseHasher,
  ResponseTextMeter,
  SignedReceiptSchema,
  receiptMismatches,
  utf8Decode,
  utf8Length,
  verifyReceipt,
  type ApiKind,
  type ReceiptMismatch,
  type SealedChunk,
  type SignedReceipt,
} from "@darkbloom/protocol";

/** What the SDK knows about the request a receipt must describe. */
export interface ReceiptRequest {
  api: ApiKind;
  stream: boolean;
  model: string;
  /** The plaintext body that was sealed. */
  body: string;
  /** The parsed body (for its stop strings). */
  parsed: Record<string, unknown>;
  /** Identity key (base64) of each recipient's attestation, by kid. */
  identityKeys: ReadonlyMap<string, string>;
}

export type ReceiptVerdict =
  | { ok: true; receipt: SignedReceipt }
  | { ok: false; reason: "missing" | "unreadable" | "signature"; receipt: SignedReceipt | null; message: string }
  | { ok: false; reason: ReceiptMismatch["reason"]; receipt: SignedReceipt; identityKey: string; message: string; claimed?: number; allowed?: number };

function stopBytes(parsed: Record<string, unknown>): number {
  const stop = parsed.stop ?? parsed.stop_sequences;
  const list = typeof stop === "string" ? [stop] : Array.isArray(stop) ? stop : [];
  return list.reduce<number>((n, s) => n + (typeof s === "string" ? utf8Length(s) : 0), 0);
}

/**
 * Follows one e2e response: hashes each sealed chunk as received, measures the decrypted text,
 * and at the end checks the provider's sealed receipt against both (receiptMismatches) after
 * verifying its signature with the identity key attested for the kid that answered.
 */
export class ReceiptVerifier {
  private readonly hasher = new ResponseHasher();
  private readonly meter: ResponseTextMeter;
  private kid: string | undefined;
  private opened: Uint8Array | null | undefined;

  constructor(private readonly req: ReceiptRequest) {
    this.meter = new ResponseTextMeter(req.api, req.stream);
  }

  chunk(chunk: SealedChunk, plaintext: Uint8Array): void {
    this.kid ??= chunk.kid;
    this.hasher.add(chunk);
    this.meter.push(plaintext);
  }

  /** The opened receipt bytes (null: it came but did not open). */
  receipt(bytes: Uint8Array | null): void {
    this.opened = bytes;
  }

  finish(): ReceiptVerdict {
    const { textBytes } = this.meter.finish();
    if (this.opened === undefined) return { ok: false, reason: "missing", receipt: null, message: "the response carried no usage receipt" };
    let receipt: SignedReceipt | undefined;
    try {
      const r = this.opened && SignedReceiptSchema.safeParse(JSON.parse(utf8Decode(this.opened)));
      if (r && r.success) receipt = r.data;
    } catch {
      receipt = undefined;
    }
    if (!receipt) return { ok: false, reason: "unreadable", receipt: null, message: "the usage receipt did not open or is malformed" };
    const identityKey = this.kid !== undefined ? this.req.identityKeys.get(this.kid) : undefined;
    if (identityKey === undefined || !verifyReceipt(receipt, identityKey)) {
      return { ok: false, reason: "signature", receipt, message: "the usage receipt is not signed by the answering provider's attested identity key" };
    }
    const mismatch = receiptMismatches(receipt, {
      responseHash: this.hasher.digest(),
      model: this.req.model,
      requestBytes: utf8Length(this.req.body),
      textBytes,
      stopBytes: stopBytes(this.req.parsed),
    })[0];
    if (!mismatch) return { ok: true, receipt };
    const bound = mismatch.claimed !== undefined ? ` (claims ${mismatch.claimed}, the response supports at most ${mismatch.allowed})` : "";
    return { ok: false, ...mismatch, receipt, identityKey, message: `the provider's usage receipt disagrees with the response: ${mismatch.reason}${bound}` };
  }
}
