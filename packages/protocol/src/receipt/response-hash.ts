import { sha256 } from "@noble/hashes/sha2.js";
import { encodeHex, utf8Encode } from "../seal/bytes.js";

const DOMAIN = utf8Encode("darkbloom/v2 response hash");
const encoder = new TextEncoder();

/**
 * SHA-256 over the sealed response chunks in order: domain ‖ per chunk (seq u64 BE ‖ final u8 ‖
 * ct length u32 BE ‖ ct as sent, base64 ASCII). Ciphertext only: whoever lacks the response key
 * (the coordinator in e2e mode) learns nothing about the plaintext from it, and cannot test a
 * guess of a short answer against it. Provider, coordinator and SDK compute it over the same
 * chunks; the AEAD makes the ciphertext stand for exactly one plaintext.
 */
export class ResponseHasher {
  private readonly h = sha256.create();
  private readonly head = new Uint8Array(13);
  private readonly view = new DataView(this.head.buffer);
  private count = 0;
  /** Reused for each chunk's ciphertext text (base64, so one byte per character). */
  private scratch = new Uint8Array(1024);

  constructor() {
    this.h.update(DOMAIN);
  }

  /** Chunks hashed so far. */
  get chunks(): number {
    return this.count;
  }

  add(chunk: { seq: number; final: boolean; ct: string }): void {
    if (chunk.ct.length * 3 > this.scratch.length) this.scratch = new Uint8Array(chunk.ct.length * 3);
    const ct = this.scratch.subarray(0, encoder.encodeInto(chunk.ct, this.scratch).written);
    this.view.setUint32(0, Math.floor(chunk.seq / 0x1_0000_0000));
    this.view.setUint32(4, chunk.seq >>> 0);
    this.head[8] = chunk.final ? 1 : 0;
    this.view.setUint32(9, ct.length);
    this.h.update(this.head);
    this.h.update(ct);
    this.count++;
  }

  /** Lowercase hex; the hasher can still be read again (it clones). */
  digest(): string {
    return encodeHex(this.h.clone().digest());
  }
}
