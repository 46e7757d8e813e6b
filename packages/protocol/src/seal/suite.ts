import { CipherSuite, DhkemX25519HkdfSha256 as NativeX25519Kem, HkdfSha256 } from "@hpke/core";
import { DhkemX25519HkdfSha256 as NobleX25519Kem } from "@hpke/dhkem-x25519";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";

/** HPKE (RFC 9180) mode_base with the suite named in the spec. */
export const SEAL_SUITE = "DHKEM-X25519-HKDF-SHA256/HKDF-SHA256/ChaCha20-Poly1305";

let suitePromise: Promise<CipherSuite> | undefined;

/** True when this runtime's WebCrypto implements X25519 (Node ≥ 20, current browsers). */
async function hasNativeX25519(): Promise<boolean> {
  try {
    const subtle = globalThis.crypto?.subtle;
    if (!subtle) return false;
    await subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
    return true;
  } catch {
    return false;
  }
}

/**
 * The process-wide HPKE suite. X25519 runs on native WebCrypto where available (≈3× faster) and
 * falls back to the audited pure-JS implementation elsewhere; both produce identical wire bytes.
 * Key objects are tied to the suite that made them, so every caller must use this one instance.
 */
export function getSuite(): Promise<CipherSuite> {
  suitePromise ??= hasNativeX25519().then(
    (native) =>
      new CipherSuite({
        kem: native ? new NativeX25519Kem() : new NobleX25519Kem(),
        kdf: new HkdfSha256(),
        aead: new Chacha20Poly1305(),
      }),
  );
  return suitePromise;
}

/** A suite on the pure-JS KEM regardless of the runtime (tests, vectors). */
export function createPortableSuite(): CipherSuite {
  return new CipherSuite({ kem: new NobleX25519Kem(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
}
