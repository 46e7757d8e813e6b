import assert from "node:assert/strict";
import { test } from "node:test";
import { createStreamSealer, encodeReceiptEvent, encodeSealedEvent, utf8Decode, utf8Encode } from "@darkbloom/protocol";
import { SealedStreamReader, type UnsealedPart } from "../unseal.js";

const KID = "kid0123456789abc";

/** A response body that sends `text` and then stays open (or closes when `close`). */
function body(text: string, close: boolean): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      c.enqueue(utf8Encode(text));
      if (close) c.close();
    },
  });
}

async function parts(reader: SealedStreamReader): Promise<UnsealedPart[]> {
  const out: UnsealedPart[] = [];
  for (;;) {
    const p = await reader.next();
    out.push(p);
    if (p.kind === "done" || p.kind === "error") return out;
  }
}

test("after the final chunk the reader returns the opened receipt, then done", async () => {
  const secret = new Uint8Array(32).fill(3);
  const sealer = createStreamSealer(secret, KID);
  const text = encodeSealedEvent(sealer.seal(utf8Encode("hello"), true)) + encodeReceiptEvent(sealer.sealReceipt(utf8Encode("r")));
  const seen: string[] = [];
  const reader = new SealedStreamReader(body(text, false), new Map([[KID, secret]]), { expectReceipt: true, onReceipt: (b) => seen.push(b ? utf8Decode(b) : "null") });
  const got = await parts(reader);
  assert.deepEqual(got.map((p) => p.kind), ["data", "receipt", "done"]);
  assert.deepEqual(seen, ["r"]);
});

test("a receipt that never comes ends the stream after the wait (a coordinator holding it open gains nothing)", async () => {
  const secret = new Uint8Array(32).fill(4);
  const sealer = createStreamSealer(secret, KID);
  const reader = new SealedStreamReader(body(encodeSealedEvent(sealer.seal(utf8Encode("hello"), true)), false), new Map([[KID, secret]]), { expectReceipt: true, receiptWaitMs: 50 });
  assert.deepEqual((await parts(reader)).map((p) => p.kind), ["data", "done"]);
  // The stream closing without a receipt ends it at once; a receipt under another key opens to null.
  const other = createStreamSealer(new Uint8Array(32).fill(5), KID);
  other.seal(utf8Encode("x"), true);
  const s2 = createStreamSealer(secret, KID);
  const text = encodeSealedEvent(s2.seal(utf8Encode("hello"), true)) + encodeReceiptEvent(other.sealReceipt(utf8Encode("forged")));
  const seen: (string | null)[] = [];
  const r2 = new SealedStreamReader(body(text, true), new Map([[KID, secret]]), { expectReceipt: true, onReceipt: (b) => seen.push(b && utf8Decode(b)) });
  assert.deepEqual((await parts(r2)).map((p) => p.kind), ["data", "receipt", "done"]);
  assert.deepEqual(seen, [null]);
});
